# Two commands do everything: `make run` opens the app, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit screenshots demo bench clean sysdeps-run sysdeps-test

run: sysdeps-run $(STAMP)
	$(BIN)/freelancer-desk

test: sysdeps-test $(STAMP) lint unit

sysdeps-run:
	@PYTHON=$(PYTHON) scripts/sysdeps.sh run

sysdeps-test:
	@PYTHON=$(PYTHON) scripts/sysdeps.sh test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check freelancer_desk tests
	$(BIN)/ruff format --check -q freelancer_desk tests
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole suite runs inside one Xvfb server: widget tests use Qt's offscreen
# platform, tests that read the screen or the input devices use the real X server.
unit: $(STAMP)
	xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp" $(BIN)/pytest -q

screenshots: sysdeps-run $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/freelancer-desk --data-dir $${DATA_DIR:-/tmp/fd-shots-data} --screenshot $${OUT:-/tmp/fd-shots}

demo: $(STAMP)
	$(BIN)/freelancer-desk demo

clean:
	rm -rf $(VENV) build *.egg-info
