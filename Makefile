# Probation in Numbers: `make book` builds the site, `make test` runs every test.
# Both create the virtual environment and install the pinned requirements when missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: book test refresh update validate claims serve clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

## Build the site into _build/html (re-executes only notebooks whose inputs changed).
book: $(STAMP)
	$(PY) -m analysis build $(ARGS)

## Run every test: unit tests, nbval over the notebooks, a book build and a browser check.
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile $(ARGS)

## After an intended change to data or code: re-run the notebooks and store their outputs.
refresh: $(STAMP)
	$(PY) -m analysis refresh

validate: $(STAMP)
	$(PY) -m analysis validate

## After adding a quarter to data/: validate, rebuild, and report new, revised and verdict-changing figures.
update: $(STAMP)
	$(PY) -m analysis update

claims: $(STAMP)
	$(PY) -m analysis claims --format table

## Serve the built site on http://127.0.0.1:8000 (it also opens from the file system).
serve:
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build
