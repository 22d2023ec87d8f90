"""A whole short mock interview in a real pseudo-terminal, as a candidate does it: a SQL drill and a Python task
answered in the scratch files, Ctrl-C in the middle, ``--resume``, three concept cards (one wrong), then the
scorecard on screen and the rows in the progress store."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pexpect

from drills import bank as drill_bank
from interview.tasks import ROOT, bank
from interview_deck import RIGHT, write_decks



def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    # SIGINT back to its default in the child, as in a user's terminal (see tests/flashcards/test_flashcards_cli.py)
    # 250 columns: the scorecard names the tmp deck by its full path, which must not wrap mid-command
    return pexpect.spawn(sys.executable, ["-m", "interview.cli", *args], env=env, cwd=str(ROOT), encoding="utf-8",
                         dimensions=(50, 250), timeout=60,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def plan(store: Path) -> list[dict]:
    db = sqlite3.connect(store)
    try:
        return json.loads(db.execute("SELECT plan FROM interview_sessions").fetchone()[0])
    finally:
        db.close()


def rows(store: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(store)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_short_interview_interrupted_resumed_and_scored(tmp_path: Path) -> None:
    decks = write_decks(tmp_path, "interview")
    store, scratch = tmp_path / "progress.sqlite3", tmp_path / "scratch"
    env = {**os.environ, "KIT_QUIZ_DECKS": str(decks), "TERM": "xterm-256color", "COLUMNS": "250"}
    env.pop("NO_COLOR", None)
    env.pop("KIT_QUIZ_STORE", None)
    common = ("--store", str(store))

    child = spawn(env, "--only", "sql,python,concepts", "--length", "short", "--seed", "5", "--scratch",
                  str(scratch), *common)
    child.expect("Enter = start the clock")
    items = plan(store)
    assert [i["section"] for i in items] == ["sql", "python", "concepts", "concepts", "concepts"]
    drill = drill_bank.by_id()[items[0]["item_id"]]
    task = bank("python")[items[1]["item_id"]]
    child.sendline("")
    child.expect("Your file: ")
    child.expect(r"Enter = submit, skip = move on, q = stop for now: ")
    sql_file = scratch / f"{drill.id}.sql"
    assert sql_file.read_text().startswith(f"-- {drill.title}")  # the prompt, as comments
    sql_file.write_text(sql_file.read_text() + drill.solution + "\n")
    child.sendline("")
    child.expect("passed on the visible data")
    child.expect(f"Python 1 of 1 · item 2 of 5 · {task.title}")
    child.expect(r"Enter = submit, skip = move on, q = stop for now: ")
    (scratch / task.file).write_text(task.reference.read_text())
    child.sendintr()  # Ctrl-C while the Python task waits for its submission
    child.expect("interrupted. Finished items are saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert rows(store, "SELECT seq, section, score FROM interview_results") == [(0, "sql", 1.0)]
    assert rows(store, "SELECT seq FROM interview_open_items") == [(1,)]
    assert rows(store, "SELECT drill_id, passed FROM drill_attempts") == [(drill.id, 1)]

    child = spawn(env, "--resume", *common)
    child.expect("Resuming")
    child.expect("Enter = start the clock")
    child.sendline("")
    child.expect(r"Enter = submit, skip = move on, q = stop for now: ")
    child.sendline("")
    child.expect("Passed in")
    cards = [i["item_id"] for i in items[2:]]
    for n, card_id in enumerate(cards):
        child.expect(r"Your answer \(q = stop for now\): ")
        child.sendline("no idea at all" if n == 1 else RIGHT[card_id])
    child.expect("Scorecard")
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 0
    assert "╭" in screen or "\x1b[" in screen  # rich on a terminal
    assert "What failed and why" in screen and cards[1] in screen
    assert "kit-quiz --deck interview" in screen

    results = rows(store, "SELECT section, item_id, score, detail FROM interview_results ORDER BY seq")
    assert [(s, i, score) for s, i, score, _ in results] == [
        ("sql", drill.id, 1.0), ("python", task.task_id, 1.0),
        *[("concepts", c, 0.0 if n == 1 else 1.0) for n, c in enumerate(cards)]]
    details = [json.loads(r[3]) for r in results]
    assert all({"failed", "teaches", "over_time"} <= set(d) for d in details)
    assert details[3]["failed"][0]["name"] == "wrong answer" and not details[1]["over_time"]
    assert rows(store, "SELECT finished_at IS NOT NULL FROM interview_sessions") == [(1,)]
    assert rows(store, "SELECT COUNT(*) FROM interview_open_items") == [(0,)]
    assert rows(store, "SELECT card_id, rating FROM reviews ORDER BY id") == [
        (c, 1 if n == 1 else 3) for n, c in enumerate(cards)]

    shown = subprocess.run([sys.executable, "-m", "interview.cli", "show", "last", *common], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0
    assert "Scorecard" in shown.stdout and re.search(r"^SQL +100% ", shown.stdout, re.MULTILINE)
    assert re.search(r"^Concepts +67% ", shown.stdout, re.MULTILINE) and "89% overall" in shown.stdout
