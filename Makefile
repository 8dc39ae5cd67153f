# Analysts drive the pipeline with these targets; `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
RAW_DIR ?= data/raw
PARQUET_DIR ?= data/parquet
SHARED ?= ../shared
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
TEST_JOBS ?= 2
SCHEDULER ?= $(DASK_SCHEDULER_ADDRESS)
RUN_ARGS = --raw $(RAW_DIR) --out $(PARQUET_DIR) --jobs $(JOBS) $(if $(SCHEDULER),--scheduler $(SCHEDULER))
APT_PACKAGES := tesseract-ocr tesseract-ocr-spa ghostscript poppler-utils

.PHONY: help run setup system-deps parquet prune test bench bench-ocr bench-tables bench-reliability bench-scale clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-18s %s\n", $$1, $$2}'

run: setup parquet ## set up everything missing, then build the datasets from $(RAW_DIR)

system-deps: ## install the Debian packages the pipeline needs (when root and missing)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Missing Debian packages:$$missing (run: sudo apt-get install$$missing)"; fi; fi

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

setup: system-deps $(VENV)/.installed ## create the venv and install the Python packages

parquet: $(VENV)/.installed ## build the datasets: RAW_DIR=data/raw PARQUET_DIR=data/parquet JOBS=N SCHEDULER=tcp://host:8786
	$(PY) -m pipelines $(RUN_ARGS)

prune: $(VENV)/.installed ## remove the rows of files no longer in $(RAW_DIR), then build what is new
	$(PY) -m pipelines $(RUN_ARGS) --prune

test: setup ## run the test suite in TEST_JOBS=2 processes (pytest-xdist; TEST_JOBS=0: one process)
	$(PY) -m pytest -q -n $(TEST_JOBS)

bench: setup ## corpus scored, CPU s/page vs plain pdfplumber, memory; external tables vs camelot/pdfplumber; OCR vs plain tesseract
	$(PY) -m pipelines.bench --shared $(SHARED)
	@mkdir -p data/interim
	$(PY) $(SHARED)/bench/score_tables.py --project . --json data/interim/bench_tables.json
	$(PY) bench/ocr_bench.py --shared $(SHARED) --jobs 1 2

bench-ocr: setup ## OCR engines on the corpus scans and seeded degraded copies: plain tesseract, tesseract, PP-OCR, the pipeline's choice (word accuracy, CPU s/page)
	@mkdir -p data/interim
	$(PY) bench/ocr_bench.py --shared $(SHARED) --engines --degraded --json data/interim/bench_ocr.json

bench-tables: setup ## table engines compared on the digital corpus: camelot lattice/stream/auto, pdfplumber, ours
	$(PY) bench/tables_bench.py --shared $(SHARED)

bench-reliability: setup ## 30+ kinds of bad input, kills at 10 points, peak RSS and s/page at 10/100/1000 pages and a 20-page scan
	$(PY) bench/reliability.py --shared $(SHARED)

bench-scale: setup ## pages/s of --jobs 1, --jobs 2 and a 2-worker Dask LocalCluster on the corpus; CPU s/page; projection
	$(PY) bench/scale_bench.py --shared $(SHARED)

clean: ## remove generated data (never data/raw)
	rm -rf $(PARQUET_DIR)/* data/interim data/logs data/report data/catalog.duckdb
	@touch $(PARQUET_DIR)/.gitkeep

# Analyst tools (issue #4): QA report, DuckDB catalog, data dictionary.
LAYOUT_DIR ?= data/interim/layout
REPORT_DIR ?= data/report
CATALOG ?= data/catalog.duckdb

.PHONY: report catalog sql docs

report: $(VENV)/.installed ## QA report data/report/index.html: page images, tables found, findings
	$(PY) -m pipelines.report --parquet $(PARQUET_DIR) --layout $(LAYOUT_DIR) --raw $(RAW_DIR) --out $(REPORT_DIR)

catalog: $(VENV)/.installed ## DuckDB catalog data/catalog.duckdb: one view per dataset + analysis views
	$(PY) -m pipelines.catalog build --parquet $(PARQUET_DIR) --db $(CATALOG)

sql: $(VENV)/.installed ## query the catalog: make sql Q="SELECT * FROM hallazgos_por_documento"
	@$(PY) -m pipelines.catalog sql --db $(CATALOG) -- "$$Q"

docs: $(VENV)/.installed ## regenerate docs/datasets.md from pipelines/schemas.py
	$(PY) -m pipelines.docs --out docs/datasets.md
