# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format serve bench prod-check migrate demo install install-dev messages makemessages clean

PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Translations are compiled with polib (pure Python), so set-up needs no GNU gettext.
%.mo: %.po $(VENV)/.installed
	$(PY) -c "import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])" $< $@

messages: $(MO_FILES)

# For developers adding strings (needs GNU gettext's xgettext): refresh the .po files, then
# translate the new entries. File names only, no line numbers, so the .po merges cleanly.
makemessages: install
	DEBUG=1 $(PY) manage.py makemessages -l es --add-location=file \
		--ignore=staticfiles --ignore=tests --ignore=bench

migrate: install messages
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo_content

run: demo
	@echo ""
	@echo "  The site is at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  To make a staff login, in another terminal run:"
	@echo "      DEBUG=1 $(PY) manage.py createsuperuser"
	@echo ""
	DEBUG=1 SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev messages
	DJANGO_SETTINGS_MODULE=clinic_site.test_settings $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=clinic_site.test_settings $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

# Production-like: DEBUG off, hashed and compressed static files, gunicorn. Links point to
# where it serves; without EMAIL_HOST (or EMAIL_BACKEND) emails are printed to this terminal.
SERVE_EMAIL_BACKEND := django.core.mail.backends.$(if $(EMAIL_HOST),smtp,console).EmailBackend
SERVE_ENV = SECRET_KEY=$${SECRET_KEY:-local-serve-key-$$(hostname)} \
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} EMAIL_BACKEND=$${EMAIL_BACKEND:-$(SERVE_EMAIL_BACKEND)}
serve: migrate
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v 0
	$(SERVE_ENV) GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} \
		$(VENV)/bin/gunicorn -c gunicorn.conf.py clinic_site.wsgi

# Load benchmarks over loopback (bench/run.py): prints the figures, writes bench/results.json.
# DATABASE_URL picks the database (default: a fresh bench/db.sqlite3); REDIS_URL the cache.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
bench: install messages
	@command -v wrk >/dev/null 2>&1 || $(SUDO) apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; } \
		|| echo "wrk could not be installed: bench/run.py uses its Python load generator."
	$(PY) bench/run.py $(BENCH_ARGS)

# The production topology, run for real on loopback (tests/prod/check.py): nginx with
# deploy/nginx/clinic.conf in front of gunicorn with deploy/clinic.env.example. nginx, its
# brotli module and openssl come from Debian's packages when missing.
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get
PROD_PACKAGES := nginx libnginx-mod-http-brotli-static openssl
prod-check: install-dev messages
	@if ! { command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null 2>&1 \
		|| [ ! -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] \
		|| ! command -v openssl >/dev/null 2>&1; then \
		$(APT) install -y -qq $(PROD_PACKAGES) >/dev/null 2>&1 \
		|| { $(APT) update -qq && $(APT) install -y -qq $(PROD_PACKAGES); }; \
	fi
	$(PY) -m tests.prod.check $(PROD_CHECK_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
