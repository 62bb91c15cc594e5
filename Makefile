# Annex: `make run` serves the API locally, `make test` runs every check. Nothing else is needed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
SAM_VENV  ?= .venv-sam
BIN       := $(VENV)/bin
# A working python3.12 (the Lambda runtime's version): PYTHON=..., else on PATH, else under pyenv.
PYTHON ?= $(shell for p in python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -V -r) /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { command -v "$$p" || echo "$$p"; } && break; done)

# Debian's Chromium, which the console's browser tests drive (Playwright never downloads a browser here).
CHROMIUM  ?= /usr/bin/chromium
NPM       ?= npm
# make test runs the suite with one pytest-xdist worker more than the cores, each test file whole on
# one worker: the HTTP tests wait on their local servers, so cores-many workers left a core idle.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))

.PHONY: help run reset-local test lint typecheck openapi client console console-deps browser screenshots fuzz bench load build validate clean check-python

help:
	@echo "make run    start the local API on http://127.0.0.1:\$${PORT:-3000} (token \$${ANNEX_DEV_TOKEN:-local-dev-token})"
	@echo "make reset-local  delete make run's data (\$${ANNEX_DATA_DIR:-.annex-data}); stop make run first"
	@echo "make test   lint (ruff, the import contract, cfn-lint), type-check and run every test"
	@echo "make bench  cold start per function against the floor, a request's cost beyond DynamoDB; DynamoDB requests, write and read units per call, latency; list filters at 1k/20k; analytics over 1k/10k/50k sessions, the columnar engine over 1M/10M; the journal's cost"
	@echo "make load   locust against a local server for \$${LOAD_SECONDS:-60} s, then checks nothing was lost"
	@echo "make openapi  regenerate docs/openapi.json from the code"
	@echo "make client regenerate the typed Python client clients/python from docs/openapi.json"
	@echo "make console  rebuild the web console (console/src → functions/console/static) with npm's esbuild"
	@echo "make screenshots  run the browser tests and save the console's screenshots in docs/img"
	@echo "make fuzz   schemathesis and the stateful model test, long"
	@echo "make build  sam validate --lint and sam build (installs aws-sam-cli in $(SAM_VENV))"

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "Annex needs Python 3.12 (the Lambda runtime): install it (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12"; exit 1; fi

$(BIN)/.installed: pyproject.toml clients/python/pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv installs what pip resolves (the same versions), compiled to bytecode, in a third of pip's
	@# time; where uv cannot be installed or cannot reach the index, pip does it.
	$(BIN)/python -m pip install --quiet uv && \
	  $(BIN)/uv pip install --python $(BIN)/python --compile-bytecode --quiet -e '.[dev]' -e clients/python || \
	  $(BIN)/python -m pip install --quiet -e '.[dev]' -e clients/python
	@touch $@

run: $(BIN)/.installed
	$(BIN)/python -m local

# make run keeps its table in ANNEX_DATA_DIR (default .annex-data); this forgets it.
reset-local:
	@dir="$${ANNEX_DATA_DIR:-.annex-data}"; \
	if [ "$$dir" = ":memory:" ]; then echo "ANNEX_DATA_DIR=:memory: keeps nothing on disk"; \
	elif [ -e "$$dir/lock" ] && ! flock -n "$$dir/lock" true; then echo "make run is using $$dir: stop it first"; exit 1; \
	else rm -rf "$$dir" && echo "Deleted $$dir"; fi

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo  # the layers' import rules (pyproject.toml, docs/architecture.md)
	$(BIN)/cfn-lint template.yaml

typecheck: $(BIN)/.installed
	@# one run: each handler is its own module (functions.<name>.app, explicit_package_bases)
	$(BIN)/mypy layers/annex/annex local admin tests benchmarks load functions/*/app.py

test: lint typecheck console-deps browser
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The console's build tools, from its lock file: the test that the committed bundle is the build of
# console/src needs them (without npm it is skipped, and says so).
console/node_modules/.installed: console/package.json console/package-lock.json
	cd console && $(NPM) ci --no-audit --no-fund --ignore-scripts  # esbuild runs from its platform package
	@touch $@

console-deps:
	@if command -v $(NPM) >/dev/null 2>&1; then $(MAKE) --no-print-directory console/node_modules/.installed; \
	else echo "npm not found: the console bundle freshness test will be skipped (install Node.js 20 and npm)"; fi

console: console/node_modules/.installed
	cd console && node build.mjs

# Debian's Chromium for the browser tests: installed with apt-get when it is missing and apt-get is
# usable (root); otherwise the browser tests are skipped with this reason (and fail under CI=true).
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests (apt-get install chromium)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
			|| echo "apt-get could not install chromium: the browser tests will be skipped"; \
	else echo "No $(CHROMIUM), and apt-get needs root: the browser tests will be skipped (apt-get install chromium)"; fi

screenshots: $(BIN)/.installed browser
	ANNEX_SCREENSHOTS=docs/img $(BIN)/pytest -q tests/browser

# Long property runs: schemathesis with many examples and a random seed, hypothesis's fuzz profile.
fuzz: $(BIN)/.installed
	SCHEMATHESIS_EXAMPLES=$${SCHEMATHESIS_EXAMPLES:-100} SCHEMATHESIS_SEED=random HYPOTHESIS_PROFILE=fuzz \
		$(BIN)/pytest -s tests/http/test_schemathesis.py tests/http/test_stateful.py

openapi: $(BIN)/.installed
	$(BIN)/python -m local.openapi

client: openapi
	$(BIN)/python clients/generate.py

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks.coldstart
	$(BIN)/python -m benchmarks.metadata
	$(BIN)/python -m benchmarks.lists
	$(BIN)/python -m benchmarks.sessions
	$(BIN)/python -m benchmarks.analytics
	$(BIN)/python -m benchmarks.columnar
	$(BIN)/python -m benchmarks.messages
	$(BIN)/python -m benchmarks.durable

# Bounded and local only: LOAD_SECONDS (60), LOAD_USERS (8), LOAD_URL (a server on this machine; default: start one).
load: $(BIN)/.installed
	$(BIN)/python -m load

$(SAM_VENV)/.installed: | check-python
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli
	@touch $@

validate: $(SAM_VENV)/.installed
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(SAM_VENV)/bin/sam validate --lint

build: validate
	PATH="$(dir $(PYTHON)):$$PATH" $(SAM_VENV)/bin/sam build

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
