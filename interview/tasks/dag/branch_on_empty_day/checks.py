"""Hidden checks of partner_branch_load: a branch, and a report whose trigger rule survives the branch not
taken; run on a day with appointments and on a day the partner has none."""

from __future__ import annotations

from interview.dag_checks import (
    DagGrading, Mismatch, expect, expect_edges, expect_states, landed, served, task_of,
)

BUSY, EMPTY = "2025-09-10", "2025-10-05"  # the days processed (the sim's data ends on 2025-09-30)
LOGICAL = {BUSY: "2025-09-11", EMPTY: "2025-10-06"}


def check(solution):
    grading = DagGrading(solution, file="partner_branch.py")
    from airflow.sdk import BranchMixIn

    with grading.world() as world:
        dag = grading.load("partner_branch_load")

        @grading.check("count_day branches to load_day or skip_load and both lead to report")
        def _():
            expect_edges(dag, {("count_day", "load_day"), ("count_day", "skip_load"), ("load_day", "report"),
                               ("skip_load", "report")})
            if not isinstance(task_of(dag, "count_day"), BranchMixIn):
                raise Mismatch(f"count_day is a {type(task_of(dag, 'count_day')).__name__}, not a branch "
                               "(@task.branch or BranchPythonOperator)")

        def posted(since: int) -> list[str]:
            return world.slack.texts[since:]

        @grading.check("a day with appointments: load_day runs and report posts the count")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(dag, LOGICAL[BUSY])
            expect_states(summary, {"count_day": "success", "load_day": "success", "skip_load": "skipped",
                                    "report": "success"}, run="success")
            expect(landed(world, BUSY), served(world, BUSY), f"rows landed for {BUSY}")
            wanted = f"{BUSY}: {served(world, BUSY)} appointments loaded"
            if not any(wanted in text for text in posted(before)):
                raise Mismatch(f"Slack got {posted(before)}; expected a message with {wanted!r}")

        @grading.check("an empty day: the load is skipped and report still posts 0 appointments")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(dag, LOGICAL[EMPTY])
            expect_states(summary, {"count_day": "success", "load_day": "skipped", "skip_load": "success",
                                    "report": "success"}, run="success")
            wanted = f"{EMPTY}: 0 appointments loaded"
            if not any(wanted in text for text in posted(before)):
                raise Mismatch(f"Slack got {posted(before)}; expected a message with {wanted!r}")

    return grading.results()
