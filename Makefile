# One entry point for people and CI. `make test` builds its own virtual environment
# from the pinned constraints, then runs every check the project has.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck docs pytest sandbox quickstart example-rudderstack example-warehouse example-tracking-plan schema bench lock clean

test: lint typecheck docs pytest

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The documentation site (docs/ + API reference from docstrings); --strict fails on any
# broken link, missing page or docstring reference.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

pytest: $(STAMP)
	$(BIN)/pytest -n 2

sandbox: $(STAMP)
	$(BIN)/pulumi-taxonomy sandbox --seed demo

# The main job: the quickstart program applied to a local sandbox.
quickstart: $(STAMP)
	$(BIN)/python examples/run.py quickstart

example-rudderstack: $(STAMP)
	$(BIN)/python examples/run.py rudderstack

example-warehouse: $(STAMP)
	$(BIN)/python examples/run.py warehouse

example-tracking-plan: $(STAMP)
	$(BIN)/python examples/run.py tracking-plan

# Regenerate the plan file's JSON Schema shipped in the package (a test checks it is current).
schema: $(STAMP)
	$(BIN)/pulumi-taxonomy schema > pulumi_taxonomy/plan/plan.schema.json

bench: $(STAMP)
	$(BIN)/python bench/amplitude_apply.py
	$(BIN)/python bench/amplitude_bulk.py
	$(BIN)/python bench/plan_validate.py
	$(BIN)/python bench/budget.py
	$(BIN)/python bench/preview_cpu.py

# Re-resolve the pins (needs the network to PyPI); commit the result.
lock:
	$(PYTHON) -m venv .lockvenv && .lockvenv/bin/pip install --quiet uv
	.lockvenv/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.10 -o constraints.txt

clean:
	rm -rf $(VENV) .lockvenv .mypy_cache .ruff_cache site
