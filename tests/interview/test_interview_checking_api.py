"""The helpers the API tasks' hidden checks share: a candidate's call never hangs or crashes the grading, says
where it failed, and a real ``time.sleep`` is caught and turned into time on the sim's clock."""

from __future__ import annotations

import textwrap

from interview.checking_api import NOT_ATTEMPTED, Candidate, ignored_retry_after, Exchange, hammered
from sim.clock import FakeClock


def _file(tmp_path, source: str):
    path = tmp_path / "answer.py"
    path.write_text(textwrap.dedent(source))
    return path


def test_a_crash_names_the_line_of_the_candidates_file(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        def f(x):
            return {}[x]
    """))
    outcome = candidate.call("f", "k")
    assert not outcome.ok and outcome.error == "KeyError: 'k' (line 3 of answer.py, in f)"
    assert outcome.why.startswith("it raised KeyError")


def test_an_endless_loop_is_stopped_even_when_it_swallows_the_alarm(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        def f():
            while True:
                try:
                    pass
                except:  # noqa: E722
                    pass
    """), budget=0.3, total=0.5)
    first, second, third = candidate.call("f"), candidate.call("f"), candidate.call("f")
    assert first.timed_out and "did not finish within 0.3 s" in first.error
    assert second.timed_out and third.timed_out and "used up the whole time budget" in third.error


def test_the_starter_is_not_attempted_and_a_missing_name_is_named(tmp_path):
    candidate = Candidate(_file(tmp_path, "def f():\n    raise NotImplementedError\n"))
    outcome = candidate.call("f")
    assert outcome.not_attempted and outcome.error == NOT_ATTEMPTED
    assert candidate.missing("f") is None and candidate.missing("g") == "your file defines no g"
    broken = Candidate(_file(tmp_path, "def f(:\n"))
    assert broken.missing("f").startswith("importing your file failed: SyntaxError")


def test_a_real_sleep_in_the_candidates_file_moves_the_given_clock_instead(tmp_path):
    candidate = Candidate(_file(tmp_path, """
        import time
        from time import sleep

        def f():
            time.sleep(30)
            sleep(5)
            return "done"
    """))
    clock = FakeClock()
    outcome = candidate.call("f", clock=clock)
    assert outcome.value == "done" and outcome.seconds < 1
    assert candidate.sleeps == [30, 5] and clock.monotonic() == 35


def test_traffic_helpers_spot_an_early_retry_and_a_retry_without_pause():
    log = [Exchange(0.0, "/a", 1, 429, 2.0, {}), Exchange(1.0, "/a", 1, 500, None, {}),
           Exchange(1.0, "/a", 1, 200, None, {})]
    assert ignored_retry_after(log) == ["a 429 said Retry-After: 2 s, the next request came 1.00 s later"]
    assert hammered(log) == ["after HTTP 500 on page 1, the retry went out at the same instant"]
