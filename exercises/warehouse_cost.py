"""Exercises of notebook 26 (what the warehouse costs): the graders, and reference answers to read after trying.

1. ``credits(queries, size, auto_suspend)``: the credits one warehouse bills for a day of queries, each
   query's ``seconds`` as measured on that warehouse. Graded on hand-computed cases and the seeded day.
2. ``cheapest_auto_suspend(queries, choices)``: the AUTO_SUSPEND setting that bills the fewest credits for a
   workload. Graded on a dense workload, a sparse one and the seeded dashboards.

No sim needed: the reference is ``solutions.warehouse_cost``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from exercises.grading import Grade, Mismatch, grade
from exercises.query_profile import pipeline_day
from solutions.warehouse_cost import Query, warehouse_credits

CHOICES = (30, 60, 300, 600)

# -- reference answers ---------------------------------------------------------------------------------------


def credits(queries: list[Query], size: str, auto_suspend: float | None) -> float:
    """Durations are as measured on this warehouse, so no speed-up: ``speedup=0``."""
    return warehouse_credits(queries, size, auto_suspend, speedup=0.0)


def cheapest_auto_suspend(queries: list[Query], choices: Sequence[float]) -> float:
    """Price the day under each setting; the first of the cheapest wins."""
    return min(choices, key=lambda s: warehouse_credits(queries, "XSMALL", s))


# -- exercise 1 ----------------------------------------------------------------------------------------------


def _close(actual: Any, expected: float, why: str) -> None:
    if not isinstance(actual, (int, float)) or isinstance(actual, bool):
        raise Mismatch(f"expected a number of credits, got {type(actual).__name__}")
    if not math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-9):
        raise Mismatch(f"expected {expected:.6f} credits, got {actual:.6f}: {why}")


def _serving_day() -> list[Query]:
    return [q for q in pipeline_day() if q.warehouse == "SERVING_WH"]


def grade_credits(fn: Callable[[list[Query], str, float | None], float], *, show: bool = True) -> Grade:
    one = [Query(0, 10, "WH")]
    two = [Query(0, 10, "WH"), Query(100, 10, "WH")]
    overlap = [Query(0, 100, "WH"), Query(50, 100, "WH")]
    checks = [
        ("a 10 s query, AUTO_SUSPEND 0: 60 s billed", lambda f: _close(
            f(one, "XSMALL", 0), 60 / 3600,
            "a resume is billed at least 60 seconds (per resume, not per query)")),
        ("the idle time before suspending is billed", lambda f: _close(
            f(one, "XSMALL", 300), 310 / 3600,
            "the warehouse runs 10 s, then idles 300 s before it suspends: 310 s")),
        ("a gap longer than AUTO_SUSPEND: two resumes", lambda f: _close(
            f(two, "XSMALL", 60), 140 / 3600,
            "0-10 s plus 60 s idle = 70 s; the query at 100 s resumes it again: another 70 s")),
        ("queries running at once are billed once", lambda f: _close(
            f(overlap, "XSMALL", 60), 210 / 3600,
            "one warehouse runs 0-150 s however many queries share it, then idles 60 s")),
        ("each size up doubles the rate", lambda f: _close(
            f(one, "MEDIUM", 0), 4 * 60 / 3600,
            "XSMALL 1, SMALL 2, MEDIUM 4 credits an hour")),
        ("never suspending runs to the end of the day", lambda f: _close(
            f([Query(82_800, 10, "WH")], "XSMALL", None), 3600 / 3600,
            "AUTO_SUSPEND NULL: from the query at 23:00 to midnight is one hour")),
        ("the seeded dashboards' day", lambda f: _close(
            f(_serving_day(), "SMALL", 60), credits(_serving_day(), "SMALL", 60),
            "the same rules on 160 queries")),
    ]
    return grade("credits", fn, checks, show=show)


# -- exercise 2 ----------------------------------------------------------------------------------------------


def _every(gap: float, hours: float = 1.0) -> list[Query]:
    """A 1-second query every ``gap`` seconds from 09:00 for ``hours``."""
    return [Query(9 * 3600 + i * gap, 1.0, "WH") for i in range(int(hours * 3600 / gap))]


def _cheapest(workload: list[Query], why: str) -> Callable[[Any], None]:
    def check(fn: Callable[[list[Query], Sequence[float]], float]) -> None:
        picked = fn(workload, CHOICES)
        if picked not in CHOICES:
            raise Mismatch(f"expected one of {CHOICES}, got {picked!r}")
        cost = {s: warehouse_credits(workload, "XSMALL", s) for s in CHOICES}
        best = min(cost.values())
        if not math.isclose(cost[picked], best, rel_tol=1e-9):
            table = ", ".join(f"{s} s: {c:.4f}" for s, c in cost.items())
            raise Mismatch(f"AUTO_SUSPEND {picked} bills {cost[picked]:.4f} credits; the cheapest bills {best:.4f} "
                           f"({table}). {why}")
    return check


def grade_cheapest_auto_suspend(fn: Callable[[list[Query], Sequence[float]], float], *,
                                show: bool = True) -> Grade:
    checks = [
        ("a query every 40 s", _cheapest(
            _every(40), "With 30 s it suspends between queries, and each resume bills 60 s for 31 s of use: "
                        "staying up through a 39 s gap is cheaper")),
        ("a query every 10 minutes", _cheapest(
            _every(600, 3), "Between sparse queries every second of idling is billed: suspend as soon as "
                            "allowed (60 s is the minimum a resume bills, so 30 s still saves)")),
        ("the seeded dashboards", _cheapest(
            _serving_day(), "Price the real profile: gaps of about 4 minutes on average")),
    ]
    return grade("cheapest_auto_suspend", fn, checks, show=show)
