"""The grader behind every notebook exercise.

An exercise cell holds a function the candidate writes; it starts as ``raise NotImplementedError``. The grader
cell runs named checks against it and prints one line per check. An exercise not attempted yet is reported
calmly (so the stored notebook still runs clean), a wrong attempt says which check failed and why.

    def check_freshness(...):
        raise NotImplementedError      # your code here

    grade("check_freshness", check_freshness, [
        ("fresh table passes", lambda fn: expect(fn(...).passed, True)),
        ("stale table fails",  lambda fn: expect(fn(...).passed, False)),
    ])

Graders for each notebook live in ``solutions/exercises/<topic>.py``; tests prove each one accepts the
reference solution and rejects broken variants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Check = tuple[str, Callable[[Any], None]]


class Mismatch(AssertionError):
    """A check's expectation was not met; the message says what was expected and what came back."""


def expect(actual: Any, expected: Any, what: str = "result") -> None:
    """Raise ``Mismatch`` unless ``actual == expected``."""
    if actual != expected:
        raise Mismatch(f"{what}: expected {expected!r}, got {actual!r}")


@dataclass
class Grade:
    """Outcome of grading one exercise: ``status`` is "not attempted", "passed" or "failed"."""

    exercise: str
    status: str
    lines: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:  # short: a grader cell's printed report is the real output
        return f"<Grade {self.exercise}: {self.status}>"

    def __str__(self) -> str:
        head = {"passed": "PASSED", "failed": "NOT YET", "not attempted": "NOT ATTEMPTED"}[self.status]
        return "\n".join([f"{self.exercise}: {head}", *self.lines])


def grade(exercise: str, attempt: Any, checks: Sequence[Check], *, show: bool = True) -> Grade:
    """Run every check against ``attempt``; print and return the ``Grade``.

    A check passes when it returns without raising. ``NotImplementedError`` from the first check means the
    exercise was not attempted yet; any other exception is a failed check, reported with its message.
    """
    lines: list[str] = []
    failed = False
    for number, (name, check) in enumerate(checks):
        try:
            check(attempt)
        except NotImplementedError:
            if number == 0:
                result = Grade(exercise, "not attempted",
                               ["  Not attempted yet: write your version in the cell above, run it, then run this "
                                "cell again."])
                if show:
                    print(result)
                return result
            failed = True
            lines.append(f"  ✗ {name}: not implemented for this case")
        except Exception as error:  # noqa: BLE001 - a grader reports every failure, it never crashes the notebook
            failed = True
            lines.append(f"  ✗ {name}: {type(error).__name__}: {error}")
        else:
            lines.append(f"  ✓ {name}")
    result = Grade(exercise, "failed" if failed else "passed", lines)
    if show:
        print(result)
    return result


def failed_exactly(result: Grade, *names: str) -> bool:
    """True when ``result`` failed, on exactly the checks whose names start with ``names``.

    What a grader's own test asserts about a broken variant: rejected, and for the right reason.
    """
    bad = [line for line in result.lines if line.startswith("  ✗")]
    return result.status == "failed" and len(bad) == len(names) and all(
        any(line.startswith(f"  ✗ {n}") for line in bad) for n in names)
