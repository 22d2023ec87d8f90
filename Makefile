# Two commands matter: `make lab` (study) and `make test` (verify). Both create .venv on first use from the
# lock file matching your Python (3.11, 3.12 or 3.13) and skip the install when nothing changed.
#   make lab NO_BROWSER=1     JupyterLab without opening a browser (servers, remote machines)
#   make test PYTHON=python3.12
#   make test-fast            the unit tests only, for the edit-run loop (make test runs everything)
#   make quiz ARGS="--tag airflow"
#   make interview ARGS="--only sql,python --length short"
#   make report ARGS="--store PATH"   readiness per topic and the three things to study next
#   make airflow PORT=8090    a real Airflow on 127.0.0.1 against the sim (Ctrl-C stops it)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export VENV

.PHONY: setup lab test test-fast quiz lint lock bench airflow clean-state interview

setup:
	@command -v $(PYTHON) >/dev/null || { echo "No '$(PYTHON)' on PATH: install Python 3.11+ or pass PYTHON=/path/to/python3"; exit 1; }
	@$(PYTHON) scripts/bootstrap.py
	@$(PY) -m sim prepare

# Lab works on your copy of the notebooks, work/ (git-ignored; notebooks/ stays as shipped for `make test`).
# Every start brings new and updated kit notebooks in without touching a cell you edited (`make sync` alone).
# jupyter/ holds the kit's Lab settings: rooted here, opens work/00_start_here.ipynb, no news prompt.
lab: setup sync
	JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH),) \
	  $(VENV)/bin/jupyter lab $(if $(NO_BROWSER),--no-browser,) $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: sync
sync:
	@$(PYTHON) scripts/work_copy.py

# make test: ruff, then every test and every notebook on JOBS workers (default: one more than the cores: many
# tests wait for real, on sensors, servers and child processes, and the extra worker uses the core they leave
# idle; measured on 2 cores: 2 workers 437 s, 3 workers 396 s, 4 workers 428 s). --dist loadfile keeps each file
# on one worker (a notebook runs whole, in order; a module's shared sim starts once), and sim/pytest_plugin.py
# starts the longest files first. JOBS=0 runs in this process, without workers.
# make test-fast: the edit-run loop, unit tests only (no Airflow, dbt, servers or notebooks); < 1 min.
JOBS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
XDIST = $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadfile --no-loadscope-reorder)

test: setup
	$(VENV)/bin/ruff check
	$(PY) -m pytest $(XDIST) -m "not stress" --nbval --nbval-sanitize-with notebooks/sanitize.cfg tests notebooks $(ARGS)

test-fast: setup
	$(PY) -m pytest $(XDIST) -m "not slow and not standalone and not stress" tests $(ARGS)

quiz: setup
	@$(VENV)/bin/kit-quiz $(ARGS)

# A timed mock interview (kit-interview); your files go to work/interview/<session>/ (JupyterLab shows them).
interview: setup
	@$(VENV)/bin/kit-interview $(ARGS)

lint: setup
	$(VENV)/bin/kit-quiz lint

.PHONY: report
report: setup
	@$(VENV)/bin/kit-report $(ARGS)

airflow: setup
	$(PY) -m sim airflow $(if $(PORT),--port $(PORT),)

bench: setup
	$(PY) bench/run.py $(ARGS)

# Maintainers: re-resolve every transitive pin for each supported Python, then environment.yml.
lock:
	@test -x .venv-tools/bin/uv || { $(PYTHON) -m venv .venv-tools && .venv-tools/bin/pip install -q uv; }
	for v in 3.11 3.12 3.13; do \
	  .venv-tools/bin/uv pip compile requirements/requirements.in --universal --python-version $$v \
	    -o requirements/lock-py$${v/./}.txt -q || exit 1; done
	$(PYTHON) scripts/environment_yml.py > environment.yml

clean-state:
	rm -rf .state
