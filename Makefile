# The two commands of the README: `make run` and `make test`. Both set up everything a
# fresh machine lacks: Debian packages (when root), the virtualenv, Python and npm packages.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
ASSETS := static/dist/css/app.css
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
# Where `make run` and `make dev` answer: PORT=8080 make run (OMP_WEB_BIND, when set, wins).
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run dev test lint system-packages assets demo bench clean screenshots

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(PIP_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): $(NPM_STAMP) frontend/app.scss frontend/vendor.mjs $(wildcard frontend/*.mjs)
	npm run --silent build

assets: $(ASSETS)

# Chromium drives the browser tests; installed from Debian when missing and we are root.
system-packages:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package"; exit 1; fi; \
	fi

# The database migrated and filled with demo cases and users (once), and the analytics data.
demo: $(PIP_STAMP) $(ASSETS)
	$(PY) manage.py migrate --no-input -v 0
	$(PY) -m omp demo --cases $${DEMO_CASES:-5000}
	test -f var/analytics/index_events.parquet || $(PY) -m omp outcomes generate --index-events 100000 --outcomes 500000 --data var/analytics
	test -f var/analytics/results/current.json || $(PY) -m omp outcomes compute --data var/analytics

# The service as it runs in production: gunicorn (OMP_WEB_WORKERS processes of OMP_WEB_THREADS
# threads, on OMP_WEB_BIND) with WhiteNoise serving the collected static files.
run: demo
	$(PY) manage.py collectstatic --no-input --clear -v 0
	OMP_WEB_BIND=$${OMP_WEB_BIND:-127.0.0.1:$(PORT)} $(VENV)/bin/gunicorn -c python:omp.web.gunicorn_conf

# For development: Django's server, reloading on every change, in debug mode.
dev: demo
	@echo "Starting on http://127.0.0.1:$(PORT) (reloading on changes) — sign in as court_staff / demo-password-1"
	OMP_DEBUG=$${OMP_DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(PIP_STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

# The whole suite on SQLite (measuring branch coverage), then again on PostgreSQL when it
# answers. In CI (CI=true) an unreachable PostgreSQL is a failure, never a silent skip.
# The policy (rules/) and the actions, the only writers, keep a branch-coverage floor.
COVERAGE_FLOOR ?= 90
COVERED := */omp/rules/*,*/omp/*/actions.py
# The suite on SQLite (with coverage) and, when PostgreSQL answers, on PostgreSQL at the same
# time: each run is one process, so on two cores the two together take little longer than
# the SQLite run alone. The PostgreSQL run's output is printed after the SQLite run's.
test: $(PIP_STAMP) $(ASSETS) system-packages lint
	@$(PY) -c "from omp.config import get_settings; get_settings().resolved_secret_key()"
	@if $(PY) -c "import socket,sys; s=socket.socket(); s.settimeout(2); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; then \
	  echo "== on SQLite, and on PostgreSQL ($(PG_URL)) at the same time"; \
	  log=$$(mktemp); \
	  OMP_DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q -p no:cacheprovider > $$log 2>&1 & pg=$$!; \
	  $(VENV)/bin/pytest -q --cov=omp --cov-branch --cov-report=; lite=$$?; \
	  wait $$pg; postgres=$$?; \
	  echo "== the PostgreSQL run ($(PG_URL))"; cat $$log; rm -f $$log; \
	  [ $$lite -eq 0 ] || { echo "the SQLite run failed"; exit 1; }; \
	  [ $$postgres -eq 0 ] || { echo "the PostgreSQL run failed"; exit 1; }; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "PostgreSQL is not answering on 127.0.0.1:5432 and CI=true: failing"; exit 1; \
	else \
	  echo "PostgreSQL not reachable: the suite on SQLite only (not in CI)"; \
	  $(VENV)/bin/pytest -q --cov=omp --cov-branch --cov-report= || exit 1; \
	fi
	$(VENV)/bin/coverage report --include='$(COVERED)' --skip-covered --fail-under=$(COVERAGE_FLOOR)

# Refresh the README's screenshots from the browser tests.
screenshots: $(PIP_STAMP) $(ASSETS) system-packages
	OMP_SCREENSHOTS=1 $(VENV)/bin/pytest -q -m browser -p no:cacheprovider

bench: $(PIP_STAMP)
	$(PY) bench/recompute.py --cases $${BENCH_CASES:-1000000}
	$(PY) bench/handover.py --cases $${BENCH_CASES:-1000000}

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles var
