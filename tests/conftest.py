"""Which test modules are slow, so `make test-fast` (``-m "not slow"``) can leave them out.

A module is slow when it pays for real Airflow (the import and the first ``dag.test()`` in a process cost
about 10 s), dbt, servers on loopback or a long data build. Measured with ``--durations=0``; every module
listed here must exist (in any folder of tests/; file names are unique across them), so a rename cannot quietly
move a slow module into the fast lane.
`make test` and CI run every module, slow or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# module -> seconds it took in one parallel run (--durations, a loaded 2-core machine): why it is slow, and the
# order in which `make test` starts them (longest first, see sim/pytest_plugin.py). A module is marked slow only
# here; a single slow test in an otherwise fast module carries @pytest.mark.slow itself.
SLOW_MODULES = {
    "test_standalone.py": 330,  # a real `airflow standalone`, a week backfilled included
    "test_pipeline_dag.py": 100,  # the whole pipeline with dbt, several runs
    "test_dbt_project.py": 93,  # dbt parse, build and a subprocess
    "test_dags_04_06.py": 47,  # dag.test(), sensors waiting for real
    "test_exercises_sensors.py": 30,  # dag.test(), sensors waiting for real
    "test_dags_01_03.py": 28,  # dag.test()
    "test_exercises_context.py": 27,  # the graders run DAGs with dag.test()
    "test_exercises_dag_basics.py": 23,  # dag.test()
    "test_data.py": 21,  # builds the warehouse several times to compare seeds
    "test_history.py": 30,  # rebuilds the warehouse with its change history; walks the change feed
    "test_change_scoring.py": 11,  # a world with its change history
    "test_history_off.py": 10,  # two worlds and the sim served on loopback
    "test_bench_smoke.py": 16,  # runs the benchmarks and a notebook under nbval
    "test_world.py": 15,  # dag.test()
    "test_exercises_xcom.py": 10,  # the graders run DAGs with dag.test()
    "test_services.py": 8,  # the sim served on loopback, another process
    "test_exercises_branching.py": 8,  # dag.test()
    "test_runner.py": 6,  # dag.test()
    "test_assets.py": 48,  # dag.test() of the asset-linked chain, three runs
    "test_exercises_assets.py": 11,  # the scheduler's asset evaluator on the metadata DB
    "test_fanout.py": 7,  # the sim's partner API and warehouse
    "test_exercises_resources.py": 20,  # the scheduler's queueing code, many DAG versions
    "test_queueing.py": 10,  # the scheduler's queueing code
    "test_waits.py": 20,  # dag.test() of sensors waiting for real
    "test_exercises_deferral.py": 15,  # triggers waiting for real in an event loop
    "test_drills_bank_proofs_1.py": 60,  # grades every answer of half the SQL drills on 7 datasets (~45 CPU-s)
    "test_drills_bank_proofs_2.py": 60,  # the other half, so that two workers share the proofs
    "test_drills_cli.py": 15,  # kit-drill in subprocesses, each building the drills' database
    "test_flashcards_interrupt.py": 21,  # 100 Ctrl-C in a pseudo-terminal, 8 kit-quiz processes
    "test_lazy_iri.py": 6,  # imports Airflow in two fresh processes
    # measured one module at a time with make test-fast's filter, on a loaded 2-core machine:
    "test_exercises_customer_facing.py": 52,  # the graders run their checks on many simulated worlds
    "test_exercises_pipeline.py": 33,  # the graders run the pipeline DAG with dag.test()
    "test_exercises_extraction.py": 32,  # the graders run extractions against the simulated APIs
    "test_landing.py": 28,  # COPY INTO runs on the simulated warehouse, a subprocess
    "test_quality.py": 27,  # the checks run on a simulated warehouse, many worlds
    "test_customer_metrics.py": 26,  # metrics queried on the simulated warehouse
    "test_exercises_quality.py": 22,  # the graders run checks on simulated warehouses
    "test_validation.py": 13,  # Airflow, the syllabus's validation run against the sim
    "test_dag_integrity.py": 12,  # imports every DAG file with Airflow
    "test_exercises_python_vs_dbt.py": 11,  # dbt
    "test_flashcards_cli.py": 9,  # kit-quiz processes in a pseudo-terminal
    "test_interview_python_bank_1.py": 28,  # half the python tasks' references and wrong answers on simulated worlds
    "test_interview_python_bank_2.py": 28,  # the other half, so that two workers share the bank
    "test_syllabus_checker.py": 8,  # Airflow and a sim
    "test_exercises_cdc.py": 29,  # the MERGE graders run fakesnow MERGEs, several per grade
    "test_exercises_backfills.py": 7,  # Airflow's backfill planner and API model
    "test_lab_config.py": 10,  # a real JupyterLab server
    "test_fivetran.py": 6,  # a sim world, and a fresh interpreter importing the Fivetran provider
    "test_interview_python_alternatives.py": 12,  # correct alternatives of the python tasks graded on fresh worlds
    "test_interview_dag_bank_1.py": 60,  # half the DAG tasks' references and wrong solutions run with dag.test()
    "test_interview_dag_bank_2.py": 60,  # the other half, so that two workers share the bank
    "test_interview_dag_checks.py": 13,  # Airflow parses small DAG files and every starter; one dag.test()
    "test_interview_dag_alternatives.py": 14,  # correct alternatives of the DAG tasks, run with dag.test()
    "test_interview_pty.py": 7,  # a whole mock interview in a pseudo-terminal: two processes, SQL and Python graded
}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    modules = [path.name for path in HERE.rglob("test_*.py")]
    missing = sorted(set(SLOW_MODULES) - set(modules))
    if missing:
        raise pytest.UsageError(f"tests/conftest.py SLOW_MODULES names modules that do not exist: {missing}")
    twice = sorted({name for name in modules if modules.count(name) > 1})
    if twice:  # the folders have no __init__.py: pytest imports each test module by its file name alone
        raise pytest.UsageError(f"test modules with the same file name in two folders of tests/: {twice}")
    for item in items:
        if item.path.is_relative_to(HERE) and item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow(seconds=SLOW_MODULES[item.path.name]))
