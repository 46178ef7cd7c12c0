# The two commands of the README: `make run` (the daemon) and `make test` (the whole suite).
# Each creates .venv and installs what it needs the first time.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench
CONFIG ?= config/monitor.yaml

.PHONY: run test lint check once demo bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("monitor needs Python 3.11 or newer (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@echo "==> first run: creating $(VENV) and installing monitor with its test tools (about a minute; once only)"
	@$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> installing monitor and its dependencies into $(VENV) (pip install -e '.[dev]')"
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@echo "==> installed; the next runs start at once"
	@touch $@

$(BENCH_STAMP): $(STAMP)
	@echo "==> installing the benchmark peers into $(VENV) (pip install -e '.[dev,bench]')"
	@$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

# A local .env with a fresh webhook secret, read by `make run` and by docker compose.
.env:
	@$(PYTHON) -c "import base64, os, secrets; print('MONITOR_WEBHOOK_URL=http://127.0.0.1:8788/webhook'); print('MONITOR_WEBHOOK_SECRET=whsec_' + base64.b64encode(os.urandom(24)).decode()); print('POSTGRES_PASSWORD=' + secrets.token_urlsafe(24)); print('MONITOR_SERVER_TOKEN=' + secrets.token_urlsafe(24))" > $@
	@echo "created .env with a fresh webhook secret; set MONITOR_WEBHOOK_URL there to your receiver"

run: $(STAMP) .env
	@set -a && . ./.env && set +a && exec $(BIN)/monitor run --config $(CONFIG)

once: $(STAMP) .env
	@set -a && . ./.env && set +a && exec $(BIN)/monitor once --config $(CONFIG)

demo: $(STAMP)
	$(BIN)/monitor --log-level error demo

test: $(STAMP)
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
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
