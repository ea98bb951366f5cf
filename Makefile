# The verbs a developer needs. `make run` and `make test` install what they need first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
TEST_ENV := DJANGO_SETTINGS_MODULE=config.settings.test

.PHONY: run test lint typecheck migrations-check services browser pooler imap-server lock messages clean

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@touch $(STAMP)

## run: the whole desk on SQLite with a worker and beat, demo data, on http://127.0.0.1:$(PORT)/
run: $(STAMP)
	DEBUG=$${DEBUG:-1} PORT=$(PORT) $(BIN)/python manage.py run_desk

## test: lint, types, layers, migrations, then the suite on PostgreSQL and Redis
test: $(STAMP) services browser pooler imap-server lint typecheck migrations-check
	$(TEST_ENV) $(BIN)/python manage.py ensure_database
	$(TEST_ENV) $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

migrations-check: $(STAMP)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

## services: PostgreSQL and Redis answer on 127.0.0.1 (started if they are down)
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 1; done; echo "PostgreSQL or Redis did not come up"; exit 1

## browser: Debian's Chromium for the browser tests (Playwright cannot download one here)
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

## pooler: Debian's PgBouncer for the test that runs the desk behind a transaction pooler
pooler:
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null)

## imap-server: Debian's dovecot, which the IMAP tests start in a temporary folder (never as a system service)
imap-server:
	@command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null)

## lock: re-resolve requirements.lock from pyproject.toml
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --group dev --python-version 3.11 --generate-hashes --no-header -o requirements.lock

## messages: refresh and compile the de/es translations
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l de -l es --ignore=.venv --ignore=var
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
