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

.PHONY: help setup all ingest code review review-apply topics triangulate evaluate report notebooks plan-check \
        sample bench bench-scale evaluate-benchmarks test browser ocr office lint clean clean-venv evaluate-redaction forget \
        evaluate-plancheck evaluate-sets returns-status pack qdpx qdpx-import

help: ## List the targets (this message)
	@awk 'BEGIN {FS = ":.*?## "; printf "Usage: make <target> [RAW=data/raw/<consultation>]\n\nTargets:\n"} \
	     /^[a-zA-Z_-]+:.*?## / {printf "  %-20s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) was not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PIN)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ocr ## Create .venv and install torch (CPU), the project and Tesseract OCR; quick when already done

# A consultation analysed before its plan is redrafted has no draft yet: plan-check says so and is
# skipped, rather than failing the run.
all: $(STAMP) ## Run every stage on the bundled sample (or RAW=...): ingest -> returns-status -> code -> topics -> triangulate -> evaluate -> report -> notebooks -> pack -> plan-check
	@if [ -f $(RAW)/grants.csv ] || [ -f $(RAW)/grants.xlsx ]; then $(MAKE) --no-print-directory ingest returns-status; \
	else $(MAKE) --no-print-directory ingest; echo "returns-status skipped: no grants register (grants.csv) in $(RAW)/"; fi
	$(MAKE) --no-print-directory code topics triangulate evaluate report notebooks pack
	@if [ -n "$(PLAN)" ] || find $(RAW)/plans -maxdepth 1 -type f \( -name '*.docx' -o -name '*.md' -o -name '*.txt' -o -name '*.pdf' \) ! -iname 'README*' 2>/dev/null | grep -q .; then \
		$(MAKE) --no-print-directory plan-check; \
	else \
		echo "plan-check skipped: no draft plan in $(RAW)/plans/ yet. Put the draft there, or run: make plan-check PLAN=path/to/draft.docx"; \
	fi

ingest: $(STAMP) ocr ## Normalise every return into responses.parquet, with a ledger that accounts for every file and row
	$(PY) -m pipeline ingest $(PATHS)

code: $(STAMP) ## Split answers into statements and code them (priority area, question, stance, suggestion)
	$(PY) -m pipeline code $(PATHS)

review: $(STAMP) ## Write the analyst's coding sheet (xlsx): the statements the coder would learn most from first (uncertain, varied), with redaction checks
	$(PY) -m pipeline review $(PATHS)

review-apply: $(STAMP) ## Read the filled-in coding sheet back (SHEET=...), retrain and recode
	$(PY) -m pipeline review $(PATHS) --apply $(or $(SHEET),$(OUT)/review/coding_sheet.xlsx)

topics: $(STAMP) ## Find emergent themes the codebook lacks (BERTopic), reusing the cached embeddings
	$(PY) -m pipeline topics $(PATHS)

triangulate: $(STAMP) ## Compute disproportionality from the EDI data and set it beside what people said
	$(PY) -m pipeline triangulate $(PATHS)

GOLD ?= data/gold/gold_statements.csv
CODEBOOK ?= config/codebook.yaml
evaluate: $(STAMP) ## Measure the coder on the gold set as `make code` codes (codebook + coding.training_files) and codebook only, with baselines; writes evaluation*.json beside the processed tables
	$(PY) -m pipeline evaluate --gold $(GOLD) --codebook $(CODEBOOK) --no-training --json $(OUT)/evaluation_codebook_only.json
	$(PY) -m pipeline evaluate --gold $(GOLD) --codebook $(CODEBOOK) --baselines --by language --json $(OUT)/evaluation.json

evaluate-sets: $(STAMP) ## Measure the coder on the independent evaluation sets (data/eval): F1 with intervals, inter-coder agreement, stance, by cohort/register/language, learning curve (about 80 min on 2 cores, 20 a set; CURVE=0 skips the curve)
	$(PY) scripts/evaluate_sets.py $(if $(filter 0,$(CURVE)),--no-curve)

evaluate-benchmarks: $(STAMP) ## Measure the coder on the public benchmarks in ../shared/benchmarks (NHS feedback, Consult's evaluation set)
	$(PY) scripts/prepare_benchmarks.py
	$(PY) scripts/evaluate_benchmarks.py

