"""Grading inside real Airflow: an attempt from the notebook runs as a task of a small grader DAG.

A notebook function cannot be imported by a DAG file, so the grader registers it here first; the grader DAG
(``grader_dags/<name>.py``) looks it up by name when Airflow parses the file, and the sim's runner runs that
DAG in this process with ``dag.test()``. The task gets Airflow's real context, not an imitation of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

GRADER_DAGS = Path(__file__).resolve().parent / "grader_dags"
_attempts: dict[str, Callable[..., Any]] = {}


def register(name: str, fn: Callable[..., Any]) -> None:
    _attempts[name] = fn


def attempt(name: str) -> Callable[..., Any]:
    """The registered attempt (what a grader DAG calls), or a stand-in saying none was registered."""
    if name in _attempts:
        return _attempts[name]

    def unregistered(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"no attempt registered for {name!r}: run the grader cell")

    return unregistered


def run(name: str, logical_date: str) -> Any:
    """Run ``grader_dags/<name>.py`` on the running sim; returns the runner's ``RunSummary``."""
    import sim

    return sim.current().run_dag(GRADER_DAGS / f"{name}.py", logical_date)
