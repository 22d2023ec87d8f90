"""The notebook 27 graders accept the reference answers and correct alternatives, and reject plausible wrong
ones for the reason they give: strict bounds that miss an edge, a partition read only when an end of its range
is inside the filter, NULL partitions counted, rows counted instead of partitions; a result cache that ignores
case, expiry, changed data, or treats CURRENT_DATE like RANDOM; a depth that counts overlapping partitions
instead of partitions sharing one value, excludes the edges, counts NULL partitions or takes the deepest."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from exercises import warehouse_performance as ex
from exercises.grading import failed_exactly
from solutions.warehouse_performance import may_match


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_partitions_scanned, ex.grade_result_reused, ex.grade_average_depth])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- partitions_scanned --------------------------------------------------------------------------------------


def scanned_by_complement(partitions, low, high):
    """Alternative: count what is pruned (entirely below or above the range, or all NULL) and subtract."""
    pruned = sum(1 for p in partitions if p.low is None or p.high < low or p.low > high)
    return len(partitions) - pruned


def scanned_by_may_match(partitions, low, high):
    return sum(may_match(p, low, high) for p in partitions)


def scanned_by_intervals(partitions, low, high):
    """Alternative: the intersection of two closed intervals is non-empty when max(lows) <= min(highs)."""
    return len([p for p in partitions if p.low is not None and max(p.low, low) <= min(p.high, high)])


@pytest.mark.parametrize("fn", [ex.partitions_scanned, scanned_by_complement, scanned_by_may_match,
                                scanned_by_intervals])
def test_partitions_scanned_accepts_the_reference_and_alternatives(fn):
    g = ex.grade_partitions_scanned(fn, show=False)
    assert g.passed, g.lines


def strict_bounds(partitions, low, high):
    return sum(1 for p in partitions if p.low is not None and p.low < high and p.high > low)


def an_end_inside(partitions, low, high):
    return sum(1 for p in partitions if p.low is not None and (low <= p.low <= high or low <= p.high <= high))


def both_ends_inside(partitions, low, high):
    return sum(1 for p in partitions if p.low is not None and low <= p.low and p.high <= high)


def nulls_counted(partitions, low, high):
    return sum(1 for p in partitions if p.low is None or (p.low <= high and p.high >= low))


def rows_not_partitions(partitions, low, high):
    return sum(p.rows for p in partitions if p.low is not None and p.low <= high and p.high >= low)


def no_pruning(partitions, low, high):
    return len(partitions)


@pytest.mark.parametrize("fn, checks", [
    (strict_bounds, ["a range that touches an edge", "a week of date-sorted"]),
    (an_end_inside, ["a range inside one partition", "a week of shuffled"]),
    (both_ends_inside, ["a range inside one partition", "a range that touches an edge",
                        "a range that covers partitions", "a week of date-sorted", "a week of shuffled"]),
    (nulls_counted, ["a partition of NULLs"]),
    (no_pruning, ["a range inside one partition", "a range that touches an edge", "a range no partition",
                  "a partition of NULLs", "a week of date-sorted"]),
])
def test_partitions_scanned_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_partitions_scanned(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_partitions_scanned_says_rows_are_not_partitions():
    g = ex.grade_partitions_scanned(rows_not_partitions, show=False)
    assert g.status == "failed" and "expected 1 partitions scanned, got 100" in g.lines[0]


def test_partitions_scanned_refuses_what_is_not_a_count():
    g = ex.grade_partitions_scanned(lambda parts, lo, hi: [p for p in parts], show=False)
    assert g.status == "failed" and "expected a number of partitions (an int)" in g.lines[0]


# -- result_reused -------------------------------------------------------------------------------------------


def reused_with_sqlglot(previous, new):
    """Alternative: find the functions with sqlglot instead of a regular expression."""
    tree = sqlglot.parse_one(new.sql, read="snowflake")
    volatile = (exp.Rand, exp.CurrentTimestamp, exp.Uuid)
    names = {f.sql_name().upper() for f in tree.find_all(exp.Func)}
    if any(tree.find(t) for t in volatile) or names & {"RANDSTR", "UUID_STRING", "RANDOM"}:
        return False
    return (new.use_cached_result and new.sql == previous.sql and new.data_version == previous.data_version
            and new.hours - previous.hours <= 24 and new.role_can_read)


def reused_by_rules(previous, new):
    """Alternative: each reason to run the query again, as a list of named rules."""
    rules = [not new.use_cached_result, new.sql != previous.sql, new.data_version != previous.data_version,
             new.hours - previous.hours > 24, not new.role_can_read,
             bool(re.search(r"(RANDOM|RANDSTR|UUID_STRING|CURRENT_TIMESTAMP)\(", new.sql.upper()))]
    return not any(rules)


@pytest.mark.parametrize("fn", [ex.result_reused, reused_with_sqlglot, reused_by_rules])
def test_result_reused_accepts_the_reference_and_alternatives(fn):
    g = ex.grade_result_reused(fn, show=False)
    assert g.passed, g.lines


def case_insensitive(previous, new):
    return ex.result_reused(ex.Run(previous.sql.upper(), previous.hours, previous.data_version),
                            ex.Run(new.sql.upper(), new.hours, new.data_version, new.role_can_read,
                                   new.use_cached_result))


def never_expires(previous, new):
    return ex.result_reused(previous, ex.Run(new.sql, previous.hours, new.data_version, new.role_can_read,
                                             new.use_cached_result))


def current_date_is_volatile(previous, new):
    return ex.result_reused(previous, new) and "CURRENT_DATE" not in new.sql.upper()


def ignores_changed_data(previous, new):
    return ex.result_reused(previous, ex.Run(new.sql, new.hours, previous.data_version, new.role_can_read,
                                             new.use_cached_result))


def text_only(previous, new):
    return new.sql == previous.sql


@pytest.mark.parametrize("fn, checks", [
    (case_insensitive, ["the same query in lower case"]),
    (never_expires, ["25 hours later"]),
    (current_date_is_volatile, ["a query using CURRENT_DATE()"]),
    (ignores_changed_data, ["after the nightly load"]),
    (text_only, ["after the nightly load", "25 hours later", "a query using RANDOM()", "a role that cannot",
                 "USE_CACHED_RESULT = FALSE"]),
])
def test_result_reused_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_result_reused(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_result_reused_refuses_what_is_not_a_boolean():
    g = ex.grade_result_reused(lambda a, b: "yes", show=False)
    assert g.status == "failed" and "expected True or False" in g.lines[0]


# -- average_depth -------------------------------------------------------------------------------------------


def depth_by_sweep(partitions):
    """Alternative: for each partition, walk the starts inside its range and count the ranges covering each."""
    ranged = [p for p in partitions if p.low is not None]
    depths = []
    for p in ranged:
        starts = {p.low} | {q.low for q in ranged if p.low <= q.low <= p.high}
        depths.append(max(sum(1 for q in ranged if q.low <= v <= q.high) for v in starts))
    return sum(depths) / len(depths)


def depth_by_events(partitions):
    """Alternative: one sweep over sorted start/end events gives the coverage at each start; a partition's depth
    is the highest coverage among the starts inside it (ends sort after starts at the same value: inclusive)."""
    ranged = [p for p in partitions if p.low is not None]
    events = sorted([(p.low, 0) for p in ranged] + [(p.high, 1) for p in ranged])
    cover, at = 0, {}
    for value, kind in events:
        cover += 1 if kind == 0 else -1
        if kind == 0:
            at[value] = max(at.get(value, 0), cover)
    return sum(max(c for v, c in at.items() if p.low <= v <= p.high) for p in ranged) / len(ranged)


@pytest.mark.parametrize("fn", [ex.average_depth, depth_by_sweep, depth_by_events])
def test_average_depth_accepts_the_reference_and_alternatives(fn):
    g = ex.grade_average_depth(fn, show=False)
    assert g.passed, g.lines


def _ranged(partitions):
    return [p for p in partitions if p.low is not None]


def overlaps_not_depth(partitions):
    ranged = _ranged(partitions)
    return sum(sum(1 for q in ranged if q is not p and q.low <= p.high and p.low <= q.high) for p in ranged) / len(ranged)


def overlapping_partitions_plus_one(partitions):
    return overlaps_not_depth(partitions) + 1


def exclusive_bounds(partitions):
    ranged = _ranged(partitions)
    return sum(max(sum(1 for q in ranged if q.low <= v <= q.high and (q is p or (q.low < p.high and p.low < q.high)))
                   for v in [p.low] + [q.low for q in ranged if p.low < q.low < p.high])
               for p in ranged) / len(ranged)


def nulls_as_zero(partitions):
    ranged = _ranged(partitions)
    return depth_by_sweep(partitions) * len(ranged) / len(partitions)


def deepest_not_average(partitions):
    ranged = _ranged(partitions)
    return max(max(sum(1 for q in ranged if q.low <= v <= q.high) for v in [p.low] + [q.low for q in ranged])
               for p in ranged)


@pytest.mark.parametrize("fn, checks", [
    (overlaps_not_depth, ["partitions side by side", "two partitions sharing", "a chain", "three ranges",
                          "a partition of NULLs", "the month loaded in date order", "the month loaded shuffled"]),
    (overlapping_partitions_plus_one, ["a chain that never meets"]),
    (exclusive_bounds, ["two partitions sharing an edge value"]),
    (nulls_as_zero, ["a partition of NULLs"]),
    (deepest_not_average, ["a chain that never meets"]),
])
def test_average_depth_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_average_depth(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_average_depth_refuses_what_is_not_a_number():
    g = ex.grade_average_depth(lambda parts: {"average_depth": 1.0}, show=False)
    assert g.status == "failed" and "expected an average depth (a number)" in g.lines[0]
