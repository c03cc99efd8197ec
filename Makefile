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

.PHONY: help setup lab present test test-robust test-unit test-notebooks test-teaching execute components lint format workshop slides site doctor clean

help:
	@echo "make lab       set up .venv and open JupyterLab on notebooks/"
	@echo "make test      set up .venv; lint; unit + structure tests; every notebook in JupyterLab/Chromium; workshop, slides, site"
	@echo "make test-robust  every notebook with each cell run twice under another thread count; set-up without make"
	@echo "make execute   re-run notebooks in place in a fresh kernel (NB=notebooks/04_transformer.ipynb for one)"
	@echo "make lint      ruff check + ruff format --check over helpers, tools, tests, benchmarks, notebooks"
	@echo "make components  write helpers/components/ from the notebook cells marked \"# export: components/<module>.py\""
	@echo "make workshop  write build/workshop/: student notebooks (no solutions, instructor notes or outputs) + instructor guide"
	@echo "make slides    write build/slides/: offline reveal.js decks of every notebook + presenter copies for RISE"
	@echo "make present   make slides, then open JupyterLab on the presenter copies (RISE: the slideshow button or Alt-R)"
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

# One pytest session on JOBS workers (pytest-xdist; idle workers steal queued tests): lint first, then unit and
# structure tests, the workshop kit, the site, and every notebook run once, in JupyterLab inside Chromium
# (every cell and its asserts, the explorer sweep, one interaction per explorer; timing table and budget from
# tests/notebook_plugin.py). DDL_THREADS=1 gives each notebook one thread, so workers do not fight over cores.
# Without Chromium (outside CI) the browser tests skip and the notebooks run under nbval instead.
# Tests marked slow (each cell run twice, the set-up without make) are in test-robust (CI runs it after make test).
TEST_ENV := DDL_QUIET=1 DDL_THREADS=1 OMP_NUM_THREADS=1
# Two workers: on a 2-core machine one runs a notebook while the other runs the next notebook or the unit tests
# (measured: 301 s wall on a 2-core Intel Xeon, against 986 s with one worker on CI). `make test JOBS=1` for one.
JOBS ?= 2
XDIST := -n $(JOBS) --dist worksteal
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=300
HAVE_CHROMIUM := $(shell command -v chromium || command -v chromium-browser || command -v google-chrome)

test: $(STAMP)
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint || exit 1; \
	$(TEST_ENV) $(BIN)/python -m pytest $(XDIST) -q -rs -m "not slow" tests; status=$$?; \
	$(if $(HAVE_CHROMIUM),,echo "Chromium not found (apt-get install chromium): notebooks run under nbval"; \
	$(TEST_ENV) $(BIN)/python -m pytest $(NBVAL) -q $(NOTEBOOKS) || status=1;) \
	echo "make test: $$(( $$(date +%s) - start )) s wall in all"; \
	exit $$status

# every cell of every notebook run twice in a row under another thread count, and the set-up without make
test-robust: $(STAMP)
	DDL_QUIET=1 $(BIN)/python -m pytest -q -rs -m slow tests

# the same checks one group at a time, in one process each
test-unit: $(STAMP)
	DDL_QUIET=1 $(BIN)/python -m pytest tests -q -m "not slow" --ignore=tests/integration

test-notebooks: $(STAMP)
	DDL_QUIET=1 $(BIN)/python -m pytest $(NBVAL) -q $(NOTEBOOKS)

# workshop kit, offline site, and every notebook run in JupyterLab inside headless Chromium
test-teaching: $(STAMP)
	DDL_QUIET=1 $(BIN)/python -m pytest tests/integration -q -rs -m "not slow"

workshop: $(STAMP)
	$(BIN)/python -m tools.workshop

site: $(STAMP)
	$(BIN)/python -m tools.site

slides: $(STAMP)
	$(BIN)/python -m tools.slides

present: slides
	$(BIN)/jupyter lab --notebook-dir=build/slides/notebooks $(ROOT_FLAG) $(LAB_ARGS)

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
