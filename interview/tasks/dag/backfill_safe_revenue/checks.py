"""Hidden checks of daily_revenue: the intervals its timetable plans (as the scheduler computes them), then
runs for two dates and a rerun; the table must hold each interval's own day, once."""

from __future__ import annotations

import datetime as dt

from interview.dag_checks import DagGrading, Mismatch, expect_states
from solutions.dag_inspect import next_runs

RUNS = {"2025-09-11": "2025-09-10", "2025-09-15": "2025-09-14"}  # run at (dag.test, a manual run) -> its day


def revenue(world, day: str):
    return world.warehouse.query(
        "SELECT COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(12, 2)), 0), COUNT(*) FROM ANALYTICS.MARTS.FCT_PAYMENTS "
        "WHERE PAYMENT_DATE = %s", (day,))[0]


def rows(world) -> list[tuple]:
    try:
        return world.warehouse.query("SELECT REVENUE_DATE::VARCHAR, REVENUE, PAYMENTS "
                                     "FROM ANALYTICS.MARTS.DAILY_REVENUE ORDER BY 1")
    except Exception as error:
        if "does not exist" in str(error):
            return []
        raise


def check(solution):
    grading = DagGrading(solution, file="daily_revenue.py")
    with grading.world() as world:
        dag = grading.load("daily_revenue")

        @grading.check("each run covers one whole day from midnight to midnight UTC")
        def _():
            planned = next_runs(dag, "2025-09-06", 2)
            if not planned:
                raise Mismatch("the scheduler would never run it: its schedule is None")
            got = [(r.data_interval_start.isoformat(), r.data_interval_end.isoformat()) for r in planned]
            midnight, day = dt.datetime(2025, 9, 5, tzinfo=dt.timezone.utc), dt.timedelta(days=1)
            wanted = [((midnight + n * day).isoformat(), (midnight + (n + 1) * day).isoformat())
                      for n in range(2)]
            if got != wanted:
                raise Mismatch(f"the next runs' data intervals are {got}; expected whole days {wanted}. "
                               "A cron string gives a CronTriggerTimetable on Airflow 3: its interval is one "
                               "point in time")

        @grading.check("runs for two dates each write the revenue of their own interval's day")
        def _():
            for when in RUNS:
                expect_states(grading.run(dag, when), {"compute_day": "success"}, run="success")
            got = {day: amount for day, amount, _ in rows(world)}
            wanted = {day: revenue(world, day)[0] for day in RUNS.values()}
            if {day: got.get(day) for day in wanted} != wanted:
                raise Mismatch(f"DAILY_REVENUE holds {sorted(got.items())}; runs at {list(RUNS)} (data "
                               f"intervals ending there) should have written {sorted(wanted.items())}")

        @grading.check("a rerun leaves one row per day")
        def _():
            first = next(iter(RUNS))
            expect_states(grading.run(dag, first), {"compute_day": "success"}, run="success")
            days = [day for day, _, _ in rows(world)]
            twice = sorted({day for day in days if days.count(day) > 1})
            if not days or twice:
                found = f"days with several rows: {twice}" if twice else "DAILY_REVENUE is empty"
                raise Mismatch(f"after rerunning {first}: {found}")

    return grading.results()
