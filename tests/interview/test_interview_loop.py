"""The interview loop with a scripted candidate and an injected clock (no real waiting): timing and over time,
best submission, skip, a deleted answer file, design self-grading, concepts through the flashcards' checker
and the quiz store, interruption and resume, and the scorecard built from the store alone."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flashcards.store import Store
from interview import scorecard
from interview.loop import Interview, QuizReviews, ScratchError, Stop, check_writable, file_names
from interview.plan import load_banks
from interview.progress import InterviewProgress
from interview.timing import Stopwatch, clock_text
from interview_deck import write_decks

NOW = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)

CHECKS = '''
from interview.tasks import Check, import_file

def check(solution):
    try:
        module = import_file(solution)
        values = [module.double(x) for x in (0, 21, -4)]
    except Exception as error:
        return [Check("runs", False, f"{type(error).__name__}: {error}"), Check("doubles", False, "did not run"),
                Check("negatives", False, "did not run")]
    return [Check("runs", True), Check("doubles", values[1] == 42, f"double(21) returned {values[1]!r}"),
            Check("negatives", values[2] == -8, f"double(-4) returned {values[2]!r}")]
'''
STARTER = "def double(x):\n    raise NotImplementedError\n"
RIGHT = "def double(x):\n    return 2 * x\n"
HALF = "def double(x):\n    return abs(2 * x)\n"  # passes 2 of 3 checks

PROMPT = """+++
title = "A flaky partner"
minutes = 10
tags = ["incremental"]
teaches = ["README.md"]
+++
## Prompt
Design the load.
## Rubric
""" + "".join(f"- **Point {n}**: covers thing {n}. (`{'ARCHITECTURE.md' if n == 2 else 'README.md'}`)\n"
              for n in range(1, 7)) + """
