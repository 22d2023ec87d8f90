"""What the process a task runs in lends the production code, beyond Variables and Connections.

Settings are Variables: folders, URLs and secrets arrive as ``AIRFLOW_VAR_*`` (a real deployment sets them,
and so does the sim). Two things are objects, not settings, and only the process itself can lend them:

* the clock the partner API's rate limit is kept on (real time on a real worker);
* how to borrow the warehouse's DuckDB files for a dbt call, when this process holds them open.

A real Airflow worker lends nothing: :func:`clock` is ``SystemClock`` and no warehouse needs releasing. The
sim started in this process (a notebook, a test, ``dag.test()``) lends its clock, so time skipped by sleeping
on it costs nothing, and its warehouse (``sim.start()`` calls :func:`lend`, ``sim.stop()`` :func:`take_back`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solutions.clock import Clock, SystemClock

Release = Callable[[], AbstractContextManager[Any]]


@dataclass(frozen=True)
class _Lent:
    clock: Clock
    warehouse_dir: Path
    release: Release


_lent: _Lent | None = None


def lend(*, clock: Clock, warehouse_dir: Path, release: Release) -> None:
    """This process keeps time by ``clock`` and holds the DuckDB files in ``warehouse_dir`` open; ``release()``
    is a context manager that lets go of them for the duration of the block."""
    global _lent
    _lent = _Lent(clock, Path(warehouse_dir).resolve(), release)


def take_back(warehouse_dir: Path) -> None:
    """What was lent with ``warehouse_dir`` is lent no more (its sim stopped; a newer one's loan stays)."""
    global _lent
    if _lent is not None and Path(warehouse_dir).resolve() == _lent.warehouse_dir:
        _lent = None


def clock() -> Clock:
    """The clock this process keeps time by: the one lent, else real time."""
    return _lent.clock if _lent is not None else SystemClock()


def warehouse_release(warehouse_dir: Path) -> Release | None:
    """How to borrow ``warehouse_dir``'s files from this process, or ``None`` when it does not hold them."""
    if _lent is not None and Path(warehouse_dir).resolve() == _lent.warehouse_dir:
        return _lent.release
    return None
