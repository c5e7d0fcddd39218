# Customer workbook: `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exact versions, with hashes, of everything `make setup` installs (see README "Develop"; `make lock` refreshes).
LOCK := requirements.lock
UV := $(BIN)/uv
# uv reads no pip.conf: it installs from PyPI, checks every hash, and trusts the system's CA store
# (needed where TLS goes through a local certificate authority). It never downloads a Python.
export UV_SYSTEM_CERTS := 1
export UV_PYTHON_DOWNLOADS := never
LOCK_FLAGS := --all-extras --group tools --universal --fork-strategy fewest --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock"
N ?= 1000000
BLOCK ?= 200000
PARAMS ?= params/sample.yaml
RUN ?= sample
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup lock lock-upgrade reports plan lab app test test-all bench data workshop workshop-lab clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv with the system python3 and install the locked versions (quick when nothing changed)

# uv itself comes from the lock too, by hash, so the first install needs only python3 and pip.
$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^uv==/ {p = 1; print; next} p && /^[^ ]/ {exit} p' $(LOCK) > $(VENV)/uv.lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r $(VENV)/uv.lock.txt

$(STAMP): $(LOCK) pyproject.toml | $(UV)
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(UV) pip check --quiet --python $(BIN)/python || { echo "$(LOCK) does not satisfy pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

lock: | $(UV) ## Re-resolve requirements.lock after editing pyproject.toml (keeps the other pins)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) --quiet --output-file $(LOCK) $(LOCK_ARGS)

lock-upgrade: ## Move every pin in requirements.lock to the newest release pyproject.toml allows
	$(MAKE) lock LOCK_ARGS=--upgrade

reports: setup ## Run the whole report series on the shipped sample (PARAMS=params/x.yaml for others)
	$(BIN)/python -m customer_workbook.batch $(PARAMS)

plan: setup ## Print a run's plan and reports to reports/<RUN>/plan.pdf (RUN=sample; run make reports first)
	$(BIN)/python -m customer_workbook.batch.pdf reports/$(RUN)

# The guide's answers come from the workshop's own run of the series on the shipped sample (build/workshop/):
# no prior `make reports` is needed.
workshop: setup ## Student copies in workshop/ and docs/workshop.md from a fresh deterministic run of the sample
	$(BIN)/python -m customer_workbook.workshop

# Participants open the student copies (solutions replaced by starters); existing copies are kept, never overwritten.
workshop-lab: setup ## Open JupyterLab on the student copies in workshop/ (for participants: no solutions)
	$(BIN)/python -m customer_workbook.workshop --copies-only
	@echo "Opening the student copies in workshop/ (exercise solutions removed)."
	$(BIN)/jupyter lab workshop/

lab: setup ## Open the full notebooks (with exercise solutions) in JupyterLab
	@echo "Opening notebooks/, exercise solutions included; participants of a workshop use: make workshop-lab"
	$(BIN)/jupyter lab notebooks/

# The app serves copies of the notebooks with the exercise answers hidden (build/app/); it reuses the results
# the last `make reports` left in build/cache/, so run that first for fast pages (CUSTOMER_WORKBOOK_CACHE=0: no cache).
app: setup ## Serve the notebooks code-free with live explorers (Voila) at http://127.0.0.1:8866
	$(BIN)/python -m customer_workbook.widgets build/app
	$(BIN)/voila build/app/ --no-browser --port 8866 --Voila.ip=127.0.0.1

test: setup ## Run the test suite (unit, notebook and batch tests)
	$(BIN)/python -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

test-all: setup ## Run every test, including the slow ones
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# BENCH_ARGS="--only reports clv" runs parts alone (reports, series-1m, series-10m, clv); see bench/run.py.
bench: setup ## Measure the issue's targets (sample reports, series on 1M and 10M customers, CLV fit) against them
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Written in blocks of BLOCK customers (memory of one block, about 1.7 GB at 200,000); see sample/blocks.py.
data: setup ## Generate a sample with N customers into data/generated/n<N>/ (default N=1000000, N=10000000 fits too)
	$(BIN)/python -m customer_workbook.sample --customers $(N) --block-customers $(BLOCK) --out data/generated/n$(N)

clean: ## Remove the venv, reports, caches and generated data
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
	rm -rf $(VENV) workshop build/workshop data/generated .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
