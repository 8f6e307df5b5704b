# finflow: `make demo` and `make test` work on a fresh machine with only Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test lint typecheck system-deps services bench clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

## Run the whole pipeline on the embedded synthetic data set (SQLite), print a summary.
demo: $(STAMP)
	$(BIN)/finflow demo

## Install Debian packages the tests use (headless Chromium for page checks, poppler for PDFs).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "note: install chromium and poppler-utils for the page-rendering tests"; fi; \
	fi

## Make sure the local PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are up.
services:
	@bash scripts/services.sh

test: $(STAMP) system-deps services
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests dags
	$(BIN)/ruff format --check src tests dags

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf finflow-demo .pytest_cache build dist
