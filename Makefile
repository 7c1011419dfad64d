# Two commands set up everything on a fresh machine (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test bench install clean

# setup.py compiles nlp's hot modules (nlp/compiled.py), so a change to any nlp source reinstalls.
$(STAMP): pyproject.toml setup.py $(wildcard nlp/*.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Run the service on the embedded default (SQLite in ./data); prints the first admin's API key once.
run: $(STAMP)
	$(BIN)/lydhor serve

## The same, with a few weeks of sample notes loaded first.
demo: $(STAMP)
	$(BIN)/lydhor serve --demo

## The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## Quality and speed figures of the NLP step (needs ../shared/eval).
bench: $(STAMP)
	$(BIN)/python bench/nlp_quality.py
	$(BIN)/python bench/nlp_speed.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
