"""Exercises of notebook 19 (dynamic task mapping): the graders, and reference answers to read after trying.

1. ``plan_batches(ids, max_instances)``: cut a long list into at most ``max_instances`` contiguous, balanced,
   non-empty batches, so that one mapped instance handles a batch (not one id) and the map stays far under
   ``[core] max_map_length``.
2. ``week_report(days, results)``: the reduce step after a mapped task, run with ``trigger_rule="all_done"``:
   it receives only the results of the instances that succeeded, so it must fail, naming the missing days.

No sim needed: both are plain functions; the notebook runs the real mapped DAG they belong to.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade

# -- reference answers ---------------------------------------------------------------------------------------


def plan_batches(ids: Sequence[Any], max_instances: int) -> list[list[Any]]:
    """``ids`` in order, cut into at most ``max_instances`` batches whose sizes differ by at most one."""
    if max_instances < 1:
        raise ValueError(f"max_instances must be at least 1, got {max_instances}")
    ids = list(ids)
    count = min(len(ids), max_instances)
    size, extra = divmod(len(ids), count) if count else (0, 0)
    batches, start = [], 0
    for number in range(count):
        end = start + size + (1 if number < extra else 0)
        batches.append(ids[start:end])
        start = end
    return batches


def week_report(days: Sequence[str], results: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Totals of a week whose every day passed; ``AirflowFailException`` naming each day without a result."""
    from airflow.sdk.exceptions import AirflowFailException

    by_day = {result["day"]: result["appointments"] for result in results}
    missing = [day for day in days if day not in by_day]
    if missing:
        raise AirflowFailException(f"no result for {', '.join(missing)}")
    return {"days": len(days), "appointments": sum(by_day[day] for day in days)}


# -- graders -------------------------------------------------------------------------------------------------


def grade_plan_batches(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    def plan(ids: Sequence[Any], max_instances: int) -> list[list[Any]]:
        batches = fn(list(ids), max_instances)
        if isinstance(batches, (str, bytes)) or not isinstance(batches, Iterable):
            raise Mismatch(f"expected a list of batches, got {type(batches).__name__}")
        return [list(batch) for batch in batches]

    def well_cut(ids: list[int], max_instances: int) -> None:
        batches = plan(ids, max_instances)
        if len(batches) > max_instances:
            raise Mismatch(f"{len(batches)} batches for max_instances={max_instances}: each batch is one mapped "
                           "instance, so this asks for more instances than allowed")
        if any(not batch for batch in batches):
            raise Mismatch(f"an empty batch among {len(batches)}: an instance that does nothing still costs a "
                           "task start, a row per try and a line in the UI")
        flat = [i for batch in batches for i in batch]
        if flat != ids:
            lost, extra = len(set(ids) - set(flat)), len(flat) - len(set(flat))
            raise Mismatch(f"the batches, read in order, are not the ids in order ({lost} ids lost, {extra} "
                           "repeated, or the order changed): each batch must be a contiguous run of ids, so a "
                           "failed instance names a range someone can rerun")
        largest, fair = max(len(b) for b in batches), math.ceil(len(ids) / max_instances)
        if largest > fair:
            raise Mismatch(f"a batch of {largest} ids where {fair} would do ({len(ids)} ids over at most "
                           f"{max_instances} instances): unbalanced batches make one instance the whole run's "
                           "critical path")

    def empty(_: Any) -> None:
        expect(plan([], 4), [], "plan_batches([], 4) (no ids: zero instances, so the mapped task is skipped)")

    def refuses_zero(_: Any) -> None:
        try:
            fn([1, 2, 3], 0)
        except ValueError:
            return
        raise Mismatch("max_instances=0 was accepted: raise ValueError naming it")

    ids_1500 = list(range(1, 1501))
    checks = [
        ("10 ids over at most 4 instances", lambda f: well_cut(list(range(10)), 4)),
        ("1,500 appointment ids over at most 16 instances", lambda f: well_cut(ids_1500, 16)),
        ("3 ids over at most 5 instances: 3 batches of one, no empty batch", lambda f: well_cut([7, 8, 9], 5)),
        ("2,000 ids under a max_map_length of 1,024", lambda f: well_cut(list(range(2000)), 1024)),
        ("no ids: no batches", empty),
        ("max_instances=0 is a ValueError", refuses_zero),
    ]
    return grade("plan_batches", fn, checks, show=show)


WEEK = ["2025-09-24", "2025-09-25", "2025-09-26", "2025-09-27", "2025-09-28", "2025-09-29", "2025-09-30"]
COUNTS = dict(zip(WEEK, [55, 47, 44, 59, 63, 46, 61]))


def grade_week_report(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    from airflow.sdk.exceptions import AirflowFailException

    def results(days: Iterable[str]) -> list[dict[str, Any]]:
        return [{"day": day, "appointments": COUNTS[day]} for day in days]

    def totals(days: list[str], given: list[dict[str, Any]]) -> None:
        expect(fn(list(days), given), {"days": len(days), "appointments": sum(COUNTS[d] for d in days)})

    def fails_naming(days: list[str], given: list[dict[str, Any]], missing: list[str]) -> None:
        try:
            answer = fn(list(days), given)
        except AirflowFailException as error:
            text = str(error)
            absent = [day for day in missing if day not in text]
            named = [day for day in days if day not in missing and day in text]
            if absent or named:
                raise Mismatch(f"the message must name exactly the days without a result ({', '.join(missing)}); "
                               f"it says: {text!r}") from None
            return
        except Exception as error:  # noqa: BLE001 - any other exception is the lesson
            raise Mismatch(f"raised {type(error).__name__}: Airflow retries that, and the same results come back "
                           "on every try; raise AirflowFailException (fail now, no retry)") from None
        raise Mismatch(f"returned {answer!r}: a mapped instance failed and this report turns the run green "
                       "(the report is the run's last task, and a run's state is its last tasks' states)")

    def one_missing(_: Any) -> None:
        fails_naming(WEEK, results(d for d in WEEK if d != "2025-09-27"), ["2025-09-27"])

    checks = [
        ("every day passed: the week's totals", lambda f: totals(WEEK, results(WEEK))),
        ("results arrive in any order", lambda f: totals(WEEK, results(reversed(WEEK)))),
        ("one day failed (no result for 2025-09-27): fail naming it", one_missing),
        ("three days failed: fail naming those three, and only them",
         lambda f: fails_naming(WEEK, results(WEEK[2:6]), WEEK[:2] + WEEK[6:])),
        ("no day passed (an empty sequence): fail naming all seven", lambda f: fails_naming(WEEK, [], WEEK)),
        ("a three-day window", lambda f: totals(WEEK[:3], results(WEEK[:3]))),
    ]
    return grade("week_report", fn, checks, show=show)
