"""Check that every source URL in the data still answers (run by a scheduled workflow, never by `make test`).

`python -m analysis.sources [--data DIR] [--report FILE]` asks each distinct URL once (HEAD,
then GET when HEAD is refused), prints every broken one with the files and rows that cite it,
writes the same list to FILE, and exits 1 when any is broken.  Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import sys
import urllib.error
import urllib.request
from pathlib import Path

USER_AGENT = "probation-in-numbers source check (+https://github.com)"


def source_urls(folder: Path) -> dict[str, list[str]]:
    """Each distinct source URL in the data, with the 'file row N' places that cite it."""
    urls: dict[str, list[str]] = {}
    for path in sorted(Path(folder).glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                url = (row.get("url") or "").strip()
                if url:
                    urls.setdefault(url, []).append(f"{path.name} row {number}")
    return urls


def fetch_status(url: str, timeout: float = 30) -> str | None:
    """None when the URL answers; otherwise what went wrong."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return None
        except urllib.error.HTTPError as err:
            if method == "HEAD" and err.code in (403, 405, 501):
                continue
            return f"HTTP {err.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            return f"unreachable: {getattr(err, 'reason', err)}"
    return "no answer"


def broken_sources(urls: dict[str, list[str]], check=fetch_status) -> list[tuple[str, str, list[str]]]:
    """(url, problem, places) for every URL that does not answer."""
    broken = []
    for url, places in sorted(urls.items()):
        problem = check(url)
        if problem:
            broken.append((url, problem, places))
    return broken


def format_broken(broken: list[tuple[str, str, list[str]]], checked: int) -> str:
    """The report: one line per broken URL with the rows that cite it."""
    if not broken:
        return f"All {checked} source URLs answered.\n"
    lines = [f"# Broken source URLs: {len(broken)} of {checked}", ""]
    for url, problem, places in broken:
        shown = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
        lines.append(f"- {url}: {problem} (cited by {shown})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analysis.sources", description=__doc__)
    p.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "data"))
    p.add_argument("--report", default=None, help="also write the report to this file")
    args = p.parse_args(argv)
    urls = source_urls(Path(args.data))
    broken = broken_sources(urls)
    text = format_broken(broken, len(urls))
    print(text, end="")
    if args.report:
        Path(args.report).write_text(text, encoding="utf-8")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
