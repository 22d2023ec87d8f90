"""Which test modules are slow, so `make test-fast` (``-m "not slow"``) can leave them out.

A module is slow when it pays for real Airflow (the import and the first ``dag.test()`` in a process cost
about 10 s), dbt, servers on loopback or a long data build. Measured with ``--durations=0``; every module
listed here must exist, so a rename cannot quietly move a slow module into the fast lane.
`make test` and CI run every module, slow or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SLOW_MODULES = frozenset({
    "test_bench_smoke.py",  # runs the benchmarks and a notebook under nbval
    "test_dags_01_03.py",  # dag.test()
    "test_dags_04_06.py",  # dag.test(), sensors waiting for real
    "test_data.py",  # builds the warehouse several times to compare seeds
    "test_dbt_project.py",  # dbt parse, build and a subprocess
    "test_exercises_branching.py",  # dag.test()
    "test_exercises_context.py",  # the graders run DAGs with dag.test()
    "test_exercises_dag_basics.py",  # dag.test()
    "test_exercises_sensors.py",  # dag.test(), sensors waiting for real
    "test_exercises_xcom.py",  # the graders run DAGs with dag.test()
    "test_pipeline_dag.py",  # the whole pipeline with dbt, several runs
    "test_runner.py",  # dag.test()
    "test_services.py",  # the sim served on loopback, another process
    "test_standalone.py",  # a real `airflow standalone`
    "test_world.py",  # dag.test()
})
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = sorted(name for name in SLOW_MODULES if not (HERE / name).exists())
    if missing:
        raise pytest.UsageError(f"tests/conftest.py SLOW_MODULES names modules that do not exist: {missing}")
    for item in items:
        if item.path.parent == HERE and item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
