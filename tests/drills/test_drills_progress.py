"""Drill progress lives in the flashcards' store file, in its own tables; the schedule for failed drills."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from drills.progress import DrillProgress, StoreError
from flashcards.store import Store

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_both_programs_open_the_same_file_in_either_order(tmp_path):
    first_drills = tmp_path / "a.sqlite3"
    with DrillProgress(first_drills) as progress:
        progress.record("x", False, "visible", "visible", T0)
    with Store(first_drills) as store:  # the quiz still accepts it
        assert store.records() == {}
    with DrillProgress(first_drills) as progress:
        assert progress.statuses()["x"].attempts == 1

    first_quiz = tmp_path / "b.sqlite3"
    Store(first_quiz).close()
    with DrillProgress(first_quiz) as progress:
        progress.record("x", True, "passed", None, T0)
    Store(first_quiz).close()
    tables = {
        r[0] for r in sqlite3.connect(first_quiz).execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {"meta", "cards", "reviews", "drill_meta", "drill_attempts", "drill_status"} <= tables


def test_failed_drills_come_back_after_1_then_3_then_7_days(tmp_path):
    with DrillProgress(tmp_path / "p.sqlite3") as p:
        s = p.record("d", False, "hidden", "ties", T0)
        assert (s.solved, s.step, s.due) == (False, 0, T0 + timedelta(days=1))
        s = p.record("d", True, "passed", None, T0 + timedelta(days=1))
        assert (s.solved, s.step, s.due) == (True, 1, T0 + timedelta(days=4))
        s = p.record("d", True, "passed", None, T0 + timedelta(days=4))
        assert (s.step, s.due) == (2, T0 + timedelta(days=11))
        s = p.record("d", False, "visible", "visible", T0 + timedelta(days=11))  # a lapse starts over
        assert (s.solved, s.step, s.due) == (True, 0, T0 + timedelta(days=12))
        for day in (12, 15, 22):
            s = p.record("d", True, "passed", None, T0 + timedelta(days=day))
        assert (s.step, s.due, s.attempts, s.fails) == (None, None, 7, 2)
        s = p.record("easy", True, "passed", None, T0)  # solved first time: done
        assert (s.solved, s.step, s.due) == (True, None, None)


def test_a_broken_or_foreign_file_is_refused_untouched(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all, just bytes" * 100)
    before = junk.read_bytes()
    with pytest.raises(StoreError, match="unreadable"):
        DrillProgress(junk)
    assert junk.read_bytes() == before


def test_a_newer_drill_schema_is_not_overwritten(tmp_path):
    path = tmp_path / "p.sqlite3"
    DrillProgress(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE drill_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        DrillProgress(path)
    assert sqlite3.connect(path).execute("SELECT value FROM drill_meta").fetchone() == ("99",)