## Model answer
Do every thing.
"""



class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ScriptUI:
    """A candidate reading from a script: each answer is a string, or a callable run at the prompt (to edit a
    file or let time pass) returning the string typed; everything shown is kept in ``shown``."""

    def __init__(self, answers: list) -> None:
        self.answers = list(answers)
        self.shown: list[str] = []

    def message(self, text: str, style: str = "") -> None:
        self.shown.append(text)

    def panel(self, title: str, body: str, style: str = "", markdown: bool = True) -> None:
        self.shown.append(f"[{title}] {body}")

    def table(self, title: str, columns, rows) -> None:
        self.shown.append(title + "\n" + "\n".join(" | ".join(map(str, r)) for r in rows))

    def ask(self, prompt: str) -> str:
        self.shown.append(prompt)
        if not self.answers:
            raise EOFError
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer() if callable(answer) else answer

    @property
    def text(self) -> str:
        return "\n".join(self.shown)


@pytest.fixture
def kit(tmp_path: Path):
    root = tmp_path / "tasks"
    folder = root / "python" / "double"
    folder.mkdir(parents=True)
    files = {"task.toml": 'title = "Double"\nminutes = 5\ntags = ["testing"]\nteaches = ["README.md"]\n'
                          'file = "double.py"\n',
             "prompt.md": "Write double(x).", "starter.py": STARTER, "checks.py": CHECKS, "reference.py": RIGHT}
    for name, text in files.items():
        (folder / name).write_text(text)
        (root / "dag" / "double").mkdir(parents=True, exist_ok=True)  # the same contract, graded as a DAG task
        (root / "dag" / "double" / name).write_text(text.replace('file = "double.py"', 'file = "double_dag.py"'))
    design = tmp_path / "design"
    design.mkdir()
    (design / "flaky_partner.md").write_text(PROMPT)
    decks = write_decks(tmp_path, "test")
    banks = load_banks(["python", "dag", "design", "concepts"], task_root=root, design_folder=design, decks=decks)
    return banks, tmp_path / "state" / "progress.sqlite3", tmp_path / "scratch"


ITEMS = {
    "python": {"section": "python", "item_id": "double", "title": "Double", "minutes": 5.0, "file": "double.py"},
    "dag": {"section": "dag", "item_id": "double", "title": "Double", "minutes": 5.0, "file": "double_dag.py"},
    "design": {"section": "design", "item_id": "flaky_partner", "title": "A flaky partner", "minutes": 10.0,
               "file": "flaky_partner.md"},
    "concept1": {"section": "concepts", "item_id": "retries-default", "title": "r", "minutes": 1.0, "file": ""},
    "concept2": {"section": "concepts", "item_id": "trigger-process", "title": "t", "minutes": 1.0, "file": ""},
}


def start(kit, *names: str, session_id: str = "s1"):
    banks, store, scratch = kit
    progress = InterviewProgress(store)
    session = progress.start(session_id, [ITEMS[n] for n in names], scratch, NOW)
    check_writable(scratch)
    return progress, session, banks


def interview(progress, session, banks, ui, clock) -> Interview:
    return Interview(progress, session, banks, ui, store_path=progress.path, clock=clock, now=lambda: NOW)


def write(path: Path, text: str, clock: Clock | None = None, seconds: float = 0.0, typed: str = ""):
    def act() -> str:
        path.write_text(text)
        if clock:
            clock.now += seconds
        return typed
    return act


def wait(clock: Clock, seconds: float, typed: str = ""):
    def act() -> str:
        clock.now += seconds
        return typed
    return act


# -- timing --------------------------------------------------------------------------------------------------


def test_the_stopwatch_counts_against_the_budget_with_an_injected_clock():
    clock = Clock()
    watch = Stopwatch(300, clock=clock)
    clock.now += 90.5
    assert (watch.elapsed(), watch.over, watch.status()) == (90.5, False, "3:29 left of 5:00")
    clock.now += 250
    assert watch.over and watch.status() == "0:40 over the 5:00 budget"
    resumed = Stopwatch(300, already=340.5, clock=clock)
    assert resumed.elapsed() == 340.5 and resumed.over
    assert resumed.stop() == 340.5
    clock.now += 60
    assert resumed.elapsed() == 340.5  # stopped: self-grading is not the candidate's time
    assert clock_text(3725) == "1:02:05" and clock_text(-3) == "0:00"


# -- coding items ------------------------------------------------------------------------------------------


def test_the_best_submission_counts_and_time_over_budget_is_flagged(kit):
    progress, session, banks = start(kit, "python")
    clock = Clock()
    answer = session.scratch / "double.py"
    ui = ScriptUI([write(answer, HALF, clock, 200), wait(clock, 30), write(answer, "def double(x):\n    return (\n",
                   clock, 100), "skip"])
    interview(progress, session, banks, ui, clock).run()
    assert answer.read_text().startswith("def double(x):\n    return (")  # the candidate's file, untouched
    [result] = progress.results("s1")
    assert result.score == pytest.approx(2 / 3) and result.seconds_used == pytest.approx(330)
    detail = result.detail
    assert detail["over_time"] is True and detail["budget_seconds"] == 300 and detail["submissions"] == 3
    assert detail["failed"] == [{"name": "negatives", "detail": "double(-4) returned 8"}]
    assert detail["teaches"] == ["README.md"] and detail["skipped"] is True
    assert "FAIL | negatives | double(-4) returned 8" in ui.text and "1:40 left of 5:00" in ui.text
    assert "Your file: " + str(answer) in ui.text


def test_a_passing_submission_ends_the_item(kit):
    progress, session, banks = start(kit, "python")
    clock = Clock()
    ui = ScriptUI([write(session.scratch / "double.py", RIGHT, clock, 60)])
    interview(progress, session, banks, ui, clock).run()
    [result] = progress.results("s1")
    assert (result.score, result.seconds_used, result.detail["passed"], result.detail["over_time"]) == (
        1.0, 60.0, True, False)
    assert result.detail["failed"] == [] and result.detail["teaches"] == []
    assert "Passed in 1:00." in ui.text


def test_a_dag_task_is_written_and_graded_like_a_python_task(kit):
    progress, session, banks = start(kit, "python", "dag")
    ui = ScriptUI([write(session.scratch / "double.py", RIGHT), write(session.scratch / "double_dag.py", HALF),
                   "skip"])
    interview(progress, session, banks, ui, Clock()).run()
    assert [(r.section, r.score) for r in progress.results("s1")] == [("python", 1.0), ("dag", pytest.approx(2 / 3))]
    assert "DAG 1 of 1 · item 2 of 2 · Double" in ui.text


def test_an_answer_file_deleted_before_submit_is_named_and_can_be_restored(kit):
    progress, session, banks = start(kit, "python")
    answer = session.scratch / "double.py"
    ui = ScriptUI([lambda: answer.unlink() or "", "restore", write(answer, RIGHT)])
    interview(progress, session, banks, ui, Clock()).run()
    assert f"{answer} is missing (deleted or renamed?)" in ui.text
    assert f"Wrote the starter to {answer} again." in ui.text
    assert progress.results("s1")[0].detail["submissions"] == 1  # the missing file was not a submission


def test_skipping_without_a_submission_scores_zero(kit):
    progress, session, banks = start(kit, "python")
    interview(progress, session, banks, ScriptUI(["what?", "skip"]), Clock()).run()
    [result] = progress.results("s1")
    assert result.score == 0 and result.detail["failed"] == [{"name": "skipped", "detail": "no submission"}]


# -- design and concepts ---------------------------------------------------------------------------------------


def test_design_is_self_graded_against_the_rubric_then_the_model_answer(kit):
    progress, session, banks = start(kit, "design")
    clock = Clock()
    answer = session.scratch / "flaky_partner.md"
    ui = ScriptUI([wait(clock, 120), write(answer, "# mine\nMERGE by key.\n", clock, 480), "y", "n", "maybe",
                   "y", "y", wait(clock, 999, "n"), "y"])
    interview(progress, session, banks, ui, clock).run()
    assert "holds only the prompt so far" in ui.text and "Type y or n" in ui.text
    [result] = progress.results("s1")
    assert result.score == pytest.approx(4 / 6) and result.seconds_used == 600  # the rubric's time not counted
    assert [f["name"] for f in result.detail["failed"]] == ["Point 2", "Point 5"]
    assert result.detail["teaches"] == ["ARCHITECTURE.md", "README.md"] and not result.detail["over_time"]
    assert "[Model answer · A flaky partner] Do every thing." in ui.text


def test_concepts_use_the_flashcards_checker_and_record_reviews(kit):
    progress, session, banks = start(kit, "concept1", "concept2")
    ui = ScriptUI(["zero", "the scheduler"])
    interview(progress, session, banks, ui, Clock()).run()
    first, second = progress.results("s1")
    assert (first.score, second.score) == (1.0, 0.0)
    assert first.detail["checker"] == "exact" and "Correct: 0" in ui.text
    assert second.detail["failed"] == [{"name": "wrong answer",
                                        "detail": "expected 'triggerer', answered 'the scheduler'"}]
    assert second.detail["teaches"][1] == "kit-quiz --deck test"
    with Store(progress.path) as store:
        assert [(r.card_id, r.rating, r.mode) for r in store.reviews()] == [
            ("retries-default", 3, "scheduled"), ("trigger-process", 1, "scheduled")]


def test_a_weak_card_not_due_is_a_cram_review_and_a_busy_store_records_nothing(kit):
    _, store_path, _ = kit
    quiz = QuizReviews(store_path)
    quiz.record("retries-default", True, NOW)  # new: scheduled, due in minutes
    quiz.record("retries-default", True, NOW)  # not due yet: logged, schedule unchanged
    with Store(store_path) as store:
        assert [r.mode for r in store.reviews()] == ["scheduled", "cram"]
    busy = QuizReviews(store_path)  # quiz still holds the claim, as a kit-quiz study session would
    assert "in use by another study session" in busy.reason
    busy.record("trigger-process", False, NOW)
    quiz.close()
    with Store(store_path) as store:
        assert len(store.reviews()) == 2


def test_an_unsure_answer_is_left_to_the_candidate(kit):
    progress, session, banks = start(kit, "concept2")
    ui = ScriptUI(["not the triggerer", "n"])
    interview(progress, session, banks, ui, Clock()).run()
    assert "The checker cannot tell" in ui.text and progress.results("s1")[0].score == 0.0


# -- interruption and resume -----------------------------------------------------------------------------------


def test_ctrl_c_keeps_finished_items_and_the_time_of_the_item_in_progress(kit):
    progress, session, banks = start(kit, "concept1", "python", "design")
    clock = Clock()
    answer = session.scratch / "double.py"
    ui = ScriptUI(["0", write(answer, HALF, clock, 100), wait(clock, 50, "x"), KeyboardInterrupt()])
    with pytest.raises(KeyboardInterrupt):
        interview(progress, session, banks, ui, clock).run()
    assert [r.item_id for r in progress.results("s1")] == ["retries-default"]
    seconds, best = progress.open_item("s1", 1)
    assert seconds == 150 and best["score"] == pytest.approx(2 / 3) and best["submissions"] == 1

    resumed = InterviewProgress(progress.path)  # another process, later
    session = resumed.unfinished()
    ui = ScriptUI([wait(clock, 100, "skip"), KeyboardInterrupt()])
    runner = interview(resumed, session, banks, ui, clock)
    assert runner.todo() == [1, 2]
    with pytest.raises(KeyboardInterrupt):
        runner.run()
    assert "Resumed: best so far 67% after 1 submission(s)." in ui.text
    python = resumed.results("s1")[1]
    assert python.seconds_used == 250 and python.score == pytest.approx(2 / 3) and python.detail["over_time"] is False
    assert resumed.open_item("s1", 1) == (0.0, None)  # forgotten once the result is in
    assert resumed.open_item("s1", 2)[0] == 0  # the design item had just begun


def test_q_and_end_of_input_stop_like_ctrl_c(kit):
    progress, session, banks = start(kit, "concept1", "concept2")
    with pytest.raises(Stop):
        interview(progress, session, banks, ScriptUI(["0", "q"]), Clock()).run()
    with pytest.raises(EOFError):
        interview(progress, session, banks, ScriptUI([]), Clock()).run()
    assert [r.item_id for r in progress.results("s1")] == ["retries-default"]


def test_an_item_gone_from_the_bank_counts_as_not_done(kit):
    progress, session, banks = start(kit, "python")
    banks.tasks["python"].clear()
    ui = ScriptUI([])
    interview(progress, session, banks, ui, Clock()).run()
    assert progress.results("s1")[0].detail["failed"][0]["name"] == "missing"


# -- scratch folder ------------------------------------------------------------------------------------------------


def test_a_scratch_folder_that_cannot_be_written_is_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if (locked / "probe").exists() or _can_write(locked):
            pytest.skip("running as a user that ignores folder permissions")
        with pytest.raises(ScratchError, match=f"cannot write to the scratch folder {locked / 'here'}: "
                                               "Permission denied"):
            check_writable(locked / "here")
    finally:
        locked.chmod(0o700)


def test_a_scratch_folder_under_a_file_is_named(tmp_path):
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(ScratchError, match="scratch folder .*notes.txt/here: Not a directory. Make it writable or "
                                           "choose another with --scratch DIR"):
        check_writable(tmp_path / "notes.txt" / "here")


def _can_write(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


def test_two_items_with_one_file_name_get_their_number():
    plan = [{"file": "a.py"}, {"file": "b.sql"}, {"file": "a.py"}, {"file": ""}]
    assert file_names(plan) == ["01_a.py", "b.sql", "03_a.py", ""]


# -- scorecard ------------------------------------------------------------------------------------------------------


def test_the_scorecard_is_rebuilt_from_the_store(kit):
    progress, session, banks = start(kit, "python", "concept1", "concept2")
    clock = Clock()
    ui = ScriptUI([write(session.scratch / "double.py", HALF, clock, 400), "skip", "0"])
    with pytest.raises(EOFError):
        interview(progress, session, banks, ui, clock).run()
    scores = scorecard.sections(progress.session("s1"), progress.results("s1"))
    python, concepts = scores
    assert (python.section, python.planned, python.done, python.over_time) == ("python", 1, 1, True)
    assert python.score == pytest.approx(2 / 3) and python.teaches == ["README.md"]
    assert (concepts.planned, concepts.done, concepts.score) == (2, 1, 0.5)  # the card not done counts 0
    assert scorecard.overall(scores) == pytest.approx((2 / 3 + 0.5) / 2)
    shown = ScriptUI([])
    scorecard.show(shown, progress.session("s1"), progress.results("s1"))
    assert "Scorecard s1 (not finished): 58% overall" in shown.text
    assert "Python | 67% | 6:40 / 5:00 OVER TIME | 1/1" in shown.text
    assert "Python · double · negatives: double(-4) returned 8" in shown.text
    assert "Over its time budget: python double." in shown.text
    assert "Not done: concepts trigger-process." in shown.text


def test_result_rows_carry_failed_teaches_and_over_time(kit):
    progress, session, banks = start(kit, "concept1")
    interview(progress, session, banks, ScriptUI(["5"]), Clock()).run()
    db = sqlite3.connect(progress.path)
    [(detail,)] = db.execute("SELECT detail FROM interview_results").fetchall()
    db.close()
    assert {"failed", "teaches", "over_time"} <= set(__import__("json").loads(detail))
