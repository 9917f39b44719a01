# Consultation analysis pipeline. `make` (or `make help`) lists the targets.
# On a fresh clone, `make all` and `make test` set themselves up first (virtualenv + dependencies).
# Point any stage at another consultation with RAW=data/raw/<name> (and optionally OUT=, REPORTS=).

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# torch first, pinned: the CPU wheel on local disk. An unpinned torch pulled in by
# sentence-transformers/BERTopic would download a multi-GB CUDA build.
TORCH_PIN ?= torch==2.13.0

CONSULTATION ?= sample
RAW ?= data/raw/$(CONSULTATION)
OUT ?= data/processed/$(notdir $(RAW))
REPORTS ?= reports/$(notdir $(RAW))
PATHS := --raw $(RAW) --out $(OUT) --reports $(REPORTS)

.PHONY: help setup all ingest code review review-apply topics triangulate report notebooks plan-check \
        evaluate bench test lint clean clean-venv

help: ## List the targets (this message)
	@awk 'BEGIN {FS = ":.*?## "; printf "Usage: make <target> [RAW=data/raw/<consultation>]\n\nTargets:\n"} \
	     /^[a-zA-Z_-]+:.*?## / {printf "  \033[1m%-13s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) was not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PIN)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install torch (CPU) and the project; quick when already done

all: $(STAMP) ## Run every stage on the bundled sample (or RAW=...): ingest, code, topics, triangulate, reports, plan check
	$(MAKE) --no-print-directory ingest

ingest: $(STAMP) ## Normalise every return into responses.parquet, with a ledger that accounts for every file and row
	$(PY) -m pipeline ingest $(PATHS)

test: $(STAMP) ## Run the test suite
	$(PY) -m pytest

lint: $(STAMP) ## Check style with ruff
	$(VENV)/bin/ruff check pipeline tests scripts

clean: ## Delete processed tables and reports (not the raw data, not .venv)
	rm -rf data/processed/* reports/*
	@git checkout -- data/processed reports 2>/dev/null || true

clean-venv: ## Delete the virtualenv
	rm -rf $(VENV)
