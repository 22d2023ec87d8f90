"""The SQLite progress store: persistence across restarts, one commit per answer, clear errors, no silent reset."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from flashcards.scheduler import AGAIN, GOOD, REVIEW, Scheduler
from flashcards.store import ENV_VAR, Store, StoreError, default_path

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def test_progress_survives_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "progress.sqlite3"
    scheduler = Scheduler(fuzz=False)
    with Store(path) as store:
        first = scheduler.review("a", None, GOOD, T0)
        store.record_review("a", GOOD, T0, None, first, duration_ms=1500)
        second = scheduler.review("a", first, GOOD, first.due)
        store.record_review("a", GOOD, first.due, first, second)
        store.record_review("b", AGAIN, T0, None, scheduler.review("b", None, AGAIN, T0))

    with Store(path) as store:  # a new process would see exactly this
        records = store.records()
        reviews = store.reviews()
    assert sorted(records) == ["a", "b"]
    assert records["a"].memory == second
    assert records["a"].reps == 2 and records["a"].introduced_at == T0
    assert [(r.card_id, r.rating, r.state_before) for r in reviews] == [("a", GOOD, None), ("b", AGAIN, None), ("a", GOOD, 1)]
    assert reviews[0].reviewed_at == T0


def test_each_answer_is_committed_before_record_review_returns(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    store = Store(path)
    memory = Scheduler(fuzz=False).review("a", None, GOOD, T0)
    store.record_review("a", GOOD, T0, None, memory)
    # A second, independent connection (as another process would) already sees the row.
    other = sqlite3.connect(path)
    assert other.execute("SELECT card_id, rating, mode FROM reviews").fetchall() == [("a", GOOD, "scheduled")]
    other.close()
    store.close()


def test_cram_reviews_are_logged_but_do_not_move_the_schedule(tmp_path: Path) -> None:
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "p.sqlite3") as store:
        memory = scheduler.review("a", None, GOOD, T0)
        store.record_review("a", GOOD, T0, None, memory)
        store.record_review("a", AGAIN, T0 + timedelta(hours=1), memory, None, mode="cram")
        assert store.records()["a"].memory == memory
        assert store.records()["a"].reps == 1
        assert [r.mode for r in store.reviews()] == ["scheduled", "cram"]


def test_lapses_count_again_on_graduated_cards_only(tmp_path: Path) -> None:
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "p.sqlite3") as store:
        learning = scheduler.review("a", None, AGAIN, T0)  # Again while learning: not a lapse
        store.record_review("a", AGAIN, T0, None, learning)
        review = scheduler.review("a", learning, GOOD, T0 + timedelta(minutes=1))
        review = scheduler.review("a", review, GOOD, review.due)
        assert review.state == REVIEW
        lapsed = scheduler.review("a", review, AGAIN, review.due)
        store.record_review("a", AGAIN, review.due, review, lapsed)
        assert store.records()["a"].lapses == 1


def test_count_introduced_counts_first_reviews_since_a_time(tmp_path: Path) -> None:
    scheduler = Scheduler(fuzz=False)
    with Store(tmp_path / "p.sqlite3") as store:
        for i, card in enumerate(["a", "b", "c"]):
            at = T0 + timedelta(days=i)
            store.record_review(card, GOOD, at, None, scheduler.review(card, None, GOOD, at))
        assert store.count_introduced(T0 + timedelta(days=1)) == 2
        assert store.count_introduced(T0 + timedelta(days=3)) == 0


def test_garbage_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    garbage = b"this is not a database, it is a text file that happens to be here\n" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as error:
        Store(path)
    message = str(error.value)
    assert str(path) in message and "unreadable" in message and "has not been modified" in message
    assert path.read_bytes() == garbage


def test_truncated_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with Store(path) as store:
        scheduler = Scheduler(fuzz=False)
        for i in range(300):  # enough rows for several pages
            card = f"card-{i}"
            store.record_review(card, GOOD, T0, None, scheduler.review(card, None, GOOD, T0))
    data = path.read_bytes()
    broken = data[: len(data) // 2]
    path.write_bytes(broken)
    with pytest.raises(StoreError, match="unreadable"):
        Store(path)
    assert path.read_bytes() == broken


def test_another_applications_database_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a kit-quiz store"):
        Store(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoices",)]


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.touch()
    with Store(path) as store:
        assert store.records() == {}


def test_corrupt_store_on_the_command_line_exits_3_with_the_message(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"\x00garbage" * 512)
    result = subprocess.run(
        [sys.executable, "-m", "flashcards.cli", "study", "--store", str(path), "--plain"],
        input="", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 3
    assert f"the progress store {path} is unreadable" in result.stderr
    assert path.read_bytes() == b"\x00garbage" * 512


def test_default_path_uses_the_environment_variable_then_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "mine.sqlite3"))
    assert default_path() == tmp_path / "mine.sqlite3"
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = default_path()
    assert path.name == "progress.sqlite3" and path.parent.name == "kit-quiz"
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "xdg" / "kit-quiz" / "progress.sqlite3"
