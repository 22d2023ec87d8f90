from __future__ import annotations

from solutions.grading import expect, grade


def not_attempted(x):
    raise NotImplementedError


def double(x):
    return 2 * x


def wrong(x):
    return x + 2


CHECKS = [
    ("doubles 3", lambda fn: expect(fn(3), 6)),
    ("doubles 0", lambda fn: expect(fn(0), 0)),
]


def test_not_attempted_is_reported_calmly(capsys):
    g = grade("double", not_attempted, CHECKS)
    assert g.status == "not attempted" and not g.passed
    assert "NOT ATTEMPTED" in capsys.readouterr().out


def test_correct_attempt_passes():
    g = grade("double", double, CHECKS, show=False)
    assert g.passed and g.lines == ["  ✓ doubles 3", "  ✓ doubles 0"]


def test_wrong_attempt_names_the_failing_check():
    g = grade("double", wrong, CHECKS, show=False)
    assert g.status == "failed"
    assert g.lines == ["  ✗ doubles 3: Mismatch: result: expected 6, got 5",
                       "  ✗ doubles 0: Mismatch: result: expected 0, got 2"]


def test_a_crash_in_the_attempt_is_a_failure_not_a_crash():
    g = grade("double", lambda x: 1 / 0, CHECKS, show=False)
    assert g.status == "failed" and "ZeroDivisionError" in g.lines[0]
