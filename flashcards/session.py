"""The study loop: show a card, take an answer, rate it, save it, repeat.

Two ways to answer:

- **typed** (``Type: short`` cards): type the answer; it is checked against the answer and its aliases
  (see ``answer``), the expected answer is shown, and the suggested rating (Good if right, Again if
  wrong, none when the matcher is unsure) is taken with Enter or overridden with 1-4;
- **self-graded** (``Type: long`` cards, or every card with ``--self-grade``): think, press Enter to
  reveal, and rate yourself 1 Again, 2 Hard, 3 Good, 4 Easy.

Each rating is saved (``Store.record_review``) before the next card appears; if the store refuses it (say
another program holds a lock), the session says so and offers to try again rather than drop the answer.
``q`` at a prompt, Ctrl-C or end of input ends the session with a summary; nothing already rated is lost.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .answer import check_card, vocabulary
from .deck import Card
from .interrupts import ctrl_c_held
from .planner import Plan
from .scheduler import AGAIN, GOOD, RATING_NAMES, REVIEW, STATE_NAMES, Memory, Scheduler, parse_rating
from .store import CardRecord, Store, StoreError

QUIT = {"q", ":q", "quit"}
RATING_PROMPT = "Rate: 1 Again, 2 Hard, 3 Good, 4 Easy"


class _Quit(Exception):
    """The user typed q."""


@dataclass
class Summary:
    """What happened in a session, for the closing message."""

    cram: bool = False
    answered: int = 0
    new: int = 0
    ratings: Counter = field(default_factory=Counter)
    typed: int = 0
    typed_correct: int = 0
    seconds: float = 0.0
    stopped_by: str = ""  # "", "q", "Ctrl-C" or "end of input"
    left: int = 0

    def lines(self) -> list[str]:
        if not self.answered:
            head = "No cards answered."
        else:
            kind = "cram reviews (schedule unchanged)" if self.cram else f"answered ({self.new} new)"
            ratings = ", ".join(f"{RATING_NAMES[r]} {self.ratings[r]}" for r in sorted(RATING_NAMES) if self.ratings[r])
            head = f"{self.answered} {kind}: {ratings}."
        lines = [head]
        if self.typed:
            lines.append(f"Typed answers right: {self.typed_correct}/{self.typed}.")
        lines.append(f"Time: {format_duration(self.seconds)}.")
        if self.stopped_by in ("Ctrl-C", "end of input"):
            lines.append(f"Stopped by {self.stopped_by}; every rated card is saved.")
        if self.left:
            lines.append(f"{self.left} card(s) left in this session's queue.")
        return lines


def format_duration(seconds: float) -> str:
    """``42`` -> ``42 s``, ``300`` -> ``5 min``, ``7200`` -> ``2 h``, ``259200`` -> ``3 days``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def _remaining(queue) -> str:
    """``5 more``: cards not shown yet this session (down by one per card), then those coming back."""
    text = f"{len(queue.main)} more"
    return text + (f" + {len(queue.learning)} in learning" if queue.learning else "")


