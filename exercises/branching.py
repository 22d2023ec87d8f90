"""Exercises of notebook 05 (branching): the graders, and reference answers to read after trying.

1. ``choose_branch(count, threshold)``: the branch callable of a DAG whose dbt steps sit in a task group.
2. ``ALERT_TRIGGER_RULE``: the trigger rule of a ``page_on_call`` task after both branches that must run
   exactly when a branch failed, graded by a real DAG run on the sim (four branch scenarios in one run), so
   the verdict is Airflow's own.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade

# -- reference answers ---------------------------------------------------------------------------------------


def choose_branch(count: int, threshold: int) -> str:
    """No rows: alert instead of building; more than ``threshold``: full refresh; else incremental.
    The dbt tasks live in the task group ``dbt``, so their task_ids carry the group's prefix."""
    if count == 0:
        return "alert_empty_load"
    return "dbt.run_full_refresh" if count > threshold else "dbt.run_incremental"


ALERT_TRIGGER_RULE = "one_failed"

# -- exercise 1: choose_branch -------------------------------------------------------------------------------


@cache
def exercise_dag() -> Any:
    """The DAG ``choose_branch`` is written for (built in memory, never scheduled): a branch, an alert task,
    and a task group ``dbt`` holding the two dbt steps, then ``report``."""
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG, TaskGroup

    with DAG("exercise_choose_branch", schedule=None, start_date=dt.datetime(2025, 9, 1)) as dag:
        branch = EmptyOperator(task_id="check_volume")
        alert = EmptyOperator(task_id="alert_empty_load")
        with TaskGroup("dbt") as dbt:
            EmptyOperator(task_id="run_full_refresh")
            EmptyOperator(task_id="run_incremental")
        branch >> [alert, dbt]
    return dag


def _valid(result: Any) -> list[str]:
    """The task ids a branch result follows, checked the way Airflow checks them."""
    ids = [result] if isinstance(result, str) else list(result) if isinstance(result, list | tuple) else None
    if not ids:
        raise Mismatch(f"a branch callable returns a task_id (or a list of them), got {result!r}")
    unknown = sorted(set(ids) - set(exercise_dag().task_ids) - set(exercise_dag().task_group_dict))
    if unknown:
        raise Mismatch(f"Airflow would fail the branch task: 'branch_task_ids' must contain only valid task_ids. "
                       f"Invalid tasks found: {set(unknown)} (task_ids in a group start with 'dbt.')")
    return ids


def grade_choose_branch(fn: Callable[[int, int], Any], *, show: bool = True) -> Grade:
    def picks(count: int, threshold: int, wanted: str) -> None:
        expect(_valid(fn(count, threshold)), [wanted], f"choose_branch({count}, {threshold}) follows")

    checks = [
        ("a normal day runs the incremental build", lambda f: picks(61, 100_000, "dbt.run_incremental")),
        ("above the threshold runs the full refresh", lambda f: picks(150_000, 100_000, "dbt.run_full_refresh")),
        ("exactly the threshold is not above it", lambda f: picks(100_000, 100_000, "dbt.run_incremental")),
        ("an empty load alerts instead of building", lambda f: picks(0, 100_000, "alert_empty_load")),
        ("a threshold of 0 sends any rows to the full refresh", lambda f: picks(1, 0, "dbt.run_full_refresh")),
    ]
    return grade("choose_branch", fn, checks, show=show)


# -- exercise 2: the trigger rule of an alert task -----------------------------------------------------------

# scenario -> (branches followed, branches that fail)
SCENARIOS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "one_branch_ran": (("a",), ()),
    "taken_branch_failed": (("a",), ("a",)),
    "nothing_followed": ((), ()),
    "both_followed_one_failed": (("a", "b"), ("b",)),
}
MEANING = {
    "one_branch_ran": "one branch ran and succeeded, the other was skipped",
    "taken_branch_failed": "the branch taken failed",
    "nothing_followed": "the branch followed nothing (both skipped)",
    "both_followed_one_failed": "both branches ran and one failed",
}
# what a join after both branches must do, and what an alert task after both branches must do
JOIN_EXPECTED = {"one_branch_ran": "success", "taken_branch_failed": "upstream_failed",
                 "nothing_followed": "skipped", "both_followed_one_failed": "upstream_failed"}
