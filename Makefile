# balance — two commands on a fresh machine:
#   make demo   set up .venv, fonts and kernel, then run the main job on the bundled demo data
#   make test   set up, then run the test suite
SHELL := /bin/bash
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.balance-installed
# the CJK font and the kernel checked (balance doctor) after the last install; `make fonts` checks again
FONTS_OK := $(VENV)/.balance-fonts-ok
# First Python >= 3.11 on PATH (override: make PYTHON=/path/to/python3.12 test)
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
            && { command -v $$p; break; }; done)
PYTEST_WORKERS ?= 2

.PHONY: setup demo test lab lint fonts clean help
help:
	@echo "make demo   — set up and run the demo batch (HTML briefings in outputs/)"
	@echo "make test   — set up and run the tests"
	@echo "make lab    — set up, then start JupyterLab on notebooks/ (for researchers)"
	@echo "make lint   — for developers: install the dev tools once, then ruff over balance/ and tests/"

setup: $(STAMP) $(FONTS_OK)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "需要 Python ≥ 3.11 / Python >= 3.11 is required (none found on PATH)"; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dask]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (balance)" >/dev/null
	touch $(STAMP)

fonts: $(STAMP)
	@bash scripts/setup-fonts.sh
	@$(BIN)/python -m balance doctor
	@touch $(FONTS_OK)

# checked once per install, not on every `make demo` (balance doctor starts Python and the font check: ~1-4 s)
$(FONTS_OK): $(STAMP) scripts/setup-fonts.sh
	@bash scripts/setup-fonts.sh
	@$(BIN)/python -m balance doctor
	@touch $@

demo: setup
	$(BIN)/balance batch params/demo --out outputs

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

test: setup
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

lint: setup
	@$(BIN)/ruff --version >/dev/null 2>&1 || $(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/ruff check balance tests

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache
