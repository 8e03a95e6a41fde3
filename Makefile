# Two commands do everything on a fresh machine (Python 3.11, Linux):
#   make demo   - install into .venv, then lint -> fix -> DPA2 relax the shipped examples
#   make test   - install into .venv, then run the test suite
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.structcheck-installed

.PHONY: install demo test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip

# torch first and pinned: an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): $(BIN)/python pyproject.toml structcheck/_scripts/install_deepmd.sh
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[all,test]"
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/install_deepmd.sh
	$(BIN)/python -m compileall -q structcheck  # as a non-editable install does: no compile at each start
	touch $(STAMP)

install: $(STAMP)

demo: install
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/demo.sh

test: install
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q

bench: install
	for b in benchmarks/bench_*.py; do echo "== $$b"; OMP_NUM_THREADS=1 $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) out