class Session:
    """One study session over ``plan``'s queue; ``run()`` returns its ``Summary``."""

    def __init__(
        self,
        cards: dict[str, Card],
        records: dict[str, CardRecord],
        plan: Plan,
        store: Store,
        scheduler: Scheduler,
        ui,
        *,
        clock: Callable[[], datetime],
        typed: bool = True,
    ) -> None:
        self.cards = cards
        self.records = dict(records)
        self.plan = plan
        self.store = store
        self.scheduler = scheduler
        self.ui = ui
        self.clock = clock
        self.typed = typed
        self.summary = Summary(cram=plan.cram)
        self.lexicon = vocabulary(cards.values())  # what the decks know: terms are never typos

    def run(self) -> Summary:
        started = time.monotonic()
        queue = self.plan.queue
        try:
            while (card_id := queue.next(self.clock())) is not None:
                self._one(self.cards[card_id], left=_remaining(queue))
        except _Quit:
            self.summary.stopped_by = "q"
        except KeyboardInterrupt:
            self.summary.stopped_by = "Ctrl-C"
        except EOFError:
            self.summary.stopped_by = "end of input"
        self.summary.seconds = time.monotonic() - started
        self.summary.left = len(queue)
        return self.summary

    def _ask(self, prompt: str) -> str:
        text = self.ui.ask(prompt)
        if text.strip().lower() in QUIT:
            raise _Quit
        return text

    def _one(self, card: Card, left: str) -> None:
        record = self.records.get(card.id)
        before = record.memory if record else None
        if self.plan.cram:
            label = "cram"
        else:
            label = "new" if before is None else STATE_NAMES[before.state]
        self.ui.panel(f"{card.deck} · {card.id} · {label} · {left}", card.question)
        shown = time.monotonic()

        suggested = None
        if self.typed and card.kind == "short":
            verdict = check_card(self._ask("Your answer (Enter = show it, q = quit): "), card, self.lexicon)
            self.summary.typed += 1
            self.summary.typed_correct += verdict.correct
            if verdict.outcome == "exact":
                self.ui.message(f"Correct: {verdict.expected}", "green")
            elif verdict.outcome == "close":
                self.ui.message(f"Correct, with a typo. Expected: {verdict.expected}", "yellow")
            elif verdict.outcome == "unsure":
                self.ui.message(
                    f"Not sure ({verdict.reason}): compare and rate it yourself. Expected: {card.answer}",
                    "yellow",
                )
            elif verdict.outcome == "blank":
                self.ui.message(f"Answer: {card.answer}", "red")
            else:
                self.ui.message(f"Wrong. Expected: {card.answer}", "red")
            if card.aliases:
                self.ui.message(f"Also accepted: {' | '.join(card.aliases)}", "dim")
            if card.note:
                self.ui.panel("Why", card.note, "dim")
            suggested = None if verdict.outcome == "unsure" else GOOD if verdict.correct else AGAIN
        else:
            self._ask("Enter = show the answer (q = quit) ")
            body = card.answer + (f"\n\n{card.note}" if card.note else "")
            self.ui.panel("Answer", body, "green")

        rating = self._rating(suggested)
        self._save(card, record, before, rating, duration_ms=int((time.monotonic() - shown) * 1000))

    def _rating(self, suggested: int | None) -> int:
        hint = f" [Enter = {RATING_NAMES[suggested]}]" if suggested else ""
        while True:
            text = self._ask(f"{RATING_PROMPT}{hint}: ")
            if not text.strip() and suggested:
                return suggested
            rating = parse_rating(text)
            if rating is not None:
                return rating
            self.ui.message("Type 1, 2, 3 or 4 (or a, h, g, e); q quits.")

    def _save(self, card: Card, record: CardRecord | None, before: Memory | None, rating: int, duration_ms: int) -> None:
        now = self.clock()
        after = None if self.plan.cram else self.scheduler.review(card.id, before, rating, now)
        mode = "cram" if self.plan.cram else "scheduled"
        while True:
            try:
                with ctrl_c_held():  # the answer and the session's count of it, together
                    self.store.record_review(card.id, rating, now, before, after, mode=mode,
                                             duration_ms=duration_ms)
                    self._count(card, record, before, rating, after, now)
                return
            except StoreError as error:  # e.g. another program holds a lock: keep the answer, ask
                self.ui.message(f"{error}\nThis answer is not saved yet.", "red")
                self._ask("Enter = try again, q = quit (only this answer is lost): ")

    def _count(
        self, card: Card, record: CardRecord | None, before: Memory | None, rating: int, after: Memory | None,
        now: datetime,
    ) -> None:
        """The session's own record of a saved answer (memory, summary, queue)."""
        if after is not None:
            lapsed = before is not None and before.state == REVIEW and rating == AGAIN
            self.records[card.id] = CardRecord(
                card.id,
                after,
                reps=(record.reps if record else 0) + 1,
                lapses=(record.lapses if record else 0) + lapsed,
                introduced_at=record.introduced_at if record else now,
            )
        self.summary.answered += 1
        self.summary.new += before is None and not self.plan.cram
        self.summary.ratings[rating] += 1
        self.plan.queue.answered(card.id, rating, after.due if after else None, now)
