"""The notebook 16 graders accept the reference answers and correct alternatives, and reject plausible wrong
answers for the documented reason."""

from __future__ import annotations

import pytest

from exercises import history as ex
from exercises.grading import failed_exactly


def not_attempted(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_point_in_time_sql, ex.grade_scd2_sql])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- point in time -------------------------------------------------------------------------------------------


def pit_coalesce():
    """Correct: the open end replaced by a far-future timestamp, as dim_clients does."""
    return """
        select a.APPOINTMENT_ID, s.STATE from appointments a
        left join clients_snapshot s on s.CLIENT_ID = a.CLIENT_ID
         and a.APPOINTMENT_TS >= s.dbt_valid_from
         and a.APPOINTMENT_TS < coalesce(s.dbt_valid_to, timestamp '9999-12-31')
    """


def pit_asof():
    """Correct: DuckDB's ASOF LEFT JOIN picks the latest version started by then; the end is checked after."""
    return """
        select a.APPOINTMENT_ID,
               case when s.dbt_valid_to is null or a.APPOINTMENT_TS < s.dbt_valid_to then s.STATE end as STATE
        from appointments a
        asof left join clients_snapshot s
          on s.CLIENT_ID = a.CLIENT_ID and a.APPOINTMENT_TS >= s.dbt_valid_from
    """


def pit_between():
    """Wrong: BETWEEN includes both ends, so the moment of the move matches the old and the new version."""
    return """
        select a.APPOINTMENT_ID, s.STATE from appointments a
        left join clients_snapshot s on s.CLIENT_ID = a.CLIENT_ID
         and a.APPOINTMENT_TS between s.dbt_valid_from and coalesce(s.dbt_valid_to, timestamp '9999-12-31')
    """


def pit_current_only():
    """Wrong: the current version for every appointment (a type-1 join)."""
    return """
        select a.APPOINTMENT_ID, s.STATE from appointments a
        left join clients_snapshot s on s.CLIENT_ID = a.CLIENT_ID and s.dbt_valid_to is null
    """


def pit_inner():
    """Wrong: an inner join drops the appointments no version covers."""
    return ex.point_in_time_sql().replace("left join", "join")


def pit_null_end_forgotten():
    """Wrong: `ts < dbt_valid_to` is NULL for the current version, so nothing after the last change matches."""
    return """
        select a.APPOINTMENT_ID, s.STATE from appointments a
        left join clients_snapshot s on s.CLIENT_ID = a.CLIENT_ID
         and a.APPOINTMENT_TS >= s.dbt_valid_from and a.APPOINTMENT_TS < s.dbt_valid_to
    """


@pytest.mark.parametrize("fn", [ex.point_in_time_sql, pit_coalesce, pit_asof])
def test_point_in_time_accepts_correct_answers(fn):
    result = ex.grade_point_in_time_sql(fn, show=False)
    assert result.passed, result.lines


@pytest.mark.parametrize("fn, failing", [
    (pit_between, ("exactly at the move", "one row per appointment")),
    (pit_current_only, ("before the move", "a deleted client, while", "before the first version",
                        "one row per appointment")),
    (pit_inner, ("after the client was deleted", "before the first version", "one row per appointment")),
    (pit_null_end_forgotten, ("exactly at the move", "after the move", "one row per appointment")),
])
def test_point_in_time_rejects_wrong_answers_for_the_right_reason(fn, failing):
    result = ex.grade_point_in_time_sql(fn, show=False)
    assert failed_exactly(result, *failing), result.lines


# -- SCD2 from a change log ----------------------------------------------------------------------------------


def scd2_islands():
    """Correct: gaps-and-islands, a running count of real changes numbers the versions."""
    return """
        with flagged as (
            select *, case when STATE is distinct from lag(STATE) over (partition by CLIENT_ID order by UPDATED_AT)
                           then 1 else 0 end as is_change
            from client_updates
        ), numbered as (
            select *, sum(is_change) over (partition by CLIENT_ID order by UPDATED_AT) as version
            from flagged
        ), versions as (
            select CLIENT_ID, version, any_value(STATE) as STATE, min(UPDATED_AT) as VALID_FROM
            from numbered group by CLIENT_ID, version
        )
        select CLIENT_ID, STATE, VALID_FROM,
               lead(VALID_FROM) over (partition by CLIENT_ID order by VALID_FROM) as VALID_TO
        from versions
    """


def scd2_qualify():
    """Correct: QUALIFY (Snowflake and DuckDB) instead of a CTE for the no-op filter."""
    return """
        with changes as (
            select CLIENT_ID, STATE, UPDATED_AT from client_updates
            qualify STATE is distinct from lag(STATE) over (partition by CLIENT_ID order by UPDATED_AT)
        )
        select CLIENT_ID, STATE, UPDATED_AT as VALID_FROM,
               lead(UPDATED_AT) over (partition by CLIENT_ID order by UPDATED_AT) as VALID_TO
        from changes
    """


def scd2_keeps_no_ops():
    """Wrong: every update becomes a version, including the re-save that changed nothing."""
    return """
        select CLIENT_ID, STATE, UPDATED_AT as VALID_FROM,
               lead(UPDATED_AT) over (partition by CLIENT_ID order by UPDATED_AT) as VALID_TO
        from client_updates
    """


def scd2_group_by_state():
    """Wrong: one version per (client, state): moving back to CA merges with the first CA version."""
    return """
        with v as (select CLIENT_ID, STATE, min(UPDATED_AT) as VALID_FROM from client_updates group by 1, 2)
        select CLIENT_ID, STATE, VALID_FROM,
               lead(VALID_FROM) over (partition by CLIENT_ID order by VALID_FROM) as VALID_TO
        from v
    """


def scd2_minus_a_second():
    """Wrong: closed intervals (VALID_TO one second before the next version): gaps a moment can fall into."""
    return ex.scd2_sql().replace(
        "lead(UPDATED_AT) over (partition by CLIENT_ID order by UPDATED_AT) as VALID_TO",
        "lead(UPDATED_AT) over (partition by CLIENT_ID order by UPDATED_AT) - interval 1 second as VALID_TO")


def scd2_no_partition():
    """Wrong: lead() over all clients: a version ends when another client's begins."""
    return ex.scd2_sql().replace("lead(UPDATED_AT) over (partition by CLIENT_ID order by UPDATED_AT)",
                                 "lead(UPDATED_AT) over (order by CLIENT_ID, UPDATED_AT)")


@pytest.mark.parametrize("fn", [ex.scd2_sql, scd2_islands, scd2_qualify])
def test_scd2_accepts_correct_answers(fn):
    result = ex.grade_scd2_sql(fn, show=False)
    assert result.passed, result.lines


@pytest.mark.parametrize("fn, failing", [
    (scd2_keeps_no_ops, ("one version per real change", "moving back", "every version")),
    (scd2_group_by_state, ("one version per real change", "moving back", "every version")),
    (scd2_minus_a_second, ("a version ends where the next begins", "every version")),
    (scd2_no_partition, ("the current version is open", "every version")),
])
def test_scd2_rejects_wrong_answers_for_the_right_reason(fn, failing):
    result = ex.grade_scd2_sql(fn, show=False)
    assert failed_exactly(result, *failing), result.lines
