"""The notebook 15 graders accept the reference answers and correct alternatives, and reject plausible wrong
answers for the documented reason."""

from __future__ import annotations

import pytest

from exercises import incremental as ex
from exercises.grading import failed_exactly


def not_attempted(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_apply_changes, ex.grade_batch_sql])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- apply_changes -------------------------------------------------------------------------------------------


def newest_per_key_first(table, batch):
    """Correct: keep the newest record per key of the batch, then compare with the table once."""
    newest = {}
    for r in batch:
        key = r["appointment_id"]
        if key not in newest or r["updated_at"] >= newest[key]["updated_at"]:
            newest[key] = r
    out = dict(table)
    for key, r in newest.items():
        if key in out and out[key]["updated_at"] > r["updated_at"]:
            continue
        if r["deleted"]:
            out.pop(key, None)
        else:
            out[key] = r
    return out


def with_pandas(table, batch):
    """Correct: pandas, concatenate, sort, keep the last per key, drop tombstones."""
    import pandas as pd

    rows = [*table.values(), *batch]
    if not rows:
        return {}
    frame = pd.DataFrame(rows).sort_values("updated_at", kind="stable")
    last = frame.drop_duplicates("appointment_id", keep="last")
    last = last[~last["deleted"].astype(bool)]
    records = {}
    for r in last.to_dict("records"):
        records[int(r["appointment_id"])] = {k: v for k, v in r.items() if not (isinstance(v, float) and v != v)}
    # pandas widens the dicts; keep each record as it arrived
    originals = {}
    for r in rows:
        originals[(r["appointment_id"], r["updated_at"], r["deleted"])] = r
    return {k: originals[(k, r["updated_at"], False)] for k, r in records.items()}


def last_write_wins(table, batch):
    """Wrong: a dict update, in arrival order, no timestamps: a late older version overwrites the newer."""
    out = dict(table)
    for r in batch:
        if r["deleted"]:
            out.pop(r["appointment_id"], None)
        else:
            out[r["appointment_id"]] = r
    return out


def ignores_tombstones(table, batch):
    """Wrong: deleted records are skipped, so deletes never reach the table."""
    return ex.apply_changes(table, [r for r in batch if not r["deleted"]])


def mutates_input(table, batch):
    """Wrong: right answer, but built in the caller's table, so a rerun starts from the changed table."""
    for r in sorted(batch, key=lambda r: r["updated_at"]):
        held = table.get(r["appointment_id"])
        if held is not None and held["updated_at"] > r["updated_at"]:
            continue
        if r["deleted"]:
            table.pop(r["appointment_id"], None)
        else:
            table[r["appointment_id"]] = r
    return table


def newer_only_table_check(table, batch):
    """Wrong: compares with the table but not within the batch: [v2, v1] in one batch ends with v1."""
    out = dict(table)
    for r in batch:
        held = table.get(r["appointment_id"])
        if held is not None and held["updated_at"] > r["updated_at"]:
            continue
        if r["deleted"]:
            out.pop(r["appointment_id"], None)
        else:
            out[r["appointment_id"]] = r
    return out


@pytest.mark.parametrize("fn", [ex.apply_changes, newest_per_key_first, with_pandas])
def test_apply_changes_accepts_correct_answers(fn):
    result = ex.grade_apply_changes(fn, show=False)
    assert result.passed, result.lines


@pytest.mark.parametrize("fn, failing", [
    (last_write_wins, ("an older version arriving late", "within a batch the newest wins",
                       "a tombstone then an older version", "a long feed")),
    (ignores_tombstones, ("a tombstone deletes", "a tombstone then an older version",
                          "applying the same batch twice", "a long feed")),
    (mutates_input, ("the table passed in is not modified",)),
    (newer_only_table_check, ("within a batch the newest wins", "a tombstone then an older version",
                              "a long feed")),
])
def test_apply_changes_rejects_wrong_answers_for_the_right_reason(fn, failing):
    result = ex.grade_apply_changes(fn, show=False)
    assert failed_exactly(result, *failing), result.lines


# -- batch_sql -----------------------------------------------------------------------------------------------


def cte_and_case():
    """Correct: a CTE for the mark, CASE instead of coalesce, 24 hours instead of a day."""
    return """
        with mark as (
            {% if is_incremental() %}
            select case when max(UPDATED_AT) is null then timestamp '1900-01-01'
                        else max(UPDATED_AT) - interval 24 hours end as since from {{ this }}
            {% else %}
            select timestamp '1900-01-01' as since
            {% endif %}
        )
        select APPOINTMENT_ID, STATUS, UPDATED_AT from {{ source('backend', 'appointments') }}, mark
        where UPDATED_AT >= mark.since
    """


def not_exists_style():
    """Correct: a NOT EXISTS for the empty table, date arithmetic with a subtraction of an interval."""
    return """
        select * from {{source('backend', 'appointments')}} s
        {% if is_incremental() %}
        where not exists (select 1 from {{ this }})
           or s.UPDATED_AT >= (select max(UPDATED_AT) from {{ this }}) - interval '1 day'
        {% endif %}
    """


def strict_mark():
    return ex.batch_sql().replace(">=", ">")


def strict_without_lookback():
    """Wrong: the naive watermark, UPDATED_AT > max(UPDATED_AT): loses the same-second row and late rows."""
    return no_lookback().replace(">=", ">")


def no_lookback():
    return ex.batch_sql().replace(" - interval 1 day", "")


def no_coalesce():
    return ex.batch_sql().replace("coalesce(max(UPDATED_AT), timestamp '1900-01-01')", "max(UPDATED_AT)")


def table_name():
    return ex.batch_sql().replace("{{ source('backend', 'appointments') }}", "BACKEND.PUBLIC.APPOINTMENTS")


@pytest.mark.parametrize("fn", [ex.batch_sql, cte_and_case, not_exists_style])
def test_batch_sql_accepts_correct_answers(fn):
    result = ex.grade_batch_sql(fn, show=False)
    assert result.passed, result.lines


@pytest.mark.parametrize("fn, failing", [
    (strict_mark, ("the day's boundary", "an incremental run reads only")),
    (strict_without_lookback, ("the row at the high-water mark", "a row replicated late", "the day's boundary",
                               "an incremental run reads only")),
    (no_lookback, ("a row replicated late", "the day's boundary", "an incremental run reads only")),
    (no_coalesce, ("an empty table",)),
])
def test_batch_sql_rejects_wrong_answers_for_the_right_reason(fn, failing):
    result = ex.grade_batch_sql(fn, show=False)
    assert failed_exactly(result, *failing), result.lines


def test_batch_sql_refuses_a_hard_coded_table_and_says_why():
    result = ex.grade_batch_sql(table_name, show=False)
    assert result.status == "failed"
    assert all("source('backend', 'appointments')" in line for line in result.lines), result.lines
