"""Stats from a store filled at known times: today, retention, 7-day forecast, streak, weakest tags."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from flashcards import deck
from flashcards.scheduler import AGAIN, EASY, GOOD, HARD, Scheduler
from flashcards.stats import compute, show
from flashcards.store import Store
from flashcards.ui import PlainUI

NOW = datetime(2026, 1, 10, 15, 0, tzinfo=timezone.utc)
SCHEDULER = Scheduler(fuzz=False)


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch):
    """"Today" is a local-time notion; pin the local timezone so day boundaries are known."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def card(card_id: str, *tags: str) -> deck.Card:
    return deck.Card(id=card_id, deck="d", question="q", answer="a", tags=tags)


CARDS = [card("x1", "xcom"), card("x2", "xcom"), card("s1", "sensors"), card("s2", "sensors"), card("n1", "xcom"),
         card("d1", "dbt")]


def answer(store: Store, card_id: str, rating: int, at: datetime, mode: str = "scheduled") -> None:
    record = store.records().get(card_id)
    before = record.memory if record else None
    after = None if mode == "cram" else SCHEDULER.review(card_id, before, rating, at)
    store.record_review(card_id, rating, at, before, after, mode=mode)


@pytest.fixture
def stats(tmp_path: Path):
    with Store(tmp_path / "p.sqlite3") as store:
        day = lambda n, hour=9: datetime(2026, 1, n, hour, 0, tzinfo=timezone.utc)  # noqa: E731
        answer(store, "x1", EASY, day(1))  # review state, due Jan 9
        answer(store, "x2", EASY, day(1))
        answer(store, "s1", EASY, day(1))
        answer(store, "s2", EASY, day(2))  # due Jan 10 09:00
        # Jan 3 has no reviews: the streak restarts after it.
        answer(store, "x1", AGAIN, day(8))  # graduated review, forgotten
        answer(store, "x2", GOOD, day(9))  # graduated review, recalled
        answer(store, "s1", HARD, day(9))  # graduated review, recalled
        answer(store, "d1", AGAIN, day(9))  # new card: two answers while learning, not graduated reviews
        answer(store, "d1", AGAIN, day(9, 10))
        answer(store, "x1", GOOD, day(10, 8))  # relearning step: not a graduated review
        answer(store, "x2", AGAIN, day(10, 10), mode="cram")
        answer(store, "x1", AGAIN, day(10, 11), mode="cram")
        yield compute(CARDS, store.records(), store.reviews(), NOW, SCHEDULER.retrievability)


def test_counts_today_retention_and_streak(stats) -> None:
    assert (stats.cards, stats.studied) == (6, 5)
    assert stats.reviews_today == 3  # Jan 10: one scheduled and two cram answers
    assert stats.retention_reviews == 3  # Jan 8 and the two on Jan 9: scheduled reviews of graduated cards
    assert stats.retention == pytest.approx(2 / 3)
    assert stats.streak == 3  # Jan 8, 9, 10


def test_forecast_counts_overdue_cards_today(stats) -> None:
    forecast = dict(stats.forecast)
    assert list(forecast) == [date(2026, 1, 10) + timedelta(days=i) for i in range(7)]
    # Today: s2 (due this morning, 8 days after Easy on Jan 2) and d1 (overdue since its Jan 9 learning step).
    assert forecast[date(2026, 1, 10)] == 2
    assert forecast[date(2026, 1, 14)] == 1  # x1, relearned on Jan 10
    assert sum(forecast.values()) == 3  # x2 and s1, reviewed on Jan 9, are due in February


def test_weakest_tags_need_three_answers_and_rank_by_again_share(stats) -> None:
    # xcom: x1 answered 4 times, x2 3 times; Again on x1 (Jan 8), x2 (cram) and x1 (cram). dbt: only 2 answers.
    assert [(t.tag, t.cards, t.reviews) for t in stats.weakest] == [("xcom", 3, 7), ("sensors", 2, 3)]
    assert stats.weakest[0].again_rate == pytest.approx(3 / 7)
    assert stats.weakest[1].again_rate == 0


def test_streak_survives_until_the_end_of_today(tmp_path: Path) -> None:
    with Store(tmp_path / "p.sqlite3") as store:
        answer(store, "x1", GOOD, NOW - timedelta(days=1))
        answer(store, "x1", GOOD, NOW - timedelta(days=2))
        stats = compute(CARDS, store.records(), store.reviews(), NOW, SCHEDULER.retrievability)
    assert stats.streak == 2 and stats.reviews_today == 0


def test_plain_rendering(stats, capsys: pytest.CaptureFixture[str]) -> None:
    show(stats, PlainUI())
    out = capsys.readouterr().out
    assert "Reviews today  3" in out
    assert "Retention      67% of 3 reviews (last 30 days)" in out
    assert "today       2" in out
    assert "xcom     3      7        43%" in out
    assert "\x1b[" not in out
