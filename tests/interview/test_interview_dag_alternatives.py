"""The DAG tasks accept correct solutions written differently from their references: classic operators and
templates instead of TaskFlow, a string trigger rule, a mapped classic operator (``partial``/``expand``), a
watcher task that keeps the run red, an explicit one-day DeltaDataIntervalTimetable, a notifier class. Each
file in ``dag_alternatives/`` is named ``<task id>__<what differs>.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview.tasks import check_here, task

ALTERNATIVES = sorted((Path(__file__).parent / "dag_alternatives").glob("*__*.py"))


@pytest.mark.parametrize("path", ALTERNATIVES, ids=[p.stem for p in ALTERNATIVES])
def test_a_correct_alternative_passes_every_check(path):
    verdict = check_here(task("dag", path.stem.split("__")[0]), path)
    assert verdict.passed, [(c.name, c.detail) for c in verdict.failures]


def test_there_are_alternatives_for_most_tasks():
    assert len({p.stem.split("__")[0] for p in ALTERNATIVES}) >= 6
