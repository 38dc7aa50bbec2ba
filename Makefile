# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
# The portal's own packages (bangqiao_portal is configuration; the rest are the apps).
APPS := bangqiao_portal core enterprises organisation issues visits supervision voice assessment notifications oversight demo
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: backup restore run test test-all install install-dev migrate demo lint format messages bench bench-peer bench-supervision bench-voice bench-uploads screenshots clean

# On a developer's machine `make test` leaves out the tests marked slow (browsers, the crawl,
# subprocesses; see pyproject.toml); under CI=true (.ci/run) and in `make test-all` it runs them all.
PYTEST_SELECT := $(if $(filter 1 true yes TRUE True YES,$(CI)),,-m "not slow")

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# The accessibility checks' tools (tests/a11y): axe-core and the Nu HTML checker, pinned in package-lock.json.
# --ignore-scripts: vnu-jar's install script would fetch a JDK from the internet; Debian's Java runs it here.
# Without npm this step is left out and those checks skip, except under CI=true (.ci/run brings npm and Java).
NPM := $(shell command -v npm 2>/dev/null)
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev $(if $(NPM),node_modules/.package-lock.json)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Load the demo district, but only into an empty database: never mix it into real data; then print its logins
# (demo/seed.py's DEMO_LOGINS, the one list).
demo: migrate
	$(BIN)/python manage.py seed_demo --if-empty
	@echo ""
	@$(BIN)/python manage.py demo_logins

# Install, migrate, load the demo district, then run web + Celery worker + beat (Procfile). The address printed
# is the one gunicorn binds: BIND (default 127.0.0.1:8000), as the Procfile passes it.
run: export DEBUG ?= true
run: demo
	@echo ""
	@$(BIN)/python manage.py portal_address
	@echo "  按 Ctrl+C 停止 Press Ctrl+C to stop."
	@echo ""
	$(BIN)/honcho start -f Procfile

# Lint, security lint, Django's checks, migrations in step, then the tests (all of them under CI=true).
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/bandit -q -ll -r $(APPS) -x '*/migrations/*'
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_SELECT) $(PYTEST_ARGS)

