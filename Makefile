# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/leadbridge.duckdb
PORT ?= 8501

.PHONY: run test setup lint import-sample screenshots bench bench-quick clean

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

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache .ruff_cache
