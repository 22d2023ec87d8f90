"""Scheduling with FSRS, through the ``fsrs`` package.

FSRS (Free Spaced Repetition Scheduler) models each card's memory with two numbers: *stability* (days
until recall probability falls to 90%) and *difficulty* (1-10). After each review it updates both from the
rating and schedules the next review for when recall probability is expected to drop to the desired
retention (0.9 by default). New and forgotten cards first go through short learning steps (1 and 10
minutes by default) before graduating to day-scale intervals.

This module keeps the kit's code independent of the library's details: ratings are plain ints 1-4,
times are timezone-aware datetimes, and ``fuzz=False`` plus an explicit ``now`` make the schedule exactly
reproducible in tests (the library otherwise adds a little random "fuzz" to intervals so that cards
learned together do not stay bunched together).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}
LEARNING, REVIEW, RELEARNING = 1, 2, 3
STATE_NAMES = {LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}

_RATING_WORDS = {
    "1": AGAIN, "a": AGAIN, "again": AGAIN,
    "2": HARD, "h": HARD, "hard": HARD,
    "3": GOOD, "g": GOOD, "good": GOOD,
    "4": EASY, "e": EASY, "easy": EASY,
}


def parse_rating(text: str) -> int | None:
    """``'3'``, ``'g'`` or ``'good'`` -> 3; anything else -> None."""
    return _RATING_WORDS.get(text.strip().lower())


@dataclass(frozen=True)
class Memory:
    """What the scheduler knows about one card; ``None`` stands for a card never reviewed."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(timezone.utc)


def _fsrs_id(card_id: str) -> int:
    """fsrs wants an integer id; derive a stable one from the deck id (it is not stored)."""
    return int(hashlib.sha1(card_id.encode(), usedforsecurity=False).hexdigest()[:12], 16)


class Scheduler:
    """Review cards with FSRS. ``fuzz=False`` makes intervals deterministic."""

    def __init__(self, *, fuzz: bool = True, desired_retention: float = 0.9) -> None:
        import fsrs  # lazy: keeps `kit-quiz lint` and `--help` lighter

        self._fsrs = fsrs
        self._scheduler = fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)

    def review(self, card_id: str, memory: Memory | None, rating: int, now: datetime) -> Memory:
        """Return the card's new memory after answering it with ``rating`` (1 Again .. 4 Easy) at ``now``."""
        if rating not in RATING_NAMES:
            raise ValueError(f"rating must be 1-4, got {rating!r}")
        now = _utc(now)
        fsrs = self._fsrs
        if memory is None:
            card = fsrs.Card(card_id=_fsrs_id(card_id), due=now)
        else:
            card = fsrs.Card(
                card_id=_fsrs_id(card_id),
                state=fsrs.State(memory.state),
                step=memory.step,
                stability=memory.stability,
                difficulty=memory.difficulty,
                due=_utc(memory.due),
                last_review=_utc(memory.last_review) if memory.last_review else None,
            )
        card, _log = self._scheduler.review_card(card, fsrs.Rating(rating), review_datetime=now)
        return Memory(
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )

    def retrievability(self, memory: Memory | None, now: datetime) -> float:
        """Predicted probability (0-1) of recalling the card at ``now``; 0 for a card never reviewed."""
        if memory is None or memory.last_review is None or memory.stability is None:
            return 0.0
        card = self._fsrs.Card(
            card_id=0,
            state=self._fsrs.State(memory.state),
            step=memory.step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=_utc(memory.due),
            last_review=_utc(memory.last_review),
        )
        return float(self._scheduler.get_card_retrievability(card, current_datetime=_utc(now)))
