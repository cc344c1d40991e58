# Two commands matter on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# Test workers (pytest-xdist): one per core; each has its own database and live server.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup
export FLASK_APP := webapp

.PHONY: run test install install-dev catalogs bytecode db lint format bench bench-coverage bench-reports bench-production bench-national mutants shots extract clean serve-production nginx-conf

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Our own compile step: pybabel compile writes untranslated plurals as English (babel#697).
catalogs: install
	$(BIN)/python -m webapp.i18n.compile

# The app's compiled modules, written even where PYTHONDONTWRITEBYTECODE is set: a start reads
# them instead of compiling about 240 modules from source (0.7 s of CPU per start).
bytecode: install
	$(BIN)/python -m compileall -q webapp

db: catalogs
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo

run: db bytecode
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - 'webapp:create_app()'

# Production (README "Deploying"): one app node under gunicorn (webapp/deploy/gunicorn.conf.py)
# with the settings of ENV_FILE (shell KEY=value lines), behind nginx.
ENV_FILE ?= instance/production.env
serve-production: catalogs bytecode
	@test -f "$(ENV_FILE)" || { echo "$(ENV_FILE) is missing: see README.md, Deploying (or ENV_FILE=path)"; exit 1; }
	set -a && . "$(abspath $(ENV_FILE))" && set +a && \
		$(BIN)/flask db upgrade && \
		exec $(BIN)/gunicorn -c webapp/deploy/gunicorn.conf.py

# The shipped nginx configuration filled in: NODES="host:port …", SERVER_NAME, LISTEN.
NODES ?= 127.0.0.1:8000
SERVER_NAME ?= _
LISTEN ?= 80
nginx-conf: install
	@$(BIN)/python -m webapp.deploy.nginx --listen '$(LISTEN)' --server-name '$(SERVER_NAME)' \
		$(foreach node,$(NODES),--node $(node))

# The suite runs on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set, each in
# parallel workers (TEST_WORKERS=1 for one process).
test: install-dev catalogs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	TEST_DB=sqlite $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		TEST_DB=postgresql $(PYTEST); \
	elif [ -n "$$CI" ]; then \
		echo "CI: TEST_DATABASE_URL is not set, the PostgreSQL run cannot be skipped"; exit 1; \
	else \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL run was skipped"; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh translations/messages.pot and merge it into every catalog. --ignore-dirs: by default
# pybabel skips directories named _*, which hid templates/_macros.
extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 -k lazy_ngettext:1,2 \
		--ignore-dirs '.*' --no-location --sort-output -o translations/messages.pot .
	$(BIN)/python -m webapp.i18n.update

bench: install-dev catalogs
	$(BIN)/python bench/lowend.py

bench-coverage: install-dev catalogs
	$(BIN)/python bench/coverage.py $(if $(TEST_DATABASE_URL),--postgresql $(TEST_DATABASE_URL))

# A national year (3,321 communes × 10 organizations × ~5 entries, three years) on PostgreSQL,
# then the aggregating views for the national root, a province and a commune, at both scales.
bench-national: install-dev catalogs
	$(BIN)/python bench/national.py --postgresql $(or $(BENCH_DATABASE_URL),$(TEST_DATABASE_URL),postgresql://postgres@127.0.0.1:5432/test) $(if $(SCALE),--scale $(SCALE))

bench-reports: install-dev catalogs
	$(BIN)/python bench/reports.py $(if $(TEST_DATABASE_URL),--postgresql $(TEST_DATABASE_URL))

# 60 s at 50 connections (wrk) against the production configuration (nginx, two gunicorn nodes,
# PostgreSQL at TEST_DATABASE_URL, Redis) and against `make run`'s SQLite gunicorn: requests/s,
# p50/p99 and errors for the public page and a signed-in list page. DURATION=10 for a quick run.
bench-production: install-dev catalogs
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/production_load.py $(if $(TEST_DATABASE_URL),--postgresql $(TEST_DATABASE_URL)) $(if $(DURATION),--duration $(DURATION))

# Mutation testing (mutmut, one process, SQLite) of the modules people rely on, each against the
# tests that cover it: killed / survived / timed out per module, the time taken, every survivor.
# MODULE=reports (or "i18n reports") for some of them, ONLY=x_rollup for one function's mutants
# (ONLY="x_rollup xǁMeasuresǁ" for those of several),
# RESUME=1 to finish an interrupted run; the work directories are in mutants/.
mutants: install-dev catalogs
	$(BIN)/python bench/mutants.py $(MODULE) $(foreach o,$(ONLY),--only '$(o)') $(if $(RESUME),--resume)

# Screenshots of every crawled page per role at 360 and 1366 px into shots/ (index.html);
# COMPARE=old/index.json lists the pages whose weight changed most.
shots: install-dev catalogs
	$(BIN)/python bench/shots.py --out shots $(if $(COMPARE),--compare $(COMPARE))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