ALERT_EXPECTED = {"one_branch_ran": "skipped", "taken_branch_failed": "success",
                  "nothing_followed": "skipped", "both_followed_one_failed": "success"}
SCENARIO_DAG_ID = "trigger_rule_scenarios"


def scenario_dag_source(rules: list[str]) -> str:
    """One DAG: per scenario a branch, two branches ``a`` and ``b``, and after both one task per rule
    (``<scenario>.<rule>``) with that trigger rule."""
    scenarios = {name: (list(follow), list(fail)) for name, (follow, fail) in SCENARIOS.items()}
    return textwrap.dedent(f'''\
        """Branch scenarios x trigger rules: what a task after both branches does under each rule."""
        import datetime as dt

        from airflow.sdk import dag, task

        SCENARIOS = {scenarios!r}
        RULES = {list(rules)!r}


        @dag(dag_id={SCENARIO_DAG_ID!r}, schedule=None, start_date=dt.datetime(2025, 9, 1), catchup=False,
             default_args={{"owner": "kit", "retries": 0}}, tags=["exercise"])
        def trigger_rule_scenarios():
            for name, (follow, fail) in SCENARIOS.items():
                @task.branch(task_id=f"{{name}}.branch")
                def branch(follow=follow, name=name):
                    return [f"{{name}}.{{b}}" for b in follow]

                def step(b, fails):
                    @task(task_id=f"{{name}}.{{b}}")
                    def run():
                        if fails:
                            raise RuntimeError(f"{{b}} failed")
                    return run()

                def after(rule):
                    @task(task_id=f"{{name}}.{{rule}}", trigger_rule=rule)
                    def run():
                        pass
                    return run()

                branches = [step("a", "a" in fail), step("b", "b" in fail)]
                branch() >> branches
                for rule in RULES:
                    branches >> after(rule)


        dag_object = trigger_rule_scenarios()
        ''')


def run_trigger_rules(rules: list[str]) -> dict[str, dict[str, str]]:
    """Run every scenario with a task per rule after both branches, on the sim, in one DAG run;
    return rule -> scenario -> that task's state."""
    import sim

    world = sim.current()
    path = Path(world.run_dir) / f"{SCENARIO_DAG_ID}.py"
    path.write_text(scenario_dag_source(rules))
    summary = world.run_dag(str(path), "2025-10-01")
    return {rule: {name: summary.states[f"{name}.{rule}"] for name in SCENARIOS} for rule in rules}


def _trigger_rules() -> set[str]:
    from airflow.sdk import TriggerRule

    return {rule.value for rule in TriggerRule}


def grade_alert_trigger_rule(rule: Any, *, show: bool = True) -> Grade:
    states: dict[str, str] = {}

    def first(_: Any) -> None:
        if rule is None:
            raise NotImplementedError
        if not isinstance(rule, str) or rule not in _trigger_rules():
            raise Mismatch(f"{rule!r} is not a trigger rule; Airflow's are: {', '.join(sorted(_trigger_rules()))}")
        name = str(getattr(rule, "value", rule))  # TriggerRule.ONE_FAILED is as good as "one_failed"
        states.update(run_trigger_rules([name])[name])
        check("one_branch_ran")

    def check(name: str) -> None:
        if not states:
            raise Mismatch("not run: the rule was refused above")
        expect(states[name], ALERT_EXPECTED[name], "page_on_call's state")

    def label(name: str) -> str:
        return f"{MEANING[name]}: page_on_call {'runs' if ALERT_EXPECTED[name] == 'success' else 'does not run'}"

    checks = [(label("one_branch_ran"), first)] + [
        (label(name), lambda _, name=name: check(name)) for name in list(SCENARIOS)[1:]
    ]
    return grade("ALERT_TRIGGER_RULE", rule, checks, show=show)
