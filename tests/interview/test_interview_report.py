"""The readiness report: exact figures per topic from a seeded store, the three weakest topics to study next, an
empty and a broken store, ``kit-report`` as a subprocess; the topic map; and graders recording exercise results
in the candidate's work copy only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drills import bank as drill_bank
from drills.progress import DrillProgress
from exercises import grading, record
from flashcards import deck
from flashcards.scheduler import Scheduler
from flashcards.store import Store, StoreError
from interview import report, topics
from interview.progress import InterviewProgress, Result

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
S1, S2 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC), datetime(2026, 3, 15, 18, 0, tzinfo=UTC)
CARD_A, CARD_B = "inc-append-double-counts", "inc-merge-misses-deletes"
VARIANT_DRILL = "partner-service-units"


def at(day: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, 20, 0, tzinfo=UTC)


def seed(path: Path) -> Path:
    scheduler = Scheduler(fuzz=False)
    with Store(path) as store:
        for card, answers in ((CARD_A, [(at(1, 2), 1), (at(1), 1), (at(5), 3), (at(10), 3)]),
                              (CARD_B, [(at(2), 1), (at(12), 1)])):
            memory = None
            for when, rating in answers:
                after = scheduler.review(card, memory, rating, when)
                store.record_review(card, rating, when, memory, after)
                memory = after
    with DrillProgress(path) as drills:
        drills.record("clients-never-booked", False, "hidden", "nulls", at(3))
        drills.record("clients-never-booked", True, "passed", None, at(4))
        drills.record("top-clinician-per-specialty", False, "visible", None, at(4))
        drills.record(VARIANT_DRILL, False, "hidden", "nulls", at(6))
    with InterviewProgress(path) as interview:
        interview.record_exercise("apply_changes", "15_incremental_models", False, at(2))
        interview.record_exercise("apply_changes", "15_incremental_models", True, at(3))
        interview.record_exercise("batch_sql", "15_incremental_models", False, at(3))
        interview.record_exercise("appointments_file_ready", "06_sensors", True, at(4))
        for session, began, items in (
            ("s1", S1, [("sql", "clients-never-booked", 0.5, []),
                        ("python", "t-inc", 0.25, ["notebooks/15_incremental_models.ipynb"]),
                        ("design", "d-sensors", 1.0, ["notebooks/06_sensors.ipynb"])]),
            ("s2", S2, [("sql", "revenue-per-clinician", 1.0, []),
                        ("python", "t-inc-2", 0.75, ["notebooks/15_incremental_models.ipynb"])]),
        ):
            interview.start(session, [{"section": s, "item_id": i, "minutes": 10} for s, i, _, _ in items],
                            path.parent, began)
            for seq, (section, item, score, teaches) in enumerate(items):
                interview.record(Result(session, seq, section, item, began + timedelta(minutes=10 * seq + 10),
                                        600.0, score, {"failed": [], "teaches": teaches, "over_time": False}))
            interview.finish(session, began + timedelta(hours=1))
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> report.Report:
    return report.build(seed(tmp_path_factory.mktemp("store") / "progress.sqlite3"), NOW)


def standing(rep: report.Report, topic: str) -> report.TopicStanding:
    return next(t for t in rep.topics if t.topic == topic)


# -- the figures ---------------------------------------------------------------------------------------------------


def test_the_seeded_cards_and_drill_carry_the_topics_the_test_relies_on():
    cards = {c.id: c for c in deck.load()[0]}
    assert "incremental" in cards[CARD_A].tags and "incremental" in cards[CARD_B].tags
    assert "variant" in topics.drill_topics(drill_bank.by_id()[VARIANT_DRILL].tags)


def test_incremental_counts_every_kind_of_practice_exactly(seeded):
    t = standing(seeded, "incremental")
    cards = [c for c in deck.load()[0] if "incremental" in c.tags]
    # notebooks 15 (apply_changes, batch_sql) and 17 (upsert_sql, restore_sql) teach it
    assert (t.exercises_passed, t.exercises_attempted, t.exercises_total) == (1, 2, 4)
    assert (t.drills_solved, t.drills_attempted, t.drills_total) == (0, 0, 0)
    # the review of 1 February is outside the 30 days before 20 March; of the other five, two were recalled
    assert (t.cards_studied, t.cards_total, t.answers, t.recalled) == (2, len(cards), 5, 2)
    assert t.interview == (0.25, 0.75)  # the python items that notebook 15 teaches, session 1 then 2
    assert t.weakest_section == "python"
    assert t.evidence() == {"interview": 0.75, "exercises": 0.5, "flashcards": 0.4}
    assert t.readiness == pytest.approx((2 * 0.75 + 0.5 + 0.4) / 4)


def test_sql_sensors_and_variant(seeded):
    sql, sensors, variant = (standing(seeded, name) for name in ("sql", "sensors", "variant"))
    bank = drill_bank.load()
    assert (sql.drills_solved, sql.drills_attempted, sql.drills_total) == (1, 3, len(bank))
    assert sql.interview == (0.5, 1.0)
    assert sql.readiness == pytest.approx((2 * 1.0 + 1 / 3) / 3)
    assert sql.weakest_drill_tag is not None
    unsolved_tags = set(drill_bank.by_id()["top-clinician-per-specialty"].tags) | set(
        drill_bank.by_id()[VARIANT_DRILL].tags)
    assert sql.weakest_drill_tag in unsolved_tags
    # notebooks 06 and 22 have two exercises each; the design item in session 1 names notebook 06
    assert (sensors.exercises_passed, sensors.exercises_attempted, sensors.exercises_total) == (1, 1, 4)
    assert sensors.interview == (1.0,) and sensors.readiness == 1.0
    variant_drills = [d for d in bank if "variant" in topics.drill_topics(d.tags)]
    assert (variant.drills_solved, variant.drills_attempted, variant.drills_total) == (0, 1, len(variant_drills))
    assert variant.readiness == 0.0


def test_interview_sections_per_session(seeded):
    sections = {s.section: s.scores for s in seeded.sections}
    assert sections == {
        "sql": ((S1.date(), 0.5), (S2.date(), 1.0)),
        "python": ((S1.date(), 0.25), (S2.date(), 0.75)),
        "design": ((S1.date(), 1.0),),
    }


def test_the_three_things_to_study_next_are_the_weakest_topics(seeded):
    judged = sorted((t for t in seeded.topics if t.readiness is not None and t.topic != "sim-caveat"),
                    key=lambda t: t.readiness)
    picked = [n.topic for n in seeded.study_next]
    assert len(picked) == 3
    assert picked[:2] == ["variant", "incremental"]  # 0% (one drill, unsolved), then 60%
    assert [standing(seeded, p).readiness for p in picked] == [t.readiness for t in judged[:3]]
    assert all(standing(seeded, p).readiness <= t.readiness for p in picked for t in judged[3:])
    variant, incremental = seeded.study_next[:2]
    assert variant.why == "drills 0 of 1 solved"
    assert variant.commands[0] == ".venv/bin/kit-drill next --tag semi-structured"  # its drill tag, not "dedupe"
    assert variant.where[0] == "notebooks/33_sql_json_money_and_stats.ipynb"
    # the weakest kind of practice first: flashcards (40%), then exercises (50%), then the interview (75%)
    assert incremental.commands == ('make quiz ARGS="--tag incremental"',
                                    "make lab   # then open work/15_incremental_models.ipynb",
                                    'make interview ARGS="--only python"')


def test_topics_with_the_same_evidence_and_notebooks_are_one_thing_to_study(tmp_path):
    with InterviewProgress(tmp_path / "p.sqlite3") as progress:  # notebook 08: api, pagination, retries, idempotency
        progress.record_exercise("collect_cursor_pages", "08_api_extraction", False, at(1))
    picked = report.build(tmp_path / "p.sqlite3", NOW).study_next
    # all four at 0%: ties go by the study path (retries is taught from notebook 01 on)
    assert [n.topics for n in picked] == [("retries",), ("api", "pagination"), ("idempotency",)]
    assert picked[1].commands[-1] == 'make quiz ARGS="--tag api --tag pagination"'


def test_with_little_practised_the_study_path_fills_the_list(tmp_path):
    with InterviewProgress(tmp_path / "p.sqlite3") as progress:
        progress.record_exercise("appointments_file_ready", "06_sensors", True, at(1))
    picked = report.build(tmp_path / "p.sqlite3", NOW).study_next
    # sensors has evidence; then the topics of notebook 01, not started yet
    assert [(n.topic, n.why) for n in picked] == [("sensors", "exercises 1 of 1 passed"),
                                                  ("airflow", "not started yet"), ("alerting", "not started yet")]


@pytest.mark.parametrize("section", ["design", "python"])
def test_an_interview_item_takes_the_tags_of_its_bank_entry(tmp_path, section):
    from interview.design import prompts
    from interview.tasks import bank

    item_id, item = next(iter((prompts() if section == "design" else bank(section)).items()))
    with InterviewProgress(tmp_path / "p.sqlite3") as progress:
        progress.start("s", [{"section": section, "item_id": item_id, "minutes": 15}], tmp_path, S1)
        progress.record(Result("s", 0, section, item_id, S1, 900.0, 0.5,
                               {"failed": [], "teaches": ["notebooks/06_sensors.ipynb"], "over_time": False}))
    rep = report.build(tmp_path / "p.sqlite3", NOW)
    assert {t.topic for t in rep.topics if t.interview} == set(item.tags)  # its tags, not what "teaches" names
    assert all(standing(rep, tag).interview == (0.5,) for tag in item.tags)


def test_the_rendered_report_shows_the_figures_and_the_commands(seeded):
    text = report.render(seeded, width=120)
    assert re.search(r"incremental\s.*1/2 of 4.*40% of 5.*25% ↑ 75%.*60%", text)
    assert "Study next" in text and "1. variant: drills 0 of 1 solved" in text
    assert "$ .venv/bin/kit-drill next --tag" in text


def test_plots_draw_recall_and_interview_scores(seeded):
    import matplotlib

    matplotlib.use("Agg")
    fig = report.plot(seeded)
    recall, interview = fig.axes
    assert [line.get_label() for line in interview.get_lines()] == ["sql", "python", "design"]
    assert recall.get_lines()[0].get_label() == "all cards"
    assert len(recall.get_lines()[0].get_xdata()) == len(seeded.recall_by_week["all"])


# -- empty and broken stores ---------------------------------------------------------------------------------------


def test_an_empty_store_says_how_to_start(tmp_path):
    missing = tmp_path / "none.sqlite3"
    rep = report.build(missing, NOW)
    assert rep.empty and rep.study_next == ()
    assert not missing.exists(), "a report must not create a store"
    text = report.render(rep)
    assert "Nothing recorded yet" in text and "make quiz" in text and "0%" not in text
    Store(tmp_path / "fresh.sqlite3").close()
    assert report.build(tmp_path / "fresh.sqlite3", NOW).empty


@pytest.mark.slow  # a kit-report process
def test_a_broken_store_is_named_and_left_untouched(tmp_path):
    broken = tmp_path / "progress.sqlite3"
    broken.write_bytes(b"not a database, just bytes\n" * 200)
    before = (broken.read_bytes(), broken.stat().st_mtime_ns)
    with pytest.raises(StoreError, match=re.escape(str(broken))):
        report.build(broken, NOW)
    result = subprocess.run([str(Path(sys.executable).with_name("kit-report")), "--store", str(broken)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert str(broken) in result.stderr and "has not been modified" in result.stderr
    assert (broken.read_bytes(), broken.stat().st_mtime_ns) == before


@pytest.mark.slow  # three kit-report processes, each loading the decks and the drill bank
def test_kit_report_runs_as_a_command(tmp_path):
    store = seed(tmp_path / "progress.sqlite3")
    result = subprocess.run([str(Path(sys.executable).with_name("kit-report")), "--store", str(store)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Readiness per topic" in result.stdout and "Study next" in result.stdout
    assert "1. variant" in result.stdout and f"Store: {store}" in result.stdout
    empty = subprocess.run([str(Path(sys.executable).with_name("kit-report")), "--store",
                            str(tmp_path / "new.sqlite3")], capture_output=True, text=True, timeout=120)
    assert empty.returncode == 0 and "Nothing recorded yet" in empty.stdout


# -- the topic map -------------------------------------------------------------------------------------------------


def test_every_notebook_has_its_topics_and_every_topic_is_a_known_tag():
    known = set(topics.topics())
    stems = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    missing = sorted(stems - set(topics.NOTEBOOK_TAGS))
    assert not missing, f"notebooks without topics: {missing}; add them to NOTEBOOK_TAGS in interview/topics.py"
    unknown = {nb: set(tags) - known for nb, tags in topics.NOTEBOOK_TAGS.items() if set(tags) - known}
    assert unknown == {}
    assert set(topics.DRILL_TOPICS.values()) <= known
    cards = deck.load()[0]
    untaught = [t for t in known if not topics.taught_in(t, cards)]
    assert untaught == []
    assert topics.taught_in("variant", cards)[0] == "notebooks/33_sql_json_money_and_stats.ipynb"
    assert topics.taught_in("variant", cards)[-1].startswith("flashcards/decks/")


def test_every_exercise_of_every_notebook_is_found_with_its_notebook():
    found = topics.exercises()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                         if c["cell_type"] == "code")
        graders = set(re.findall(r"\bgrade_(\w+)\(", code))
        mine = {e.name for e in found.values() if e.notebook == path.stem}
        assert len(mine) == len(graders), f"{path.name}: graders {sorted(graders)}, exercises found {sorted(mine)}"
    assert topics.notebook_of("apply_changes") == "15_incremental_models"
    assert topics.notebook_of("MarkerTrigger") == "22_deferral_and_the_triggerer"
    assert topics.notebook_of("no_such_exercise") is None


def test_an_interview_item_is_placed_by_what_teaches_it():
    assert topics.notebook_topics(["notebooks/09_rate_limiting.ipynb", "solutions/ratelimit.py",
                                   "drills/bank/02_windows.toml"]) == ("rate-limiting", "sql")


# -- graders record results in the work copy only ------------------------------------------------------------------

CHECKS = [("doubles", lambda fn: grading.expect(fn(2), 4))]


@pytest.fixture
def work_copy(tmp_path, monkeypatch):
    """A work/ folder as the kit's, the kernel started in it, outside CI and pytest, and a store of its own."""
    work = tmp_path / "kit" / "work"
    work.mkdir(parents=True)
    monkeypatch.setattr(record, "WORK", work)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("KIT_QUIZ_STORE", str(tmp_path / "progress.sqlite3"))
    monkeypatch.chdir(work)
    return tmp_path / "progress.sqlite3"


