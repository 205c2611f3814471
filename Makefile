# The two commands of the README: `make run` (dashboard on the sample plan) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Two pytest processes, each taking whole test files: most tests wait on a server, a browser or a database, so
# two share two cores well (the suite in about two thirds of the time of one process, measured).
TEST_WORKERS ?= 2

.PHONY: run test lint build validate bench serve-replicas clean

# Debian ships venv separately (python3-venv); install it when missing and we are root.
$(PY):
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); scripts/ensure-system-packages.sh python3-venv && $(PYTHON) -m venv $(VENV); }

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

## Serve the dashboard on http://localhost:8501 with the plan in data/ (editing allowed: local mode).
run: $(VENV)/.runtime-installed
	$(PY) -m plan build --if-stale
	PLAN_LOCAL_EDIT=1 $(PY) -m streamlit run app.py --server.address localhost --server.port $(PORT)

# axe-core, the accessibility audit the browser tests inject into each page (pinned in its package-lock.json).
AXE := tests/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/axe/package.json tests/axe/package-lock.json
	scripts/ensure-system-packages.sh npm || true
	npm ci --prefix tests/axe --no-audit --no-fund --silent
	touch $@

## Lint and run every test (Debian's chromium, postgresql, haproxy and npm are installed here when root).
test: $(VENV)/.dev-installed
	scripts/ensure-system-packages.sh chromium postgresql haproxy libarchive13 || true
	$(MAKE) --no-print-directory $(AXE) || true
	$(PY) -m ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

## Self-hosting: REPLICAS app processes behind HAProxy on PORT (set PLAN_STORE_URL to share a PostgreSQL store).
REPLICAS ?= 2
serve-replicas: $(VENV)/.runtime-installed
	scripts/ensure-system-packages.sh haproxy
	$(PY) -m plan serve --replicas $(REPLICAS) --port $(PORT)

validate: $(VENV)/.runtime-installed
	$(PY) -m plan validate

build: $(VENV)/.runtime-installed
	$(PY) -m plan build

## National-scale benchmark: build, pages, server memory, concurrent viewers; then a customs month imported
## against DuckDB's read_csv of it (writes benchmarks/, ~10 min).
bench: $(VENV)/.runtime-installed
	$(PY) -m plan bench --scale national
	$(PY) -m plan bench-import

clean:
	rm -rf $(VENV) tests/axe/node_modules test-artifacts data/*.duckdb data/*.duckdb.*
