from __future__ import annotations

import datetime as dt

import pytest

from exercises.grading import (
    Mismatch,
    QueryFailed,
    SpyConnection,
    SpyCursor,
    expect,
    grade,
    require_bound,
    run_on_duckdb,
    some,
)
from payloads import INJECTIONS


def not_attempted(x):
    raise NotImplementedError


def double(x):
    return 2 * x


def wrong(x):
    return x + 2


CHECKS = [
    ("doubles 3", lambda fn: expect(fn(3), 6)),
    ("doubles 0", lambda fn: expect(fn(0), 0)),
]


def test_not_attempted_is_reported_calmly(capsys):
    g = grade("double", not_attempted, CHECKS)
    assert g.status == "not attempted" and not g.passed
    assert "NOT ATTEMPTED" in capsys.readouterr().out


def test_correct_attempt_passes():
    g = grade("double", double, CHECKS, show=False)
    assert g.passed and g.lines == ["  ✓ doubles 3", "  ✓ doubles 0"]


def test_wrong_attempt_names_the_failing_check():
    g = grade("double", wrong, CHECKS, show=False)
    assert g.status == "failed"
    assert g.lines == ["  ✗ doubles 3: Mismatch: result: expected 6, got 5",
                       "  ✗ doubles 0: Mismatch: result: expected 0, got 2"]


def test_a_crash_in_the_attempt_is_a_failure_not_a_crash():
    g = grade("double", lambda x: 1 / 0, CHECKS, show=False)
    assert g.status == "failed" and "ZeroDivisionError" in g.lines[0]


# -- the spies and the bound-parameter check -----------------------------------------------------------------

class FakeCursor:
    def __init__(self):
        self.ran, self.closed = [], False

    def execute(self, sql, params=None):
        self.ran.append((sql, params))

    def fetchone(self):
        return (1,)

    def close(self):
        self.closed = True


class FakeConnection:
    def __init__(self):
        self.cursors, self.closed = [], False

    def cursor(self):
        self.cursors.append(FakeCursor())
        return self.cursors[-1]

    def close(self):
        self.closed = True


def test_the_spy_cursor_records_and_runs_each_statement():
    real, log = FakeCursor(), []
    spy = SpyCursor(real, log)
    assert spy.execute("SELECT %s", (1,)).fetchone() == (1,)
    assert log == [("SELECT %s", (1,))] and real.ran == log


def test_a_failing_spy_raises_before_running_anything():
    real = FakeCursor()
    with pytest.raises(QueryFailed):
        SpyCursor(real, fail=True).execute("SELECT 1")
    assert real.ran == []


def test_the_spy_connection_shares_one_log_and_records_close():
    spy = SpyConnection(FakeConnection())
    with spy:
        spy.cursor().execute("SELECT 1")
        spy.cursor().execute("SELECT 2")
    assert [sql for sql, _ in spy.statements] == ["SELECT 1", "SELECT 2"] and spy.closed


@pytest.mark.parametrize("sql, value", [
    ("SELECT * FROM t WHERE d = '2025-09-30'", dt.date(2025, 9, 30)),
    ("SELECT * FROM t WHERE ts >= '2025-09-30 16:00:01'", dt.datetime(2025, 9, 30, 16, 0, 1)),
    ("SELECT * FROM t WHERE ts >= '2025-09-30T16:00:00+00:00'",
     dt.datetime(2025, 9, 30, 16, tzinfo=dt.timezone.utc)),
    ("SELECT * FROM t WHERE s IN ('completed', 'no_show')", "completed"),
    ("SELECT * FROM t WHERE s = 'o''brien'", "o'brien"),
])
def test_a_pasted_value_is_named(sql, value):
    with pytest.raises(Mismatch, match="is pasted into the SQL text"):
        require_bound([(sql, None)], {"the value": value})


def test_bound_values_pass_and_no_statement_fails():
    require_bound([("SELECT * FROM t WHERE d = %s AND s = %s", (dt.date(2025, 9, 30), "completed"))],
                  {"the day": dt.date(2025, 9, 30), "the status": "completed"})
    with pytest.raises(Mismatch, match="no query ran"):
        require_bound([], {"the day": dt.date(2025, 9, 30)})


def test_some_keeps_a_message_short():
    assert some(list(range(1000))) == "[0, 1, 2, ... (1000 in all)]"
    assert some(["a"]) == "['a']"


def test_an_answer_runs_on_fresh_duckdb_tables():
    names, rows = run_on_duckdb("SELECT id, id * 2 AS twice FROM src ORDER BY id",
                                {"src": ("id INTEGER", [(1,), (2,)])})
    assert (names, rows) == (["ID", "TWICE"], [(1, 2), (2, 4)])


def test_sql_duckdb_refuses_is_a_mismatch_naming_the_error():
    with pytest.raises(Mismatch, match="the SQL fails on DuckDB: .*no_such"):
        run_on_duckdb("SELECT * FROM no_such", {"src": ("id INTEGER", [])})


@pytest.mark.parametrize("payload", INJECTIONS)
def test_table_names_cannot_inject_sql(payload):
    with pytest.raises(ValueError, match="invalid table name"):
        run_on_duckdb("SELECT 1", {payload: ("id INTEGER", [])})
