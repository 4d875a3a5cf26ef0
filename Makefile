# Violet — `make run` to start, `make test` to check everything. `make help` lists all targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/python -m violet.launcher flask
# Writing the OpenAPI spec builds the app but never connects to this (unused) database.
OPENAPI_WRITE := VIOLET_ENV=development VIOLET_ENABLE_DIAG_RESET=0 DATABASE_URL=postgresql://unused/violet $(BIN)/flask --app wsgi openapi write --format=json
API_TYPES := frontend/src/api/schema.d.ts
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	$(wildcard frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json)

.PHONY: help install frontend chromium run test lint format test-backend frontend-check e2e \
	fuzz-ci fuzz audit api-types migrate revision seed flask bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Create .venv and install Violet with its dev tools

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build

frontend: frontend/dist/index.html ## Build the SPA into frontend/dist (only when sources changed)

chromium: ## Install Debian's chromium for the e2e suite when it is missing
	@if [ -x /usr/bin/chromium ]; then exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium (e2e browser)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The e2e suite needs /usr/bin/chromium: run 'sudo apt-get install chromium'." >&2; exit 1; \
	fi

run: install frontend ## Start Violet on PORT (default 8000) with an embedded PostgreSQL
	$(BIN)/python -m violet.launcher

test: lint test-backend frontend-check e2e fuzz-ci ## Lint, backend tests, frontend checks, e2e, fuzzing

lint: install ## ruff, import-linter (layering) and mypy on backend/violet
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install ## Fix what ruff can fix and reformat
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-backend: install ## Backend tests (pytest backend/tests) against a real PostgreSQL
	$(BIN)/pytest backend/tests

frontend-check: install frontend ## Build the SPA; API types up to date, Prettier, tsc, vitest
	@spec=$$(mktemp --suffix=.json) && fresh=$$(mktemp --suffix=.d.ts) && \
	trap 'rm -f "$$spec" "$$fresh"' EXIT && \
	$(OPENAPI_WRITE) "$$spec" && \
	(cd frontend && npx --no-install openapi-typescript "$$spec" -o "$$fresh" --silent) && \
	if ! diff -q "$$fresh" $(API_TYPES) >/dev/null; then \
		echo "$(API_TYPES) is stale (the API changed): run 'make api-types' and commit it." >&2; \
		exit 1; \
	fi
	cd frontend && npm run --silent lint && npm run --silent typecheck
	cd frontend && npm run --silent test

api-types: install frontend/node_modules/.installed ## Regenerate the SPA's API types from the OpenAPI spec
	@spec=$$(mktemp --suffix=.json) && trap 'rm -f "$$spec"' EXIT && \
	$(OPENAPI_WRITE) "$$spec" && \
	cd frontend && npx --no-install openapi-typescript "$$spec" -o src/api/schema.d.ts --silent
	@echo "Wrote $(API_TYPES)"

e2e: install frontend chromium ## The browser suite (pytest e2e) against a live server
	$(BIN)/pytest e2e

fuzz-ci: install frontend ## schemathesis over the OpenAPI spec, short budget (part of make test)
	$(BIN)/python fuzz/run.py --max-examples $${FUZZ_EXAMPLES:-10}

fuzz: install frontend ## schemathesis over the OpenAPI spec with a long budget (FUZZ_SECONDS=600)
	$(BIN)/python fuzz/run.py --max-time $${FUZZ_SECONDS:-600}

# Both query advisory databases on the network (PyPI/OSV, the npm registry): offline they fail
# with a network error, so CI runs this where it has network access.
audit: install frontend/node_modules/.installed ## Known vulnerabilities: pip-audit (the venv) and npm audit
	$(BIN)/pip-audit --strict
	cd frontend && npm audit --audit-level=moderate

migrate: install ## Apply migrations to the database (embedded unless DATABASE_URL is set)
	$(FLASK) db upgrade

revision: install ## New migration from model changes: make revision MSG="add x"
	$(FLASK) db migrate -m "$(MSG)"

seed: install ## Write reference data again (idempotent)
	$(FLASK) seed

flask: install ## Any flask command with the right database: make flask ARGS="routes"
	$(FLASK) $(ARGS)

bench: install ## Run the benchmarks in bench/ (installs the [bench] extra)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## Remove build output and caches (keeps ./var data)
	rm -rf frontend/dist .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +
