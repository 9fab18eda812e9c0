# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=1

.PHONY: install run test lint format lock lock-bench messages worker bench clean

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
		{ echo "Python 3.12 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# axe-core for the browser tests' accessibility checks (npm registry, no browser download).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

install: $(BIN)/.installed node_modules/.installed

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000 (the task worker runs beside it)"
	@trap 'kill 0' INT TERM EXIT; \
		$(DEV_ENV) $(BIN)/python manage.py db_worker --queue-name '*' & \
		$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

worker: install
	$(BIN)/python manage.py db_worker --queue-name '*'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

test: lint
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -m "not browser"
	$(BIN)/python -m pytest -m browser tests/browser

# Re-extract the strings and compile the catalogues (needs GNU gettext; the .mo files are
# committed so that running the app does not).
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv \
		--ignore=node_modules --ignore=tests --ignore=bench --no-obsolete
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-pin the dependencies after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.12 --generate-hashes -o requirements.lock

# Benchmarks print figures against a reference measured in the same run; spopt (the reference
# optimiser) is installed only here.
bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-bench.lock
	@for script in bench/*.py bench/siting/*.py; do [ -f "$$script" ] && { echo "== $$script"; $(BIN)/python "$$script" || exit 1; }; done

lock-bench:
	uv pip compile pyproject.toml --extra dev --extra bench --python-version 3.12 --generate-hashes -o requirements-bench.lock

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-*
