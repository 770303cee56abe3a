# The two commands: `make run` (the demo) and `make test` (the whole suite). See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SASS := node_modules/.bin/sass

.PHONY: run test install assets services lint bench faults clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/application.css: static/scss/application.scss node_modules/.installed
	$(SASS) --no-source-map --style=compressed --quiet-deps --load-path=node_modules/govuk-frontend/dist $< $@

install: $(VENV)/.installed node_modules/.installed

assets: static/build/application.css

# Without DJANGO_SETTINGS_MODULE every entry point uses the production settings; the demo runs on the local ones.
run: export DJANGO_SETTINGS_MODULE := config.settings.local
run: install assets
	$(PY) manage.py migrate --noinput
	$(PY) scripts/demo_sandbox.py
	$(PY) manage.py load_demo
	@echo ""
	@echo "  Open http://127.0.0.1:8000 and sign in as admin / demo-admin, caseworker / demo-caseworker"
	@echo "  or auditor / demo-auditor. The Notify sandbox answers on http://127.0.0.1:6011."
	@echo "  Press Ctrl-C to stop everything."
	@echo ""
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho --procfile Procfile.dev start

services: install
	$(PY) scripts/ensure_services.py

lint: install
	$(VENV)/bin/ruff check .

test: install assets services lint
	scripts/ensure_chromium.sh
	$(PY) -m pytest

bench: install assets services
	$(PY) -m bench.run

faults: install assets services
	$(PY) -m bench.faults

clean:
	rm -rf $(VENV) node_modules static/build staticfiles var
