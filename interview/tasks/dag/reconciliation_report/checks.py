"""Hidden checks of revenue_reconciliation_daily: the trigger rule read from the parsed DAG; a day that
matches and a day with payments missing from the warehouse (the report must post, and the run must stay
red)."""

from __future__ import annotations

from interview.dag_checks import DagGrading, Mismatch, expect_edges, expect_states, task_of

MATCHING, MISSING = "2025-09-12", "2025-09-18"  # days reconciled; each run's logical date is the day after
LOGICAL = {MATCHING: "2025-09-13", MISSING: "2025-09-19"}


def check(solution):
    grading = DagGrading(solution, file="revenue_reconciliation.py")
    with grading.world(defects={"missing_payment": 2}, defect_day=MISSING) as world:
        dag = grading.load("revenue_reconciliation_daily")

        def posted_about(day: str, verdict: str, since: int) -> None:
            texts = world.slack.texts[since:]
            if not any(day in text and verdict in text for text in texts):
                raise Mismatch(f"Slack got {texts}; expected a report for {day} that says {verdict!r}")

        @grading.check("reconcile >> report and report runs all_done")
        def _():
            expect_edges(dag, {("reconcile", "report")}, more_allowed=True)  # e.g. a task that fails the run
            rule = getattr(task_of(dag, "report").trigger_rule, "value", task_of(dag, "report").trigger_rule)
            if rule != "all_done":
                raise Mismatch(f"report's trigger_rule is {rule}: it must run whether reconcile passed or "
                               "failed (all_done)")

        @grading.check("a matching day: both tasks succeed and report posts that it passed")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(dag, LOGICAL[MATCHING])
            expect_states(summary, {"reconcile": "success", "report": "success"}, run="success")
            posted_about(MATCHING, "passed", before)

        @grading.check("a day with missing payments: report still posts the failure and the run ends failed")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(dag, LOGICAL[MISSING])
            posted_about(MISSING, "FAILED", before)
            expect_states(summary, {"reconcile": "failed"}, run="failed")

    return grading.results()
