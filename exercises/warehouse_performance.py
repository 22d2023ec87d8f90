"""Exercises of notebook 27 (warehouse performance): the graders, and reference answers to read after trying.

1. ``partitions_scanned(partitions, low, high)``: how many micro-partitions a filter ``low <= column <= high``
   still reads, from each partition's min/max (``solutions.warehouse_performance.Partition``). Graded on
   hand-made partitions (a range inside one, touching an edge, straddling one, all NULL) and on the
   appointments of the seeded world cut into partitions.
2. ``result_reused(previous, new)``: would Snowflake answer ``new`` from the persisted result of ``previous``
   (the result cache)? Graded on the conditions of "Using Persisted Query Results" in Snowflake's docs.
3. ``average_depth(partitions)``: the clustering depth of the model in ``solutions.warehouse_performance``
   (for each partition with values, the most partitions holding one same value of its range; their mean).
   Graded on hand-worked layouts and the seeded month, sorted and shuffled.

No sim needed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from exercises.grading import Grade, Mismatch, grade
from solutions.warehouse_performance import Partition, clustering_information, partition_ranges, scanned

# -- reference answers ---------------------------------------------------------------------------------------


def partitions_scanned(partitions: list[Partition], low: Any, high: Any) -> int:
    """A partition is read unless its [low, high] misses the filter's range; all-NULL partitions never match."""
    return len(scanned(partitions, low, high))


def average_depth(partitions: list[Partition]) -> float:
    """The model's ``average_depth`` (all-NULL partitions hold no value, so they have no depth)."""
    return clustering_information(partitions)["average_depth"]


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


# -- exercise 3 ----------------------------------------------------------------------------------------------


def _depth(actual: Any, expected: float, why: str) -> None:
    if not isinstance(actual, (int, float)) or isinstance(actual, bool):
        raise Mismatch(f"expected an average depth (a number), got {type(actual).__name__} {actual!r}")
    if not math.isclose(actual, expected, abs_tol=1e-3):
        raise Mismatch(f"expected an average depth of {expected:g}, got {actual:g}: {why}")


def grade_average_depth(fn: Callable[[list[Partition]], float], *, show: bool = True) -> Grade:
    month_sorted, month_shuffled = partition_ranges(_days(False), 1000), partition_ranges(_days(True), 1000)
    checks = [
        ("partitions side by side", lambda f: _depth(
            f([P(1, 10, 1), P(11, 20, 1), P(21, 30, 1)]), 1.0,
            "no value lies in two partitions: each has depth 1, the best a populated table can have")),
        ("two partitions sharing an edge value", lambda f: _depth(
            f([P(1, 10, 1), P(10, 20, 1)]), 2.0, "both ranges hold 10 (min/max are inclusive): depth 2 each")),
        ("a chain that never meets in one value", lambda f: _depth(
            f([P(1, 10, 1), P(5, 15, 1), P(12, 20, 1), P(30, 30, 1)]), 1.75,
            "[1, 10] and [12, 20] both overlap [5, 15] but share no value: depths 2, 2, 2 and 1 for [30, 30]; "
            "counting overlapping partitions instead gives [5, 15] a depth of 3")),
        ("three ranges over one value", lambda f: _depth(
            f([P(1, 10, 1), P(2, 9, 1), P(3, 8, 1)]), 3.0, "every value from 3 to 8 lies in all three")),
        ("a partition of NULLs has no depth", lambda f: _depth(
            f([P(None, None, 5), P(1, 5, 1), P(3, 8, 1)]), 2.0,
            "the mean is over partitions that hold values: [1, 5] and [3, 8] share 3..5, depth 2 each")),
        ("the month loaded in date order", lambda f: _depth(
            f(month_sorted), average_depth(month_sorted), "each partition holds two days and none overlap")),
        ("the month loaded shuffled", lambda f: _depth(
            f(month_shuffled), average_depth(month_shuffled),
            "every partition spans the whole month: all 15 hold every date")),
    ]
    return grade("average_depth", fn, checks, show=show)
