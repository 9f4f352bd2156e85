# 解困 — the two commands of the README, and a few for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install install-test lint lint-openapi bench-generate clean

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

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
