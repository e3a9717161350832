# One task runner for people and CI. Run inside the project's virtualenv.
PYTHON ?= python

.PHONY: install test lint bench docs

install:
	$(PYTHON) -m pip install -e '.[test]'

test:  # on every core (pyproject's addopts: -n auto; `pytest -n0` runs serially)
	$(PYTHON) -m pytest

lint:
	ruff check .

bench:
	for b in startup nlu ta defi portfolio alerts analytics; do $(PYTHON) bench/$$b.py || exit 1; done

docs:
	$(PYTHON) scripts/gen_docs.py
	$(PYTHON) scripts/gen_completions.py
	$(PYTHON) scripts/gen_listing.py
