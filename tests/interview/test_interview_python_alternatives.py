"""Correct solutions written another way (``alternative_*.py`` beside a python task's reference) pass every
hidden check: the checks judge properties of the result, not the reference's way of getting there."""

from __future__ import annotations

import pytest

from interview.tasks import bank, check_here

ALTERNATIVES = [(task, path) for task in bank("python").values()
                for path in sorted(task.folder.glob("alternative_*.py"))]


@pytest.mark.parametrize(("task", "alternative"), ALTERNATIVES,
                         ids=[f"{task.task_id}/{path.stem}" for task, path in ALTERNATIVES])
def test_a_correct_alternative_passes_every_hidden_check(task, alternative):
    verdict = check_here(task, alternative)
    assert verdict.passed, f"{alternative.name} fails {[(c.name, c.detail) for c in verdict.failures]}"
