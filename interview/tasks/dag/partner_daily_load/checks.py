"""Hidden checks of partner_daily_load: parsed like the scheduler, then run on a clean day (twice) and on a
day whose feed serves appointments without a client_id."""

from __future__ import annotations

from interview.dag_checks import (
    DagGrading, Mismatch, expect, expect_edges, expect_runs, expect_states, landed, served,
)

CLEAN, DEFECTIVE = "2025-09-10", "2025-09-21"  # the days processed; each run's logical date is the day after
LOGICAL = {"2025-09-10": "2025-09-11", "2025-09-21": "2025-09-22"}




def check(solution):
    grading = DagGrading(solution, file="partner_daily.py")
    with grading.world() as world:
        dag = grading.load("partner_daily_load")

        @grading.check("runs daily at 02:00 UTC with catch-up off")
        def _():
            expect_runs(dag, after="2025-10-01",
                        times=["2025-10-01 02:00", "2025-10-02 02:00", "2025-10-03 02:00"])
            if dag.catchup:
                raise Mismatch("catchup=True: unpausing the DAG (or a scheduler outage) creates a run for every "
                               "missed day since start_date; a backfill does not need it")

        @grading.check("extract_and_land >> check_day with 2 retries each")
        def _():
            expect_edges(dag, {("extract_and_land", "check_day")})
            retries = {t.task_id: t.retries for t in dag.tasks}
            expect(retries, {"extract_and_land": 2, "check_day": 2}, "retries")

        @grading.check("a clean day: the day before the logical date lands whole and once even when rerun")
        def _():
            for _attempt in range(2):
                summary = grading.run(dag, LOGICAL[CLEAN])
                expect_states(summary, {"extract_and_land": "success", "check_day": "success"}, run="success")
            got, wanted = landed(world, CLEAN), served(world, CLEAN)
            if got != wanted:
                other = world.warehouse.query(
                    "SELECT MIN(LOAD_DATE) FROM RAW.STAGING.PARTNER_APPOINTMENTS")[0][0]
                raise Mismatch(f"after two runs at logical date {LOGICAL[CLEAN]}, {got} rows for {CLEAN} "
                               f"(the partner has {wanted})" + (f"; rows were landed for {other}" if other and
                                                                not got else ""))

        @grading.check("a day with appointments lacking client_id: check_day fails it after landing")
        def _():
            world.damage_partner_feed(DEFECTIVE, null_client_id=0.2)
            summary = grading.run(dag, LOGICAL[DEFECTIVE])
            expect_states(summary, {"extract_and_land": "success", "check_day": "failed"}, run="failed")
            expect(summary["check_day"].tries, 1, "tries of check_day (bad data fails at once: retrying cannot "
                                                  "change the answer, so raise AirflowFailException)")

    return grading.results()
