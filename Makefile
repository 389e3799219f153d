# IOM Housing: two commands on a fresh machine — `make demo` and `make test`.
# Both set up what they need (virtualenv, npm packages, built assets) and are safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the demo's emails point at the server `make demo` runs.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install assets migrate messages compilemessages demo test bench lint browser pdf-libs db-stop db-reset clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-fund --no-audit
	touch $@

static/build/.built: node_modules/.installed static/scss/app.scss scripts/copy-assets.mjs
	npm run --silent build
	touch $@

install: $(BIN)/.installed node_modules/.installed

assets: static/build/.built

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

## Messages: gather every marked string into the Welsh catalogues (locale/cy/LC_MESSAGES/django.po
## and djangojs.po), keeping the translations already there and dropping messages no longer used.
## Translate the new entries (docs/welsh-glossary.md for the terms), then commit the .po files.
MAKEMESSAGES := DEBUG=1 $(BIN)/python manage.py makemessages --locale cy --no-obsolete \
	--ignore .venv --ignore node_modules --ignore static/build --ignore staticfiles --ignore tests --ignore bench
messages: install
	@command -v xgettext >/dev/null || { echo "gettext is missing (apt-get install gettext)"; exit 1; }
	$(MAKEMESSAGES) --domain django
	$(MAKEMESSAGES) --domain djangojs

## The compiled catalogues (.mo) are built from the .po files and never committed.
compilemessages: install
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; \
	  elif command -v sudo >/dev/null; then sudo -n apt-get update -qq && sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; \
	  else echo "gettext is missing: the Welsh catalogues cannot be compiled (apt-get install gettext)"; exit 1; fi; }
	DEBUG=1 $(BIN)/python manage.py compilemessages --locale cy --ignore .venv --ignore node_modules

## Demo: migrate, seed demo data with a login per role, run the sweeps, serve on http://$(HOST):$(PORT)
## Two-factor authentication is off for the demo logins (every page says so).
demo: install assets compilemessages migrate pdf-libs
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py run_sweeps
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py publish_releases
	DEBUG=1 SITE_URL=$(SITE_URL) REQUIRE_2FA=0 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null; then sudo -n apt-get update -qq && sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing: the browser tests will be skipped (apt-get install chromium)"; fi; }

## Debian's Pango, which WeasyPrint needs to make the PDF reports; nothing when it is there.
pdf-libs: install
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; \
	  elif command -v sudo >/dev/null; then sudo -n apt-get update -qq && sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; \
	  else echo "Pango is missing: PDF reports will fail (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; fi; }

## Test: the whole suite (embedded PostgreSQL unless DATABASE_URL is set).
test: install assets compilemessages browser pdf-libs
	$(BIN)/pytest -n auto

## Load benchmark (bench/README.md): load BENCH_SEED into its own database (BENCH_DATABASE_URL,
## default iom_bench on 127.0.0.1:5432, else the embedded server), serve it with gunicorn on
## 127.0.0.1:8029, drive every page and API call at a fixed concurrency, time the sweeps and the
## one-year report, and print each figure against its budget (JSON in bench/results/).
BENCH_OFFENDERS ?= 100000
BENCH_SEED ?= seed_scale --offenders $(BENCH_OFFENDERS)
BENCH_WORKERS ?= 3
BENCH_SERVERS ?= 1
BENCH_THREADS ?= 1
BENCH_CONCURRENCY ?= 8
BENCH_REQUESTS ?= 200
BENCH_WARMUP ?= 20
BENCH_PORT ?= 8029

bench: install assets pdf-libs
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python -m bench --seed "$(BENCH_SEED)" \
	  --workers $(BENCH_WORKERS) --threads $(BENCH_THREADS) --servers $(BENCH_SERVERS) \
	  --concurrency $(BENCH_CONCURRENCY) --requests $(BENCH_REQUESTS) --warmup $(BENCH_WARMUP) --port $(BENCH_PORT)

## The embedded PostgreSQL (no DATABASE_URL; EMBEDDED_DB_DIR, default .data/postgresql): stop it,
## or stop it and delete its database (the next command makes an empty one; `make demo` seeds it).
db-stop: install
	$(BIN)/python -m iom_housing.embedded_db stop

db-reset: install
	$(BIN)/python -m iom_housing.embedded_db reset

## Lint: what CI runs before the tests, from .pre-commit-config.yaml (ruff, ruff's format check,
## djLint on the templates, mypy); git-tracked files only, as the hooks see them.
lint: install
	$(BIN)/pre-commit run --all-files

clean:
	rm -rf $(VENV) node_modules static/build staticfiles
