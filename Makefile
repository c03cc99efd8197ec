# Deriving Deep Learning — every target sets itself up from a fresh clone (needs only Python 3.10+ and make).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The set-up is redone only when requirements.txt or pyproject.toml change (the stamp is keyed on their content).
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
NB ?= $(NOTEBOOKS)

.PHONY: help setup lab test test-unit test-notebooks test-teaching execute components lint format workshop site doctor clean

help:
	@echo "make lab       set up .venv and open JupyterLab on notebooks/"
	@echo "make test      set up .venv; lint; unit + structure tests; every notebook (nbval); workshop, site and browser checks"
	@echo "make execute   re-run notebooks in place in a fresh kernel (NB=notebooks/04_transformer.ipynb for one)"
	@echo "make lint      ruff check + ruff format --check over helpers, tools, tests, benchmarks, notebooks"
	@echo "make components  write helpers/components/ from the notebook cells marked \"# export: components/<module>.py\""
	@echo "make workshop  write build/workshop/: student notebooks (no solutions, no outputs) + instructor guide"
	@echo "make site      build the offline HTML site into build/site/_build/html/"
	@echo "make doctor    print an OK/FAIL environment report for bug reports"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

# Two pytest sessions side by side on the two cores: the browser check (every notebook run in JupyterLab inside
# Chromium; its log in build/browser-check.log, printed at the end) and everything else (unit and structure
# tests, every notebook under nbval with its timing table, the workshop kit, the site). DDL_THREADS=1 gives each
# notebook one thread, so the two sessions do not fight over the cores.
TEST_ENV := DDL_QUIET=1 DDL_THREADS=1 OMP_NUM_THREADS=1
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=300
BROWSER_TEST := tests/integration/test_browser_lab.py

test: $(STAMP)
	@start=$$(date +%s); mkdir -p build; \
	$(MAKE) --no-print-directory lint || exit 1; \
	$(TEST_ENV) $(BIN)/python -m pytest -q -rs $(BROWSER_TEST) > build/browser-check.log 2>&1 & browser=$$!; \
	$(TEST_ENV) $(BIN)/python -m pytest $(NBVAL) -q -rs --ignore=$(BROWSER_TEST) tests $(NOTEBOOKS); status=$$?; \
	wait $$browser; browser_status=$$?; \
	echo "---- browser check, run alongside (build/browser-check.log) ----"; tail -n 20 build/browser-check.log; \
	echo "make test: $$(( $$(date +%s) - start )) s wall in all"; \
	[ $$status -eq 0 ] && [ $$browser_status -eq 0 ]

# the same checks one group at a time, in one process each
test-unit: $(STAMP)
	DDL_QUIET=1 $(BIN)/python -m pytest tests -q --ignore=tests/integration

test-notebooks: $(STAMP)
	DDL_QUIET=1 $(BIN)/python -m pytest $(NBVAL) -q $(NOTEBOOKS)

# workshop kit, offline site, and every notebook run in JupyterLab inside headless Chromium
test-teaching: $(STAMP)
	DDL_QUIET=1 $(BIN)/python -m pytest tests/integration -q -rs

workshop: $(STAMP)
	$(BIN)/python -m tools.workshop

site: $(STAMP)
	$(BIN)/python -m tools.site

# components first: a notebook executed after its teacher imports the freshly exported module
execute: $(STAMP) components
	DDL_QUIET=1 $(BIN)/python -m tools.execute $(NB)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .

components: $(STAMP)
	$(BIN)/python -m tools.export

doctor:
	@$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m helpers.doctor --requirements requirements.txt

clean:
	rm -rf build .pytest_cache $(VENV)