EVAL_CONSULTATIONS ?= $(sort $(wildcard data/eval/consultations/*/))
evaluate-plancheck: $(STAMP) ## Measure themes and plan-check on consultations with an answer key (data/eval/consultations/*; EVAL_CONSULTATIONS=...), and on the sample
	$(PY) scripts/eval_plancheck.py --sample $(EVAL_CONSULTATIONS)

REDACTION_SET ?= data/eval/redaction/eval13.jsonl
QUASI_SET ?= data/eval/redaction/quasi_eval.jsonl
evaluate-redaction: $(STAMP) ## Measure name and personal-data redaction (recall/precision per kind, hard negatives) and the quote screen on the held-out sets
	$(PY) scripts/evaluate_redaction.py $(REDACTION_SET) --quasi $(QUASI_SET) --json $(OUT)/evaluation_redaction.json

# Withdrawal: removes the answers everywhere, records it (not whose), then rebuilds what depends on them.
forget: $(STAMP) ## Withdraw a participant's or organisation's answers from every output: make forget PARTICIPANT=P-... or ORGANISATION="..."
	$(PY) -m pipeline.forget $(PATHS) $(if $(PARTICIPANT),--participant "$(PARTICIPANT)") $(if $(ORGANISATION),--organisation "$(ORGANISATION)")
	$(MAKE) --no-print-directory code topics triangulate report notebooks
	@if [ -n "$(PLAN)" ] || find $(RAW)/plans -maxdepth 1 -type f \( -name '*.docx' -o -name '*.md' -o -name '*.txt' -o -name '*.pdf' \) ! -iname 'README*' 2>/dev/null | grep -q .; then \
		$(MAKE) --no-print-directory plan-check; fi
	$(PY) -m pipeline.forget $(PATHS) --verify

report: $(STAMP) ## Build the plan author's theme report (HTML, Word, annex .xlsx) in reports/<consultation>/ (REPORT_LANG=cy for Welsh)
	$(PY) -m pipeline report $(PATHS) $(if $(REPORT_LANG),--language $(REPORT_LANG))

notebooks: $(STAMP) ## Run the per-organisation notebook for every organisation (papermill; HTML in reports/<consultation>/organisations/)
	$(PY) -m pipeline notebooks $(PATHS)

# The engagement kit (issue 16): resource pack, returns tracker, REFI-QDA round trip for NVivo/ATLAS.ti/MAXQDA.
pack: $(STAMP) ## Build the resource pack in reports/<consultation>/pack/: questions (EN/CY), return templates, area data sheets (HTML+PDF), trends dashboard
	$(PY) -m pipeline pack $(PATHS)

returns-status: $(STAMP) ## Returns tracker from <raw>/grants.csv: received/late/missing, participants, questions, cohort gaps, chase list (AS_OF=YYYY-MM-DD)
	$(PY) -m pipeline returns-status $(PATHS) $(if $(AS_OF),--as-of $(AS_OF))

qdpx: $(STAMP) ## Export the coding as a REFI-QDA project (.qdpx) and codebook (.qdc) for NVivo, ATLAS.ti or MAXQDA
	$(PY) -m pipeline qdpx $(PATHS)

qdpx-import: $(STAMP) ## Read a .qdpx coded in a QDA tool (FILE=...): its codings become analyst codes, then retrain and recode (ALL=1 takes every coding)
	$(PY) -m pipeline qdpx-import "$(FILE)" $(PATHS) $(if $(filter 1,$(ALL)),--all)

plan-check: $(STAMP) ## Check a draft plan against what people said (PLAN=..., PREVIOUS=...; default: the drafts in the consultation's plans/)
	$(PY) -m pipeline plan-check $(PATHS) $(if $(PLAN),--plan $(PLAN)) $(if $(PREVIOUS),--previous $(PREVIOUS))

sample: $(STAMP) ## Regenerate the synthetic sample consultation's returns in data/raw/sample (deterministic)
	$(PY) scripts/make_sample.py

bench: $(STAMP) ## Print speed and memory figures: each stage on the sample, and topics at 1k/10k/100k statements
	$(PY) scripts/bench.py --raw $(RAW)

N ?= 1000
bench-scale: $(STAMP) ## End to end at scale: write a synthetic consultation of N answers (N=1000 default), run every stage, print seconds, memory and throughput per stage to data/processed/bench/<N>.json
	$(PY) scripts/bench_scale.py $(N) $(BENCH_ARGS)

test: $(STAMP) browser ocr office ## Run the test suite (browser, OCR and page-layout tests skip, saying why, where Chromium, Tesseract or LibreOffice cannot be installed)
	$(PY) -m pytest

ocr: ## Install Tesseract OCR with English and Welsh (Debian packages) for scanned and photographed returns; skipped if it cannot be installed
	@command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx cym || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng tesseract-ocr-cym >/dev/null) \
	      || echo "Tesseract OCR could not be installed: scanned PDFs and photos will be rejected with a reason, and the OCR tests skipped."; \
	  else echo "Tesseract OCR is not installed and cannot be installed here (needs root and apt-get): scanned PDFs and photos will be rejected with a reason, and the OCR tests skipped."; fi; }

browser: ## Install headless Chromium for the report's browser test (Debian package; skipped if it cannot be installed)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Chromium could not be installed: the browser test will be skipped."; \
	  else echo "Chromium is not installed and cannot be installed here: the browser test will be skipped."; fi; }

office: ## Install LibreOffice Writer (headless) for the Word page-layout test (Debian package; skipped if it cannot be installed)
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null) \
	      || echo "LibreOffice could not be installed: the Word page-layout test will be skipped."; \
	  else echo "LibreOffice is not installed and cannot be installed here: the Word page-layout test will be skipped."; fi; }

lint: $(STAMP) ## Check style with ruff
	$(VENV)/bin/ruff check pipeline tests scripts

clean: ## Delete processed tables and reports (not the raw data, not .venv)
	rm -rf data/processed/* reports/*
	@git checkout -- data/processed reports 2>/dev/null || true

clean-venv: ## Delete the virtualenv
	rm -rf $(VENV)
