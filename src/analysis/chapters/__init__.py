"""Chapter-specific code only: models and figures no general function can express.

General helpers (as-of cuts, folds and changes, series loaders, formatting) live in the
general modules (`figures`, `official_data`, `charts`).  No chapter module imports another
chapter module (a test checks this), so each chapter can be read, changed or removed alone.
"""
