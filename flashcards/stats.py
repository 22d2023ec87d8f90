"""Progress figures computed from the store and the deck.

- **reviews today**: answers since local midnight (cram included);
- **retention**: the share of scheduled reviews of graduated cards (state "review") in the last 30 days
  rated Hard, Good or Easy rather than Again. This is the number FSRS aims at (0.9 by default): well
  below it, the intervals are too long for you; well above, you are reviewing more than needed;
- **due in the next 7 days**: per local day, today counting everything overdue;
- **streak**: consecutive days with at least one answer, ending today (or yesterday, if today has none yet);
- **weakest tags**: the highest share of Again answers over the last 30 days (at least 3 answers), then
  the lowest mean predicted recall today.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .deck import Card
from .planner import start_of_day
from .scheduler import AGAIN, REVIEW, Memory
from .store import CardRecord, Review

WINDOW = timedelta(days=30)
MIN_TAG_REVIEWS = 3


@dataclass(frozen=True)
class TagStat:
    tag: str
    cards: int
    reviews: int
    again_rate: float
    mean_recall: float


@dataclass(frozen=True)
class Stats:
    cards: int
    studied: int
    reviews_today: int
    retention: float | None
    retention_reviews: int
    forecast: list[tuple[date, int]]
    streak: int
    weakest: list[TagStat]


def compute(
    cards: Sequence[Card],
    records: dict[str, CardRecord],
    reviews: Sequence[Review],
    now: datetime,
    retrievability: Callable[[Memory, datetime], float],
) -> Stats:
    """Figures for ``cards`` (the deck, possibly filtered) from the store's ``records`` and ``reviews``."""
    ids = {c.id for c in cards}
    mine = [r for r in reviews if r.card_id in ids]
    midnight = start_of_day(now)
    today = midnight.date()

    recent = [r for r in mine if r.reviewed_at >= now - WINDOW]
    graded = [r for r in recent if r.mode == "scheduled" and r.state_before == REVIEW]
    retention = sum(r.rating != AGAIN for r in graded) / len(graded) if graded else None

    forecast = {today + timedelta(days=i): 0 for i in range(7)}
    for card_id in ids & records.keys():
        day = max(records[card_id].memory.due.astimezone().date(), today)
        if day in forecast:
            forecast[day] += 1

    days = {r.reviewed_at.astimezone().date() for r in mine}
    streak, day = 0, today if today in days else today - timedelta(days=1)
    while day in days:
        streak, day = streak + 1, day - timedelta(days=1)

    by_tag: dict[str, list[Card]] = defaultdict(list)
    for card in cards:
        for tag in card.tags:
            by_tag[tag].append(card)
    answers: dict[str, list[int]] = defaultdict(list)
    for review in recent:
        answers[review.card_id].append(review.rating)
    weakest = []
    for tag, tagged in by_tag.items():
        ratings = [rating for card in tagged for rating in answers.get(card.id, [])]
        if len(ratings) < MIN_TAG_REVIEWS:
            continue
        studied = [records[c.id].memory for c in tagged if c.id in records]
        recall = sum(retrievability(m, now) for m in studied) / len(studied) if studied else 0.0
        weakest.append(TagStat(tag, len(tagged), len(ratings), ratings.count(AGAIN) / len(ratings), recall))
    weakest.sort(key=lambda t: (-t.again_rate, t.mean_recall, t.tag))

    return Stats(
        cards=len(cards),
        studied=len(ids & records.keys()),
        reviews_today=sum(r.reviewed_at >= midnight for r in mine),
        retention=retention,
        retention_reviews=len(graded),
        forecast=sorted(forecast.items()),
        streak=streak,
        weakest=weakest[:5],
    )


def show(stats: Stats, ui) -> None:
    """Render ``stats`` through a ui (rich tables on a terminal, aligned text otherwise)."""
    retention = (
        f"{stats.retention:.0%} of {stats.retention_reviews} reviews (last 30 days)"
        if stats.retention is not None
        else "no graduated reviews in the last 30 days yet"
    )
    ui.table(
        "Progress",
        ("", ""),
        [
            ("Cards studied", f"{stats.studied} of {stats.cards}"),
            ("Reviews today", stats.reviews_today),
            ("Retention", retention),
            ("Streak", f"{stats.streak} day(s)"),
        ],
    )
    ui.table(
        "Due in the next 7 days",
        ("Day", "Cards"),
        [(("today" if i == 0 else day.strftime("%a %d %b")), count) for i, (day, count) in enumerate(stats.forecast)],
    )
    if stats.weakest:
        ui.table(
            "Weakest tags (last 30 days)",
            ("Tag", "Cards", "Answers", "Again", "Recall now"),
            [(t.tag, t.cards, t.reviews, f"{t.again_rate:.0%}", f"{t.mean_recall:.0%}") for t in stats.weakest],
        )
    else:
        ui.message(f"Weakest tags: not enough answers yet (a tag needs {MIN_TAG_REVIEWS}).")
