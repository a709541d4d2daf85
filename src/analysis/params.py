"""`params.yml`: the one list of chapters, the shared settings, and every parameter's type and range, declared beside it in the file.

Each chapter entry (and the shared block) has `parameters:` and, next to it, `checks:`
giving for each parameter one of these declarations:

- `{type: int, min: A, max: B}`: a whole number from A to B;
- `{type: number, above: A, max: B}`: a number greater than A (and at most B);
- `{type: month, min: "YYYY-MM"}`: a month written YYYY-MM, not after the current month;
- `{type: date, not_after: NAME}`: a calendar date written YYYY-MM-DD, not after the month in NAME;
- `{type: choice, of: [a, b]}`: one of the listed words;
- `before: NAME` (with int): smaller than the chapter's parameter NAME.

A parameter without a declaration is refused too, so a new parameter cannot skip its check.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .paths import params_file, repo_root
from .problems import Problem


class ParamsError(ValueError):
    """params.yml cannot be read; the message names the file and line."""


def read_params(path: Path | None = None) -> dict:
    """Read params.yml as a mapping with `chapters`; a plain ParamsError naming the file otherwise."""
    path = path or params_file()
    name = path.name
    try:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise ParamsError(f"{name}: the parameters file is missing") from None
    except UnicodeDecodeError:
        raise ParamsError(f"{name}: not UTF-8 text") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise ParamsError(f"{name}{where}: not valid YAML ({getattr(err, 'problem', None) or 'syntax error'})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("chapters"), dict) or not spec["chapters"]:
        raise ParamsError(f"{name}: empty, or has no 'chapters:' mapping")
    if not isinstance(spec.get("pages", {}), dict):
        raise ParamsError(f"{name}, key pages: must be a mapping")
    for section in ("chapters", "pages"):
        for chapter, entry in (spec.get(section) or {}).items():
            if not isinstance(entry, dict):
                raise ParamsError(f"{name}, key {section}.{chapter}: must be a mapping (title, question, notebook, parameters)")
            if not isinstance(entry.get("parameters") or {}, dict) or not isinstance(entry.get("checks") or {}, dict):
                raise ParamsError(f"{name}, key {section}.{chapter}: 'parameters' and 'checks' must be mappings")
    if not isinstance(spec.get("shared", {}), dict) or not isinstance(spec.get("shared_checks", {}), dict):
        raise ParamsError(f"{name}, key shared: must be a mapping")
    return spec


def check_value(name: str, value, rule: dict, siblings: dict) -> str | None:
    """Why `value` breaks its declaration, or None."""
    kind = rule.get("type")
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{name} must be a whole number, not {value!r}"
        if "min" in rule and value < rule["min"] or "max" in rule and value > rule["max"]:
            return f"{name} must lie from {rule.get('min', '-inf')} to {rule.get('max', 'inf')}, not {value}"
        other = rule.get("before")
        if other and isinstance(siblings.get(other), int) and not value < siblings[other]:
            return f"{name} ({value}) must be before {other} ({siblings[other]})"
        return None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            return f"{name} must be a number, not {value!r}"
        if "above" in rule and not value > rule["above"]:
            return f"{name} must be greater than {rule['above']}, not {value}"
        if "max" in rule and value > rule["max"]:
            return f"{name} must be at most {rule['max']}, not {value}"
        return None
    if kind == "month":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            return f"{name} must be a month written YYYY-MM in quotes, not {value!r}"
        if "min" in rule and value < str(rule["min"]):
            return f"{name} must not be before {rule['min']}, not {value}"
        if value > dt.date.today().strftime("%Y-%m"):
            return f"{name} {value} is in the future"
        return None
    if kind == "date":
        try:
            dt.date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            return f"{name} must be a date written YYYY-MM-DD in quotes, not {value!r}"
        other = rule.get("not_after")
        if other and isinstance(siblings.get(other), str) and value[:7] > siblings[other]:
            return f"{name} ({value}) must not be after {other} ({siblings[other]})"
        return None
    if kind == "choice":
        if value not in rule.get("of", []):
            return f"{name} must be one of {', '.join(map(str, rule.get('of', [])))}, not {value!r}"
        return None
    return f"{name} has no usable check declared (type {kind!r})"


def check_params(chapters=None, path: Path | None = None) -> list:
    """Every parameter of every chapter (after command-line overrides) against its declaration."""
    path = path or params_file()
    try:
        spec = read_params(path)
        chapters = chapters if chapters is not None else load_chapters(path=path)
    except ValueError as err:
        return [Problem(path.name, None, None, str(err).removeprefix(f"{path.name}: "))]
    problems = []
    shared_checks = spec.get("shared_checks", {})
    for chapter in chapters:
        section = "chapters" if chapter.name in spec["chapters"] else "pages"
        entry = (spec.get(section) or {}).get(chapter.name, {})
        checks = {**shared_checks, **(entry.get("checks") or {})}
        for name, value in chapter.parameters.items():
            key = (f"shared.{name}" if name in (spec.get("shared") or {}) and name not in (entry.get("parameters") or {})
                   else f"{section}.{chapter.name}.parameters.{name}")
            rule = checks.get(name)
            if not isinstance(rule, dict):
                problems.append(Problem(path.name, None, key, f"{name} has no check declared beside it (checks: {name}: ...)"))
                continue
            why = check_value(name, value, rule, chapter.parameters)
            if why:
                problems.append(Problem(path.name, None, key, why))
    unique = []
    for p in problems:  # a shared parameter is reported once, not once per chapter
        if p not in unique:
            unique.append(p)
    return unique


def shared_as_of(path: Path | None = None) -> str:
    """The book's shared as-of month (YYYY-MM) from params.yml."""
    spec = read_params(path)
    value = (spec.get("shared") or {}).get("as_of")
    if not value:
        raise ParamsError(f"{(path or params_file()).name}, key shared.as_of: missing")
    return str(value)


