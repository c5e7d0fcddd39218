# Customer workbook: `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
N ?= 1000000
PARAMS ?= params/sample.yaml
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup reports lab app test test-all bench data workshop clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv with the system python3 and install the workbook (quick when nothing changed)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

reports: setup ## Run the whole report series on the shipped sample (PARAMS=params/x.yaml for others)
	$(BIN)/python -m customer_workbook.batch $(PARAMS)

SAMPLE_INDEX := reports/sample/index.html
$(SAMPLE_INDEX): $(wildcard notebooks/*.ipynb) $(wildcard lib/customer_workbook/*.py) | setup
	$(BIN)/python -m customer_workbook.batch params/sample.yaml

workshop: setup $(SAMPLE_INDEX) ## Student notebooks in workshop/ and docs/workshop.md filled from the sample findings
	$(BIN)/python -m customer_workbook.workshop

lab: setup ## Open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks/

app: setup ## Serve the notebooks code-free with live explorers (Voila) at http://127.0.0.1:8866
	$(BIN)/voila notebooks/ --no-browser --port 8866 --Voila.ip=127.0.0.1

test: setup ## Run the test suite (unit, notebook and batch tests)
	$(BIN)/python -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

test-all: setup ## Run every test, including the slow ones
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: setup ## Benchmark loading, notebooks and CLV on 100k and 1M customers (prints a table)
	$(BIN)/python bench/run.py

data: setup ## Generate a sample with N customers into data/generated/n<N>/ (default N=1000000)
	$(BIN)/python -m customer_workbook.sample --customers $(N) --out data/generated/n$(N)

clean: ## Remove the venv, reports, caches and generated data
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf $(VENV) workshop data/generated .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
