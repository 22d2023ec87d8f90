"""The helpers the data tasks' checks share: a candidate's call under a time budget (an endless loop is stopped and
reported, a crash names the line), one verdict per check, and the recording connection (a kill before a write,
a refused payload, values found pasted into SQL)."""

from __future__ import annotations

import datetime as dt
import textwrap
import threading

import fakesnow
import pytest
import snowflake.connector

from interview.checking_data import Board, Candidate, ProcessDied, Refused, SpyConnection, pasted


def _file(tmp_path, source: str):
    path = tmp_path / "answer.py"
    path.write_text(textwrap.dedent(source))
    return path


def test_an_endless_loop_is_stopped_and_the_next_call_still_runs(tmp_path):
    answer = _file(tmp_path, """
        def solve(n):
            while n:
                pass
            return "done"
    """)
    candidate = Candidate(answer, "solve", budget=0.5)
    assert candidate.ready(Board(["time budget"]))
    stuck = candidate.call(1, label="a stuck call")
    assert stuck.timed_out and "time budget of 0.5 s" in stuck.error
    assert candidate.call(0).value == "done"
    board = Board(["time budget"])
    candidate.judge_budget(board)
    (verdict,) = board.checks()
    assert not verdict.passed and "a stuck call" in verdict.detail


def test_a_retry_loop_that_swallows_exceptions_is_stopped_too(tmp_path):
    answer = _file(tmp_path, """
        def solve():
            while True:
                try:
                    while True:
                        pass
                except Exception:
                    continue
    """)
    candidate = Candidate(answer, "solve", budget=0.3)
    candidate.ready(Board(["x"]))
    assert candidate.call().timed_out
    assert not any(t.name == "candidate-call" and t.is_alive() for t in threading.enumerate())


def test_after_two_calls_ran_out_of_time_the_rest_are_not_made(tmp_path):
    answer = _file(tmp_path, """
        def solve():
            while True:
                pass
    """)
    candidate = Candidate(answer, "solve", budget=0.3)
    candidate.ready(Board(["x"]))
    outcomes = [candidate.call(label=f"call {n}") for n in range(4)]
    assert [o.timed_out for o in outcomes] == [True, True, False, False]
    assert outcomes[3].error == "was not called: 2 earlier calls ran out of time (call 0, call 1)"


def test_a_crash_names_the_line_of_the_candidates_file(tmp_path):
    answer = _file(tmp_path, """
        def solve(rows):
            return rows["missing"]
    """)
    candidate = Candidate(answer, "solve", budget=2)
    candidate.ready(Board(["x"]))
    outcome = candidate.call({})
    assert not outcome.ok and outcome.raised(KeyError)
    assert "raised KeyError: 'missing' (line 3 in solve: return rows[\"missing\"])" == outcome.error


def test_the_starter_fails_every_check_calmly(tmp_path):
    answer = _file(tmp_path, """
        def solve():
            raise NotImplementedError
    """)
    board = Board(["a", "b", "time budget"])
    candidate = Candidate(answer, "solve", budget=2)
    assert candidate.ready(board)
    assert not board.ran("a", candidate.call(), "the first scenario")
    assert [(c.passed, c.detail) for c in board.checks()] == [
        (False, "not attempted yet: your function still raises NotImplementedError")] * 3


@pytest.mark.parametrize(("source", "detail"), [
    ("def solve(:\n", "your file does not import: raised SyntaxError"),
    ("import time\nwhile True:\n    pass\n", "your file does not import: did not return within"),
    ("def other():\n    pass\n", "your file defines no function solve(...)"),
])
def test_a_file_that_cannot_be_called_fails_every_check(tmp_path, source, detail):
    board = Board(["a", "b"])
    assert not Candidate(_file(tmp_path, source), "solve", budget=1).ready(board)
    assert all(not c.passed and c.detail.startswith(detail) for c in board.checks())


def test_a_check_keeps_its_first_failure_and_an_unjudged_one_says_so():
    board = Board(["judged", "failed", "never"])
    board.expect("judged", True, "unused")
    board.expect("failed", True, "unused")
    board.expect("failed", False, "first reason")
    board.expect("failed", False, "second reason")
    assert [(c.name, c.passed, c.detail) for c in board.checks()] == [
        ("judged", True, ""), ("failed", False, "first reason"),
        ("never", False, "not checked: an earlier step failed")]
    with pytest.raises(KeyError, match="no check named"):
        board.expect("typo", True)


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
