"""What one mock interview holds: the banks it draws from, its length, and the draw itself.

A plan is a list of items, each ``{"section", "item_id", "title", "minutes", "file"}`` (``file``: the
candidate's file in the scratch folder, empty for concepts), in section order (SQL,
Python, DAG, design, concepts). The draw favours what the candidate has not seen:

- **sql**: drills not solved yet (``drills.progress``), never attempted first, then failed ones; never the
  drills of a recent interview before older ones. One slot per difficulty of the length's mix (or all of
  ``--difficulty``); a slot with nothing left at its difficulty takes the nearest one and says so.
- **python**, **dag**, **design**: items never drawn in an interview first, then the least recently drawn.
- **concepts**: short flashcards (answered in writing), weak ones first (forgotten at least once, stability
  under ``WEAK_STABILITY_DAYS`` or predicted recall under ``WEAK_RECALL``; lowest recall first), then due
  ones (most overdue first), then new ones if needed.

Everything random goes through one seeded ``random.Random``: the same store, banks and seed give the same
plan. An empty bank skips its section with a note instead of failing the interview.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import SECTIONS

LENGTHS: dict[str, dict[str, int]] = {
    "short": {"sql": 1, "python": 1, "dag": 1, "design": 1, "concepts": 3},
    "standard": {"sql": 2, "python": 1, "dag": 1, "design": 1, "concepts": 5},
    "full": {"sql": 3, "python": 2, "dag": 1, "design": 1, "concepts": 8},
}
SQL_MIX = {1: ("medium",), 2: ("medium", "hard"), 3: ("easy", "medium", "hard")}
SQL_MINUTES = {"easy": 5, "medium": 8, "hard": 12}
CONCEPT_MINUTES = 1.0
WEAK_RECALL = 0.8  # predicted recall under this makes a studied card weak
WEAK_STABILITY_DAYS = 2.0  # so does a memory this short-lived (FSRS stability: days until recall falls to 90%)


class PlanError(Exception):
    """The options cannot make an interview (unknown section, nothing to draw); the message says why."""


@dataclass
class Banks:
    """Everything an interview can draw from, by id."""

    drills: dict[str, Any] = field(default_factory=dict)  # drills.bank.Drill
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> interview.tasks.Task
    prompts: dict[str, Any] = field(default_factory=dict)  # interview.design.Prompt
    cards: dict[str, Any] = field(default_factory=dict)  # flashcards.deck.Card, short ones only
    lexicon: Any = None  # flashcards.answer.Lexicon of every card


def deck_dir() -> Path | None:
    """The flashcards' deck folder as ``kit-quiz`` finds it (``$KIT_QUIZ_DECKS``, else the shipped decks)."""
    return Path(os.environ["KIT_QUIZ_DECKS"]) if os.environ.get("KIT_QUIZ_DECKS") else None


class BankProblem(Exception):
    """A bank could not be read; the message names the bank, the file and the problem."""


def load_banks(sections: Iterable[str], *, task_root: Path | None = None, design_folder: Path | None = None,
               decks: Path | None = None) -> Banks:
    """The banks the chosen ``sections`` need (the others stay empty); ``BankProblem`` on a malformed one."""
    from . import design, tasks

    sections = set(sections)
    banks = Banks()
    try:
        if "sql" in sections:
            from drills import bank

            banks.drills = bank.by_id()
        for kind in ("python", "dag"):
            if kind in sections:
                banks.tasks[kind] = tasks.bank(kind, task_root or tasks.HERE / "tasks")
        if "design" in sections:
            banks.prompts = design.prompts(design_folder or design.FOLDER)
    except Exception as error:  # BankError, TaskError, DesignError, OSError: named, never a traceback
        raise BankProblem(f"{type(error).__name__}: {error}") from error
    if "concepts" in sections:
        from flashcards import deck
        from flashcards.answer import vocabulary

        cards, problems = deck.load(decks if decks is not None else deck_dir())
        if problems:
            raise BankProblem(f"the flashcard decks have {len(problems)} problem(s), first: {problems[0]} "
                              "(kit-quiz lint lists them)")
        banks.cards = {c.id: c for c in cards if c.kind == "short"}
        banks.lexicon = vocabulary(cards)
    return banks


def parse_sections(text: str | None) -> tuple[str, ...]:
    """``"sql,python"`` -> ``("sql", "python")`` in interview order; ``PlanError`` naming an unknown one."""
    if not text:
        return SECTIONS
    asked = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in asked if part not in SECTIONS]
    if unknown or not asked:
        raise PlanError(f"unknown section(s) {', '.join(unknown) or repr(text)}; choose from {', '.join(SECTIONS)}")
    return tuple(s for s in SECTIONS if s in asked)


@dataclass(frozen=True)
class History:
    """What the candidate has done, as the draw needs it."""

    drill_status: dict[str, Any] = field(default_factory=dict)  # drills.progress.Status by drill id
    seen: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (section, item) -> last drawn
    card_records: dict[str, Any] = field(default_factory=dict)  # flashcards.store.CardRecord by card id


