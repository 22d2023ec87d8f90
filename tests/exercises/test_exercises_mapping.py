"""The notebook 19 graders accept the reference answers and correct alternatives, and reject plausible wrong
answers for the reason they are wrong."""

from __future__ import annotations

import itertools
import math

import pytest
from airflow.sdk.exceptions import AirflowFailException

from exercises import mapping as ex
from exercises.grading import failed_exactly


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_plan_batches, ex.grade_week_report])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- plan_batches --------------------------------------------------------------------------------------------


def ceil_chunks(ids, max_instances):
    """Fixed-size chunks of ceil(n / max): the last one smaller."""
    if max_instances < 1:
        raise ValueError("max_instances")
    size = math.ceil(len(ids) / max_instances) or 1
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def batched_tuples(ids, max_instances):
    """A generator of tuples (what itertools.batched gives on Python 3.12), not a list of lists."""
    if max_instances < 1:
        raise ValueError("max_instances")
    size, it = max(1, -(-len(ids) // max_instances)), iter(ids)
    return (batch for batch in iter(lambda: tuple(itertools.islice(it, size)), ()))


def size_is_max(ids, max_instances):
    """Reads max_instances as the batch size."""
    if max_instances < 1:
        raise ValueError("max_instances")
    return [ids[i:i + max_instances] for i in range(0, len(ids), max_instances)]


def round_robin(ids, max_instances):
    """Deals the ids like cards: balanced, but no batch is a contiguous range."""
    if max_instances < 1:
        raise ValueError("max_instances")
    return [ids[k::max_instances] for k in range(min(len(ids), max_instances))]


def always_max(ids, max_instances):
    """Always max_instances batches: empty ones when there are fewer ids."""
    if max_instances < 1:
        raise ValueError("max_instances")
    size, extra = divmod(len(ids), max_instances)
    out, start = [], 0
    for k in range(max_instances):
        end = start + size + (k < extra)
        out.append(ids[start:end])
        start = end
    return out


def drops_remainder(ids, max_instances):
    """Floor division for the size: the last ids fall off."""
    size = max(1, len(ids) // max_instances)
    return [ids[i * size:(i + 1) * size] for i in range(min(len(ids), max_instances))]


def test_plan_batches_accepts_the_reference_and_alternatives():
    for fn in (ex.plan_batches, ceil_chunks, batched_tuples):
        graded = ex.grade_plan_batches(fn, show=False)
        assert graded.passed, (fn.__name__, graded.lines)


@pytest.mark.parametrize("fn, checks", [
    (size_is_max, ["10 ids", "1,500", "3 ids", "2,000"]),
    (round_robin, ["10 ids", "1,500", "2,000"]),
    (always_max, ["3 ids", "no ids"]),
    (drops_remainder, ["10 ids", "1,500", "2,000", "max_instances=0"]),
])
def test_plan_batches_rejects_broken_versions(fn, checks):
    graded = ex.grade_plan_batches(fn, show=False)
    assert failed_exactly(graded, *checks), graded.lines


def test_plan_batches_messages_teach():
    assert "contiguous" in str(ex.grade_plan_batches(round_robin, show=False))
    assert "empty batch" in str(ex.grade_plan_batches(always_max, show=False))


# -- week_report ---------------------------------------------------------------------------------------------


def set_difference(days, results):
    got = {r["day"]: r["appointments"] for r in results}
    missing = sorted(set(days) - set(got))
    if missing:
        raise AirflowFailException("days without a result: " + " ".join(missing))
    return {"days": len(days), "appointments": sum(got[d] for d in days)}


class WeekIncomplete(AirflowFailException):
    """A team's own subclass: still AirflowFailException, still not retried."""


def own_exception(days, results):
    results = list(results)
    seen = [r["day"] for r in results]
    if failed := [day for day in days if day not in seen]:
        raise WeekIncomplete(f"{'; '.join(failed)} failed (see their mapped instances)")
    return {"days": len(days), "appointments": sum(r["appointments"] for r in results)}


def trusts_results(days, results):
    """Sums whatever arrived: a failed day simply is not there."""
    results = list(results)
    return {"days": len(results), "appointments": sum(r["appointments"] for r in results)}


def value_error(days, results):
    got = {r["day"] for r in results}
    if set(days) - got:
        raise ValueError(f"missing {sorted(set(days) - got)}")
    return {"days": len(days), "appointments": sum(r["appointments"] for r in results)}


def zips_in_order(days, results):
    """Pairs days and results by position: the missing day is misnamed."""
    results = list(results)
    if len(results) < len(days):
        raise AirflowFailException(f"missing {days[len(results):]}")
    return {"days": len(days), "appointments": sum(r["appointments"] for day, r in zip(days, results))}


def counts_only(days, results):
    results = list(results)
    if len(results) != len(days):
        raise AirflowFailException(f"{len(days) - len(results)} days failed")
    return {"days": len(days), "appointments": sum(r["appointments"] for r in results)}


def test_week_report_accepts_the_reference_and_alternatives():
    for fn in (ex.week_report, set_difference, own_exception):
        graded = ex.grade_week_report(fn, show=False)
        assert graded.passed, (fn.__name__, graded.lines)


@pytest.mark.parametrize("fn, checks", [
    (trusts_results, ["one day failed", "three days failed", "no day passed"]),
    (value_error, ["one day failed", "three days failed", "no day passed"]),
    (zips_in_order, ["one day failed", "three days failed"]),
    (counts_only, ["one day failed", "three days failed", "no day passed"]),
])
def test_week_report_rejects_broken_versions(fn, checks):
    graded = ex.grade_week_report(fn, show=False)
    assert failed_exactly(graded, *checks), graded.lines


def test_week_report_messages_teach():
    assert "green" in str(ex.grade_week_report(trusts_results, show=False))
    assert "retries" in str(ex.grade_week_report(value_error, show=False))
