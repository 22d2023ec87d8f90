"""The scorecard: per section, the score, time used against the budget, what failed and why, and where it is
taught; shown at the end of an interview and again by ``kit-interview show SESSION``.

It is computed from the store alone (the session's plan and its result rows), so it reads the same after a
resume, in another terminal, or a month later. A section's score is the mean of its planned items' scores:
an item not done counts 0, as a question left unanswered does in a real loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import SECTIONS
from .progress import Result, Session
from .timing import clock_text

SECTION_NAMES = {"sql": "SQL", "python": "Python", "dag": "DAG", "design": "System design",
                 "concepts": "Concepts"}


@dataclass
class SectionScore:
    section: str
    planned: int = 0
    done: int = 0
    points: float = 0.0  # sum of the done items' scores
    seconds: float = 0.0
    budget_seconds: float = 0.0
    failed: list[dict[str, Any]] = field(default_factory=list)  # {"item", "name", "detail"}
    teaches: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.points / self.planned if self.planned else 0.0

    @property
    def over_time(self) -> bool:
        return self.seconds > self.budget_seconds


def sections(session: Session, results: list[Result]) -> list[SectionScore]:
    """One ``SectionScore`` per section of the plan, in interview order."""
    by_seq = {r.seq: r for r in results}
    scores: dict[str, SectionScore] = {}
    for seq, item in enumerate(session.plan):
        score = scores.setdefault(item["section"], SectionScore(item["section"]))
        score.planned += 1
        score.budget_seconds += item["minutes"] * 60
        result = by_seq.get(seq)
        if result is None:
            continue
        score.done += 1
        score.points += result.score
        score.seconds += result.seconds_used
        for failure in result.detail.get("failed", []):
            score.failed.append({"item": item["item_id"], **failure})
        if result.score < 1:
            score.teaches += [t for t in result.detail.get("teaches", []) if t not in score.teaches]
    return [scores[s] for s in SECTIONS if s in scores]


def overall(scores: list[SectionScore]) -> float:
    """The mean of the section scores (each section weighs the same, as each round does in a loop)."""
    return sum(s.score for s in scores) / len(scores) if scores else 0.0


def percent(score: float) -> str:
    return f"{round(score * 100)}%"


def show(ui, session: Session, results: list[Result]) -> None:
    """Print the scorecard of ``session`` through ``ui`` (``flashcards.ui``: rich or plain)."""
    scores = sections(session, results)
    rows = []
    for s in scores:
        time = f"{clock_text(s.seconds)} / {clock_text(s.budget_seconds)}" + (" OVER TIME" if s.over_time else "")
        rows.append((SECTION_NAMES[s.section], percent(s.score), time, f"{s.done}/{s.planned}"))
    state = "finished" if session.finished_at else "not finished"
    ui.table(f"Scorecard {session.session_id} ({state}): {percent(overall(scores))} overall",
             ("Section", "Score", "Time used / budget", "Items done"), rows)
    by_seq = {r.seq: r for r in results}
    over = [f"{item['section']} {item['item_id']}" for seq, item in enumerate(session.plan)
            if seq in by_seq and by_seq[seq].detail.get("over_time")]
    if over:
        ui.message(f"Over its time budget: {', '.join(over)}.")
    lines = []
    for s in scores:
        for failure in s.failed:
            lines.append(f"- {SECTION_NAMES[s.section]} · {failure['item']} · {failure['name']}: {failure['detail']}")
    if lines:
        ui.panel("What failed and why", "\n".join(lines), "red", markdown=False)
    todo = [f"- {SECTION_NAMES[s.section]}: {', '.join(s.teaches)}" for s in scores if s.teaches]
    if todo:
        ui.panel("Where it is taught", "\n".join(todo), "cyan", markdown=False)
    missing = [f"{item['section']} {item['item_id']}" for seq, item in enumerate(session.plan) if seq not in by_seq]
    if missing:
        ui.message(f"Not done: {', '.join(missing)}.")
    if any(item.get("file") for item in session.plan):
        ui.message(f"Your answers are in {session.scratch}")
