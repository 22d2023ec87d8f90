"""pytest fixtures for the sim (registered as a pytest plugin by the kit's pyproject.toml).

    def test_something(world):            # a running sim with default data, stopped afterwards
        world.warehouse.query(...)

    def test_other(start_world):          # start with your own knobs
        world = start_world(defects={"orphan_client_id": 3})
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def start_world(tmp_path) -> Iterator[Callable[..., Any]]:
    import sim

    def _start(**kwargs: Any) -> Any:
        return sim.start(state=tmp_path, **kwargs)

    yield _start
    sim.stop()


@pytest.fixture
def world(start_world) -> Any:
    return start_world()


def pytest_configure(config: pytest.Config) -> None:
    """Point Airflow at this session's own home before any test module imports it (Airflow reads its
    configuration once, at import). Cheap: a copy of the migrated template DB, no airflow import."""
    import os
    import sys

    from sim.paths import state_dir
    from sim.runner import configured_home, prepare_home

    if configured_home() is None and "airflow" not in sys.modules:
        prepare_home(state_dir() / f"airflow-{os.getpid()}")
