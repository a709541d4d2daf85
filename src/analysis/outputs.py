"""Files a notebook hands to the site stage, so that the site never judges a claim a second time.

The build points `$ANALYSIS_OUTPUTS_DIR` at a folder for each notebook it executes; what the
notebook publishes there is kept in the build cache beside the executed notebook and staged
under `_outputs/<notebook>/` for the Sphinx stage (`site.py`), which reads it instead of
recomputing.  Run any other way (nbval, Jupyter), a notebook publishes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the folder a notebook publishes its files into.
OUTPUTS_DIR_ENV = "ANALYSIS_OUTPUTS_DIR"
#: Where staged outputs live below the book's source folder.
STAGED = "_outputs"
REGISTER_CSV = "claims-register.csv"
REGISTER_JSON = "claims-register.json"


def publish_register(register) -> list[Path]:
    """Write the judged register (the frame `assess_claims()` returns) as the reader's CSV and JSON
    downloads; the site's ClaimReview objects are read from the JSON too."""
    folder = os.environ.get(OUTPUTS_DIR_ENV)
    if not folder:
        return []
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    register.to_csv(target / REGISTER_CSV, index=False, lineterminator="\n")
    (target / REGISTER_JSON).write_text(register.to_json(orient="records", indent=1, force_ascii=False),
                                        encoding="utf-8")
    return [target / REGISTER_CSV, target / REGISTER_JSON]


def staged_register(srcdir: Path) -> Path:
    """The folder holding the register files in a staged book source, or a clear error."""
    folder = Path(srcdir) / STAGED / "register"
    if not (folder / REGISTER_JSON).is_file():
        raise FileNotFoundError(f"{folder / REGISTER_JSON} is missing: the site is built from the register "
                                "notebook's published files; build with `python -m analysis build`")
    return folder
