# Set-up and everyday commands. Needs only python3 and make: uv is installed into .tools/.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := $(CURDIR)/.tools
UV := $(TOOLS)/bin/uv
VENV := $(CURDIR)/.venv
WAREHOUSE ?= $(or $(SOVAI_WAREHOUSE),$(CURDIR)/warehouse/warehouse.duckdb)

# The Dagster instance: dagster.yaml here (SQLite under .dagster/), or DAGSTER_HOME=deploy for
# deploy/dagster.yaml (PostgreSQL at DAGSTER_POSTGRES_URL, a run queue); a relative folder is
# taken from the project root.
DAGSTER_HOME ?= $(CURDIR)
override DAGSTER_HOME := $(abspath $(DAGSTER_HOME))
export DAGSTER_HOME
# dagster-postgres needs the psycopg2 driver (its NOTIFY fails under psycopg 3, which SQLAlchemy 2.1
# picks for a plain postgresql:// URL), so a plain URL is given the driver's name here.
ifneq ($(DAGSTER_POSTGRES_URL),)
override DAGSTER_POSTGRES_URL := $(patsubst postgres://%,postgresql+psycopg2://%,$(patsubst postgresql://%,postgresql+psycopg2://%,$(DAGSTER_POSTGRES_URL)))
export DAGSTER_POSTGRES_URL
endif
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

PORT ?= 3000
HOST ?= 127.0.0.1

.PHONY: help install browser run test ui sql lint format clean

help: ## list the commands (this text)
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Variables: PORT=$(PORT) HOST=$(HOST) for make ui; WAREHOUSE=path for make sql;"
	@echo "  DAGSTER_HOME=deploy (with DAGSTER_POSTGRES_URL=postgresql://...) for the PostgreSQL instance."

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode
	@touch $@

install: $(VENV)/.installed ## install uv and every dependency from uv.lock

run: install ## materialize every asset into the warehouse (and create data/landing/)
	@mkdir -p data/landing
	$(VENV)/bin/sovai run

browser: ## make sure Debian's Chromium is there for the browser test
	@bash scripts/ensure_chromium.sh

test: install browser ## run the whole test suite (the browser test included)
	$(VENV)/bin/pytest

# `dg dev` (dagster-dg-cli) serves the code location [tool.dg] in pyproject.toml names, the one
# `dagster dev -m pipelines.definitions` served: the webserver and the daemon. Runs print INFO
# and above here (python_logs in dagster.yaml); the UI has every event.
ui: install ## start the Dagster UI on http://127.0.0.1:3000 (PORT=... HOST=... to change)
	DAGSTER_HOME='$(DAGSTER_HOME)' $(VENV)/bin/dg dev -h $(HOST) -p $(PORT)

sql: install ## open a read-only SQL shell on the warehouse
	@test -f "$(WAREHOUSE)" || { echo "No warehouse at $(WAREHOUSE). Build it with 'make run', or set WAREHOUSE=... (or SOVAI_WAREHOUSE) to an existing warehouse file." >&2; exit 1; }
	@if [ -t 0 ]; then echo "Read-only SQL on $(WAREHOUSE). Try: select * from analytics.platform_efficiency;" >&2; fi
	@SOVAI_WAREHOUSE="$(WAREHOUSE)" $(VENV)/bin/sovai shell

lint: install ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## ruff format and fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## remove the virtual environments (the warehouse and run history stay)
	rm -rf $(VENV) $(TOOLS)
