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
