# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench install install-test assets lint clean

$(VENV)/.python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@touch $@

$(VENV)/.installed-run: pyproject.toml $(VENV)/.python
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.python
	$(PY) -m pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

## Serve the platform with demo data, an rq worker and the clock on http://127.0.0.1:5000
run: install
	$(VENV)/bin/flask --app wsgi dps dev

## Install what the tests need and run the whole suite (lint, import contracts, pytest)
test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

## Run every benchmark under benchmarks/ and print its figures
bench: install-test
	@set -e; for script in benchmarks/bench_*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks yet"; break; }; \
		echo "== $$script"; $(PY) $$script; done

## Rebuild static/ from the govuk-frontend npm package (needs node and npm; output is committed)
assets:
	tools/build_assets.sh

lint: install-test
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
