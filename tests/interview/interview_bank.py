"""What every coding task of the mock interview must prove, for the python and the dag bank alike: the
reference passes every hidden check, and each wrong solution fails exactly the checks its docstring names.

A bank's test module is two lines: ``test_reference_passes_every_hidden_check,
test_each_wrong_solution_fails_for_its_documented_reason = bank_tests("python", part=1, parts=2)``; a bank
split in parts runs on several test workers at once (pytest-xdist keeps a module on one worker).
"""

from __future__ import annotations

import functools

import pytest

from interview.tasks import Task, Verdict, bank, check_here, expected_failures


@functools.cache
def reference_verdict(task: Task) -> Verdict:
    """The reference's verdict, graded once per test process (both tests of a task need it)."""
    return check_here(task, task.reference)


def assert_reference_passes(task: Task) -> None:
    verdict = reference_verdict(task)
    assert verdict.checks, f"{task.task_id}: check() returned no checks"
    assert verdict.passed, f"{task.task_id}: the reference fails {[(c.name, c.detail) for c in verdict.failures]}"


def assert_wrong_solutions_fail_for_their_reason(task: Task) -> None:
    wrongs = task.wrong_solutions
    assert len(wrongs) >= 3, f"{task.task_id}: {len(wrongs)} wrong solutions; at least 3"
    names = {c.name for c in reference_verdict(task).checks}
    for wrong in wrongs:
        expected = expected_failures(wrong)
        assert set(expected) <= names, f"{wrong.name}: documents checks that do not exist: {set(expected) - names}"
        verdict = check_here(task, wrong)
        failed = [c.name for c in verdict.failures]
        assert sorted(failed) == sorted(expected), (
            f"{task.task_id}/{wrong.name}: expected to fail exactly {expected}, failed {failed}: "
            f"{[(c.name, c.detail) for c in verdict.failures]}")
        assert all(c.detail for c in verdict.failures), f"{wrong.name}: a failed check must say why"


def bank_tests(kind: str, part: int = 1, parts: int = 1):
    """The two tests, parametrized over the ``part``-th of ``parts`` slices of the tasks of ``kind``."""
    tasks = list(bank(kind).values())[part - 1::parts]
    each = pytest.mark.parametrize("task", tasks, ids=[t.task_id for t in tasks])

    @each
    def test_reference_passes_every_hidden_check(task):
        assert_reference_passes(task)

    @each
    def test_each_wrong_solution_fails_for_its_documented_reason(task):
        assert_wrong_solutions_fail_for_their_reason(task)

    return test_reference_passes_every_hidden_check, test_each_wrong_solution_fails_for_its_documented_reason
