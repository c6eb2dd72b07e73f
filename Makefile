# Everyday commands. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo install test lint typecheck unit system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The main job on the recorded example data: no server needed.
demo: install
	@$(BIN)/slo validate examples/
	@$(BIN)/slo check examples/ --from examples/snapshot.json; code=$$?; \
	  echo "slo check exited $$code (0 ok, 1 gate breached, 4 no data; see README)" >&2; \
	  test $$code -le 4

## Installs everything (Python deps, Prometheus, Chromium) and runs lint, types and every test.
test: install system-deps lint typecheck unit

system-deps:
	bash .ci/install-system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
