"""The notebook 17 graders accept right answers written differently and reject the plausible wrong ones, each
for its reason: the MERGE runs on the sim, the Time Travel statement is read by sqlglot's Snowflake dialect."""

from __future__ import annotations

import pytest

import sim
from solutions.cdc import CHANGE_LOG, COLUMNS, REPLICA
from exercises import cdc as ex
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("ex_cdc"), appointments=50, days=3)
    yield world
    sim.stop()


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_upsert_sql, ex.grade_restore_sql])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


@pytest.mark.parametrize("grader, fn", [(ex.grade_upsert_sql, ex.upsert_sql), (ex.grade_restore_sql, ex.restore_sql)])
def test_the_reference_answers_pass(grader, fn):
    graded = grader(fn, show=False)
    assert graded.passed, graded.lines


# -- upsert_sql ----------------------------------------------------------------------------------------------

SET = ", ".join(f"{c} = s.{c}" for c in COLUMNS[1:])
COLS = ", ".join(COLUMNS)
VALUES = ", ".join(f"s.{c}" for c in COLUMNS)
LATEST = (f"SELECT * FROM {CHANGE_LOG} WHERE BATCH_ID = %(batch)s "
          "QUALIFY ROW_NUMBER() OVER (PARTITION BY APPOINTMENT_ID ORDER BY UPDATED_AT DESC, IS_DELETED DESC) = 1")


def merge(source, *whens):
    return f"MERGE INTO {REPLICA} t USING ({source}) s ON t.APPOINTMENT_ID = s.APPOINTMENT_ID " + " ".join(whens)


GUARDED_UPDATE = f"WHEN MATCHED AND s.UPDATED_AT > t.UPDATED_AT THEN UPDATE SET {SET}, IS_DELETED = s.IS_DELETED"
INSERT_ALL = f"WHEN NOT MATCHED THEN INSERT ({COLS}, IS_DELETED) VALUES ({VALUES}, s.IS_DELETED)"


def with_group_by():
    """Another right answer: the newest version found by a join on MAX(UPDATED_AT), tombstones kept."""
    newest = (f"SELECT c.* FROM {CHANGE_LOG} c JOIN (SELECT APPOINTMENT_ID, MAX(UPDATED_AT) AS U FROM {CHANGE_LOG} "
              "WHERE BATCH_ID = %(batch)s GROUP BY APPOINTMENT_ID) m ON c.APPOINTMENT_ID = m.APPOINTMENT_ID "
              "AND c.UPDATED_AT = m.U WHERE c.BATCH_ID = %(batch)s")
    return merge(newest, GUARDED_UPDATE, INSERT_ALL)


def with_separate_tombstone_clause():
    """Another right answer: deletes handled in their own clause, the update guard written >=."""
    return merge(LATEST,
                 "WHEN MATCHED AND s.IS_DELETED AND s.UPDATED_AT >= t.UPDATED_AT THEN UPDATE SET "
                 "IS_DELETED = TRUE, UPDATED_AT = s.UPDATED_AT, STATUS = NULL",
                 f"WHEN MATCHED AND NOT s.IS_DELETED AND s.UPDATED_AT >= t.UPDATED_AT THEN UPDATE SET {SET}, "
                 "IS_DELETED = FALSE", INSERT_ALL)


def last_write_wins():
    """The usual upsert: no guard on UPDATED_AT, deletes are hard deletes."""
    return merge(LATEST, "WHEN MATCHED AND s.IS_DELETED THEN DELETE",
                 f"WHEN MATCHED THEN UPDATE SET {SET}",
                 f"WHEN NOT MATCHED AND NOT s.IS_DELETED THEN INSERT ({COLS}, IS_DELETED) VALUES ({VALUES}, FALSE)")


