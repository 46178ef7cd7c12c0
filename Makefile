# The two commands of the README: `make run` (the daemon) and `make test` (the whole suite).
# Each creates .venv and installs what it needs the first time.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench
# The modules setup.py compiles with mypyc (a superset: all of monitor/extract). The first install
# leaves them Python (MONITOR_PURE_PYTHON=1), and $(BUILD_STAMP) compiles them, then again
# whenever one changes, before `make run`, `once`, `demo`, `test` and `bench`.
COMPILED_SOURCES := $(wildcard monitor/extract/*.py) monitor/lang/confirm.py monitor/sources/urls.py
BUILD_STAMP := $(VENV)/.compiled
CONFIG ?= config/monitor.yaml

.PHONY: run test lint check once demo bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("monitor needs Python 3.11 or newer (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@echo "==> first run: creating $(VENV) and installing monitor with its test tools (about a minute; once only)"
	@$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> installing monitor and its dependencies into $(VENV) (pip install -e '.[dev]')"
	@MONITOR_PURE_PYTHON=1 $(BIN)/python -m pip install --quiet -e '.[dev]'
	@echo "==> installed; the next runs start at once"
	@touch $@

# The extraction path compiled with mypyc (setup.py), on first use and whenever it changes.
$(BUILD_STAMP): $(STAMP) setup.py $(COMPILED_SOURCES)
	@echo "==> compiling the extraction path with mypyc (pip install --no-deps -e .; about a minute)"
	@$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# Installing the peers builds monitor again, compiled as before.
$(BENCH_STAMP): $(BUILD_STAMP)
	@echo "==> installing the benchmark peers into $(VENV) (pip install -e '.[dev,bench]')"
	@$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@ $(BUILD_STAMP)

# A local .env with a fresh webhook secret, read by `make run` and by docker compose.
.env:
	@$(PYTHON) -c "import base64, os, secrets; print('MONITOR_WEBHOOK_URL=http://127.0.0.1:8788/webhook'); print('MONITOR_WEBHOOK_SECRET=whsec_' + base64.b64encode(os.urandom(24)).decode()); print('POSTGRES_PASSWORD=' + secrets.token_urlsafe(24)); print('MONITOR_SERVER_TOKEN=' + secrets.token_urlsafe(24))" > $@
	@echo "created .env with a fresh webhook secret; set MONITOR_WEBHOOK_URL there to your receiver"

run: $(BUILD_STAMP) .env
	@set -a && . ./.env && set +a && exec $(BIN)/monitor run --config $(CONFIG)

once: $(BUILD_STAMP) .env
	@set -a && . ./.env && set +a && exec $(BIN)/monitor once --config $(CONFIG)

demo: $(BUILD_STAMP)
	$(BIN)/monitor --log-level error demo

test: $(BUILD_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/vulture

check: lint test

bench: $(BENCH_STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build monitor__mypyc.*.so
	find monitor -name '*.so' -delete
