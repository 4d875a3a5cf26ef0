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
	fuzz-ci fuzz audit lock api-types migrate revision seed flask bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# The locks (docs/development.md, "Dependencies"): every package pinned with its hashes. The
# runtime lock is what the Docker image installs; the dev lock adds the tools and the test suite.
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt
LOCK_COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade)

$(VENV)/.installed: pyproject.toml $(DEV_LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed ## Create .venv: the locked dev dependencies (hash-checked), then Violet

lock: $(VENV)/.installed ## Re-resolve requirements/*.txt from pyproject.toml on PyPI (UPGRADE=1: newest)
	$(LOCK_COMPILE) --extra s3 -o $(RUNTIME_LOCK)
	$(LOCK_COMPILE) --extra s3 --extra dev --constraint $(RUNTIME_LOCK) -o $(DEV_LOCK)

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build

frontend: frontend/dist/index.html ## Build the SPA into frontend/dist (only when sources changed)

# The e2e suite's browser (e2e/live_server.py reads the same variable).
CHROMIUM_PATH ?= /usr/bin/chromium

chromium: ## Install Debian's chromium for the e2e suite when it is missing (or check CHROMIUM_PATH)
	@if [ -x "$(CHROMIUM_PATH)" ]; then exit 0; \
	elif [ "$(CHROMIUM_PATH)" != /usr/bin/chromium ]; then \
		echo "CHROMIUM_PATH=$(CHROMIUM_PATH) is not an executable browser." >&2; exit 1; \
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

test-backend: install ## Backend tests (pytest backend/tests) against a real PostgreSQL; ARGS='-k name'
	$(BIN)/pytest backend/tests $(ARGS)

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

# Both query advisory data on the network (PyPI's JSON API, the npm registry's audit endpoint),
# which a package mirror does not serve: offline they fail, and the message says so. Not part of
# `make test`; run it where there is network access.
audit: install frontend/node_modules/.installed ## Known vulnerabilities: pip-audit (the dev lock) and npm audit (needs network)
	@status=0; \
	$(BIN)/pip-audit --strict --disable-pip -r $(DEV_LOCK) || status=1; \
	(cd frontend && npm audit --audit-level=moderate) || status=1; \
	if [ $$status != 0 ]; then \
		echo "make audit failed. Errors such as 'Dependency not found on PyPI', a connection error" >&2; \
		echo "or 'audit endpoint returned an error' mean that this machine cannot reach the advisory" >&2; \
		echo "data (no internet, or a package mirror only): that is not a finding. Run 'make audit'" >&2; \
		echo "where there is network access. Anything else above is a known vulnerability." >&2; \
	fi; \
	exit $$status

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
