"""The interview loop: one item after another, each timed, graded, and saved the moment it finishes.

- **sql / python / dag**: the starter goes into the scratch folder (a drill's prompt as comments in a
  ``.sql`` file, a task's ``starter.py`` under the task's ``file`` name); the candidate edits it in any
  editor and presses Enter to submit. Submitting again while time remains is fine: the best submission
  counts. A submission that passes everything ends the item; ``skip`` moves on with the best so far.
- **design**: the answer is written in a markdown file; then each rubric point is self-graded y/n (the score
  is the share of yes) and the model answer is shown with its links. Time counts until the answer is in.
- **concepts**: a typed answer, checked by the flashcards' own checker (``flashcards.answer``); when the
  checker is unsure, the candidate compares with the expected answer and says y/n.

Nothing is lost to an interruption: each item's result is committed when it finishes; the item in
progress keeps its time used and best submission (``InterviewProgress.save_open``) at every answer and
when Ctrl-C, ``q``, end of input or a closed terminal stops the loop; ``--resume`` continues there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .plan import Banks
from .progress import InterviewProgress, Result, Session
from .scorecard import SECTION_NAMES
from .timing import Stopwatch, clock_text

QUIT = {"q", ":q", "quit"}


class Stop(Exception):
    """The candidate typed q: stop here and resume later."""


class ScratchError(Exception):
    """The scratch folder or a file in it cannot be written; the message names the path."""


@dataclass
class Outcome:
    """One graded submission (or a finished design or concept item)."""

    score: float
    failed: list[dict[str, str]] = field(default_factory=list)  # {"name", "detail"}
    teaches: list[str] = field(default_factory=list)
    passed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def detail(self) -> dict[str, Any]:
        return {"failed": self.failed, "teaches": self.teaches, "passed": self.passed, **self.extra}


def file_names(plan: list[dict]) -> list[str]:
    """The scratch file of each plan item: ``<drill>.sql``, the task's ``file``, ``<prompt>.md``; a name
    two items would share gets the item's number in front. Concepts have no file (``""``)."""
    names = [item.get("file", "") for item in plan]
    return [f"{i + 1:02d}_{name}" if name and names.count(name) > 1 else name for i, name in enumerate(names)]


def check_writable(folder: Path) -> None:
    """Create ``folder`` and prove a file can be written there; ``ScratchError`` naming it otherwise."""
    probe = folder / ".write-test"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as error:
        raise ScratchError(f"cannot write to the scratch folder {folder}: {error.strerror or error}. "
                           "Make it writable or choose another with --scratch DIR.") from error


def sql_starter(drill) -> str:
    """A drill as a .sql file: the prompt in comments, then room for the query."""
    lines = [f"{drill.title}  [{drill.id}, {drill.difficulty}]", "", *drill.prompt.splitlines(), "",
             f"Columns: {', '.join(drill.columns)}"
             + ("; the order of rows matters." if drill.ordered else "; rows in any order.")]
    if drill.kind == "merge":
        lines.append(f"Write one MERGE INTO {drill.target}; it runs on a copy of the data.")
    lines.append("Write one Snowflake query below (comments are ignored), save, then press Enter.")
    return "\n".join(f"-- {line}".rstrip() for line in lines) + "\n\n"


def design_starter(prompt) -> str:
    quoted = "\n".join(f"> {line}".rstrip() for line in prompt.prompt.splitlines())
    return f"# {prompt.title}\n\n{quoted}\n\n## My answer\n\n"


