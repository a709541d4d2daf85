# Probation in Numbers: `make book` builds the site, `make test` runs every test.
# Both create the virtual environment and install the pinned requirements when missing.

PYTHON ?= python3
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=
# This checkout's own package first, even when .venv was copied from another location.
export PYTHONPATH := $(CURDIR)/src

.PHONY: help book test refresh update validate claims serve clean bench dist lighthouse

UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv

## Set up .venv: uv from PyPI into the venv, then the pinned set (requirements.txt is the full lock), compiled to
## bytecode at install (uv does not by default, and with PYTHONDONTWRITEBYTECODE set every kernel would recompile
## pandas and altair from source: about 3 s per notebook).
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip install --quiet --compile-bytecode --python $(PY) -r requirements.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	$(PY) -m compileall -q src
	touch $(STAMP)

## List the targets.
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z][a-z-]*:/{if(doc){split($$0,t,":"); printf "  make %-10s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

## Build the site into _build/html (re-executes only notebooks whose inputs changed).
book: $(STAMP)
	$(PY) -m analysis build $(ARGS)

## Run every test: unit tests, nbval over the notebooks, a book build and a browser check.
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile --durations=10 $(ARGS)

## After an intended change to data or code: re-run the notebooks and store their outputs.
refresh: $(STAMP)
	$(PY) -m analysis refresh

## Check data/, the register and params.yml; print every problem with file, row and column.
validate: $(STAMP)
	$(PY) -m analysis validate

## After adding a quarter to data/: validate, rebuild, and report new, revised and verdict-changing figures
## against data/ as last committed in git (ARGS="--baseline DIR" for another folder).
update: $(STAMP)
	$(PY) -m analysis update $(ARGS)

## Archive the built site: _build/dist/probation-in-numbers-<as_of>.tar.gz and its .sha256 (same site, same bytes).
dist: $(STAMP)
	$(PY) -m analysis dist

## Print every claim with its computed verdict.
claims: $(STAMP)
	$(PY) -m analysis claims --format table

## Serve the built site on http://127.0.0.1:8000 (it also opens from the file system).
serve:
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

## Time a clean build against Jupyter Book's cached execution, a no-op rebuild, one data change and the tests.
bench: $(STAMP)
	$(PY) -m analysis bench

## Lighthouse mobile scores of the landing page, every chapter and the register (installs Lighthouse 12.2.3 on demand).
lighthouse: $(STAMP)
	$(PY) -m analysis lighthouse $(ARGS)

## Remove the built site and caches.
clean:
	rm -rf _build
