"""The notebook 05 graders accept the reference answers and reject broken ones, the syllabus's bare task ids and
its implicit trigger rule (``all_success``) among them. The trigger-rule grader runs a real DAG on the sim."""

from __future__ import annotations

import pytest

from exercises import branching as ex
from exercises.grading import failed_exactly



@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world()


def not_attempted(*args):
    raise NotImplementedError


# -- choose_branch -------------------------------------------------------------------------------------------


def choose_syllabus(count, threshold):
    """The syllabus's decision: bare task ids, no empty-load case."""
    if count > threshold:
        return 'run_full_refresh'
    else:
        return 'run_incremental'


def choose_at_or_above(count, threshold):
    if count == 0:
        return "alert_empty_load"
    return "dbt.run_full_refresh" if count >= threshold else "dbt.run_incremental"


def choose_without_alert(count, threshold):
    return "dbt.run_full_refresh" if count > threshold else "dbt.run_incremental"


def choose_group_id(count, threshold):
    """Follows the whole group: valid for Airflow (a group id expands to its first tasks), but runs both builds."""
    return "alert_empty_load" if count == 0 else "dbt"


def test_choose_branch_accepts_the_reference():
    assert ex.grade_choose_branch(ex.choose_branch, show=False).passed
    assert ex.grade_choose_branch(lambda c, t: [ex.choose_branch(c, t)], show=False).passed  # a list is fine


def test_choose_branch_not_attempted():
    assert ex.grade_choose_branch(not_attempted, show=False).status == "not attempted"


@pytest.mark.parametrize("fn, checks", [
    (choose_syllabus, ["a normal day", "above the threshold", "exactly the threshold", "an empty load",
                       "a threshold of 0"]),
    (choose_at_or_above, ["exactly the threshold"]),
    (choose_without_alert, ["an empty load"]),
    (choose_group_id, ["a normal day", "above the threshold", "exactly the threshold", "a threshold of 0"]),
])
def test_choose_branch_rejects_broken_versions(fn, checks):
    g = ex.grade_choose_branch(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_choose_branch_quotes_airflows_invalid_task_id_error():
    lines = ex.grade_choose_branch(choose_syllabus, show=False).lines
    assert "'branch_task_ids' must contain only valid task_ids. Invalid tasks found: {'run_incremental'}" in lines[0]


def test_the_exercise_dag_names_grouped_tasks_with_the_prefix():
    assert sorted(ex.exercise_dag().task_ids) == ["alert_empty_load", "check_volume", "dbt.run_full_refresh",
                                                 "dbt.run_incremental"]


# -- trigger rules on real runs ------------------------------------------------------------------------------


def test_only_none_failed_min_one_success_is_right_for_a_join():
    """The table notebook 05 shows, pinned down: each wrong rule fails a different situation."""
    rules = ["all_success", "all_done", "none_failed", "one_success", "none_failed_min_one_success"]
    states = ex.run_trigger_rules(rules)
    assert states["none_failed_min_one_success"] == ex.JOIN_EXPECTED
    wrong = {rule: sorted(s for s in ex.SCENARIOS if states[rule][s] != ex.JOIN_EXPECTED[s]) for rule in rules}
    assert wrong == {
        "all_success": ["one_branch_ran", "taken_branch_failed"],
        "all_done": ["both_followed_one_failed", "nothing_followed", "taken_branch_failed"],
        "none_failed": ["nothing_followed"],
        "one_success": ["both_followed_one_failed"],
        "none_failed_min_one_success": [],
    }


def test_alert_rule_accepts_the_reference():
    assert ex.grade_alert_trigger_rule(ex.ALERT_TRIGGER_RULE, show=False).passed


def test_alert_rule_not_attempted_runs_nothing(world):
    before = len(world.airflow.dag_ids())
    assert ex.grade_alert_trigger_rule(None, show=False).status == "not attempted"
    assert len(world.airflow.dag_ids()) == before


@pytest.mark.parametrize("rule, checks", [
    ("all_success", ["the branch taken failed", "both branches ran and one failed"]),  # the default
    ("all_failed", ["the branch taken failed", "both branches ran and one failed"]),
    ("all_done", ["one branch ran", "the branch followed nothing"]),
    ("none_failed_min_one_success", ["one branch ran", "the branch taken failed", "both branches ran"]),
])
def test_alert_rule_rejects_wrong_rules(rule, checks):
    g = ex.grade_alert_trigger_rule(rule, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_alert_rule_refuses_a_name_that_is_not_a_rule():
    g = ex.grade_alert_trigger_rule("on_failure", show=False)
    assert g.status == "failed"
    assert "'on_failure' is not a trigger rule; Airflow's are: all_done," in g.lines[0]


# -- correct alternatives ------------------------------------------------------------------------------------


def choose_as_list(count, threshold):
    """A branch callable may return a list of task ids."""
    if not count:
        return ["alert_empty_load"]
    return ["dbt.run_incremental"] if count <= threshold else ["dbt.run_full_refresh"]


def choose_by_table(count, threshold):
    """A lookup keyed by the comparison; the group prefix joined on."""
    group = "dbt"
    step = {True: "run_full_refresh", False: "run_incremental"}[count > threshold]
    return "alert_empty_load" if count == 0 else f"{group}.{step}"


@pytest.mark.parametrize("fn", [choose_as_list, choose_by_table])
def test_choose_branch_accepts_correct_alternatives(fn):
    g = ex.grade_choose_branch(fn, show=False)
    assert g.passed, g.lines


def test_alert_rule_accepts_the_enum_member():
    from airflow.sdk import TriggerRule

    g = ex.grade_alert_trigger_rule(TriggerRule.ONE_FAILED, show=False)
    assert g.passed, g.lines