def hard_delete_with_guard():
    """Guards updates, but a delete removes the row: nothing remembers it, so a late version resurrects it."""
    return merge(LATEST, "WHEN MATCHED AND s.IS_DELETED AND s.UPDATED_AT > t.UPDATED_AT THEN DELETE",
                 f"WHEN MATCHED AND NOT s.IS_DELETED AND s.UPDATED_AT > t.UPDATED_AT THEN UPDATE SET {SET}",
                 f"WHEN NOT MATCHED AND NOT s.IS_DELETED THEN INSERT ({COLS}, IS_DELETED) VALUES ({VALUES}, FALSE)")


def no_dedupe():
    """Reads the whole batch: two versions of a key in one batch (Snowflake refuses such a MERGE by default)."""
    return merge(f"SELECT * FROM {CHANGE_LOG} WHERE BATCH_ID = %(batch)s", GUARDED_UPDATE, INSERT_ALL)


def hard_coded_batch():
    return ex.upsert_sql().replace("%(batch)s", "1")


@pytest.mark.parametrize("answer", [with_group_by, with_separate_tombstone_clause])
def test_upsert_other_right_answers_pass(answer):
    graded = ex.grade_upsert_sql(answer, show=False)
    assert graded.passed, graded.lines


@pytest.mark.parametrize(("answer", "reasons"), [
    (last_write_wins, ["an older version never overwrites", "a late, older version",
                       "batches in any order"]),
    (hard_delete_with_guard, ["a late, older version", "batches in any order"]),
    (no_dedupe, ["the newest version of a key in one batch", "the same batches twice", "batches in any order"]),
])
def test_upsert_wrong_answers_fail_for_their_reason(answer, reasons):
    assert failed_exactly(ex.grade_upsert_sql(answer, show=False), *reasons)


def test_a_merge_without_the_batch_parameter_is_named():
    graded = ex.grade_upsert_sql(hard_coded_batch, show=False)
    assert graded.status == "failed" and "%(batch)s" in "\n".join(graded.lines)


# -- restore_sql ---------------------------------------------------------------------------------------------


def lower_case_or_replace(table, query_id):
    return f"create or replace table {table.lower()}_restored clone {table.lower()} before(statement=>'{query_id}')"


def quoted_names(table, query_id):
    parts = table.split(".")
    new = ".".join([*parts[:-1], f'"{parts[-1].upper()}_RESTORED"'])
    return f"CREATE TABLE {new}\n  CLONE {table}\n  BEFORE (STATEMENT => '{query_id}');"


def at_statement(table, query_id):
    return f"CREATE TABLE {table}_RESTORED CLONE {table} AT (STATEMENT => '{query_id}')"


def copy_not_clone(table, query_id):
    return f"CREATE TABLE {table}_RESTORED AS SELECT * FROM {table} BEFORE (STATEMENT => '{query_id}')"


def clone_now(table, query_id):
    return f"CREATE TABLE {table}_RESTORED CLONE {table}"


def five_minutes_ago(table, query_id):
    return f"CREATE TABLE {table}_RESTORED CLONE {table} AT (OFFSET => -60*5)"


@pytest.mark.parametrize("answer", [lower_case_or_replace, quoted_names])
def test_restore_other_right_answers_pass(answer):
    graded = ex.grade_restore_sql(answer, show=False)
    assert graded.passed, graded.lines


@pytest.mark.parametrize(("answer", "reasons", "says"), [
    (at_statement, ["as it was just before"], "includes that statement"),
    (copy_not_clone, ["a zero-copy clone", "as it was just before"], "copies every row"),
    (clone_now, ["as it was just before"], "no AT/BEFORE"),
    (five_minutes_ago, ["as it was just before"], "a guess"),
])
def test_restore_wrong_answers_fail_for_their_reason(answer, reasons, says):
    graded = ex.grade_restore_sql(answer, show=False)
    assert failed_exactly(graded, *reasons) and says in "\n".join(graded.lines)


def test_two_statements_are_refused():
    graded = ex.grade_restore_sql(lambda t, q: ex.restore_sql(t, q) + "; SELECT 1", show=False)
    assert graded.status == "failed" and "one statement" in "\n".join(graded.lines)