def recorded(store: Path) -> dict:
    with InterviewProgress(store) as progress:
        return progress.exercises()


def outside_pytest(monkeypatch):
    """pytest sets PYTEST_CURRENT_TEST again before each test's body: unset it there, as in a notebook kernel."""
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)


def test_a_grade_in_the_work_copy_is_recorded_with_its_notebook(work_copy, monkeypatch, capsys):
    outside_pytest(monkeypatch)
    grading.grade("apply_changes", lambda x: x * 3, CHECKS)
    grading.grade("apply_changes", lambda x: x * 2, CHECKS)
    grading.grade("batch_sql", lambda x: x + 1, CHECKS)
    grading.grade("check_freshness", lambda x: (_ for _ in ()).throw(NotImplementedError()), CHECKS)
    assert recorded(work_copy) == {("15_incremental_models", "apply_changes"): True,
                                   ("15_incremental_models", "batch_sql"): False}
    assert "not saved" not in capsys.readouterr().out


@pytest.mark.parametrize("where", ["shipped notebooks", "CI", "pytest"])
def test_nothing_is_recorded_outside_the_work_copy(work_copy, monkeypatch, where):
    outside_pytest(monkeypatch)
    if where == "shipped notebooks":  # nbval runs the shipped notebooks with the kernel in notebooks/
        monkeypatch.chdir(ROOT / "notebooks")
    elif where == "CI":
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/x.py::test (call)")
    result = grading.grade("apply_changes", lambda x: x * 2, CHECKS)
    assert result.passed
    assert not work_copy.exists()


def test_a_store_error_never_breaks_a_grader_cell(work_copy, monkeypatch, capsys):
    outside_pytest(monkeypatch)
    work_copy.write_bytes(b"garbage " * 100)
    before = work_copy.read_bytes()
    result = grading.grade("apply_changes", lambda x: x * 2, CHECKS)
    out = capsys.readouterr().out
    assert result.passed and out.startswith("apply_changes: PASSED")
    notes = [line for line in out.splitlines() if "not saved" in line]
    assert len(notes) == 1 and str(work_copy) in notes[0]
    assert work_copy.read_bytes() == before