def seen_in(sessions: Iterable[Any]) -> dict[tuple[str, str], datetime]:
    """(section, item_id) -> when it was last drawn, from past sessions' plans."""
    seen: dict[tuple[str, str], datetime] = {}
    for session in sessions:
        for item in session.plan:
            key = (item["section"], item["item_id"])
            seen[key] = max(seen.get(key, session.started_at), session.started_at)
    return seen


def draw(banks: Banks, history: History, sections: Sequence[str], *, length: str = "standard",
         difficulty: str | None = None, minutes: float | None = None, now: datetime,
         rng: random.Random, retrievability: Callable[[Any, datetime], float]) -> tuple[list[dict], list[str]]:
    """The plan's items and notes for the candidate (a skipped section, a difficulty that ran out)."""
    if length not in LENGTHS:
        raise PlanError(f"unknown length {length!r}; choose from {', '.join(LENGTHS)}")
    counts = LENGTHS[length]
    items: list[dict] = []
    notes: list[str] = []
    for section in sections:
        if section == "sql":
            got = _sql(banks, history, counts["sql"], difficulty, rng, notes)
        elif section in ("python", "dag"):
            bank = banks.tasks.get(section, {})
            ids = _least_seen(sorted(bank), section, history.seen, counts[section], rng)
            got = [_item(section, i, bank[i].title, bank[i].minutes, bank[i].file) for i in ids]
        elif section == "design":
            ids = _least_seen(sorted(banks.prompts), section, history.seen, counts[section], rng)
            got = [_item(section, i, banks.prompts[i].title, banks.prompts[i].minutes, f"{i}.md") for i in ids]
        else:
            got = _concepts(banks, history, counts["concepts"], now, rng, retrievability, notes)
        if not got:
            notes.append(f"{section}: the bank is empty, so this interview has no {section} section.")
        items += got
    if minutes is not None and items:
        scale = minutes / sum(i["minutes"] for i in items)
        for item in items:
            item["minutes"] = round(item["minutes"] * scale, 1)
    return items, notes


def _item(section: str, item_id: str, title: str, minutes: float, file: str = "") -> dict:
    return {"section": section, "item_id": item_id, "title": title, "minutes": float(minutes), "file": file}


def _least_seen(ids: list[str], section: str, seen: dict[tuple[str, str], datetime], k: int,
                rng: random.Random) -> list[str]:
    """``k`` of ``ids``: never drawn first, then the least recently drawn; ties broken by ``rng``."""
    shuffled = list(ids)
    rng.shuffle(shuffled)
    oldest = datetime.min.replace(tzinfo=None)
    shuffled.sort(key=lambda i: (seen[(section, i)].replace(tzinfo=None) if (section, i) in seen else oldest))
    return shuffled[:k]


def _sql(banks: Banks, history: History, count: int, difficulty: str | None, rng: random.Random,
         notes: list[str]) -> list[dict]:
    status = history.drill_status
    open_ = [d for d in banks.drills.values() if not (d.id in status and status[d.id].solved)]
    # never attempted before failed ones; within each, never drawn in an interview before drawn long ago
    fresh = _least_seen([d.id for d in open_ if d.id not in status], "sql", history.seen, len(open_), rng)
    failed = _least_seen([d.id for d in open_ if d.id in status], "sql", history.seen, len(open_), rng)
    ranked = [banks.drills[i] for i in fresh + failed]
    wanted = (difficulty,) * count if difficulty else SQL_MIX.get(count, ("medium",) * count)
    order = ("easy", "medium", "hard")
    chosen: list[Any] = []
    for level in wanted:
        pool = [d for d in ranked if d not in chosen]
        if not pool:
            break
        exact = [d for d in pool if d.difficulty == level]
        if exact:
            chosen.append(exact[0])
            continue
        nearest = min(pool, key=lambda d: abs(order.index(d.difficulty) - order.index(level)))
        notes.append(f"sql: no unsolved {level} drill left; drew {nearest.id} ({nearest.difficulty}) instead.")
        chosen.append(nearest)
    return [_item("sql", d.id, d.title, SQL_MINUTES[d.difficulty], f"{d.id}.sql") for d in chosen]


def _concepts(banks: Banks, history: History, count: int, now: datetime, rng: random.Random,
              retrievability: Callable[[Any, datetime], float], notes: list[str]) -> list[dict]:
    records = history.card_records
    studied = [c for c in banks.cards if c in records]
    recall = {c: retrievability(records[c].memory, now) for c in studied}
    weak = sorted((c for c in studied if records[c].lapses > 0 or recall[c] < WEAK_RECALL
                   or (records[c].memory.stability or 0.0) < WEAK_STABILITY_DAYS),
                  key=lambda c: (recall[c], -records[c].lapses, c))
    due = sorted((c for c in studied if c not in weak and records[c].memory.due <= now),
                 key=lambda c: (records[c].memory.due, c))
    new = sorted(c for c in banks.cards if c not in records)
    rng.shuffle(new)
    chosen = (weak + due + new)[:count]
    taken_new = sum(1 for c in chosen if c in new)
    if chosen and taken_new:
        notes.append(f"concepts: {taken_new} of {len(chosen)} cards are new to you "
                     "(not enough due or weak ones in your quiz history).")
    # the title names the deck, not the question: the overview must not give the answer time to come
    return [_item("concepts", c, f"a card of {banks.cards[c].deck}", CONCEPT_MINUTES) for c in chosen]
