# finflow: `make demo` and `make test` work on a fresh machine with only Python 3.11.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test lint typecheck system-deps services bench bench-celery clean

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (CI machines here), nothing would
# ever be cached and every process would compile pandas, great-expectations and Airflow again
# (imports 18 s -> 8 s of CPU per stage process, measured).
$(STAMP): requirements.lock pyproject.toml | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

## Run the whole pipeline on the embedded synthetic data set (SQLite), print a summary.
demo: $(STAMP) system-deps
	$(BIN)/finflow demo

DEBIAN_PACKAGES := chromium poppler-utils libcairo2 libicu-dev pkg-config

## Install Debian packages: headless Chromium (case-pack PDFs, page tests), poppler (PDF checks),
## cairo (link-chart PNGs), ICU headers (followthemoney's pyicu builds against them).
system-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: install $$missing (Debian packages) for PDFs and the full test suite"; fi; \
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

## Benchmarks (not tests): pipeline stages at 1M/5M rows, then sanctions screening throughput
## and quality against nomenklatura. Results are written into docs/benchmarks.md and docs/screening.md.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_screen.py

## Benchmark (not a test): the lake DAGs on a real CeleryExecutor deployment, one worker against
## two (needs PostgreSQL and Redis, see `make services`); the table goes into docs/benchmarks.md.
bench-celery: $(STAMP) services
	$(BIN)/python scripts/bench_celery.py --write docs/benchmarks.md

clean:
	rm -rf finflow-demo .pytest_cache build dist
