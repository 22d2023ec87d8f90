"""Ctrl-C always stops the quiz: hundreds of interrupts at random moments in a real pseudo-terminal.

A Ctrl-C that landed between Python's last check for signals and the blocking read of ``input()`` used to
be noticed only after Enter (the quiz looked frozen). Here a child process runs real study sessions (the
real ``Session``, ``Store`` and rich UI) one after another; the test answers a few cards, presses Ctrl-C at
a random moment - while a prompt waits, just after a rating (while it is being saved), just after a
reveal - and requires every session to stop within a second, with every card it counted as rated in the
store. Then a few real ``kit-quiz`` processes are interrupted the same way. The random moments come from a
seeded generator, so a failure names a reproducible sequence.

``make test`` runs 100 interrupts; ``-m stress`` runs 300. A rarer loss - a Ctrl-C landing just as the quiz
held SIGINT left it blocked, so the *next* Ctrl-C never arrived - showed up about once in 3,500 interrupts
on a loaded 2-core machine; the last test here reproduces that moment exactly, on every run.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import sys
import textwrap
import time
from pathlib import Path

import pexpect
import pytest

SESSIONS = 300  # interrupts in the long-running child with -m stress (100 in make test)
STOP_WITHIN = 1.0  # seconds from Ctrl-C to the session's summary

CHILD = textwrap.dedent(
    """
    import os
    import sys
    from datetime import datetime, timezone
    from flashcards.deck import Card
    from flashcards.planner import plan
    from flashcards.scheduler import Scheduler
    from flashcards.session import Session
    from flashcards.store import Store
    from flashcards.ui import make_ui

    cards = [Card(id=f"card-{i}", deck="stress", question=f"Question {i}?", answer=f"Answer {i}.",
                  tags=("t",)) for i in range(2000)]
    ui, scheduler, clock = make_ui(), Scheduler(), lambda: datetime.now(timezone.utc)
    with Store(sys.argv[1]) as store:
        for n in range(int(sys.argv[2])):
            records = store.records()
            the_plan = plan(cards, records, clock(), new_limit=10**6, introduced_today=0,
                            retrievability=scheduler.retrievability)
            by_id = {c.id: c for c in cards}
            summary = Session(by_id, records, the_plan, store, scheduler, ui, clock=clock).run()
            print(f"SESSION-END {n} {summary.stopped_by} answered={summary.answered} "
                  f"blocking={os.get_blocking(0)}", flush=True)
    """
)


def _count(store: Path) -> int:
    db = sqlite3.connect(store)
    try:
        return db.execute("SELECT count(*) FROM reviews").fetchone()[0]
    finally:
        db.close()


def _default_ctrl_c() -> None:
    """In the child: Ctrl-C as in a user's terminal, even if this test runs where SIGINT is ignored (a shell
    starts background jobs with SIGINT ignored, and children inherit it: Python then installs no handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _spin(seconds: float) -> None:
    """Wait a few microseconds (sleep() is far coarser)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def _interrupt_at_a_random_moment(child: pexpect.spawn, rng: random.Random) -> int:
    """Answer 0-2 cards, press Ctrl-C at a random moment; return how many ratings were sent."""
    sent = 0
    for _ in range(rng.randint(0, 2)):
        child.expect("Enter = show the answer")
        child.send("\r")
        child.expect(r"Rate: 1 Again")
        child.send("4\r")  # Easy: the card leaves the session
        sent += 1
    moment = rng.choice(("after-rating", "after-reveal", "at-prompt", "at-prompt", "at-prompt-late"))
    if moment == "after-rating" and not sent:
        moment = "at-prompt"  # the session must have started: a Ctrl-C before it is the next test's
    if moment == "after-reveal":
        child.expect("Enter = show the answer")
        child.send("\r")
    elif moment == "at-prompt":
        # The prompt is on screen: the quiz is between printing it and blocking in the read. Tens of
        # microseconds later it is blocked; a Ctrl-C inside that gap is the one input() used to lose.
        child.expect("Enter = show the answer")
        _spin(rng.random() * 60e-6)
    elif moment == "at-prompt-late":
        child.expect("Enter = show the answer")
        time.sleep(rng.random() * 0.003)
    child.sendintr()
    return sent


@pytest.mark.parametrize("sessions", [100, pytest.param(SESSIONS, marks=pytest.mark.stress)])
def test_hundreds_of_ctrl_c_at_random_moments_each_stop_the_session_and_keep_ratings(
    tmp_path: Path, sessions: int
) -> None:
    store = tmp_path / "progress.sqlite3"
    child = pexpect.spawn(sys.executable, ["-c", CHILD, str(store), str(sessions)], encoding="utf-8",
                          dimensions=(40, 120), timeout=30, env={**os.environ, "TERM": "xterm-256color"},
                          preexec_fn=_default_ctrl_c)
    child.delaybeforesend = None  # send at once: the point is to hit the narrow moments
    rng = random.Random(12)
    counted = 0
    slowest = 0.0
    for n in range(sessions):
        sent = _interrupt_at_a_random_moment(child, rng)
        pressed = time.monotonic()
        child.expect(rf"SESSION-END {n} (\S+) answered=(\d+) blocking=(\w+)", timeout=STOP_WITHIN + 29)
        slowest = max(slowest, time.monotonic() - pressed)
        assert child.match[1] == "Ctrl-C", f"session {n} ended by {child.match[1]}"
        assert child.match[3] == "True", f"session {n} left the terminal non-blocking"
        answered = int(child.match[2])
        assert answered in (sent - 1, sent) if sent else answered == 0  # the last rating may be cut short
        counted += answered
        assert _count(store) == counted, f"session {n}: the store lost a rating"
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert slowest < STOP_WITHIN, f"a Ctrl-C took {slowest:.2f} s to stop the session"


def test_ctrl_c_stops_real_kit_quiz_processes_at_random_moments(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "tags.md").write_text("- t: test\n", encoding="utf-8")
    (decks / "10-stress.md").write_text(
        "".join(f"## card-{i}\nQ: Question {i}?\nA: Answer {i}.\nTags: t\n\n" for i in range(100)),
        encoding="utf-8",
    )
    store = tmp_path / "progress.sqlite3"
    env = {**os.environ, "KIT_QUIZ_STORE": str(store), "KIT_QUIZ_DECKS": str(decks), "TERM": "xterm-256color"}
    rng = random.Random(7)
    total = 0
    for run in range(8):
        child = pexpect.spawn(sys.executable, ["-m", "flashcards.cli", "--new-limit", "1000"], env=env,
                              encoding="utf-8", dimensions=(40, 120), timeout=30, preexec_fn=_default_ctrl_c)
        child.delaybeforesend = None
        sent = _interrupt_at_a_random_moment(child, rng)
        pressed = time.monotonic()
        child.expect("Stopped by Ctrl-C; every rated card is saved.", timeout=STOP_WITHIN + 29)
        assert time.monotonic() - pressed < STOP_WITHIN + 0.5, f"run {run}: slow to stop"
        answered = re.search(r"(\d+) answered", child.before)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130
        done = int(answered[1]) if answered else 0
        assert done in (sent - 1, sent) if sent else done == 0
        total += done
        assert _count(store) == total


HOLD_AS_CTRL_C_LANDS = textwrap.dedent(
    """
    import ctypes, functools, operator, os, signal, _signal
    from flashcards.interrupts import ctrl_c_held

    signal.signal(signal.SIGINT, signal.default_int_handler)
    kill = functools.partial(ctypes.CDLL(None).kill, os.getpid(), signal.SIGINT)  # no check for signals after
    real_sigmask = signal.pthread_sigmask

    def ctrl_c_just_before_the_block(how, mask):
        # Ctrl-C, then the C call that changes the mask, with no bytecode in between: Python's handler is
        # still pending when SIGINT gets blocked - what a busy machine does when it preempts the process there.
        if how == signal.SIG_BLOCK and signal.SIGINT in mask:
            return list(map(operator.call, [kill, functools.partial(_signal.pthread_sigmask, how, mask)]))[1]
        return real_sigmask(how, mask)

    def attempt(name, block):
        signal.pthread_sigmask = ctrl_c_just_before_the_block
        try:
            block()
            outcome = "no interrupt"
        except KeyboardInterrupt:
            outcome = "KeyboardInterrupt"
        finally:
            signal.pthread_sigmask = real_sigmask
        blocked = signal.SIGINT in real_sigmask(signal.SIG_BLOCK, [])
        print(f"{name}: {outcome}, SIGINT blocked afterwards: {blocked}")
        real_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def naive():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def held():
        with ctrl_c_held():
            print("held: body ran")

    attempt("naive", naive)
    attempt("held", held)
    with ctrl_c_held():
        kill()  # pressed while held: waits for the end of the block
        print("held: Ctrl-C pressed inside, body finished")
    """
)


def test_a_ctrl_c_landing_as_it_is_held_is_raised_and_never_leaves_ctrl_c_blocked() -> None:
    """A Ctrl-C pressed a few bytecodes before SIGINT is blocked is run by the blocking call itself: the
    KeyboardInterrupt comes out *after* the mask changed. Left that way, the process never sees another
    Ctrl-C (the stress test's rare hang). Simulated exactly, so it fails on every run, not one in a thousand."""
    import subprocess

    run = subprocess.run([sys.executable, "-c", HOLD_AS_CTRL_C_LANDS], capture_output=True, text=True, timeout=60)
    lines = run.stdout.splitlines()
    assert lines[:2] == [
        "naive: KeyboardInterrupt, SIGINT blocked afterwards: True",  # the hazard is real
        "held: KeyboardInterrupt, SIGINT blocked afterwards: False",  # the body never ran, the mask is restored
    ], run.stdout + run.stderr
    assert lines[2:] == ["held: Ctrl-C pressed inside, body finished"], run.stdout + run.stderr
    assert run.returncode != 0 and run.stderr.rstrip().endswith("KeyboardInterrupt"), run.stderr
