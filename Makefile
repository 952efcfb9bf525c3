# babel_pug — two commands set everything up on a fresh machine (Debian + Python 3.11):
#   make run    venv, install, migrate, reference + demo data, serve on http://127.0.0.1:8000
#   make test   venv, install, the whole test suite (pytest-xdist: WORKERS=2 processes)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Test processes for make test (pytest-xdist); each gets its own test database. 0 = one process.
WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: run test venv messages lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

.demo-password:
	$(PY) -c "import secrets; print(secrets.token_urlsafe(12))" > .demo-password
	chmod 600 .demo-password

.env:
	printf '# Local development settings (git-ignored); see .env.example\nDEBUG=true\n' > .env

run: $(STAMP) .demo-password .env
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo --password "$$(cat .demo-password)"
	@echo "Portal: http://127.0.0.1:$(PORT)/  (login: see above; password file .demo-password)"
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(PY) -m pytest -n $(WORKERS) --dist loadgroup

messages: $(STAMP)
	DEBUG=true $(PY) manage.py makemessages -l id --no-obsolete --no-wrap --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=artifacts
	$(PY) scripts/po_fill.py
	DEBUG=true $(PY) manage.py compilemessages -l id --ignore=.venv

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
