# The two commands (see README.md):
#   make run   installs everything and runs CouncilFlow on SQLite with demo data
#   make test  installs everything and runs the whole test suite
.PHONY: run test lint vendor

HOST ?= 127.0.0.1
PORT ?= 8000

# The background worker (messages to citizens) runs beside the web server; Ctrl+C stops both.
run:
	./scripts/setup
	.venv/bin/python manage.py migrate --noinput
	.venv/bin/python manage.py seed_demo
	@echo "==> CouncilFlow is running at http://$(HOST):$(PORT)/ with its background worker (Ctrl+C to stop)"
	.venv/bin/python manage.py db_worker --interval 1 --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	.venv/bin/python manage.py runserver $(HOST):$(PORT)

test:
	./scripts/setup --test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	.venv/bin/python manage.py makemigrations --check --dry-run
	.venv/bin/pytest $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports --no-cache

# Rebuild static/vendor/ from the pinned npm packages (needs Node.js; the output is committed).
vendor:
	npm ci --no-audit --no-fund
	npm run vendor