# --- the one list of chapters ---------------------------------------------------------


@dataclass
class Chapter:
    """One chapter: its notebook and the parameters it runs with."""

    name: str
    notebook: Path
    parameters: dict = field(default_factory=dict)
    #: Seconds its last execution took (from the cache state), used to start the longest first.
    last_seconds: float | None = None


def parse_override(text: str) -> tuple[str | None, str, object]:
    """Split 'CHAPTER.NAME=VALUE' (or 'NAME=VALUE' for every chapter); VALUE is read as YAML."""
    if "=" not in text:
        raise ValueError(f"--param needs CHAPTER.NAME=VALUE, got {text!r}")
    key, raw = text.split("=", 1)
    chapter, _, name = key.rpartition(".")
    return (chapter or None), name, yaml.safe_load(raw)


def load_chapters(overrides: list[str] | None = None, path: Path | None = None) -> list[Chapter]:
    """Read the parameters file and apply command-line overrides.

    Shared parameters (such as `as_of`) go to every chapter; a chapter's own parameters win.
    """
    path = path or params_file()
    spec = read_params(path)
    shared = dict(spec.get("shared") or {})
    chapters = []
    for name, entry in [*spec["chapters"].items(), *spec.get("pages", {}).items()]:
        if not entry.get("notebook"):
            continue  # a planned chapter: claims registered, no page yet
        params = {**shared, **(entry.get("parameters") or {})}
        chapters.append(Chapter(name, repo_root() / entry["notebook"], params))
    by_name = {c.name: c for c in chapters}
    for text in overrides or []:
        chapter, name, value = parse_override(text)
        if chapter and chapter not in by_name:
            raise ValueError(f"--param {text!r}: no chapter {chapter!r} in {path.name} (have {', '.join(by_name)})")
        targets = [by_name[chapter]] if chapter else [c for c in chapters if name in c.parameters] or chapters
        for target in targets:
            if name not in target.parameters:
                raise ValueError(f"--param {text!r}: chapter {target.name!r} has no parameter {name!r} "
                                 f"(has {', '.join(target.parameters)})")
            target.parameters[name] = value
    return chapters


def chapter_list(path: Path | None = None) -> list[dict]:
    """The one list of chapters, in book order: name, title, question, notebook (None when planned)."""
    spec = read_params(path or params_file())
    return [{"name": name, "title": entry["title"], "question": entry["question"],
             "notebook": entry.get("notebook")} for name, entry in spec["chapters"].items()]


@dataclass(frozen=True)
class Edition:
    """What the top of a run reads once and hands down (see `editions.read_edition`).

    `as_of`: the latest month of official data the book reports on (YYYY-MM); `pages`: each
    chapter's notebook, None while the chapter is planned; `released`: the edition records
    already in `data/editions/`, oldest first.
    """

    as_of: str
    pages: dict = field(default_factory=dict)
    released: tuple = ()
