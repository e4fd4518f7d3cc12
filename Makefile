# The two commands of the README: `make run` and `make test`. Both set themselves up.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install run test lint unit bench docs report browser clean suites

$(BIN)/.installed: pyproject.toml
	@echo "install: creating $(VENV) and installing juesuan with its pinned dependencies (a few minutes, once)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]' 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	touch $@

install: $(BIN)/.installed

# exit code 1 (published, some files held back) is a normal outcome of a run
run: install
	$(BIN)/juesuan build || test $$? -eq 1

bench: install
	$(BIN)/python scripts/bench_scale.py --sizes 1 100 1000 10000
	$(BIN)/python scripts/bench_pdf.py --repeat 7
	$(BIN)/python scripts/bench_fuzz.py -n 10000 --workers 2 --timeout 20
	$(BIN)/python scripts/bench_zoo.py /tmp/juesuan-zoo --layouts all -n 20

# Rewrite the Great Expectations suites in expectations/ after a change to juesuan/validation.py
# (GX checks its datasource against a built warehouse).
suites: install
	test -f warehouse/juesuan.duckdb || $(BIN)/juesuan build || test $$? -eq 1
	$(BIN)/python -c "from juesuan.paths import PROJECT_ROOT; from juesuan.validation import define_suites; \
		define_suites(PROJECT_ROOT / 'warehouse' / 'juesuan.duckdb')"

docs: install
	test -f warehouse/juesuan.duckdb || $(BIN)/juesuan build
	$(BIN)/juesuan docs

# The report's test opens every page in headless Chromium; CI runs as root with Debian reachable.
browser:
	@command -v chromium > /dev/null && fc-list | grep -q 'Noto Sans CJK' || \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk; }

report: install
	test -f warehouse/juesuan.duckdb || $(BIN)/juesuan build
	$(BIN)/juesuan report --out report/build

lint: install
	cd dbt_project && ../$(BIN)/sqlfluff lint models

unit: install browser
	$(BIN)/python -m pytest -q

test: lint unit

clean:
	rm -rf dbt_project/target dbt_project/logs dbt_project/landing warehouse/*.duckdb warehouse/*.landing warehouse/*.lock
