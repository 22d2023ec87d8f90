"""The helpers every python task's checks share: a candidate's call never hangs or crashes the grading (an endless
loop is stopped on the main thread and in a worker thread alike), a crash names the line, a real ``time.sleep`` is
caught and turned into time on the given clock, the starter is reported as not attempted, and the verdicts become
one ``Check`` per property."""

from __future__ import annotations

import textwrap
import threading

import pytest

from interview.checking import NOT_ATTEMPTED, Board, Candidate, time_budget_check
from sim.clock import FakeClock


def _file(tmp_path, source: str):
    path = tmp_path / "answer.py"
    path.write_text(textwrap.dedent(source))
    return path


def _in_a_thread(action):
    """``action()`` run off the main thread, where no signal alarm can reach it."""
    box = []
    worker = threading.Thread(target=lambda: box.append(action()))
    worker.start()
    worker.join(30)
    return box[0]


def test_a_crash_names_the_line_of_the_candidates_file(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        def solve(rows):
            return rows["missing"]
    """), "solve", budget=2)
    outcome = candidate.call({})
    assert not outcome.ok and outcome.raised(KeyError)
    assert outcome.error == "raised KeyError: 'missing' (line 3 in solve: return rows[\"missing\"])"
    assert outcome.why.startswith("it raised KeyError")


def test_a_crash_inside_a_library_names_the_line_that_called_it(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        import json

        def solve(text):
            return json.loads(text)
    """), "solve", budget=2)
    outcome = candidate.call("{")
    assert outcome.raised(ValueError) and outcome.error.startswith("raised JSONDecodeError")
    assert "(line 5 in solve: return json.loads(text))" in outcome.error


@pytest.mark.parametrize("where", ["main thread", "worker thread"])
def test_an_endless_loop_is_stopped_and_the_next_call_still_runs(tmp_path, where):
    candidate = Candidate(_file(tmp_path, """
        def solve(n):
            while n:
                pass
            return "done"
    """), "solve", budget=0.5)
    call = candidate.call if where == "main thread" else lambda *a, **k: _in_a_thread(lambda: candidate.call(*a, **k))
    stuck = call(1, label="a stuck call")
    assert stuck.timed_out and "did not finish within 0.5 s" in stuck.error
    assert call(0).value == "done"
    board = Board(["time budget"])
    candidate.judge_budget(board)
    (verdict,) = board.checks()
    assert not verdict.passed and verdict.detail.startswith("a stuck call: did not finish within 0.5 s")


@pytest.mark.parametrize("where", ["main thread", "worker thread"])
def test_a_retry_loop_that_swallows_exceptions_is_stopped_too(tmp_path, where):
    candidate = Candidate(_file(tmp_path, """
        def solve():
            while True:
                try:
                    while True:
                        pass
                except Exception:
                    continue
    """), "solve", budget=0.3)
    outcome = candidate.call() if where == "main thread" else _in_a_thread(candidate.call)
    assert outcome.timed_out
    assert not any(t.name == "candidate-call" and t.is_alive() for t in threading.enumerate())


def test_an_endless_loop_is_stopped_even_when_a_bare_except_swallows_one_alarm(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        def solve():
            while True:
                try:
                    pass
                except:  # noqa: E722
                    pass
    """), "solve", budget=0.3)
    assert candidate.call().timed_out


def test_a_wait_inside_a_library_is_interrupted_on_the_main_thread(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        import threading

        def solve():
            threading.Event().wait(30)
    """), "solve", budget=0.3)
    outcome = candidate.call()
    assert outcome.timed_out and outcome.seconds < 5


def test_after_two_calls_ran_out_of_time_the_rest_are_not_made(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        def solve():
            while True:
                pass
    """), "solve", budget=0.3)
    outcomes = [candidate.call(label=f"call {n}") for n in range(4)]
    assert [o.timed_out for o in outcomes] == [True, True, False, False]
    assert outcomes[3].error == "was not called: 2 earlier calls ran out of time (call 0, call 1)"
    check = time_budget_check(candidate)
    assert not check.passed and check.detail.startswith("call 0, call 1: did not finish within 0.3 s")


def test_the_starter_fails_every_check_calmly(tmp_path):
    candidate = Candidate(_file(tmp_path, "def solve():\n    raise NotImplementedError\n"), "solve", budget=2)
    board = Board(["a", "b", "time budget"])
    assert candidate.ready(board)
    outcome = candidate.call()
    assert outcome.not_attempted and not outcome.ok
    assert not board.ran("a", outcome, "the first scenario")
    assert [(c.passed, c.detail) for c in board.checks()] == [(False, NOT_ATTEMPTED)] * 3


def test_not_implemented_raised_outside_the_candidates_file_is_a_crash_not_the_starter(tmp_path):
    candidate = Candidate(_file(tmp_path, "def solve():\n    return 1\n"), "solve", budget=2)

    def drive():
        raise NotImplementedError("the grader's own gap")

    outcome = candidate.run(drive)
    assert not outcome.not_attempted and outcome.raised(NotImplementedError)
    assert outcome.error == ("raised NotImplementedError: the grader's own gap "
                             "(outside your file, in a library your code called)")


@pytest.mark.parametrize(("source", "detail"), [
    ("def solve(:\n", "your file does not import: raised SyntaxError"),
    ("import time\nwhile True:\n    pass\n", "your file does not import: did not finish within"),
    ("def other():\n    pass\n", "your file defines no solve"),
    (None, "answer.py does not exist"),
])
def test_a_file_that_cannot_be_called_fails_every_check(tmp_path, source, detail):
    path = _file(tmp_path, source) if source is not None else tmp_path / "answer.py"
    candidate = Candidate(path, "solve", budget=1)
    assert candidate.missing().startswith(detail)
    board = Board(["a", "b"])
    assert not candidate.ready(board)
    assert all(not c.passed and c.detail.startswith(detail) for c in board.checks())
    with pytest.raises(RuntimeError, match="cannot call solve"):
        candidate.call()


def test_a_real_sleep_in_the_candidates_file_moves_the_given_clock_instead(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        import time
        from time import sleep

        def f():
            time.sleep(30)
            sleep(5)
            return "done"
    """), "f")
    clock = FakeClock()
    outcome = candidate.call(clock=clock)
    assert outcome.value == "done" and outcome.seconds < 1
    assert candidate.sleeps == [30, 5] and clock.monotonic() == 35


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
