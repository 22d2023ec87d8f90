"""Planning a mock interview: parsing sections, a seeded and repeatable draw that favours what the candidate has
not seen (unsolved drills, never-drawn tasks and prompts, weak and due cards), and an empty bank skipped."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from interview.plan import Banks, BankProblem, History, PlanError, draw, load_banks, parse_sections, seen_in
from interview.progress import InterviewProgress

NOW = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)


def drill(drill_id: str, difficulty: str) -> SimpleNamespace:
    return SimpleNamespace(id=drill_id, title=drill_id.title(), difficulty=difficulty)


def task(task_id: str) -> SimpleNamespace:
    return SimpleNamespace(title=task_id.title(), minutes=15, file=f"{task_id}.py")


def card(card_id: str) -> SimpleNamespace:
    return SimpleNamespace(id=card_id, question=f"What is {card_id}?", kind="short", deck="core")


def record(due: datetime, lapses: int = 0, recall: float = 0.95, stability: float = 20.0) -> SimpleNamespace:
    return SimpleNamespace(memory=SimpleNamespace(due=due, recall=recall, stability=stability), lapses=lapses)


def recall(memory, now) -> float:
    return memory.recall


BANKS = Banks(
    drills={d.id: d for d in [drill("e1", "easy"), drill("e2", "easy"), drill("m1", "medium"), drill("m2", "medium"),
                              drill("m3", "medium"), drill("h1", "hard"), drill("h2", "hard")]},
    tasks={"python": {t: task(t) for t in ("extract", "limiter", "reconcile")}, "dag": {}},
    prompts={p: SimpleNamespace(title=p, minutes=15) for p in ("cdc", "dashboard", "partner")},
    cards={c: card(c) for c in ("c-due", "c-weak", "c-lapsed", "c-fine", "c-young", "c-new1", "c-new2")},
)


def plan(history: History | None = None, sections=("sql", "python", "dag", "design", "concepts"), seed: int = 7,
         **options) -> tuple[list[dict], list[str]]:
    return draw(BANKS, history or History(), sections, now=NOW, rng=random.Random(seed), retrievability=recall, **options)


def ids(items: list[dict], section: str) -> list[str]:
    return [i["item_id"] for i in items if i["section"] == section]


@pytest.mark.parametrize(("text", "expected"), [
    (None, ("sql", "python", "dag", "design", "concepts")),
    ("python,sql", ("sql", "python")),
    (" SQL , concepts ", ("sql", "concepts")),
])
def test_sections_are_parsed_into_interview_order(text, expected):
    assert parse_sections(text) == expected


@pytest.mark.parametrize("text", ["sql,pyhton", "behavioural", ","])
def test_an_unknown_section_is_named_with_the_choices(text):
    with pytest.raises(PlanError, match="unknown section.*choose from sql, python, dag, design, concepts"):
        parse_sections(text)


def test_the_same_seed_and_history_draw_the_same_plan():
    first, _ = plan(seed=3)
    assert first == plan(seed=3)[0]
    draws = {tuple(i["item_id"] for i in plan(seed=s)[0]) for s in range(12)}
    assert len(draws) > 1  # the seed matters


def test_the_standard_length_has_the_loop_of_a_real_interview():
    items, notes = plan()
    assert [i["section"] for i in items] == ["sql", "sql", "python", "design", *["concepts"] * 5]
    assert [BANKS.drills[i].difficulty for i in ids(items, "sql")] == ["medium", "hard"]
    assert notes[0] == "dag: the bank is empty, so this interview has no dag section."
    assert items[0]["file"] == f"{items[0]['item_id']}.sql" and items[2]["file"].endswith(".py")
    assert all(i["file"] == "" for i in items if i["section"] == "concepts")


def test_sql_skips_solved_drills_and_prefers_unattempted_ones():
    status = {"m1": SimpleNamespace(solved=True), "m2": SimpleNamespace(solved=False),
              "h1": SimpleNamespace(solved=True)}
    for seed in range(10):
        items, _ = plan(History(drill_status=status), sections=("sql",), seed=seed)
        assert ids(items, "sql") == ["m3", "h2"]  # m2 failed before: unattempted m3 comes first
    status["m3"] = SimpleNamespace(solved=True)
    assert ids(plan(History(drill_status=status), sections=("sql",))[0], "sql") == ["m2", "h2"]


def test_sql_difficulty_is_chosen_and_runs_out_with_a_note():
    items, notes = plan(sections=("sql",), difficulty="hard", length="full")
    drawn = ids(items, "sql")
    assert sorted(drawn[:2]) == ["h1", "h2"] and BANKS.drills[drawn[2]].difficulty == "medium"
    assert notes == [f"sql: no unsolved hard drill left; drew {drawn[2]} (medium) instead."]


def test_recently_seen_tasks_and_prompts_are_drawn_last():
    seen = {("python", "extract"): NOW - timedelta(days=1), ("python", "limiter"): NOW - timedelta(days=9),
            ("design", "cdc"): NOW - timedelta(days=2), ("design", "dashboard"): NOW - timedelta(days=3)}
    for seed in range(10):
        items, _ = plan(History(seen=seen), sections=("python", "design"), seed=seed)
        assert ids(items, "python") == ["reconcile"] and ids(items, "design") == ["partner"]
    seen[("python", "reconcile")] = NOW
    assert ids(plan(History(seen=seen), sections=("python",))[0], "python") == ["limiter"]  # the least recent


def test_seen_comes_from_past_sessions_plans(tmp_path):
    with InterviewProgress(tmp_path / "p.sqlite3") as progress:
        progress.start("a", [{"section": "python", "item_id": "extract", "minutes": 15}], tmp_path, NOW)
        progress.start("b", [{"section": "python", "item_id": "extract", "minutes": 15}], tmp_path,
                       NOW + timedelta(days=2))
        assert seen_in(progress.sessions()) == {("python", "extract"): NOW + timedelta(days=2)}


def test_concepts_are_weak_cards_first_then_due_then_new():
    records = {
        "c-due": record(NOW - timedelta(days=2)),
        "c-weak": record(NOW + timedelta(days=3), recall=0.5),
        "c-lapsed": record(NOW + timedelta(days=3), lapses=2, recall=0.85),
        "c-fine": record(NOW + timedelta(days=30)),
        "c-young": record(NOW + timedelta(days=1), recall=0.9, stability=1.2),  # learnt yesterday: short-lived
    }
    items, notes = plan(History(card_records=records), sections=("concepts",))
    drawn = ids(items, "concepts")
    assert drawn[:4] == ["c-weak", "c-lapsed", "c-young", "c-due"] and "c-fine" not in drawn
    assert drawn[4] in {"c-new1", "c-new2"}
    assert notes == ["concepts: 1 of 5 cards are new to you (not enough due or weak ones in your quiz history)."]
    items, notes = plan(History(card_records=records), sections=("concepts",), length="short")
    assert ids(items, "concepts") == ["c-weak", "c-lapsed", "c-young"] and notes == []


def test_minutes_scale_every_budget_to_the_total():
    items, _ = plan(minutes=30)
    assert sum(i["minutes"] for i in items) == pytest.approx(30, abs=0.5)
    with pytest.raises(PlanError, match="unknown length 'huge'"):
        plan(length="huge")


def test_an_empty_task_bank_loads_and_a_broken_one_is_named(tmp_path):
    (tmp_path / "python").mkdir()
    (tmp_path / "dag").mkdir()
    banks = load_banks(["python", "dag"], task_root=tmp_path)
    assert banks.tasks == {"python": {}, "dag": {}}
    items, notes = draw(banks, History(), ["dag"], now=NOW, rng=random.Random(1), retrievability=recall)
    assert items == [] and notes == ["dag: the bank is empty, so this interview has no dag section."]
    broken = tmp_path / "dag" / "half_done"
    broken.mkdir()
    (broken / "task.toml").write_text('title = "x"\n')
    with pytest.raises(BankProblem, match=r"TaskError: .*half_done: prompt.md is missing"):
        load_banks(["dag"], task_root=tmp_path)


def test_the_shipped_banks_load(monkeypatch):
    monkeypatch.delenv("KIT_QUIZ_DECKS", raising=False)
    banks = load_banks(["python", "design", "concepts"])
    assert "retry_backoff" in banks.tasks["python"]
    assert "late_duplicated_partner_data" in banks.prompts
    assert banks.cards and all(c.kind == "short" for c in banks.cards.values())
    assert Path(banks.tasks["python"]["retry_backoff"].folder).is_dir()
