# Two commands do everything: `make run` opens the app, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_STAMP := $(VENV)/.installed-postgres

.PHONY: run test lint unit screenshots demo bench clean sysdeps-run sysdeps-test postgres test-postgres

run: sysdeps-run $(STAMP)
	$(BIN)/freelancer-desk

test: sysdeps-test $(STAMP) lint unit

sysdeps-run:
	@PYTHON=$(PYTHON) scripts/sysdeps.sh run

sysdeps-test:
	@PYTHON=$(PYTHON) scripts/sysdeps.sh test

# The editable install puts this folder on sys.path with a plain .pth line ("compat"):
# setuptools' default editable finder is a module imported by every Python start
# (pathlib, fnmatch, ...: 15-50 ms of each CLI command, docs/benchmarks.md). setuptools
# calls "compat" transitional: where it is gone, the default editable install is used.
EDITABLE := --config-settings editable_mode=compat

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(EDITABLE) -e '.[test]' 2>/dev/null \
		|| $(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# psycopg, the driver of a shared PostgreSQL workspace (README: "Another database"):
# `make postgres` once, then `make run` with FREELANCER_DESK_DB_URL or --db-url.
postgres: $(PG_STAMP)

$(PG_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q $(EDITABLE) -e '.[test,postgres]' 2>/dev/null \
		|| $(BIN)/python -m pip install -q -e '.[test,postgres]'
	touch $(PG_STAMP)

# The storage, services (ledger included), import and tests/postgres suites again, on
# a throwaway PostgreSQL cluster on 127.0.0.1 (Debian's packages, installed as root).
test-postgres: sysdeps-test $(PG_STAMP)
	scripts/test-postgres.sh

lint: $(STAMP)
	$(BIN)/ruff check freelancer_desk tests
	$(BIN)/ruff format --check -q freelancer_desk tests
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole suite runs inside one Xvfb server: widget tests use Qt's offscreen
# platform, tests that read the screen or the input devices use the real X server.
unit: $(STAMP)
	xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp -noreset" $(BIN)/pytest -q

screenshots: sysdeps-run $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/freelancer-desk --data-dir $${DATA_DIR:-/tmp/fd-shots-data} --screenshot $${OUT:-/tmp/fd-shots}

# Benchmarks on a ten-year workspace; never part of `make test`. Generates it once,
# installs Watson (pip, /tmp/bench-venv) and Timewarrior (apt) for the side-by-side runs,
# and appends the results to docs/benchmarks.md.
BENCH_DIR ?= /tmp/fd-heavy
bench: $(STAMP)
	test -f $(BENCH_DIR)/workspace.sqlite3 || $(BIN)/python bench/heavy.py --data-dir $(BENCH_DIR)
	$(BIN)/python bench/run.py --data-dir $(BENCH_DIR) --runs $${RUNS:-5}

demo: $(STAMP)
	$(BIN)/freelancer-desk demo

clean:
	rm -rf $(VENV) build *.egg-info
