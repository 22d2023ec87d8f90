"""The study loop with a scripted UI and a fixed clock: typed and self-graded answers, quitting, interruptions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from flashcards import deck
from flashcards.planner import plan
from flashcards.scheduler import AGAIN, EASY, GOOD, HARD, LEARNING, REVIEW, Scheduler
from flashcards.session import Session, format_duration
from flashcards.store import Store

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

SHORT = deck.Card(id="default-rule", deck="airflow-core", question="Default trigger rule?", answer="all_success",
                  tags=("trigger-rules",), kind="short", aliases=("all success",), note="Every upstream succeeded.")
LONG = deck.Card(id="what-is-dag", deck="airflow-core", question="What is a DAG?", answer="A graph of tasks.",
                 tags=("airflow",))
PLAIN = deck.Card(id="triggerer", deck="airflow-core", question="Which process runs deferred triggers?",
                  answer="triggerer", tags=("airflow",), kind="short")
OTHER = deck.Card(id="catchup", deck="airflow-3-changes", question="Catchup default?", answer="False",
                  tags=("airflow3",), kind="short")


class ScriptedUI:
    """Answers prompts from a script; an exception instance in the script is raised instead."""

    def __init__(self, script: list) -> None:
        self.script = list(script)
        self.prompts: list[str] = []
        self.shown: list[str] = []

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.script:
            raise EOFError
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def message(self, text: str, style: str = "") -> None:
        self.shown.append(text)

    def panel(self, title: str, body: str, style: str = "", markdown: bool = True) -> None:
        self.shown.append(f"[{title}] {body}")

    def table(self, title, columns, rows) -> None:
        self.shown.append(title)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def run(store: Store, cards: list[deck.Card], script: list, *, clock: Clock | None = None, cram=False, typed=True):
    clock = clock or Clock(T0)
    scheduler = Scheduler(fuzz=False)
    records = store.records()
    the_plan = plan(cards, records, clock(), new_limit=20, introduced_today=0,
                    retrievability=scheduler.retrievability, cram=cram)
    ui = ScriptedUI(script)
    session = Session({c.id: c for c in cards}, records, the_plan, store, scheduler, ui, clock=clock, typed=typed)
    return session.run(), ui


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "p.sqlite3") as opened:
        yield opened


def test_typed_right_answer_takes_the_suggested_good_with_enter(store: Store) -> None:
    summary, ui = run(store, [SHORT], ["`all_success`", ""])
    assert "Correct: all_success" in ui.shown
    assert "Also accepted: all success" in ui.shown
    assert "[Why] Every upstream succeeded." in ui.shown
    assert ui.prompts[1].endswith("[Enter = Good]: ")
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("default-rule", GOOD)]
    assert store.records()["default-rule"].memory.state == LEARNING
    assert (summary.answered, summary.new, summary.typed, summary.typed_correct) == (1, 1, 1, 1)


def test_typed_wrong_answer_suggests_again_and_can_be_overridden(store: Store) -> None:
    summary, ui = run(store, [SHORT, OTHER], ["one_success", "", "True", "4"])
    assert "Wrong. Expected: all_success" in ui.shown  # in words, not by colour alone
    assert "Wrong. Expected: False" in ui.shown
    assert ui.prompts[1].endswith("[Enter = Again]: ")
    assert [(r.card_id, r.rating) for r in store.reviews()][:2] == [("default-rule", AGAIN), ("catchup", EASY)]
    assert store.records()["catchup"].memory.state == REVIEW
    assert summary.typed_correct == 0


def test_a_typo_in_a_plain_word_is_right_but_not_in_an_identifier(store: Store) -> None:
    _, ui = run(store, [PLAIN, SHORT], ["trigerer", "", "all_sucess", ""])
    assert "Correct, with a typo. Expected: triggerer" in ui.shown
    assert "Wrong. Expected: all_success" in ui.shown
    assert [r.rating for r in store.reviews()][:2] == [GOOD, AGAIN]


def test_when_the_matcher_is_unsure_the_user_rates_without_a_suggestion(store: Store) -> None:
    summary, ui = run(store, [OTHER], ["False or True", "", "2"])
    assert any(s.startswith("Not sure (hedged or negated): compare and rate it yourself.") for s in ui.shown)
    assert ui.prompts[1] == "Rate: 1 Again, 2 Hard, 3 Good, 4 Easy: "  # no [Enter = ...]: Enter is refused
    assert ui.prompts[2] == ui.prompts[1]
    assert [r.rating for r in store.reviews()] == [HARD]
    assert summary.typed_correct == 0


def test_self_graded_card_reveals_then_asks_for_a_rating_until_valid(store: Store) -> None:
    summary, ui = run(store, [LONG], ["", "", "maybe", "h"])
    assert "[Answer] A graph of tasks." in ui.shown
    assert "Type 1, 2, 3 or 4 (or a, h, g, e); q quits." in ui.shown  # Enter has no default for self-grading
    assert [r.rating for r in store.reviews()] == [HARD]
    assert summary.typed == 0


def test_self_grade_option_applies_to_short_cards_too(store: Store) -> None:
    _, ui = run(store, [SHORT], ["", "3"], typed=False)
    assert "[Answer] all_success\n\nEvery upstream succeeded." in ui.shown
    assert [r.rating for r in store.reviews()] == [GOOD]


def test_again_card_comes_back_when_the_clock_reaches_its_learning_step(store: Store) -> None:
    clock = Clock(T0)

    class Advancing(ScriptedUI):
        def ask(self, prompt: str) -> str:
            clock.now += timedelta(seconds=30)  # each answer takes 30 s
            return super().ask(prompt)

    scheduler = Scheduler(fuzz=False)
    the_plan = plan([LONG, OTHER], {}, T0, new_limit=20, introduced_today=0, retrievability=scheduler.retrievability)
    ui = Advancing(["", "1", "False", "", "", "3"])
    summary = Session({c.id: c for c in (LONG, OTHER)}, {}, the_plan, store, scheduler, ui, clock=clock).run()
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("what-is-dag", AGAIN), ("catchup", GOOD), ("what-is-dag", GOOD)]
    assert summary.answered == 3 and summary.new == 2
    assert summary.stopped_by == "end of input"  # the script ran out while the last learning cards wait


@pytest.mark.parametrize(("stop", "label"), [(KeyboardInterrupt(), "Ctrl-C"), (EOFError(), "end of input"), ("q", "q")])
def test_stopping_mid_session_keeps_every_rated_card(store: Store, stop, label: str) -> None:
    cards = [LONG, SHORT, OTHER]
    summary, _ = run(store, cards, ["", "3", "all_success", "", stop])
    assert summary.stopped_by == label
    assert [r.card_id for r in store.reviews()] == ["what-is-dag", "default-rule"]
    assert summary.answered == 2 and summary.left == 2  # catchup, plus what-is-dag back in 10 minutes
    if label != "q":
        assert f"Stopped by {label}; every rated card is saved." in summary.lines()


def test_interrupt_while_rating_loses_only_the_unrated_card(store: Store) -> None:
    summary, _ = run(store, [SHORT, OTHER], ["all_success", "", "False", KeyboardInterrupt()])
    assert [r.card_id for r in store.reviews()] == ["default-rule"]
    assert summary.stopped_by == "Ctrl-C"


def test_cram_session_logs_reviews_without_rescheduling(store: Store) -> None:
    scheduler = Scheduler(fuzz=False)
    memory = scheduler.review(LONG.id, None, EASY, T0)
    store.record_review(LONG.id, EASY, T0, None, memory)
    summary, ui = run(store, [LONG], ["", "1", "", "3"], clock=Clock(T0 + timedelta(days=1)), cram=True)
    assert [(r.mode, r.rating) for r in store.reviews()] == [("scheduled", EASY), ("cram", AGAIN), ("cram", GOOD)]
    assert store.records()[LONG.id].memory == memory
    assert any(s.startswith("[airflow-core · what-is-dag · cram") for s in ui.shown)
    assert summary.lines()[0] == "2 cram reviews (schedule unchanged): Again 1, Good 1."


def test_summary_lines() -> None:
    from flashcards.session import Summary

    summary = Summary(answered=3, new=1, typed=2, typed_correct=1, seconds=125, stopped_by="Ctrl-C", left=4)
    summary.ratings.update({AGAIN: 1, GOOD: 2})
    assert summary.lines() == [
        "3 answered (1 new): Again 1, Good 2.",
        "Typed answers right: 1/2.",
        "Time: 2 min.",
        "Stopped by Ctrl-C; every rated card is saved.",
        "4 card(s) left in this session's queue.",
    ]


@pytest.mark.parametrize(("seconds", "text"), [(42, "42 s"), (300, "5 min"), (7200, "2 h"), (259200, "3 days")])
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_the_more_count_goes_down_by_one_per_answered_card(store: Store) -> None:
    _, ui = run(store, [LONG, OTHER, PLAIN], ["", "3", "False", "", "triggerer", ""])
    titles = [s.split("] ")[0] for s in ui.shown if s.startswith("[airflow")]
    counts = [t.rsplit(" · ", 1)[1] for t in titles[:3]]
    assert counts == ["2 more", "1 more + 1 in learning", "0 more + 2 in learning"]


def test_an_answer_the_store_refuses_is_kept_and_saved_on_retry(store: Store, monkeypatch) -> None:
    from flashcards.store import StoreError

    real, calls = store.record_review, []

    def locked_once(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 1:
            raise StoreError("could not save the answer to p.sqlite3: database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "record_review", locked_once)
    summary, ui = run(store, [LONG], ["", "3", ""])  # reveal, Good, then Enter = try again
    refused = "could not save the answer to p.sqlite3: database is locked\nThis answer is not saved yet."
    assert refused in ui.shown
    assert ui.prompts[2] == "Enter = try again, q = quit (only this answer is lost): "
    assert calls == ["what-is-dag", "what-is-dag"]
    assert [(r.card_id, r.rating) for r in store.reviews()] == [("what-is-dag", GOOD)]
    assert summary.answered == 1
