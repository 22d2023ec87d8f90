"""Exercises of notebook 20 (data-aware scheduling with assets): the graders, and reference answers to read
after trying.

1. ``refresh_schedule()``: the schedule of a customer-facing refresh that starts when both ``fct_appointments``
   and ``dim_clients`` have new events, or when a manual ``metrics_correction`` is published. Graded by the
   scheduler's own evaluator over every combination of new events.
2. ``days_to_process(events)``: the days an asset-triggered run must process, from the events that triggered it
   (real ``AssetEventDagRunReferenceResult`` objects, what ``triggering_asset_events[asset]`` holds).

Both need Airflow configured (a running sim's runner, or the test session's home): the first reads the
metadata DB the way the scheduler does.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from solutions.assets import FCT_APPOINTMENTS
from exercises.grading import Grade, Mismatch, expect, grade

FCT = FCT_APPOINTMENTS
# the import of airflow.sdk.Asset is deferred to first use: a notebook imports this module after its runner
_ASSETS: dict[str, Any] = {}


def dim_clients() -> Any:
    return _asset("dim_clients", "snowflake://simplepractice/ANALYTICS/MARTS/DIM_CLIENTS")


def metrics_correction() -> Any:
    return _asset("metrics_correction", "s3://simplepractice-raw-data/corrections/customer_metrics.json")


def _asset(name: str, uri: str) -> Any:
    from airflow.sdk import Asset

    return _ASSETS.setdefault(name, Asset(name=name, uri=uri))


# -- reference answers ---------------------------------------------------------------------------------------


def refresh_schedule() -> Any:
    """Both marts updated, or a correction published."""
    return (FCT & dim_clients()) | metrics_correction()


def days_to_process(events: Sequence[Any]) -> list[str]:
    """Every distinct ``extra["day"]`` of the triggering events, oldest first; ValueError when none has one."""
    days = sorted({event.extra.get("day") for event in events} - {None})
    if not days:
        raise ValueError(f"none of the {len(events)} triggering events says which day (extra['day'])")
    return days


# -- graders -------------------------------------------------------------------------------------------------


def grade_refresh_schedule(fn: Callable[[], Any], *, show: bool = True) -> Grade:
    from solutions.assets import would_start

    names = {FCT.name: FCT, "dim_clients": dim_clients(), "metrics_correction": metrics_correction()}

    def starts(produced: tuple[str, ...]) -> bool:
        schedule = fn()
        try:
            return would_start(schedule, [names[n] for n in produced])
        except (TypeError, ValueError, AttributeError) as error:
            raise Mismatch(f"not a schedule Airflow accepts ({type(error).__name__}: {error}); combine the "
                           "given assets with & and |") from None

    def case(produced: tuple[str, ...], wanted: bool, why: str) -> Callable[[Any], None]:
        def check(_: Any) -> None:
            got = starts(produced)
            if got != wanted:
                what = " + ".join(produced) or "no event"
                raise Mismatch(f"after {what}: {'starts' if got else 'does not start'}, it should "
                               f"{'' if wanted else 'not '}start ({why})")
        return check

    every = [combo for size in range(4) for combo in itertools.combinations(names, size)]

    def truth_table(_: Any) -> None:
        wrong = [" + ".join(c) or "no event" for c in every
                 if starts(c) != (("fct_appointments" in c and "dim_clients" in c) or "metrics_correction" in c)]
        if wrong:
            raise Mismatch(f"wrong for: {'; '.join(wrong)}")

    checks = [
        ("fct_appointments and dim_clients both new: starts",
         case(("fct_appointments", "dim_clients"), True, "both marts are fresh")),
        ("only fct_appointments new: waits", case(("fct_appointments",), False, "dim_clients is still old")),
        ("only dim_clients new: waits", case(("dim_clients",), False, "fct_appointments is still old")),
        ("a correction alone: starts", case(("metrics_correction",), True, "a correction must publish at once")),
        ("a correction with one mart: starts",
         case(("metrics_correction", "dim_clients"), True, "the correction alone is enough")),
        ("every combination of new events", truth_table),
    ]
    return grade("refresh_schedule", fn, checks, show=show)


def _event(day: str | None, minute: int) -> Any:
    from airflow.sdk.api.datamodels._generated import AssetReferenceAssetEventDagRun
    from airflow.sdk.execution_time.comms import AssetEventDagRunReferenceResult

    return AssetEventDagRunReferenceResult(
        asset=AssetReferenceAssetEventDagRun(name="raw_partner_appointments", uri="snowflake://simplepractice/"
                                             "RAW/STAGING/PARTNER_APPOINTMENTS", extra={}),
        extra={} if day is None else {"day": day, "records": 50},
        source_task_id="extract_partner_day", source_dag_id="appointments_extract",
        source_run_id=f"backfill__{day}", source_map_index=-1, source_aliases=[],
        timestamp=dt.datetime(2025, 10, 1, 2, minute, tzinfo=dt.timezone.utc))


def grade_days_to_process(fn: Callable[[Sequence[Any]], Any], *, show: bool = True) -> Grade:
    def days(*spec: str | None) -> Any:
        return fn([_event(day, minute) for minute, day in enumerate(spec)])

    def refuses_no_day(_: Any) -> None:
        try:
            answer = days(None)
        except ValueError:
            return
        raise Mismatch(f"returned {answer!r} for an event without extra['day']: raise ValueError, or the run "
                       "would succeed having processed nothing")

    checks = [
        ("one event: its day", lambda f: expect(days("2025-09-30"), ["2025-09-30"], "days")),
        ("three events (a three-day backfill): all three days",
         lambda f: expect(days("2025-09-28", "2025-09-29", "2025-09-30"), ["2025-09-28", "2025-09-29", "2025-09-30"],
                          "days (the scheduler gave this run every event since the previous run)")),
        ("events in any order of days: oldest day first",
         lambda f: expect(days("2025-09-30", "2025-09-28"), ["2025-09-28", "2025-09-30"], "days")),
        ("the same day produced twice (a rerun): once",
         lambda f: expect(days("2025-09-29", "2025-09-29"), ["2025-09-29"], "days")),
        ("an event without a day among others: ignored",
         lambda f: expect(days(None, "2025-09-29"), ["2025-09-29"], "days")),
        ("no event says which day: ValueError", refuses_no_day),
    ]
    return grade("days_to_process", fn, checks, show=show)
