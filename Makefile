# The two commands of the README: `make run` and `make test`. Both set themselves up.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install run test lint unit bench docs clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]' 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/juesuan build

bench: install
	$(BIN)/python scripts/bench_scale.py --sizes 1 100 1000 10000
	$(BIN)/python scripts/bench_pdf.py --repeat 7
	$(BIN)/python scripts/bench_fuzz.py -n 10000 --workers 2 --timeout 20
	$(BIN)/python scripts/bench_zoo.py /tmp/juesuan-zoo --layouts all -n 20

docs: install
	$(BIN)/juesuan docs

lint: install
	cd dbt_project && ../$(BIN)/sqlfluff lint models

unit: install
	$(BIN)/python -m pytest -q

test: lint unit

clean:
	rm -rf dbt_project/target dbt_project/logs warehouse/*.duckdb
