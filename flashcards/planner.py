"""Which card comes next: the due queue, the daily new-card limit, cram mode, filters and shuffle.

A study session shows, in this order of priority:

1. cards in their short learning steps (minutes apart) whose time has come;
2. cards due for review (most overdue first), then new cards, at most ``new_limit`` per day;
3. learning cards due within the next 20 minutes, shown a little early rather than ending the session
   (Anki's "learn ahead" rule).

When nothing is due and the new-card allowance is spent (or with ``--cram``), the session crams instead:
cards already studied, weakest first (lowest predicted recall, then most lapses). Cram answers are logged
but do not move the schedule.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .deck import Card
from .scheduler import REVIEW, Memory
from .store import CardRecord

LEARN_AHEAD = timedelta(minutes=20)


def select(cards: Iterable[Card], *, tags: Sequence[str] = (), decks: Sequence[str] = ()) -> list[Card]:
    """Cards in any of ``decks`` (if given) that carry any of ``tags`` (if given), in deck order."""
    return [
        card
        for card in cards
        if (not decks or card.deck in decks) and (not tags or any(tag in card.tags for tag in tags))
    ]


def start_of_day(now: datetime) -> datetime:
    """Local midnight of ``now``'s day: the daily new-card limit and "today" stats reset there."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class StudyQueue:
    """The session's queue; ``next(now)`` picks the card to show, ``answered`` re-queues learning cards."""

    main: list[str]
    cram: bool = False
    learning: dict[str, datetime] = field(default_factory=dict)

    def next(self, now: datetime) -> str | None:
        ready = [cid for cid, due in self.learning.items() if due <= now]
        if ready:
            return self._pop_learning(min(ready, key=self.learning.__getitem__))
        if self.main:
            return self.main.pop(0)
        soon = [cid for cid, due in self.learning.items() if due <= now + LEARN_AHEAD]
        if soon:
            return self._pop_learning(min(soon, key=self.learning.__getitem__))
        return None

    def _pop_learning(self, card_id: str) -> str:
        del self.learning[card_id]
        return card_id

    def answered(self, card_id: str, rating: int, due: datetime | None, now: datetime) -> None:
        """Put the card back if it must be seen again this session.

        Scheduled: when its next review falls within the learn-ahead window (learning steps).
        Cram: when it was answered Again, at the end of the queue.
        """
        if self.cram:
            if rating == 1:
                self.main.append(card_id)
        elif due is not None and due <= now + LEARN_AHEAD:
            self.learning[card_id] = due

    def __len__(self) -> int:
        return len(self.main) + len(self.learning)


@dataclass
class Plan:
    """A session's queue plus what the opening message needs to say."""

    queue: StudyQueue
    due: int
    new: int
    cram: bool
    next_due: datetime | None
    reason: str = ""


def plan(
    cards: Sequence[Card],
    records: dict[str, CardRecord],
    now: datetime,
    *,
    new_limit: int,
    introduced_today: int,
    retrievability: Callable[[Memory, datetime], float],
    cram: bool = False,
    shuffle: bool = False,
    rng: random.Random | None = None,
) -> Plan:
    """Build the session for ``cards`` (already filtered) given the stored ``records``."""
    rng = rng or random.Random()
    due = sorted((c.id for c in cards if c.id in records and records[c.id].memory.due <= now),
                 key=lambda cid: records[cid].memory.due)
    allowance = max(0, new_limit - introduced_today)
    new = [c.id for c in cards if c.id not in records][:allowance]
    future = [records[c.id].memory.due for c in cards if c.id in records and records[c.id].memory.due > now]
    next_due = min(future) if future else None

    # Cards left in a learning step a few minutes ago (an earlier session ended early) come back soon.
    learning = {
        c.id: records[c.id].memory.due
        for c in cards
        if c.id in records and records[c.id].memory.state != REVIEW and now < records[c.id].memory.due <= now + LEARN_AHEAD
    }

    if shuffle:
        rng.shuffle(due)
        rng.shuffle(new)

    reason = ""
    if not cram and not due and not new and not learning:
        cram = True
        unseen = sum(1 for c in cards if c.id not in records)
        if unseen and allowance == 0:
            reason = f"Nothing due, and today's {new_limit} new cards are done."
        else:
            reason = "Nothing due."
    if cram:
        studied = [c.id for c in cards if c.id in records]
        if shuffle:
            rng.shuffle(studied)  # breaks ties randomly; the sort below is stable
        studied.sort(key=lambda cid: (retrievability(records[cid].memory, now), -records[cid].lapses))
        return Plan(StudyQueue(studied, cram=True), due=0, new=0, cram=True, next_due=next_due, reason=reason)
    return Plan(StudyQueue(due + new, learning=learning), due=len(due), new=len(new), cram=False, next_due=next_due)
