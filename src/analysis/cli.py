"""Command line: `python -m analysis build | validate | claims | judge | refresh | update | ingest | dist | new-chapter | bench | lighthouse`.

Every failure reaches the user as plain lines naming the file and place, never as a traceback.

This is the top of every run: it reads the edition (`as_of`, the chapter list, the released
editions) once and hands it down.  Commands that need the data stack (pandas, frictionless)
import it inside the command, so that `build` with nothing to do starts in a fraction of a second;
each such import is marked "heavy".
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import signal
import sys
from pathlib import Path

from .dist import make_archive
from .params import shared_as_of
from .paths import params_file, repo_root
from .pipeline import BuildError, BuildPaths, build, refresh_notebooks


def cmd_validate(args) -> int:
    """Check data, register, documents and parameters; print errors and warnings; exit 1 on any error."""
    from .validation import validate_all  # heavy: frictionless and pandas

    report = validate_all(Path(args.data) if args.data else None)
    for problem in report.errors:
        print(problem)
    for warning in report.warnings:
        print(f"warning: {warning}")
    if report.errors:
        print(f"{len(report.errors)} problem(s) found", file=sys.stderr)
        return 1
    print("data valid" + (f" ({len(report.warnings)} warning(s))" if report.warnings else ""))
    return 0


def cmd_build(args) -> int:
    """Validate, execute changed notebooks, build the book, swap the site into place."""
    try:
        build(args.param, force=args.force, build_dir=args.build_dir, data=args.data)
    except (BuildError, ValueError) as err:
        print(f"build failed: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_refresh(args) -> int:
    """Re-execute notebooks with default parameters and write their outputs into notebooks/."""
    try:
        refresh_notebooks(args.chapter)
    except BuildError as err:
        print(f"refresh failed: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_update(args) -> int:
    """Validate, compare with the data as last committed (or --baseline DIR), rebuild, and report what changed."""
    from .editions import EditionConflict, read_edition  # heavy: pandas (the register is judged)
    from .updates import BaselineError, baseline_data, compare, format_report  # heavy
    from .validation import validate_all  # heavy

    data = Path(args.data).resolve() if args.data else repo_root() / "data"
    paths = BuildPaths(Path(args.build_dir) if args.build_dir else repo_root() / "_build")
    checked = validate_all(data)
    if checked.errors:
        for problem in checked.errors:
            print(problem)
        print(f"update refused: {len(checked.errors)} problem(s); data and site left as they were", file=sys.stderr)
        return 1
    as_of = args.as_of or shared_as_of(params_file())
    warn_if_data_newer_than_as_of(data, as_of)
    for warning in checked.warnings:
        print(f"warning: {warning}")
    edition = read_edition(as_of, data)
    try:
        with baseline_data(Path(args.baseline) if args.baseline else None) as baseline:
            report = compare(edition, baseline, data)
    except BaselineError as err:
        print(f"update refused: {err}", file=sys.stderr)
        return 1
    written, before = None, None
    if not args.no_edition:
        try:
            from .editions import corrections_path  # heavy

            fixes = corrections_path(data, edition.as_of)
            before = fixes.read_bytes() if fixes.is_file() else None
            written = record_edition(edition, data, args.correction, args.corrected_on)
        except (EditionConflict, ValueError) as err:
            print(format_report(report))
            print(f"update refused: {err}", file=sys.stderr)
            return 1
    if not args.no_build:
        try:
            overrides = [f"as_of={as_of}"] if args.as_of else []
            build(overrides, build_dir=paths.root, data=data if args.data else None)
        except BuildError as err:
            if written and written.parent.name == "corrections" and before is not None:
                written.write_bytes(before)  # a failed update leaves the corrections as they were
            elif written:
                written.unlink()  # a failed update leaves no edition (or correction) behind
            print(f"update failed while building: {err}", file=sys.stderr)
            print(format_report(report))
            return 1
    print(format_report(report))
    return 0


def warn_if_data_newer_than_as_of(data: Path, as_of: str) -> None:
    """Tell the contributor to move `as_of` in params.yml when the data hold later periods."""
    from .updates import periods_after_as_of  # heavy: pandas

    later = periods_after_as_of(as_of, data)
    if later:
        files = sorted({f for f, _, _ in later})
        print(f"warning: the data hold {len(later)} series-periods after as_of {as_of} (in {', '.join(files)}); "
              f"the pages still report up to {as_of}. Move shared.as_of in params.yml when the new quarter "
              "should count.", file=sys.stderr)


def cmd_ingest(args) -> int:
    """Read an official spreadsheet (accessible layout, .xlsx or .ods) into data/; --dry-run only prints."""
    from .ingest import ingest  # heavy: frictionless and pandas

    return ingest(args.file, source=args.source, data=args.data, dry_run=args.dry_run)
def record_edition(edition, data: Path, correction: str = "", on: str = "") -> Path | None:
    """Record the edition (or a correction to it); return the path when a new file was written."""
    from .editions import write_edition  # heavy: pandas

    path, written = write_edition(edition, data, correction, on or dt.date.today().isoformat())
    if written and correction:
        print(f"edition {edition.as_of}: correction published in {path}: {correction}")
    else:
        print(f"edition {edition.as_of}: {'recorded in' if written else 'already recorded, unchanged:'} {path}")
    return path if written else None


def cmd_dist(args) -> int:
    """Archive the built site with its SHA-256 checksum."""
    build_dir = Path(args.build_dir) if args.build_dir else repo_root() / "_build"
    stem = f"probation-in-numbers-{args.edition or shared_as_of(params_file())}"
    try:
        archive, checksum = make_archive(build_dir / "html", build_dir / "dist", stem)
    except FileNotFoundError as err:
        print(f"dist failed: {err}", file=sys.stderr)
        return 1
    print(f"{archive}\n{checksum}: {checksum.read_text().split()[0]}")
    return 0


def cmd_claims(args) -> int:
    """Print the claims register with computed verdicts."""
    from .claims import assess_claims  # heavy: pandas
    from .editions import read_edition  # heavy

    import pandas as pd  # heavy: only the table form needs it

    data = Path(args.data) if args.data else None
    frame = assess_claims(read_edition(folder=data), args.chapter, data)
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records"))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        out = frame.copy()
        out["sources"] = out["sources"].map(" ".join)
        print(out.to_csv(index=False), end="")
    else:
        cols = ["id", "stated_value", "official_value", "verdict", "reason"]
        with pd.option_context("display.max_colwidth", 70, "display.width", 200):
            print(frame[cols].to_string(index=False))
    return 0


def cmd_bench(args) -> int:
    """Time a clean build against Jupyter Book's cached execution, a no-op rebuild, one data change, the tests."""
    from .bench import run_bench  # heavy: builds the book twice

    result = run_bench(tests=not args.no_tests, repeat=args.repeat)
    if args.format == "json":
        print(json.dumps(result))
    return 0


