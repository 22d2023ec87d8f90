"""FSRS scheduling through flashcards.scheduler, with a fixed clock and fuzzing off.

The expected intervals follow from FSRS-6's default parameters (fsrs 6.3.x) and the default learning
steps (1 min, 10 min) and relearning step (10 min).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from flashcards.scheduler import AGAIN, EASY, GOOD, HARD, LEARNING, RELEARNING, REVIEW, Scheduler, parse_rating

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def scheduler() -> Scheduler:
    return Scheduler(fuzz=False)


@pytest.mark.parametrize(
    ("rating", "state", "step", "interval"),
    [
        (AGAIN, LEARNING, 0, timedelta(minutes=1)),
        (HARD, LEARNING, 0, timedelta(minutes=5, seconds=30)),  # halfway between the two learning steps
        (GOOD, LEARNING, 1, timedelta(minutes=10)),
        (EASY, REVIEW, None, timedelta(days=8)),  # graduates at once; initial stability 8.2956 days
    ],
)
def test_first_answer_of_a_new_card(scheduler: Scheduler, rating: int, state: int, step, interval: timedelta) -> None:
    memory = scheduler.review("c", None, rating, T0)
    assert (memory.state, memory.step) == (state, step)
    assert memory.due - T0 == interval
    assert memory.last_review == T0


def test_learning_then_review_then_lapse(scheduler: Scheduler) -> None:
    first = scheduler.review("c", None, GOOD, T0)
    second = scheduler.review("c", first, GOOD, first.due)  # last learning step passed: graduates
    assert second.state == REVIEW and second.step is None
    assert second.due - first.due == timedelta(days=2)

    third = scheduler.review("c", second, GOOD, second.due)  # recalled on time: the interval grows
    assert third.state == REVIEW
    assert third.due - second.due == timedelta(days=11)
    assert third.stability > second.stability

    lapse = scheduler.review("c", third, AGAIN, third.due)  # forgotten: back to a 10-minute relearning step
    assert (lapse.state, lapse.step) == (RELEARNING, 0)
    assert lapse.due - third.due == timedelta(minutes=10)
    assert lapse.stability < third.stability

    relearned = scheduler.review("c", lapse, GOOD, lapse.due)
    assert relearned.state == REVIEW


def test_same_inputs_same_schedule_without_fuzz() -> None:
    a, b = Scheduler(fuzz=False), Scheduler(fuzz=False)
    memory_a = memory_b = None
    for minutes, rating in [(0, GOOD), (10, GOOD), (3000, HARD), (20000, GOOD)]:
        now = T0 + timedelta(minutes=minutes)
        memory_a = a.review("c", memory_a, rating, now)
        memory_b = b.review("c", memory_b, rating, now)
    assert memory_a == memory_b


def test_retrievability_is_zero_for_new_cards_and_decays_after_review(scheduler: Scheduler) -> None:
    assert scheduler.retrievability(None, T0) == 0.0
    memory = scheduler.review("c", None, EASY, T0)
    at_due = scheduler.retrievability(memory, memory.due)
    assert scheduler.retrievability(memory, T0) == pytest.approx(1.0)
    assert at_due == pytest.approx(0.9, abs=0.01)  # scheduled for when recall falls to the desired 90%
    assert scheduler.retrievability(memory, memory.due + timedelta(days=30)) < at_due


def test_non_utc_times_are_converted_and_naive_times_refused(scheduler: Scheduler) -> None:
    plus_two = timezone(timedelta(hours=2))
    memory = scheduler.review("c", None, GOOD, T0.astimezone(plus_two))
    assert memory.due == T0 + timedelta(minutes=10)
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduler.review("c", None, GOOD, datetime(2026, 1, 5, 9, 0))
    with pytest.raises(ValueError, match="rating"):
        scheduler.review("c", None, 5, T0)


@pytest.mark.parametrize(
    ("text", "rating"),
    [("1", AGAIN), ("a", AGAIN), ("Again", AGAIN), ("2", HARD), ("h", HARD), (" 3 ", GOOD), ("g", GOOD),
     ("4", EASY), ("EASY", EASY), ("5", None), ("", None), ("good job", None)],
)
def test_parse_rating(text: str, rating: int | None) -> None:
    assert parse_rating(text) == rating
