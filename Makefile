# Two commands set up everything on a fresh machine (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Analyse the sample remarks on the embedded default (no server, no database needed yet).
run: $(STAMP)
	$(BIN)/lydhor analyze docs/sample-remarks.jsonl

## The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## Quality and speed figures of the NLP step (needs ../shared/eval).
bench: $(STAMP)
	$(BIN)/python bench/nlp_quality.py
	$(BIN)/python bench/nlp_speed.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