def cmd_lighthouse(args) -> int:
    """Lighthouse's mobile audit of the built site, served with gzip (a benchmark, not a test)."""
    from .lighthouse import report  # heavy: installs and runs a Node tool

    return report(args.site, args.runs, args.page)


def cmd_new_chapter(args) -> int:
    """Add a chapter: list it in params.yml and _toc.yml, write its notebook from the template."""
    from .scaffold import write_chapter  # heavy: pandas (the register is read)

    try:
        path = write_chapter(args.name, force=args.force, title=args.title, question=args.question)
    except (ValueError, FileExistsError) as err:
        print(f"new-chapter refused: {err}", file=sys.stderr)
        return 1
    print(f"wrote {path.relative_to(repo_root())}; listed {args.name} in params.yml and _toc.yml.\n"
          "Next: `make book` to see the page, edit its prose (keep the headings), then `make refresh` and `make test`.")
    return 0


def cmd_judge(args) -> int:
    """Judge one claim's wording of a figure against one official figure, by the written rules."""
    from .verdicts import judge_wording  # heavy: pandas (formatting)

    try:
        out = judge_wording(args.text, args.official, args.unit or "", args.kind)
    except ValueError as err:
        print(f"judge: {err}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        rating = "no rating" if out["rating"] is None else f"rating {out['rating']} of 5"
        print(f"{out['verdict']} ({rating}; {out['kind']} claim, rule \"{out['rule']}\")")
        print(out["conclusion"])
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser: the book's commands, the register's, and the contributor's."""
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    add_book_commands(sub)
    add_register_commands(sub)
    add_contributor_commands(sub)
    return p


def add_book_commands(sub) -> None:
    """build, refresh, dist, bench: making the site."""
    b = sub.add_parser("build", help="validate data, execute notebooks, build the book")
    b.add_argument("--param", action="append", default=[], metavar="CHAPTER.NAME=VALUE",
                   help="override a parameter from params.yml (repeatable)")
    b.add_argument("--force", action="store_true", help="re-execute every notebook and rebuild")
    b.add_argument("--build-dir", type=Path, default=None, help="where to build (default _build/)")
    b.add_argument("--data", default=None, help="data folder (default data/)")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser("refresh", help="re-execute notebooks and write outputs into notebooks/ (after an intended change)")
    r.add_argument("chapter", nargs="*", help="chapters to refresh (default all)")
    r.set_defaults(func=cmd_refresh)

    d = sub.add_parser("dist", help="archive the built site (tar.gz) with its SHA-256 checksum")
    d.add_argument("--build-dir", default=None, help="the build folder holding html/ (default _build/)")
    d.add_argument("--edition", default=None, help="the edition named in the archive (default: as_of in params.yml)")
    d.set_defaults(func=cmd_dist)

    bn = sub.add_parser("bench", help="time a clean build against Jupyter Book's cached execution, a no-op "
                        "rebuild, one data change and the test suite")
    bn.add_argument("--no-tests", action="store_true", help="skip timing the test suite")
    bn.add_argument("--repeat", type=int, default=2, help="clean builds of each kind, alternating (best counts)")
    bn.add_argument("--format", choices=["text", "json"], default="text")
    bn.set_defaults(func=cmd_bench)

    lh = sub.add_parser("lighthouse", help="Lighthouse's mobile audit of the landing page, every chapter and the "
                        "register, served with gzip (a benchmark, not a test)")
    lh.add_argument("--site", type=Path, default=None, help="the built site (default _build/html)")
    lh.add_argument("--runs", type=int, default=2, help="runs per page; the better one is kept")
    lh.add_argument("--page", action="append", help="one page, relative to the site root (repeatable)")
    lh.set_defaults(func=cmd_lighthouse)


def add_register_commands(sub) -> None:
    """validate, claims, judge: checking the data and the claims."""
    v = sub.add_parser("validate", help="check the data")
    v.add_argument("--data", default=None, help="data folder (default data/)")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("claims", help="print the claims register with computed verdicts")
    c.add_argument("--format", choices=["json", "csv", "table"], default="table")
    c.add_argument("--chapter", default=None)
    c.add_argument("--data", default=None, help="data folder (default data/)")
    c.set_defaults(func=cmd_claims)

    j = sub.add_parser("judge", help="judge one claim's wording of a figure against one official figure")
    j.add_argument("text", help='the claim\'s wording: "under 1,000", "c150,000", "nearly 60%%", "more than halved", '
                                '"twelve-fold", "came down", "10"')
    j.add_argument("--official", required=True,
                   help='the official figure as published ("45,500" is read as rounded to hundreds); '
                        "for direction and change wordings, the ratio later / earlier")
    j.add_argument("--unit", default=None, help="unit (percent, people, ratio, ...); read from the wording when omitted")
    j.add_argument("--kind", default=None,
                   choices=["level", "bound", "direction", "change", "arithmetic"],
                   help="the claim's kind; refused when the wording implies another (arithmetic: the document's own figures recomputed)")
    j.add_argument("--format", choices=["text", "json"], default="text")
    j.set_defaults(func=cmd_judge)


def add_contributor_commands(sub) -> None:
    """update, ingest, new-chapter: adding a quarter or a chapter."""
    u = sub.add_parser("update", help="after adding a quarter: validate, rebuild and report what changed")
    u.add_argument("--data", default=None, help="data folder (default data/)")
    u.add_argument("--baseline", default=None, help="data folder to compare with (default: data/ as last committed in git)")
    u.add_argument("--build-dir", default=None, help="where to build (default _build/)")
    u.add_argument("--no-build", action="store_true", help="only report; do not rebuild the site")
    u.add_argument("--as-of", default=None, help="the edition's month, YYYY-MM (default: as_of in params.yml)")
    u.add_argument("--no-edition", action="store_true", help="report and rebuild without recording an edition")
    u.add_argument("--correction", default="", metavar="WHY",
                   help="publish what changed in an edition already released as a dated correction, saying why")
    u.add_argument("--corrected-on", default="", metavar="YYYY-MM-DD", help="the correction's date (default today)")
    u.set_defaults(func=cmd_update)

    nc = sub.add_parser("new-chapter", help="add a chapter: list it in params.yml and _toc.yml and write its "
                        "notebook from the template and the register's sections")
    nc.add_argument("name", help="the chapter's name in params.yml and data/claims/<name>.yml")
    nc.add_argument("--force", action="store_true", help="overwrite an existing notebook")
    nc.add_argument("--title", default=None, help="the chapter's title (for a chapter not yet in params.yml)")
    nc.add_argument("--question", default=None, help="the question its page answers (for a chapter not yet in params.yml)")
    nc.set_defaults(func=cmd_new_chapter)

    i = sub.add_parser("ingest", help="read an official spreadsheet (.xlsx or .ods) into data/")
    i.add_argument("file", help="the spreadsheet, e.g. data/raw/omsq-recalls/2024Q1/Tables_2024Q1.xlsx")
    i.add_argument("--source", default=None, help="its source metadata (default: source.yml beside the file)")
    i.add_argument("--data", default=None, help="data folder to merge into (default data/)")
    i.add_argument("--dry-run", action="store_true", help="write nothing; print the tidy rows as CSV on standard output")
    i.set_defaults(func=cmd_ingest)


def _terminate(signum, frame):
    """SIGTERM ends a command the way Ctrl-C does, so every clean-up runs."""
    raise KeyboardInterrupt


def plain_error(err: BaseException) -> str:
    """One line for an unexpected failure: never a traceback."""
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return f"no space left on the device{f' while writing {err.filename}' if err.filename else ''}; free some space and try again"
    if isinstance(err, OSError) and err.filename:
        return f"{err.filename}: {err.strerror or err}"
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command; report any failure in plain words with exit status 1 (130 on interrupt)."""
    args = parser().parse_args(argv)
    try:
        signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread
        pass
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"{args.command} interrupted; temporary files removed, data and site left as they were", file=sys.stderr)
        return 130
    except Exception as err:  # the last line of defence: one plain line, no traceback
        print(f"{args.command} failed: {plain_error(err)}", file=sys.stderr)
        return 1