class Interview:
    """Runs ``session``'s items that have no result yet; ``run()`` ends normally when all are done and
    raises ``Stop``, ``KeyboardInterrupt`` or ``EOFError`` (after saving the item in progress) otherwise."""

    def __init__(self, progress: InterviewProgress, session: Session, banks: Banks, ui, *,
                 store_path: Path, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.progress = progress
        self.session = session
        self.banks = banks
        self.ui = ui
        self.store_path = store_path
        self.clock = clock
        self.now = now
        self.quiz: QuizReviews | None = None  # opened for the first concept
        self.files = file_names(session.plan)
        self._watch: Stopwatch | None = None
        self._best: dict[str, Any] | None = None
        self._seq = -1

    # -- the loop ------------------------------------------------------------------------------------

    def todo(self) -> list[int]:
        done = {r.seq for r in self.progress.results(self.session.session_id)}
        return [seq for seq in range(len(self.session.plan)) if seq not in done]

    def run(self) -> None:
        for seq in self.todo():
            item = self.session.plan[seq]
            self._seq = seq
            already, self._best = self.progress.open_item(self.session.session_id, seq)
            self._watch = Stopwatch(item["minutes"] * 60, already=already, clock=self.clock)
            try:
                outcome = self._one(seq, item)
            except BaseException:
                self.save_open()
                raise
            self._finish(seq, item, outcome)
        self._watch = None

    def save_open(self) -> None:
        """Keep the time used on the item in progress (and its best submission) for a resume."""
        if self._watch is not None:
            self.progress.save_open(self.session.session_id, self._seq, self._watch.elapsed(), self._best)

    @property
    def watch(self) -> Stopwatch:
        """The stopwatch of the item in progress."""
        if self._watch is None:
            raise RuntimeError("no item in progress")
        return self._watch

    def _finish(self, seq: int, item: dict, outcome: Outcome) -> None:
        used = self.watch.elapsed()
        detail = {"title": item.get("title", ""), **outcome.detail(), "over_time": used > self.watch.budget,
                  "budget_seconds": self.watch.budget}
        if self.files[seq]:
            detail["file"] = str(self.session.scratch / self.files[seq])
        self.progress.record(Result(self.session.session_id, seq, item["section"], item["item_id"], self.now(),
                                    used, outcome.score, detail))
        self._watch = None

    def _ask(self, prompt: str) -> str:
        text = self.ui.ask(prompt)
        if text.strip().lower() in QUIT:
            raise Stop
        self.save_open()
        return text

    def _header(self, seq: int, item: dict) -> str:
        same = [i for i, it in enumerate(self.session.plan) if it["section"] == item["section"]]
        return (f"{SECTION_NAMES[item['section']]} {same.index(seq) + 1} of {len(same)} · "
                f"item {seq + 1} of {len(self.session.plan)}")

    def _one(self, seq: int, item: dict) -> Outcome:
        section, item_id = item["section"], item["item_id"]
        known = {"sql": self.banks.drills, "python": self.banks.tasks.get("python", {}),
                 "dag": self.banks.tasks.get("dag", {}), "design": self.banks.prompts,
                 "concepts": self.banks.cards}[section]
        if item_id not in known:
            self.ui.message(f"{section} {item_id} is no longer in the bank; it counts as not done.", "yellow")
            return Outcome(0.0, [{"name": "missing", "detail": f"{item_id} is no longer in the {section} bank"}],
                           extra={"skipped": True})
        if section == "design":
            return self._design(seq, item, known[item_id])
        if section == "concepts":
            return self._concept(seq, item, known[item_id])
        return self._coding(seq, item, known[item_id])

    # -- files -----------------------------------------------------------------------------------------

    def _write_starter(self, path: Path, text: str, *, again: bool = False) -> None:
        if path.exists() and not again:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ScratchError(f"cannot write {path}: {error.strerror or error}. Make the scratch folder "
                               "writable, then resume (kit-interview --resume).") from error

    # -- sql, python, dag --------------------------------------------------------------------------------

    def _coding(self, seq: int, item: dict, thing) -> Outcome:
        path = self.session.scratch / self.files[seq]
        if item["section"] == "sql":
            starter, prompt = sql_starter(thing), _sql_prompt(thing)
        else:
            starter, prompt = thing.starter, thing.prompt
        self._write_starter(path, starter)
        self.ui.panel(f"{self._header(seq, item)} · {item['title']}", prompt)
        self.ui.message(f"Your file: {path}\nEdit it in JupyterLab or any editor, save, then press Enter here. "
                        f"Time budget {clock_text(self.watch.budget)}.")
        submissions = self._best.get("submissions", 0) if self._best else 0
        if self._best:
            self.ui.message(f"Resumed: best so far {round(self._best['score'] * 100)}% "
                            f"after {submissions} submission(s).")
        while True:
            answer = self._ask(f"[{self.watch.status()}] Enter = submit, skip = move on, q = stop for now: ")
            command = answer.strip().lower()
            if command == "skip":
                break
            if command == "restore":
                self._write_starter(path, starter, again=True)
                self.ui.message(f"Wrote the starter to {path} again.")
                continue
            if command not in ("", "submit"):
                self.ui.message("Enter submits your file; type skip to move on, restore to get the starter "
                                "back, q to stop for now.")
                continue
            if not path.is_file():
                self.ui.message(f"{path} is missing (deleted or renamed?). Save your answer there again and "
                                "press Enter, or type restore for the starter.", "red")
                continue
            outcome = self._grade_sql(thing, path) if item["section"] == "sql" else self._grade_task(thing, path)
            if outcome is None:  # nothing written yet: not a submission
                continue
            submissions += 1
            if self._best is None or outcome.score > self._best["score"]:
                self._best = {"score": outcome.score, "failed": outcome.failed, "teaches": outcome.teaches,
                              "passed": outcome.passed}
            self._best["submissions"] = submissions
            self.save_open()
            if outcome.passed:
                self.ui.message(f"Passed in {clock_text(self.watch.elapsed())}.", "green")
                break
            self.ui.message(f"Best so far {round(self._best['score'] * 100)}%. Fix it and press Enter again, "
                            "or skip.")
        if self._best is None:
            teaches = list(thing.teaches) if item["section"] != "sql" else _sql_teaches(thing)
            return Outcome(0.0, [{"name": "skipped", "detail": "no submission"}], teaches,
                           extra={"submissions": 0, "skipped": True})
        best = dict(self._best)
        return Outcome(best.pop("score"), best.pop("failed"), best.pop("teaches"), best.pop("passed"),
                       extra={**best, "skipped": command == "skip" and not best.get("passed")})

    def _grade_sql(self, drill, path: Path) -> Outcome | None:
        from drills.grade import grade
        from drills.progress import DrillProgress, StoreError

        try:
            sql = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.ui.message(f"cannot read {path}: {error}", "red")
            return None
        self.ui.message("Grading on the visible data and the hidden datasets...")
        result = grade(drill, sql)
        if result.stage == "not_attempted":
            self.ui.message(f"Nothing in {path.name} yet but the prompt's comments: write your query first.")
            return None
        self.ui.message(result.message, "green" if result.passed else "red")
        try:
            with DrillProgress(self.store_path) as drills:
                drills.record(drill.id, result.passed, result.stage, result.case, self.now())
        except StoreError as error:
            self.ui.message(f"(the attempt is not in kit-drill's history: {error})", "yellow")
        failed = [] if result.passed else [{"name": _SQL_STAGES.get(result.stage, result.stage),
                                            "detail": result.message}]
        return Outcome(1.0 if result.passed else 0.0, failed, [] if result.passed else _sql_teaches(drill),
                       result.passed)

    def _grade_task(self, task, path: Path) -> Outcome | None:
        from .tasks import grade

        self.ui.message("Grading against the hidden checks...")
        verdict = grade(task, path)
        if verdict.error is not None:
            self.ui.message(verdict.error, "red")
            return Outcome(0.0, [{"name": "grading", "detail": verdict.error}], list(task.teaches))
        self.ui.table("", ("", "check", "detail"),
                      [("ok" if c.passed else "FAIL", c.name, "" if c.passed else c.detail) for c in verdict.checks])
        failed = [{"name": c.name, "detail": c.detail} for c in verdict.failures]
        return Outcome(verdict.score, failed, [] if verdict.passed else list(task.teaches), verdict.passed)

    # -- design ------------------------------------------------------------------------------------------

    def _design(self, seq: int, item: dict, prompt) -> Outcome:
        path = self.session.scratch / self.files[seq]
        starter = design_starter(prompt)
        self._write_starter(path, starter)
        self.ui.panel(f"{self._header(seq, item)} · {prompt.title}", prompt.prompt)
        self.ui.message(f"Write your answer in {path} (markdown), save, then press Enter here. After that you "
                        "grade it against the rubric, then read a model answer.")
        warned = False
        while True:
            answer = self._ask(f"[{self.watch.status()}] Enter = my answer is written, skip = move on, "
                               "q = stop for now: ")
            if answer.strip().lower() == "skip":
                return Outcome(0.0, [{"name": p.name, "detail": p.text} for p in prompt.rubric],
                               _design_teaches(prompt, prompt.rubric), extra={"skipped": True})
            if not path.is_file():
                self.ui.message(f"{path} is missing (deleted or renamed?). Save your answer there and press "
                                "Enter.", "red")
                continue
            if path.read_text(encoding="utf-8").strip() == starter.strip() and not warned:
                warned = True
                self.ui.message(f"{path.name} holds only the prompt so far. Press Enter again to grade it "
                                "anyway.", "yellow")
                continue
            break
        used = self.watch.stop()
        self.ui.message(f"Answer in after {clock_text(used)}. Now the rubric: did your answer cover each point?")
        missed = []
        for number, point in enumerate(prompt.rubric, 1):
            self.ui.panel(f"{number}/{len(prompt.rubric)} · {point.name}", point.text, "cyan")
            if not self._yes_no("Covered? y/n: "):
                missed.append(point)
        score = 1 - len(missed) / len(prompt.rubric)
        self.ui.panel(f"Model answer · {prompt.title}", prompt.model_answer, "green")
        self.ui.message("Taught in: " + ", ".join(prompt.teaches))
        return Outcome(score, [{"name": p.name, "detail": p.text} for p in missed],
                       _design_teaches(prompt, missed), passed=not missed)

    def _yes_no(self, prompt: str) -> bool:
        while True:
            answer = self._ask(prompt).strip().lower()
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self.ui.message("Type y or n (q stops for now).")

    # -- concepts ------------------------------------------------------------------------------------

    def _concept(self, seq: int, item: dict, card) -> Outcome:
        from flashcards.answer import check_card

        self.ui.panel(f"{self._header(seq, item)} · {card.deck}", card.question)
        typed = self._ask(f"[{self.watch.status()}] Your answer (q = stop for now): ")
        self.watch.stop()
        verdict = check_card(typed, card, self.banks.lexicon)
        if verdict.outcome == "unsure":
            self.ui.message(f"The checker cannot tell ({verdict.reason}). Expected: {card.answer}", "yellow")
            right = self._yes_no("Was yours the same answer? y/n: ")
        else:
            right = verdict.correct
            self.ui.message(("Correct: " if right else "Wrong. Expected: ") + card.answer, "green" if right else "red")
        if card.note:
            self.ui.panel("Why", card.note, "dim")
        self._review(card.id, right)
        deck_file = _repo_path(card.path)
        failed = [] if right else [{"name": "wrong answer",
                                    "detail": f"expected {card.answer!r}, answered {typed.strip()!r}"}]
        teaches = [] if right else [deck_file, f"kit-quiz --deck {card.deck}"]
        return Outcome(1.0 if right else 0.0, failed, teaches, right,
                       extra={"checker": verdict.outcome})

    def _review(self, card_id: str, right: bool) -> None:
        if self.quiz is None:
            self.quiz = QuizReviews(self.store_path)
            if self.quiz.reason:
                self.ui.message(f"Concept answers are not recorded in your quiz schedule: {self.quiz.reason}",
                                "yellow")
        self.quiz.record(card_id, right, self.now())

    def close(self) -> None:
        if self.quiz is not None:
            self.quiz.close()


class QuizReviews:
    """Concept answers recorded as reviews in the quiz store, through ``flashcards.store`` as ``kit-quiz``
    records them: right is Good, wrong is Again. A card that is due (or new: it is then introduced, and counts
    toward today's new cards in ``kit-quiz``) is a scheduled review that moves its schedule; a weak card not due yet is logged as a cram review, which leaves the schedule alone
    (reviewing ahead would teach FSRS the card is easier than it is). The store is claimed like a study
    session; if ``kit-quiz`` is studying on it, nothing is recorded (``reason`` says why) and the schedule
    stays as it was."""

    def __init__(self, path: Path) -> None:
        from flashcards.store import Store, StoreError

        self.reason = ""
        self.store = None
        try:
            store = Store(path)
        except StoreError as error:
            self.reason = str(error).splitlines()[0]
            return
        try:
            store.claim()
        except StoreError as error:
            store.close()
            self.reason = str(error).splitlines()[0]
            return
        self.store = store

    def record(self, card_id: str, right: bool, now: datetime) -> None:
        from flashcards.scheduler import AGAIN, GOOD, Scheduler

        if self.store is None:
            return
        record = self.store.records().get(card_id)
        before = record.memory if record else None
        rating = GOOD if right else AGAIN
        if before is None or before.due <= now:
            after = Scheduler().review(card_id, before, rating, now)
            self.store.record_review(card_id, rating, now, before, after, mode="scheduled")
        else:
            self.store.record_review(card_id, rating, now, before, None, mode="cram")

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


_SQL_STAGES = {"visible": "wrong on the visible data", "hidden": "wrong on a hidden case", "error": "query failed",
               "refused": "refused", "timeout": "too slow"}


def _sql_prompt(drill) -> str:
    order = "the order of rows matters" if drill.ordered else "rows in any order"
    return f"{drill.prompt}\n\nColumns: `{', '.join(drill.columns)}`; {order}. *{drill.difficulty}*"


def _sql_teaches(drill) -> list[str]:
    from drills.notebook import GROUPS

    group = GROUPS.get(drill.group)
    where = [f"notebooks/{group.filename}"] if group else []
    return [*where, f"kit-drill show {drill.id} --solution"]


def _design_teaches(prompt, points) -> list[str]:
    found = [p.teaches for p in points if p.teaches]
    return list(dict.fromkeys(found or prompt.teaches))


def _repo_path(path: Path) -> str:
    from .tasks import ROOT

    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
