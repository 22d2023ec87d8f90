"""Hidden checks of partner_late_reload: a mapped task (not a loop, not a list made at parse time) in the
partner's pool; run on a hidden logical date, whose three days must land and be summed."""

from __future__ import annotations

from interview.dag_checks import (
    DagGrading, Mismatch, expect, expect_edges, expect_states, landed, served, task_of,
)

LOGICAL = "2025-09-20"
DAYS = ["2025-09-17", "2025-09-18", "2025-09-19"]


def check(solution):
    grading = DagGrading(solution, file="partner_late_reload.py")
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    seen: dict[str, list[str]] = {}  # what the run posted, for the next check
    with grading.world() as world:
        dag = grading.load("partner_late_reload")

        @grading.check("reload_day is mapped over what days_to_reload returns at run time")
        def _():
            expect_edges(dag, {("days_to_reload", "reload_day"), ("reload_day", "summarise")})
            if not isinstance(task_of(dag, "reload_day"), MappedOperator):
                raise Mismatch("reload_day is one task, not mapped: .expand(day=days_to_reload()) makes one "
                               "instance per day, decided when the run starts")

        @grading.check("reload_day takes partner_api pool slots and runs at most 2 at once")
        def _():
            reload = task_of(dag, "reload_day")
            expect((reload.pool, reload.max_active_tis_per_dag), ("partner_api", 2),
                   "reload_day's (pool, max_active_tis_per_dag)")

        @grading.check("a run reloads the 3 days before its logical date with one instance each")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(dag, LOGICAL)
            wanted = {f"reload_day[{n}]": "success" for n in range(3)}
            states = {"days_to_reload": "success", **wanted, "summarise": "success"}
            expect_states(summary, states, run="success")
            got = {day: landed(world, day) for day in DAYS}
            expect(got, {day: served(world, day) for day in DAYS}, "rows landed per day")
            mapped = [t.label for t in summary.tasks if t.task_id == "reload_day"]
            extra = sorted(label for label in mapped if label not in wanted)
            if extra:
                raise Mismatch(f"more instances than days: {extra}")
            seen["posted"] = world.slack.texts[before:]

        @grading.check("summarise posts the total of the three days")
        def _():
            total = sum(served(world, day) for day in DAYS)
            posted = seen.get("posted", [])
            if not any(f"{total} appointments reloaded" in text for text in posted):
                raise Mismatch(f"Slack got {posted}; expected '... {total} appointments reloaded'")

    return grading.results()
