"""Command line: `python -m analysis build | validate | claims | refresh`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def cmd_validate(args) -> int:
    """Check the data; print every problem; exit 1 when there is any."""
    from .validation import validate_data

    problems = validate_data(Path(args.data) if args.data else None)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("data valid")
    return 0


def cmd_build(args) -> int:
    """Validate, execute changed notebooks, build the book, swap the site into place."""
    from .pipeline import BuildError, build

    try:
        build(args.param, force=args.force, build_dir=args.build_dir, data=args.data)
    except (BuildError, ValueError) as err:
        print(f"build failed: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_refresh(args) -> int:
    """Re-execute notebooks with default parameters and write their outputs into notebooks/."""
    from .pipeline import BuildError, refresh_notebooks

    try:
        refresh_notebooks(args.chapter)
    except BuildError as err:
        print(f"refresh failed: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_claims(args) -> int:
    """Print the claims register with computed verdicts."""
    from .claims import assess_claims

    frame = assess_claims(args.chapter, Path(args.data) if args.data else None)
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records"))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        out = frame.copy()
        out["sources"] = out["sources"].map(" ".join)
        print(out.to_csv(index=False), end="")
    else:
        cols = ["id", "stated_value", "official_value", "verdict", "reason"]
        with __import__("pandas").option_context("display.max_colwidth", 70, "display.width", 200):
            print(frame[cols].to_string(index=False))
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="validate data, execute notebooks, build the book")
    b.add_argument("--param", action="append", default=[], metavar="CHAPTER.NAME=VALUE",
                   help="override a parameter from params.yml (repeatable)")
    b.add_argument("--force", action="store_true", help="re-execute every notebook and rebuild")
    b.add_argument("--build-dir", type=Path, default=None, help="where to build (default _build/)")
    b.add_argument("--data", default=None, help="data folder (default data/)")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="check the data")
    v.add_argument("--data", default=None, help="data folder (default data/)")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("claims", help="print the claims register with computed verdicts")
    c.add_argument("--format", choices=["json", "csv", "table"], default="table")
    c.add_argument("--chapter", default=None)
    c.add_argument("--data", default=None, help="data folder (default data/)")
    c.set_defaults(func=cmd_claims)

    r = sub.add_parser("refresh", help="re-execute notebooks and write outputs into notebooks/ (after an intended change)")
    r.add_argument("chapter", nargs="*", help="chapters to refresh (default all)")
    r.set_defaults(func=cmd_refresh)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parser().parse_args(argv)
    return args.func(args)
