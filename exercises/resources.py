"""Exercises of notebook 21 (protecting shared resources): the graders, and reference answers to read after trying.

1. ``dbt_task_settings()``: the ``@task(...)`` arguments that keep two DAGs' dbt tasks to three at once in the
   warehouse, and use all three slots. Graded by the scheduler's own queueing code (``sim.queueing``).
2. ``backfill_params()``: a DAG's ``params``, each a ``Param`` with a JSON schema, graded by validating configs
   the way creating a run does (``sim.queueing.validate_conf``).

The graders need a running sim (the first uses the runner's metadata DB; both import airflow).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade

POOL = "snowflake_warehouse"
POOL_SLOTS = 3
DAYS = [f"2025-09-{d}" for d in range(21, 31)]

# -- reference answers ---------------------------------------------------------------------------------------


def dbt_task_settings() -> dict[str, Any]:
    """A pool spans DAGs: every dbt task in every DAG takes one of its slots."""
    return {"pool": POOL}


def backfill_params() -> dict[str, Any]:
    """``clinic_id`` required (no default), ``day`` an ISO date, ``full_refresh`` a flag."""
    from airflow.sdk import Param

    return {
        "clinic_id": Param(type="integer", minimum=1, maximum=500, description="the clinic to rebuild"),
        "day": Param("2025-09-30", type="string", format="date", description="the day (YYYY-MM-DD)"),
        "full_refresh": Param(False, type="boolean", description="rebuild from scratch"),
    }


# -- exercise 1 ----------------------------------------------------------------------------------------------


def _dbt_dags(settings: dict[str, Any]) -> list[Any]:
    """Two DAGs whose dbt task is built with ``settings``, each mapped over ten days."""
    import pendulum
    from airflow.sdk import dag, task

    dags = []
    for dag_id in ("ex_backfill", "ex_nightly"):
        @dag(dag_id=dag_id, schedule=None, start_date=pendulum.datetime(2025, 9, 1, tz="UTC"))
        def build():
            @task(**settings)
            def dbt_run_day(day: str) -> None:
                ...

            dbt_run_day.expand(day=DAYS)

        dags.append(build())
    return dags


def grade_dbt_task_settings(fn: Callable[[], dict[str, Any]], *, show: bool = True) -> Grade:
    from sim.queueing import pools, queue_ticks

    cache: dict[str, Any] = {}

    def timeline() -> Any:
        if "timeline" not in cache:
            settings = fn()
            if not isinstance(settings, dict):
                raise Mismatch(f"expected a dict of @task(...) arguments, got {type(settings).__name__}")
            pools(**{POOL: POOL_SLOTS})
            cache["timeline"] = queue_ticks(_dbt_dags(settings), "2025-10-01")
        return cache["timeline"]

    def all_ran(_: Any) -> None:
        stuck = timeline().never_queued
        if stuck:
            raise Mismatch(f"{len(stuck)} dbt tasks were never queued (they would sit in 'scheduled' forever): "
                           f"is the pool's name right ({POOL!r} exists), and does a task ask for more slots "
                           f"(pool_slots) than the pool's {POOL_SLOTS}?")

    def at_most_three(_: Any) -> None:
        most = timeline().most_at_once()
        if most > POOL_SLOTS:
            raise Mismatch(f"{most} dbt tasks ran at once across the two DAGs: max_active_tis_per_dag, "
                           "max_active_tis_per_dagrun and max_active_tasks each limit one DAG (or one run); "
                           "only a pool is shared by every DAG that names it")

    def three_used(_: Any) -> None:
        most = timeline().most_at_once()
        if timeline().never_queued or most > POOL_SLOTS:
            raise Mismatch("not while the checks above fail")
        expect(most, POOL_SLOTS, "the most dbt tasks running at once (pool_slots counts per task: 1 is one "
                                 "slot, so three tasks fill three slots)")

    checks = [
        ("every dbt task of both DAGs gets queued", all_ran),
        (f"at most {POOL_SLOTS} dbt tasks at once, counting both DAGs", at_most_three),
        (f"the {POOL_SLOTS} slots are used: {POOL_SLOTS} dbt tasks at once", three_used),
    ]
    return grade("dbt_task_settings", fn, checks, show=show)


# -- exercise 2 ----------------------------------------------------------------------------------------------


def _params_dag(params: dict[str, Any]) -> Any:
    import pendulum
    from airflow.sdk import DAG

    return DAG("ex_clinic_backfill", schedule=None, start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
               params=params)


def grade_backfill_params(fn: Callable[[], dict[str, Any]], *, show: bool = True) -> Grade:
    from sim.queueing import validate_conf

    def validated(conf: dict[str, Any]) -> dict[str, Any]:
        params = fn()
        if not isinstance(params, dict):
            raise Mismatch(f"expected a dict of Params, got {type(params).__name__}")
        return validate_conf(_params_dag(params), conf)

    def refused(conf: dict[str, Any], why: str) -> None:
        try:
            resolved = validated(conf)
        except Mismatch:
            raise
        except (ValueError, TypeError):
            return
        raise Mismatch(f"{conf} was accepted ({why}); validated to {resolved}")

    def accepted(_: Any) -> None:
        resolved = validated({"clinic_id": 42, "day": "2025-09-01", "full_refresh": True})
        expect({k: resolved.get(k) for k in ("clinic_id", "day", "full_refresh")},
               {"clinic_id": 42, "day": "2025-09-01", "full_refresh": True}, "the validated params")

    def defaults(_: Any) -> None:
        resolved = validated({"clinic_id": 7})
        expect((resolved.get("day"), resolved.get("full_refresh")), ("2025-09-30", False),
               "(day, full_refresh) when only clinic_id is given")

    def required(_: Any) -> None:
        refused({}, "clinic_id must be given: a Param without a default is required")
        refused({"day": "2025-09-01"}, "clinic_id must be given: a Param without a default is required")

    def clinic_range(_: Any) -> None:
        for bad in (0, 501, -3):
            refused({"clinic_id": bad}, "clinic_id runs from 1 to 500: minimum/maximum")
        for bad in ("12", 4.5, True):
            refused({"clinic_id": bad}, 'clinic_id is a whole number: type "integer"')

    def iso_day(_: Any) -> None:
        for bad in ("2025-09-31", "09/30/2025", "yesterday", "2025-9-1"):
            refused({"clinic_id": 1, "day": bad}, 'day must be a real ISO date: type "string", format "date"')

    def flag(_: Any) -> None:
        for bad in ("yes", 1, "false"):
            refused({"clinic_id": 1, "full_refresh": bad}, 'full_refresh is true or false: type "boolean"')

    checks = [
        ("a full, valid config is accepted as given", accepted),
        ("defaults: day 2025-09-30, full_refresh false", defaults),
        ("clinic_id is required", required),
        ("clinic_id: a whole number from 1 to 500", clinic_range),
        ("day: a real date, YYYY-MM-DD", iso_day),
        ("full_refresh: true or false only", flag),
    ]
    return grade("backfill_params", fn, checks, show=show)
