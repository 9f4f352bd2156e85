# 解困 — the two commands of the README, and a few for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install install-test lint lint-openapi bench-generate bench-smoke clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Embedded mode: SQLite file, Celery eager, demo data loaded when the database is empty.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_applications
	$(BIN)/python manage.py seed_demo_workday
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite; with DATABASE_URL / REDIS_URL set it runs against them.
test: install-test
	SECRET_KEY=$${SECRET_KEY:-test-only-secret} CONN_MAX_AGE=0 $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2}

lint: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy eligibility/

# The API schema as /api/schema/ serves it, checked by drf-spectacular (no warning) and linted by Spectral
# (spectral:oas) and Redocly (recommended), both pinned in tools/openapi/package.json.
lint-openapi: install
	cd tools/openapi && npm ci --no-audit --no-fund --ignore-scripts
	SECRET_KEY=$${SECRET_KEY:-lint-only} $(BIN)/python manage.py spectacular --validate --fail-on-warn \
		--file tools/openapi/openapi.yaml
	cd tools/openapi && npx --no-install spectral lint --fail-severity=error --ruleset .spectral.yaml openapi.yaml
	cd tools/openapi && npx --no-install redocly lint --config redocly.yaml openapi.yaml

bench-generate: install
	$(BIN)/python bench/generate.py --households $${N:-100000}

# Every benchmark at a tiny size, so a broken one fails CI (no figure is checked: a benchmark is not a timed test).
# Makes its own database on DATABASE_URL's server (BENCH_SMOKE_DB, dropped and made again), migrates it, loads
# ~1,000 households with bench/generate.py, runs `bench/bench_*.py --smoke` one after another (each works on
# its own copy, <BENCH_SMOKE_DB>_<name>), drops the copies and fails if any benchmark failed.
BENCH_SMOKE_DB ?= jiekun_bench_smoke
bench-smoke: install
	@set -u; url="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"; server="$${url%/*}"; \
	db="$(BENCH_SMOKE_DB)"; \
	export DATABASE_URL="$$server/$$db" REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/14}" \
		SECRET_KEY="$${SECRET_KEY:-bench-smoke}" CONN_MAX_AGE=0; \
	drop_copies() { psql -qAt "$$server/postgres" -c "SELECT datname FROM pg_database WHERE datname LIKE '$${db}\\_%'" \
		| while read -r copy; do psql -q "$$server/postgres" -c "DROP DATABASE IF EXISTS \"$$copy\""; done; }; \
	drop_copies; \
	psql -q "$$server/postgres" -c "DROP DATABASE IF EXISTS $$db" -c "CREATE DATABASE $$db" || exit 1; \
	echo "== bench-smoke: migrate $$db"; $(BIN)/python manage.py migrate --noinput -v0 || exit 1; \
	$(BIN)/python bench/generate.py --households 1000 --quiet || exit 1; \
	failed=""; \
	for bench in bench/bench_*.py; do \
		echo "== bench-smoke: $$bench --smoke"; start=$$(date +%s); \
		$(BIN)/python "$$bench" --smoke || failed="$$failed $$bench"; \
		echo "   ($$(( $$(date +%s) - start )) s)"; \
	done; \
	drop_copies; \
	if [ -n "$$failed" ]; then echo "bench-smoke FAILED:$$failed"; exit 1; fi; echo "bench-smoke: all benchmarks ran"

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
