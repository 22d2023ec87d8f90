"""The notebook 26 graders accept the reference answers and correct alternatives, and reject plausible wrong
ones for the reason they give: no 60 s minimum, a minimum per query, idle time left out, overlaps counted
twice, sizes that add instead of double; a rule of thumb where the workload decides the setting."""

from __future__ import annotations

import pytest

from exercises import warehouse_cost as ex
from exercises.grading import failed_exactly
from solutions.warehouse_cost import credits_per_hour


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_credits, ex.grade_cheapest_auto_suspend])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- credits -------------------------------------------------------------------------------------------------

DAY = 86_400


def spans(queries):
    return sorted((q.start, q.start + q.seconds) for q in queries)


def credits_by_sweep(queries, size, auto_suspend):
    """Alternative: walk the spans, closing a session when the next query comes after the suspend."""
    idle = DAY if auto_suspend is None else auto_suspend
    total, start, end = 0.0, None, None
    for s, e in spans(queries):
        if start is not None and s > end + idle:
            total += max(min(end + idle, DAY) - start, 60)
            start = None
        if start is None:
            start, end = s, e
        end = max(end, e)
    if start is not None:
        total += max(min(end + idle, max(DAY, end)) - start, 60)
    return total * credits_per_hour(size) / 3600


def credits_by_table(queries, size, auto_suspend):
    """Alternative: a hard-coded rate table and per-second arithmetic in integers of milliseconds."""
    rate = {"XSMALL": 1, "SMALL": 2, "MEDIUM": 4, "LARGE": 8}[size]
    ms = []
    for s, e in spans(queries):
        stop = DAY * 1000 if auto_suspend is None else min(round((e + auto_suspend) * 1000), DAY * 1000)
        if ms and round(s * 1000) <= ms[-1][1]:
            ms[-1][1] = max(ms[-1][1], stop)
        else:
            ms.append([round(s * 1000), stop])
    return sum(max(b - a, 60_000) for a, b in ms) / 1000 * rate / 3600


@pytest.mark.parametrize("fn", [ex.credits, credits_by_sweep, credits_by_table])
def test_credits_accepts_the_reference_and_alternatives(fn):
    g = ex.grade_credits(fn, show=False)
    assert g.passed, g.lines


def no_minimum(queries, size, auto_suspend):
    return max(0.0, credits_by_sweep(queries, size, auto_suspend)
               - _minimum_topup(queries, auto_suspend) * credits_per_hour(size) / 3600)


def _minimum_topup(queries, auto_suspend):
    idle = DAY if auto_suspend is None else auto_suspend
    topup, start, end = 0.0, None, None
    for s, e in spans(queries) + [(float("inf"), float("inf"))]:
        if start is not None and s > end + idle:
            topup += max(0.0, 60 - (min(end + idle, max(DAY, end)) - start))
            start = None
        if start is None:
            start, end = s, e
        end = max(end, e)
    return topup


def minimum_per_query(queries, size, auto_suspend):
    busy = sum(max(q.seconds, 60) for q in queries)
    return (busy + (auto_suspend or 0)) * credits_per_hour(size) / 3600


def busy_time_only(queries, size, auto_suspend):
    return sum(max(e - s, 60) for s, e in _merged(queries)) * credits_per_hour(size) / 3600


def _merged(queries):
    out = []
    for s, e in spans(queries):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def overlaps_twice(queries, size, auto_suspend):
    extra = sum(e for _, e in spans(queries)) - sum(s for s, _ in spans(queries))
    merged = sum(e - s for s, e in _merged(queries))
    return credits_by_sweep(queries, size, auto_suspend) + (extra - merged) * credits_per_hour(size) / 3600


def sizes_add(queries, size, auto_suspend):
    linear = {"XSMALL": 1, "SMALL": 2, "MEDIUM": 3, "LARGE": 4}[size]
    return credits_by_sweep(queries, "XSMALL", auto_suspend) * linear


@pytest.mark.parametrize("fn, checks", [
    (no_minimum, ["a 10 s query", "each size up"]),       # with AUTO_SUSPEND >= 60 every session is >= 60 s
    (minimum_per_query, ["the idle time", "a gap longer", "queries running at once", "never suspending",
                         "the seeded"]),
    (busy_time_only, ["the idle time", "a gap longer", "queries running at once", "never suspending",
                      "the seeded"]),
    (overlaps_twice, ["queries running at once", "the seeded"]),
    (sizes_add, ["each size up"]),
])
def test_credits_rejects_plausible_wrong_bills(fn, checks):
    g = ex.grade_credits(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_credits_refuses_what_is_not_a_number():
    g = ex.grade_credits(lambda *a: "0.0167", show=False)
    assert g.status == "failed" and "expected a number of credits" in g.lines[0]


# -- cheapest_auto_suspend -----------------------------------------------------------------------------------


def cheapest_by_hand(queries, choices):
    """Alternative: the reference model, choices tried from the longest down (ties go to the longest)."""
    from solutions.warehouse_cost import warehouse_credits
    costs = {s: round(warehouse_credits(queries, "XSMALL", s), 9) for s in choices}
    return max(s for s in choices if costs[s] == min(costs.values()))


def cheapest_by_sweep(queries, choices):
    return min(choices, key=lambda s: (credits_by_sweep(queries, "XSMALL", s), s))


@pytest.mark.parametrize("fn", [ex.cheapest_auto_suspend, cheapest_by_hand, cheapest_by_sweep])
def test_cheapest_accepts_the_reference_and_alternatives(fn):
    g = ex.grade_cheapest_auto_suspend(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (lambda q, c: min(c), ["a query every 40 s"]),                               # shortest always
    (lambda q, c: 60, ["a query every 10 minutes", "the seeded"]),               # "one minute, the minimum"
    (lambda q, c: max(c), ["a query every 40 s", "a query every 10 minutes", "the seeded"]),  # keep it warm
    (lambda q, c: min(c, key=lambda s: credits_by_sweep(q, "XSMALL", s) - _minimum_topup(q, s) / 3600),
     ["a query every 40 s"]),                                                    # forgets the 60 s minimum
])
def test_cheapest_rejects_rules_of_thumb(fn, checks):
    g = ex.grade_cheapest_auto_suspend(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_cheapest_refuses_a_setting_not_offered():
    g = ex.grade_cheapest_auto_suspend(lambda q, c: 45, show=False)
    assert g.status == "failed" and "expected one of" in g.lines[0]
