"""Hidden checks of partner_alerting_load: callbacks and retries read from the parsed DAG; a clean day (no
alert) and a day the partner serves nothing, which fails for good after its retries (exactly one alert,
that says what failed, when and why)."""

from __future__ import annotations

import re

from interview.dag_checks import DagGrading, Mismatch, expect, expect_edges, expect_states

CLEAN, FAILING = "2025-09-13", "2025-10-08"  # logical dates; the partner has nothing for 2025-10-07
DAG_ID = "partner_alerting_load"


def check(solution):
    grading = DagGrading(solution, file="partner_alerts.py")
    seen: dict[str, list[str]] = {}
    with grading.world() as world:
        dag = grading.load(DAG_ID)

        @grading.check("extract_and_land >> report with 2 retries and an on_failure_callback on every task")
        def _():
            expect_edges(dag, {("extract_and_land", "report")})
            for t in dag.tasks:
                expect(t.retries, 2, f"{t.task_id}'s retries")
                if not t.on_failure_callback:
                    raise Mismatch(f"{t.task_id} has no on_failure_callback (default_args is the place for "
                                   "one every task shares)")

        @grading.check("a clean day posts nothing")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(dag, CLEAN)
            expect_states(summary, {"extract_and_land": "success", "report": "success"}, run="success")
            expect(world.slack.texts[before:], [], "Slack messages on a clean day")

        @grading.check("a day that fails for good posts exactly one alert")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(dag, FAILING)
            expect_states(summary, {"extract_and_land": "failed", "report": "upstream_failed"}, run="failed")
            seen["posted"] = world.slack.texts[before:]
            expect(summary["extract_and_land"].tries, 3, "tries of extract_and_land (1 + 2 retries)")
            posted = seen["posted"]
            expect(len(posted), 1, f"Slack messages for one task failing for good (got {posted})")

        @grading.check("the alert names the DAG and the task and the logical date and the try and the error")
        def _():
            text = (seen.get("posted") or [""])[-1]
            wanted = {"the DAG id": DAG_ID, "the task id": "extract_and_land", "the logical date": FAILING,
                      "the error": "returned no appointments"}
            missing = [what for what, part in wanted.items() if part not in text]
            if not re.search(r"\b3\b", text):
                missing.append("the try number (3: the last of 1 + 2 retries)")
            if missing:
                raise Mismatch(f"the alert {text!r} does not name {', '.join(missing)}")

    return grading.results()
