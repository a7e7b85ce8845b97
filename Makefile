# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint check clean bench native

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev,notebooks,parquet,web,scale]'
	touch $(STAMP)

# The compiled text walker (#17), against the installed PyMuPDF: rebuilt when its source or
# PyMuPDF changes. A failure is one warning, and extraction keeps its pure-Python path.
native: $(STAMP)
	$(BIN)/python -m miner.extract.native_build

demo: native
	$(BIN)/miner --db demo.db --data-dir .miner-data demo

test: native
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

check: lint test

bench: native
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) miner/extract/_stext*.so demo.db demo.db-wal demo.db-shm .miner-data .pytest_cache .mypy_cache .ruff_cache
