# Annex: `make run` serves the API locally, `make test` runs every check. Nothing else is needed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
SAM_VENV  ?= .venv-sam
BIN       := $(VENV)/bin
# A working python3.12 (the Lambda runtime's version): PYTHON=..., else on PATH, else under pyenv.
PYTHON ?= $(shell for p in python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -V -r) /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { command -v "$$p" || echo "$$p"; } && break; done)

.PHONY: help run test lint typecheck openapi client fuzz bench load build validate clean check-python

help:
	@echo "make run    start the local API on http://127.0.0.1:\$${PORT:-3000} (token \$${ANNEX_DEV_TOKEN:-local-dev-token})"
	@echo "make test   lint, type-check and run every test"
	@echo "make bench  DynamoDB requests per call, latency, cold import time; analytics over 1k/10k/50k sessions"
	@echo "make load   locust against a local server for \$${LOAD_SECONDS:-60} s, then checks nothing was lost"
	@echo "make openapi  regenerate docs/openapi.json from the code"
	@echo "make client regenerate the typed Python client clients/python from docs/openapi.json"
	@echo "make fuzz   schemathesis and the stateful model test, long"
	@echo "make build  sam validate --lint and sam build (installs aws-sam-cli in $(SAM_VENV))"

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "Annex needs Python 3.12 (the Lambda runtime): install it (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12"; exit 1; fi

$(BIN)/.installed: pyproject.toml clients/python/pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e clients/python
	@touch $@

run: $(BIN)/.installed
	$(BIN)/python -m local

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml

typecheck: $(BIN)/.installed
	$(BIN)/mypy layers/annex/annex local admin tests benchmarks load
	@for f in functions/*/app.py; do $(BIN)/mypy --follow-imports=silent "$$f" || exit 1; done

test: lint typecheck
	$(BIN)/pytest

# Long property runs: schemathesis with many examples and a random seed, hypothesis's fuzz profile.
fuzz: $(BIN)/.installed
	SCHEMATHESIS_EXAMPLES=$${SCHEMATHESIS_EXAMPLES:-100} SCHEMATHESIS_SEED=random HYPOTHESIS_PROFILE=fuzz \
		$(BIN)/pytest -s tests/http/test_schemathesis.py tests/http/test_stateful.py

openapi: $(BIN)/.installed
	$(BIN)/python -m local.openapi

client: openapi
	$(BIN)/python clients/generate.py

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks.metadata
	$(BIN)/python -m benchmarks.sessions
	$(BIN)/python -m benchmarks.analytics
	$(BIN)/python -m benchmarks.messages

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
