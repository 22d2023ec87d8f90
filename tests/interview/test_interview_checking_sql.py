"""The SQL tasks' recording connection: a kill before a write runs nothing from there on, a poisoned statement is
recorded and refused, and values pasted into SQL are found while bound ones are not."""

from __future__ import annotations

import datetime as dt

import fakesnow
import pytest
import snowflake.connector

from interview.checking_sql import ProcessDied, Refused, SpyConnection, pasted


@pytest.fixture
def conn(tmp_path):
    with fakesnow.patch(db_path=tmp_path):
        real = snowflake.connector.connect(database="DB", schema="S")
        real.cursor().execute("CREATE TABLE T (ID NUMBER, D DATE)")
        yield real
        real.close()


def test_a_killed_process_runs_nothing_from_the_statement_it_died_before(conn):
    spy = SpyConnection(conn, dies_before=lambda sql: sql.startswith("INSERT"))
    cur = spy.cursor()
    cur.execute("SELECT 1")
    with pytest.raises(ProcessDied, match="killed here"):
        cur.execute("insert into T values (%s, %s)", (1, dt.date(2025, 9, 1)))
    with pytest.raises(ProcessDied):
        spy.commit()
    assert [sql for sql, _ in spy.statements] == ["SELECT 1"]
    assert conn.cursor().execute("SELECT COUNT(*) FROM T").fetchone() == (0,)


def test_a_poisoned_name_is_recorded_and_never_run(conn):
    spy = SpyConnection(conn, poison="T; DROP TABLE T")
    with pytest.raises(Refused):
        spy.cursor().execute("DELETE FROM T; DROP TABLE T WHERE D = %s", (dt.date(2025, 9, 1),))
    assert conn.cursor().execute("SELECT COUNT(*) FROM T").fetchone() == (0,)  # the table is still there
    assert len(spy.statements) == 1


def test_values_pasted_into_sql_are_found_and_bound_ones_are_not():
    day = dt.date(2025, 9, 5)
    statements = [("SELECT * FROM T WHERE D = %s", (day,)), ("PUT 'file:///tmp/x_2025-09-05.json' @s", None),
                  ("SELECT * FROM T WHERE D = '2025-09-05' AND S = 'o''brien'", None)]
    assert pasted(statements, [("the day", day), ("a name", "o'brien")]) == [
        ("the day", statements[2][0]), ("a name", statements[2][0])]
    assert pasted(statements[:2], [("the day", day)]) == []
