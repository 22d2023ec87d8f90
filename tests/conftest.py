"""Which test modules are slow, so `make test-fast` (``-m "not slow"``) can leave them out.

A module is slow when it pays for real Airflow (the import and the first ``dag.test()`` in a process cost
about 10 s), dbt, servers on loopback or a long data build. Measured with ``--durations=0``; every module
listed here must exist, so a rename cannot quietly move a slow module into the fast lane.
`make test` and CI run every module, slow or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# module -> seconds it took in one parallel run (--durations, a loaded 2-core machine): why it is slow, and the
# order in which `make test` starts them (longest first, see sim/pytest_plugin.py)
SLOW_MODULES = {
    "test_standalone.py": 180,  # a real `airflow standalone`
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
    "test_drills_bank_proofs_1.py": 60,  # grades every answer of half the SQL drills on 7 datasets (~45 CPU-s)
    "test_drills_bank_proofs_2.py": 60,  # the other half, so that two workers share the proofs
    "test_drills_cli.py": 15,  # kit-drill in subprocesses, each building the drills' database
    "test_fivetran.py": 6,  # a sim world, and a fresh interpreter importing the Fivetran provider
}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = sorted(name for name in SLOW_MODULES if not (HERE / name).exists())
    if missing:
        raise pytest.UsageError(f"tests/conftest.py SLOW_MODULES names modules that do not exist: {missing}")
    for item in items:
        if item.path.parent == HERE and item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow(seconds=SLOW_MODULES[item.path.name]))
