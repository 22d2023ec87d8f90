"""The notebook 21 graders accept the reference answers and correct alternatives, and reject plausible wrong ones
for the reason they give: a per-DAG limit where a shared one is needed, a pool that does not exist, a task
that takes every slot; params that accept a default clinic, an impossible date or a string for a flag."""

from __future__ import annotations

import pytest

import sim
from exercises import resources as ex
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("ex_resources"))
    _ = world.airflow  # configure Airflow before anything imports it
    yield world
    sim.stop()


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_dbt_task_settings, ex.grade_backfill_params])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- dbt_task_settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [
    {"pool": "snowflake_warehouse"},
    {"pool": "snowflake_warehouse", "pool_slots": 1, "priority_weight": 5, "weight_rule": "absolute"},
    {"pool": "snowflake_warehouse", "max_active_tis_per_dag": 3},
])
def test_dbt_settings_accepts_the_reference_and_alternatives(settings):
    assert ex.grade_dbt_task_settings(ex.dbt_task_settings, show=False).passed
    g = ex.grade_dbt_task_settings(lambda: settings, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("settings, checks", [
    ({"max_active_tis_per_dag": 3}, ["at most 3", "the 3 slots"]),        # per DAG: 3 + 3
    ({"max_active_tis_per_dagrun": 3}, ["at most 3", "the 3 slots"]),     # per run: 3 + 3
    ({}, ["at most 3", "the 3 slots"]),                                   # nothing: all twenty at once
    ({"pool": "warehouse"}, ["every dbt task", "the 3 slots"]),           # a pool nobody created
    ({"pool": "snowflake_warehouse", "pool_slots": 2}, ["the 3 slots"]),  # one task at a time
    ({"pool": "snowflake_warehouse", "pool_slots": 4}, ["every dbt task", "the 3 slots"]),  # never fits
])
def test_dbt_settings_rejects_limits_that_do_not_protect_the_warehouse(settings, checks):
    g = ex.grade_dbt_task_settings(lambda: settings, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_dbt_settings_names_the_shared_limit_in_its_message():
    g = ex.grade_dbt_task_settings(lambda: {"max_active_tis_per_dag": 3}, show=False)
    assert any("only a pool is shared" in line for line in g.lines), g.lines


def test_dbt_settings_refuses_what_is_not_a_dict():
    g = ex.grade_dbt_task_settings(lambda: "snowflake_warehouse", show=False)
    assert g.status == "failed" and "expected a dict" in g.lines[0]


# -- backfill_params -----------------------------------------------------------------------------------------


def params_enum_and_pattern():
    """Alternatives: an enum of clinic ids, exclusiveMaximum, a date format plus a description."""
    from airflow.sdk import Param
    return {"clinic_id": Param(type="integer", enum=list(range(1, 501))),
            "day": Param("2025-09-30", type="string", format="date", description="YYYY-MM-DD"),
            "full_refresh": Param(False, type="boolean")}


def params_exclusive_bounds():
    from airflow.sdk import Param
    return {"clinic_id": Param(type="integer", exclusiveMinimum=0, exclusiveMaximum=501),
            "day": Param(default="2025-09-30", type="string", format="date"),
            "full_refresh": Param(default=False, type="boolean", description="rebuild everything")}


def params_with_default_clinic():
    from airflow.sdk import Param
    return {"clinic_id": Param(1, type="integer", minimum=1, maximum=500),
            "day": Param("2025-09-30", type="string", format="date"),
            "full_refresh": Param(False, type="boolean")}


def params_day_by_pattern():
    """A regex accepts 2025-09-31."""
    from airflow.sdk import Param
    return {"clinic_id": Param(type="integer", minimum=1, maximum=500),
            "day": Param("2025-09-30", type="string", pattern=r"^\d{4}-\d{2}-\d{2}$"),
            "full_refresh": Param(False, type="boolean")}


def params_plain_values():
    """Plain defaults: no schema at all."""
    return {"clinic_id": 1, "day": "2025-09-30", "full_refresh": False}


def params_number_and_string_flag():
    from airflow.sdk import Param
    return {"clinic_id": Param(type="number", minimum=1, maximum=500),
            "day": Param("2025-09-30", type="string", format="date"),
            "full_refresh": Param(False, type=["boolean", "string"])}


@pytest.mark.parametrize("fn", [ex.backfill_params, params_enum_and_pattern, params_exclusive_bounds])
def test_params_accepts_the_reference_and_alternatives(fn):
    g = ex.grade_backfill_params(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (params_with_default_clinic, ["clinic_id is required"]),
    (params_day_by_pattern, ["day: a real date"]),
    (params_plain_values, ["clinic_id is required", "clinic_id: a whole", "day: a real", "full_refresh"]),
    (params_number_and_string_flag, ["clinic_id: a whole", "full_refresh"]),
])
def test_params_rejects_schemas_that_let_bad_configs_through(fn, checks):
    g = ex.grade_backfill_params(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
