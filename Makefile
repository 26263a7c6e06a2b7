# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/leadbridge.duckdb
PORT ?= 8501

.PHONY: run test setup lint import-sample screenshots bench bench-quick bench-load clean

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/activate

setup: $(BIN)/activate

# Load the sample company on first run, then open the dashboard.
run: setup
	@if [ ! -f "$(DB)" ]; then $(MAKE) --no-print-directory import-sample DB="$(DB)"; fi
	$(BIN)/leadbridge dashboard --db "$(DB)" --port $(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .

# Refresh the README's screenshots (docs/screenshot-*.png) from the sample company in Chromium.
screenshots: setup
	LEADBRIDGE_DOC_SCREENSHOTS=1 $(BIN)/pytest -q tests/test_browser.py -k "renders and 1280x800"

import-sample: setup
	$(BIN)/leadbridge import sample_data/ --db "$(DB)"
	$(BIN)/leadbridge policies --db "$(DB)" add sample_data/reward_policy.toml --replace
	$(BIN)/leadbridge policies --db "$(DB)" use harborline-2025-program --from 2024-11-01

# Speed from the sample to 10 million leads, against the floor and the usual pandas way
# (benchmarks/README.md). The first run writes the exports (about 6 GB) to benchmarks/cache/.
bench: setup
	$(BIN)/python -m benchmarks.run

# 100 thousand leads in about a minute: fails only when pandas and LeadBridge disagree.
bench-quick: setup
	$(BIN)/python -m benchmarks.run --quick

# Many people at once at 1M leads (about 15 minutes): 10 and 30 sessions clicking through every
# page on 1 and 2 dashboard processes, then 10 sessions on 2 while `leadbridge import` publishes
# new leads, with 2 Chromium sessions alongside; p50/p95 per page, errors, memory, old/new numbers
# (benchmarks/README.md, "Load"). Builds the 1M database first when it is missing.
bench-load: setup
	$(BIN)/python -m benchmarks.load --import extra --browsers 2

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache .ruff_cache