# The same with every test, the slow ones included, as CI runs it.
test-all: PYTEST_SELECT :=
test-all: test

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the Chinese translation catalogue after changing user-facing text.
messages: install-dev
	$(BIN)/python manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'bench/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '.venv/*' --ignore 'node_modules/*'

# Every main page of every role at the district and city tiers (median, p95, queries, their ratio), the SQL behind
# the dashboard's figures, the reminder scan (also over 1,000,000 more open problems), a 10,000-row import, the
# ledger's export and the peer (django-helpdesk, where var/peer has it: make bench-peer); the report is
# docs/benchmarks.md. Each tier is built by demo/scale.py (`manage.py bench_data`) into a throwaway PostgreSQL
# database made and dropped here. `make bench TIER=province` adds the province (135,000 pairings, 9.7 million
# visits: about 10 minutes to build). BENCH_RUNS interleaved rounds of every page (15) at each tier; each round
# reads every page twice: first right after every family of kept figures is touched (the first read after a
# change: the page counts again), then again (the kept read). Both columns are in the report, the targets judged
# on both; the dashboard is also timed with a move between every two reads (a busy city).
BENCH_PG := postgres://postgres@127.0.0.1:5432
# The throwaway databases are $(BENCH_DB)_<tier>; the report goes to BENCH_REPORT.
BENCH_DB ?= bangqiao_bench
BENCH_REPORT ?= docs/benchmarks.md
BENCH_RUNS ?= 15
PROVINCE_RUNS ?= 3
# Seconds the scan, an import or the export may run before the report calls it unfinished.
BENCH_LIMIT ?= 300
TIER ?=
# $(call bench_tier,<tier>,<bench/suite.py measure options>): one tier in a database of its own, dropped after.
define bench_tier
	psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS $(BENCH_DB)_$(1)" -c "CREATE DATABASE $(BENCH_DB)_$(1)"
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB)_$(1) DEBUG=false $(BIN)/python bench/suite.py measure --tier $(1) --limit $(BENCH_LIMIT) $(2) --out var/bench/$(1).json; status=$$?; psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS $(BENCH_DB)_$(1)"; exit $$status
endef
bench: $(VENV)/.installed-dev
	mkdir -p var/bench
	rm -f var/bench/*.json
	$(call bench_tier,district,--runs $(BENCH_RUNS))
	$(call bench_tier,city,--runs $(BENCH_RUNS) --workloads --stress)
	$(if $(filter province,$(TIER)),$(call bench_tier,province,--runs $(PROVINCE_RUNS)))
	$(BIN)/python bench/peer.py --out var/bench/peer.json
	$(BIN)/python bench/suite.py report var/bench/*.json > $(BENCH_REPORT)
	@cat $(BENCH_REPORT)

# The peer of make bench's comparison: django-helpdesk 2.6.1 from PyPI, in a venv of its own (var/peer).
bench-peer:
	test -x var/peer/bin/python || $(PYTHON) -m venv var/peer
	var/peer/bin/pip install --quiet "django-helpdesk==2.6.1" psycopg2-binary

# A benchmark on a city's data in a throwaway PostgreSQL database, made and dropped here:
# $(call pg_bench,<database>,<bench/ script and docs/benchmarks-… report name>,<the report's title>).
define pg_bench
	psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS $(1)" -c "CREATE DATABASE $(1)"
	@echo "# $(3)" > docs/benchmarks-$(2).md
	@echo "" >> docs/benchmarks-$(2).md
	@echo "Made by \`make bench-$(2)\` (\`bench/$(2).py\`) on $$(date -u +%Y-%m-%d) ($$(nproc) cores, PostgreSQL). Page times are medians of 3 runs after a warm-up; query counts are exact; times are wall-clock on a shared machine." >> docs/benchmarks-$(2).md
	@echo "" >> docs/benchmarks-$(2).md
	DATABASE_URL=$(BENCH_PG)/$(1) DEBUG=false $(BIN)/python bench/$(2).py >> docs/benchmarks-$(2).md
	psql "$(BENCH_PG)/postgres" -qc "DROP DATABASE IF EXISTS $(1)"
	@cat docs/benchmarks-$(2).md
endef

# Supervision and the annual assessment on the same city (3,000 inspections with their items);
# the report is docs/benchmarks-supervision.md.
bench-supervision: install-dev
	$(call pg_bench,bangqiao_bench_supervision,supervision,Supervision and the annual assessment at a city's size)

# The enterprise's voice on the same city: its link pages, who spoke for it in the figures, the reminder scan in
# working days; the report is docs/benchmarks-voice.md.
bench-voice: install-dev
	$(call pg_bench,bangqiao_bench_voice,voice,The enterprise's voice at a city's size)

# What an uploaded list costs: a city's list against the caps on what a workbook unpacks to, a preview and its
# confirmation, and refusing issue 11's zip bomb (time, peak memory), beside openpyxl reading it uncapped.
# The report is docs/benchmarks-uploads.md; it takes some minutes, most of them openpyxl reading the bomb.
UPLOADS_DB := $(abspath var)/uploads.sqlite3
bench-uploads: install-dev
	rm -f $(UPLOADS_DB)*
	mkdir -p var
	@echo "# Uploads: what a list costs, and refusing a zip bomb" > docs/benchmarks-uploads.md
	@echo "" >> docs/benchmarks-uploads.md
	@echo "Made by \`make bench-uploads\` (\`bench/upload_limits.py --unguarded\`) on $$(date -u +%Y-%m-%d) ($$(nproc) cores). Times are wall-clock on a shared machine; memory is the peak resident set (VmHWM) of a process that only refuses the bomb." >> docs/benchmarks-uploads.md
	@echo "" >> docs/benchmarks-uploads.md
	DATABASE_URL=sqlite:///$(UPLOADS_DB) DEBUG=false $(BIN)/python bench/upload_limits.py --unguarded >> docs/benchmarks-uploads.md
	rm -f $(UPLOADS_DB)*
	@cat docs/benchmarks-uploads.md

# The journeys' key pages in Chinese, on a phone, into docs/screenshots/<journey>-<step>-phone.png (README's
# gallery), and the monthly report's print view (monthly-report-print.png): the Chinese runs with SCREENSHOTS=1.
# Needs Chromium and fonts-noto-cjk (apt-get install).
screenshots: install-dev
	SCREENSHOTS=1 $(BIN)/python -m pytest -m slow tests/browser/journeys tests/browser/test_report_print.py -k "zh-hans" -q -p no:cacheprovider

# Back up the database (PostgreSQL custom-format dump, or an SQLite copy) and the uploaded files into
# BACKUP (a new folder); restore one into an empty, migrated database. docs/deployment.md §5.
BACKUP ?= var/backups/$(shell date +%Y%m%d-%H%M%S)
backup: install
	$(BIN)/python manage.py backup $(BACKUP)

restore: install
	@test -n "$(FROM)" || (echo "make restore FROM=<a backup folder>"; exit 2)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py restore $(FROM)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules
