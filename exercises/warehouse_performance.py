"""Exercises of notebook 27 (warehouse performance): the graders, and reference answers to read after trying.

1. ``partitions_scanned(partitions, low, high)``: how many micro-partitions a filter ``low <= column <= high``
   still reads, from each partition's min/max (``solutions.warehouse_performance.Partition``). Graded on
   hand-made partitions (a range inside one, touching an edge, straddling one, all NULL) and on the
   appointments of the seeded world cut into partitions.
2. ``result_reused(previous, new)``: would Snowflake answer ``new`` from the persisted result of ``previous``
   (the result cache)? Graded on the conditions of "Using Persisted Query Results" in Snowflake's docs.

No sim needed.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from exercises.grading import Grade, Mismatch, grade
from solutions.warehouse_performance import Partition, partition_ranges, scanned

# -- reference answers ---------------------------------------------------------------------------------------


def partitions_scanned(partitions: list[Partition], low: Any, high: Any) -> int:
    """A partition is read unless its [low, high] misses the filter's range; all-NULL partitions never match."""
    return len(scanned(partitions, low, high))


#: functions whose result changes from one run to the next, so a query using them never reuses a result
#: (the docs name UUID_STRING, RANDOM and RANDSTR, and CURRENT_TIMESTAMP; CURRENT_DATE is the stated exception)
NON_REUSABLE = ("RANDOM", "UUID_STRING", "RANDSTR", "CURRENT_TIMESTAMP")
RESULT_HOURS = 24


@dataclass(frozen=True)
class Run:
    """One run of a query: its text as sent, when (hours on one clock), the version of the data it read, whether
    the role running it may read every table it reads, and the session's ``USE_CACHED_RESULT``."""

    sql: str
    hours: float
    data_version: int = 1
    role_can_read: bool = True
    use_cached_result: bool = True


def _calls(sql: str, name: str) -> bool:
    return re.search(rf"\b{name}\s*\(", sql, flags=re.IGNORECASE) is not None


def result_reused(previous: Run, new: Run) -> bool:
    """Snowflake's conditions, in the order its page lists them; all must hold."""
    return (new.use_cached_result
            and new.sql == previous.sql                                   # exactly: case and aliases count
            and not any(_calls(new.sql, f) for f in NON_REUSABLE)
            and new.data_version == previous.data_version                 # the tables' data has not changed
            and 0 <= new.hours - previous.hours <= RESULT_HOURS           # the result has not expired
            and new.role_can_read)


# -- exercise 1 ----------------------------------------------------------------------------------------------


def _count(actual: Any, expected: int, why: str) -> None:
    if not isinstance(actual, int) or isinstance(actual, bool):
        raise Mismatch(f"expected a number of partitions (an int), got {type(actual).__name__} {actual!r}")
    if actual != expected:
        raise Mismatch(f"expected {expected} partitions scanned, got {actual}: {why}")


def _days(shuffled: bool) -> list[dt.date]:
    """30 days of 500 appointments each, in date order or in a seeded random order."""
    days = [dt.date(2025, 9, 1) + dt.timedelta(days=i // 500) for i in range(15_000)]
    if shuffled:
        random.Random(27).shuffle(days)
    return days


P = Partition


def grade_partitions_scanned(fn: Callable[[list[Partition], Any, Any], int], *, show: bool = True) -> Grade:
    three = [P(1, 10, 100), P(11, 20, 100), P(21, 30, 100)]
    sorted_days, shuffled_days = partition_ranges(_days(False), 1000), partition_ranges(_days(True), 1000)
    week = (dt.date(2025, 9, 8), dt.date(2025, 9, 14))
    checks = [
        ("a range inside one partition", lambda f: _count(
            f(three, 12, 15), 1,
            "partition [11, 20] may hold 12..15 even though neither of its ends is inside the filter")),
        ("a range that touches an edge", lambda f: _count(
            f(three, 20, 21), 2,
            "the filter is inclusive (BETWEEN): [11, 20] may hold 20 and [21, 30] may hold 21")),
        ("a range that covers partitions", lambda f: _count(
            f(three, 5, 25), 3,
            "[11, 20] lies wholly inside 5..25, the others overlap it: all three are read")),
        ("a range no partition can hold", lambda f: _count(
            f(three, 31, 40), 0, "every max is below 31: everything is pruned")),
        ("a partition of NULLs is never read", lambda f: _count(
            f([P(None, None, 50), P(1, 10, 100)], 1, 100), 1,
            "no value of an all-NULL partition satisfies a range filter (its min/max are None)")),
        ("a week of date-sorted appointments", lambda f: _count(
            f(sorted_days, *week), partitions_scanned(sorted_days, *week),
            "loaded in date order, each partition holds one or two days: a week reads about a quarter")),
        ("a week of shuffled appointments", lambda f: _count(
            f(shuffled_days, *week), partitions_scanned(shuffled_days, *week),
            "loaded in random order, every partition spans the whole month: a week reads them all")),
    ]
    return grade("partitions_scanned", fn, checks, show=show)


# -- exercise 2 ----------------------------------------------------------------------------------------------

Q = "SELECT CLINICIAN_ID, COUNT(*) FROM FCT_APPOINTMENTS GROUP BY CLINICIAN_ID"


def _reused(previous: Run, new: Run, expected: bool, why: str) -> Callable[[Any], None]:
    def check(fn: Callable[[Run, Run], bool]) -> None:
        answer = fn(previous, new)
        if not isinstance(answer, bool):
            raise Mismatch(f"expected True or False, got {type(answer).__name__} {answer!r}")
        if answer != expected:
            raise Mismatch(f"expected {expected}, got {answer}: {why}")
    return check


def grade_result_reused(fn: Callable[[Run, Run], bool], *, show: bool = True) -> Grade:
    first = Run(Q, 0.0)
    checks = [
        ("the same query two hours later", _reused(
            first, Run(Q, 2.0), True, "same text, same data, within 24 hours: the persisted result is returned")),
        ("the same query in lower case", _reused(
            first, Run(Q.lower(), 2.0), False,
            "the text must match exactly: the docs' own example says lower-case keywords miss the cache")),
        ("the same query with a table alias", _reused(
            first, Run(Q.replace("FCT_APPOINTMENTS", "FCT_APPOINTMENTS a"), 2.0), False,
            "adding an alias changes the text, so the result is not reused")),
        ("after the nightly load changed the table", _reused(
            first, Run(Q, 2.0, data_version=2), False,
            "the table data contributing to the result changed: the query runs again")),
        ("25 hours later", _reused(
            first, Run(Q, 25.0), False, "a persisted result expires after 24 hours unless it was reused")),
        ("a query using RANDOM()", _reused(
            Run(Q.replace("COUNT(*)", "COUNT(*), RANDOM()"), 0.0),
            Run(Q.replace("COUNT(*)", "COUNT(*), RANDOM()"), 2.0), False,
            "RANDOM, UUID_STRING, RANDSTR (and CURRENT_TIMESTAMP) give a new value each run: never reused")),
        ("a query using CURRENT_DATE()", _reused(
            Run(Q.replace("GROUP BY", "WHERE APPOINTMENT_DATE < CURRENT_DATE() GROUP BY"), 0.0),
            Run(Q.replace("GROUP BY", "WHERE APPOINTMENT_DATE < CURRENT_DATE() GROUP BY"), 2.0), True,
            "CURRENT_DATE() is the docs' stated exception: such a query can still reuse the result")),
        ("a role that cannot read the table", _reused(
            first, Run(Q, 2.0, role_can_read=False), False,
            "the role running the query needs access privileges on every table of the cached query")),
        ("USE_CACHED_RESULT = FALSE", _reused(
            first, Run(Q, 2.0, use_cached_result=False), False,
            "the session parameter turns reuse off (what a benchmark should do)")),
    ]
    return grade("result_reused", fn, checks, show=show)
