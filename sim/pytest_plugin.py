"""pytest fixtures for the sim (registered as a pytest plugin by the kit's pyproject.toml).

    def test_something(world):            # a running sim with default data, stopped afterwards
        world.warehouse.query(...)

    def test_other(start_world):          # start with your own knobs
        world = start_world(defects={"orphan_client_id": 3})

    @pytest.fixture(scope="module")       # one world for every test of a module (tests that only read it)
    def world(start_module_world):
        return start_module_world(defects={"orphan_client_id": 3})

It also orders the collected files for a parallel run (``pytest -n 2 --dist loadfile --no-loadscope-reorder``,
what `make test` runs): a real Airflow first, then the other slow modules, then notebooks, then the rest, so
the longest files start first and the short ones fill the end (no worker idles while another finishes a long
file).
``--shuffle SEED`` instead runs the files in an order shuffled by SEED, the same in every worker: a file that
needs another to run first, or leaves state behind for the next, shows up. ``--shuffle-tests`` also shuffles
the tests inside each Python test file (never a notebook's cells): several modules build a scenario test by
test (one sim, one Airflow, or a rerun after a run) and fail that way on purpose today.
"""

from __future__ import annotations

import random
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


@pytest.fixture(scope="module")
def start_module_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                       ) -> Iterator[Callable[..., Any]]:
    """``start_module_world(**knobs)`` starts a sim (``sim.start``'s knobs) in a state folder of the module's
    own, and stops it after the module's last test. Starting another one stops the one before."""
    import sim

    name = request.module.__name__.rpartition(".")[2]

    def _start(**kwargs: Any) -> Any:
        return sim.start(state=tmp_path_factory.mktemp(name), **kwargs)

    yield _start
    sim.stop()


def pytest_configure(config: pytest.Config) -> None:
    """Point Airflow at this session's own home before any test module imports it (Airflow reads its
    configuration once, at import). Cheap: a copy of the migrated template DB, no airflow import."""
    import os
    import sys

    from sim.paths import state_dir
    from sim.runner import configured_home, prepare_home

    if configured_home() is None and "airflow" not in sys.modules:
        prepare_home(state_dir() / f"airflow-{os.getpid()}")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("kit").addoption(
        "--shuffle", metavar="SEED", type=int, default=None,
        help="run the test files in an order shuffled by SEED (an integer: the same SEED gives the same "
             "order, in every xdist worker)")
    parser.getgroup("kit").addoption(
        "--shuffle-tests", action="store_true",
        help="with --shuffle: also shuffle the tests inside each Python test file (notebooks keep their order)")


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("shuffle")
    within = " (and the tests within each file)" if config.getoption("shuffle_tests") else ""
    return None if seed is None else f"kit: files shuffled with --shuffle {seed}{within}"


def _rank(item: pytest.Item) -> tuple[int, float]:
    """Long files first: a real Airflow, then other slow modules (by ``slow(seconds=...)``, longest first),
    then notebooks, then everything else."""
    if item.get_closest_marker("standalone"):
        return 0, 0.0
    slow = item.get_closest_marker("slow")
    if slow:
        return 1, -float(slow.kwargs.get("seconds", 0))
    return (2 if item.path.suffix == ".ipynb" else 3), 0.0


@pytest.hookimpl(trylast=True)  # after conftest files have marked their slow modules
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    files: dict[Any, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    blocks = list(files.values())
    seed = config.getoption("shuffle")
    if seed is None:
        blocks.sort(key=lambda block: min(_rank(item) for item in block))  # stable: same rank keeps its order
    else:
        shuffler = random.Random(seed)  # noqa: S311 (an order for tests, not a secret)
        shuffler.shuffle(blocks)
        for block in blocks:
            if config.getoption("shuffle_tests") and block[0].path.suffix != ".ipynb":
                shuffler.shuffle(block)
    items[:] = [item for block in blocks for item in block]
