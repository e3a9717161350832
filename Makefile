# One task runner for people and CI. Run inside the project's virtualenv.
PYTHON ?= python

.PHONY: install test lint bench docs

install:
	$(PYTHON) -m pip install -e '.[test]'

test:
	@if $(PYTHON) -c "import xdist" 2>/dev/null; then \
		$(PYTHON) -m pytest -n auto; \
	else \
		$(PYTHON) -m pytest; \
	fi

lint:
	ruff check .

bench:
	$(PYTHON) bench/startup.py
	@if [ -f bench/nlu.py ]; then $(PYTHON) bench/nlu.py; fi

docs:
	$(PYTHON) scripts/gen_docs.py
	$(PYTHON) scripts/gen_completions.py
