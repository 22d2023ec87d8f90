"""What every coding task of the mock interview must prove (shared by the python and dag bank tests):
the reference passes every hidden check, and each wrong solution fails exactly the checks its docstring names."""

from __future__ import annotations

from interview.tasks import Task, check_here, expected_failures


def assert_reference_passes(task: Task) -> None:
    verdict = check_here(task, task.reference)
    assert verdict.checks, f"{task.task_id}: check() returned no checks"
    assert verdict.passed, f"{task.task_id}: the reference fails {[(c.name, c.detail) for c in verdict.failures]}"


def assert_wrong_solutions_fail_for_their_reason(task: Task) -> None:
    wrongs = task.wrong_solutions
    assert len(wrongs) >= 3, f"{task.task_id}: {len(wrongs)} wrong solutions; at least 3"
    names = {c.name for c in check_here(task, task.reference).checks}
    for wrong in wrongs:
        expected = expected_failures(wrong)
        assert set(expected) <= names, f"{wrong.name}: documents checks that do not exist: {set(expected) - names}"
        verdict = check_here(task, wrong)
        failed = [c.name for c in verdict.failures]
        assert sorted(failed) == sorted(expected), (
            f"{task.task_id}/{wrong.name}: expected to fail exactly {expected}, failed {failed}: "
            f"{[(c.name, c.detail) for c in verdict.failures]}")
        assert all(c.detail for c in verdict.failures), f"{wrong.name}: a failed check must say why"
