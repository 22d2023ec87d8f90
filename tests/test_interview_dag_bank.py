"""The mock interview's dag tasks: each reference passes its hidden checks; each wrong solution fails for its
documented reason; the bank loads."""

from __future__ import annotations

import pytest

from interview.tasks import bank
from interview_bank import assert_reference_passes, assert_wrong_solutions_fail_for_their_reason

TASKS = list(bank("dag").values())


@pytest.mark.parametrize("task", TASKS, ids=[t.task_id for t in TASKS])
def test_reference_passes_every_hidden_check(task):
    assert_reference_passes(task)


@pytest.mark.parametrize("task", TASKS, ids=[t.task_id for t in TASKS])
def test_each_wrong_solution_fails_for_its_documented_reason(task):
    assert_wrong_solutions_fail_for_their_reason(task)
