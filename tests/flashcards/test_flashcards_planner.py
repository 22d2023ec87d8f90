"""What a session shows: due queue, daily new-card limit, learning steps, cram, filters, shuffle."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flashcards import deck
from flashcards.planner import LEARN_AHEAD, StudyQueue, plan, select
from flashcards.scheduler import AGAIN, EASY, GOOD, Scheduler
from flashcards.store import Store

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SCHEDULER = Scheduler(fuzz=False)


def card(card_id: str, deck_name: str = "airflow-core", tags: tuple[str, ...] = ("airflow",)) -> deck.Card:
    return deck.Card(id=card_id, deck=deck_name, question=f"{card_id}?", answer="a", tags=tags)


def make_plan(cards, store, now, **options):
    options.setdefault("new_limit", 20)
    options.setdefault("introduced_today", 0)
    return plan(cards, store.records(), now, retrievability=SCHEDULER.retrievability, **options)


def answer(store: Store, card_id: str, rating: int, now: datetime) -> None:
    before = store.records().get(card_id)
    memory = before.memory if before else None
    store.record_review(card_id, rating, now, memory, SCHEDULER.review(card_id, memory, rating, now))


def drain(queue: StudyQueue, now: datetime) -> list[str]:
    shown = []
    while (card_id := queue.next(now)) is not None:
        shown.append(card_id)
    return shown


def test_select_filters_by_deck_and_any_tag() -> None:
    cards = [card("a", tags=("xcom",)), card("b", tags=("sensors",)), card("c", "api-patterns", ("retries",))]
    assert [c.id for c in select(cards, tags=["xcom", "retries"])] == ["a", "c"]
    assert [c.id for c in select(cards, decks=["airflow-core"])] == ["a", "b"]
    assert [c.id for c in select(cards, decks=["airflow-core"], tags=["retries"])] == []
    assert select(cards) == cards


def test_due_cards_most_overdue_first_then_new_cards_up_to_the_daily_limit(tmp_path: Path) -> None:
    cards = [card(c) for c in "abcdefg"]
    with Store(tmp_path / "p.sqlite3") as store:
        answer(store, "c", EASY, T0)  # due T0 + 8 days
        answer(store, "a", EASY, T0 + timedelta(days=1))  # due T0 + 9 days
        answer(store, "b", EASY, T0 + timedelta(days=30))  # not due yet at T0 + 10 days
        now = T0 + timedelta(days=10)
        the_plan = make_plan(cards, store, now, new_limit=5, introduced_today=3)
    assert (the_plan.due, the_plan.new, the_plan.cram) == (2, 2, False)
    assert drain(the_plan.queue, now) == ["c", "a", "d", "e"]  # 5 new a day, 3 already introduced today
    assert the_plan.next_due == T0 + timedelta(days=38)


def test_learning_cards_come_back_within_the_session(tmp_path: Path) -> None:
    with Store(tmp_path / "p.sqlite3") as store:
        the_plan = make_plan([card("a"), card("b")], store, T0)
    queue = the_plan.queue
    assert queue.next(T0) == "a"
    memory = SCHEDULER.review("a", None, AGAIN, T0)  # back in 1 minute
    queue.answered("a", AGAIN, memory.due, T0)
    assert queue.next(T0) == "b"  # the main queue goes first while "a" is not due
    queue.answered("b", EASY, T0 + timedelta(days=8), T0)  # graduated: not shown again this session
    assert queue.next(T0) == "a"  # nothing else left: shown a little early (learn ahead)
    queue.answered("a", GOOD, T0 + LEARN_AHEAD + timedelta(minutes=1), T0)
    assert queue.next(T0) is None  # beyond the learn-ahead window: the session ends


def test_learning_card_due_now_comes_before_the_main_queue() -> None:
    queue = StudyQueue(["x", "y"])
    queue.answered("a", AGAIN, T0 + timedelta(minutes=1), T0)
    assert queue.next(T0) == "x"
    assert queue.next(T0 + timedelta(minutes=1)) == "a"
    assert len(queue) == 1


def test_learning_cards_from_an_earlier_session_are_picked_up(tmp_path: Path) -> None:
    with Store(tmp_path / "p.sqlite3") as store:
        answer(store, "a", GOOD, T0)  # next learning step in 10 minutes
        the_plan = make_plan([card("a")], store, T0 + timedelta(minutes=2), new_limit=0)
    assert not the_plan.cram
    assert the_plan.queue.next(T0 + timedelta(minutes=2)) == "a"


def test_cram_when_nothing_is_due_weakest_first_and_again_repeats(tmp_path: Path) -> None:
    cards = [card(c) for c in "abc"]
    with Store(tmp_path / "p.sqlite3") as store:
        answer(store, "a", EASY, T0)  # stability ~8 days
        answer(store, "b", GOOD, T0)
        answer(store, "b", GOOD, T0 + timedelta(minutes=10))  # stability ~2 days: weaker
        now = T0 + timedelta(days=2)  # neither is due yet (b: 2 days after its last review)
        the_plan = make_plan(cards, store, now, new_limit=1, introduced_today=1)
    assert the_plan.cram and the_plan.reason == "Nothing due, and today's 1 new cards are done."
    queue = the_plan.queue
    assert queue.next(now) == "b"
    queue.answered("b", AGAIN, None, now)  # cram: Again puts it at the end, schedule untouched
    assert drain(queue, now) == ["a", "b"]


def test_explicit_cram_ignores_due_and_new_cards(tmp_path: Path) -> None:
    with Store(tmp_path / "p.sqlite3") as store:
        answer(store, "a", EASY, T0)
        the_plan = make_plan([card("a"), card("new")], store, T0 + timedelta(days=20), cram=True)
    assert the_plan.cram and the_plan.reason == ""
    assert drain(the_plan.queue, T0) == ["a"]


def test_shuffle_is_a_seeded_permutation(tmp_path: Path) -> None:
    cards = [card(f"c{i:02}") for i in range(30)]
    with Store(tmp_path / "p.sqlite3") as store:
        plain = drain(make_plan(cards, store, T0, new_limit=30).queue, T0)
        one = drain(make_plan(cards, store, T0, new_limit=30, shuffle=True, rng=random.Random(7)).queue, T0)
        two = drain(make_plan(cards, store, T0, new_limit=30, shuffle=True, rng=random.Random(7)).queue, T0)
    assert plain == [c.id for c in cards]
    assert one == two and one != plain and sorted(one) == plain


def test_rewording_a_card_keeps_its_history(tmp_path: Path) -> None:
    (tmp_path / "tags.md").write_text("- airflow: Airflow\n", encoding="utf-8")
    path = tmp_path / "d.md"
    path.write_text("## stable-id\nQ: Old wording?\nA: Old answer.\nTags: airflow\n", encoding="utf-8")
    with Store(tmp_path / "p.sqlite3") as store:
        [old] = deck.lint([path])[0]
        answer(store, old.id, EASY, T0)
        path.write_text("## stable-id\nQ: Completely new wording?\nA: New answer.\nTags: airflow\n", encoding="utf-8")
        [new] = deck.lint([path])[0]
        the_plan = make_plan([new], store, T0 + timedelta(days=9))
    assert new.question != old.question
    assert (the_plan.due, the_plan.new) == (1, 0)  # a due review, not a new card
