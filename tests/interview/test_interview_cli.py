"""kit-interview's commands in process, with piped input: bad options, a broken store, a scratch folder that
cannot be written, a bank problem, nothing to resume; a piped interview, list and show."""

from __future__ import annotations

import io
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interview import cli
from interview.plan import load_banks
from interview.progress import InterviewProgress
from interview.tasks import ROOT, bank


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("KIT_QUIZ_DECKS", raising=False)
    return tmp_path / "state" / "progress.sqlite3"


def run(capsys, monkeypatch, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_unknown_section_is_a_usage_error(capsys, monkeypatch, store):
    code, _, err = run(capsys, monkeypatch, "--only", "sql,behavioural", "--store", str(store))
    assert code == cli.EXIT_USAGE
    assert "unknown section(s) behavioural; choose from sql, python, dag, design, concepts" in err


@pytest.mark.parametrize(("args", "message"), [
    (("--length", "short", "--minutes", "30"), "argument --minutes: not allowed with argument --length"),
    (("--minutes", "2"), "2 minutes: choose between 5 and 240"),
    (("--length", "huge"), "invalid choice: 'huge'"),
])
def test_bad_options_exit_with_the_usage_status(capsys, monkeypatch, args, message):
    with pytest.raises(SystemExit) as stop:
        run(capsys, monkeypatch, *args)
    assert stop.value.code == cli.EXIT_USAGE and message in capsys.readouterr().err


def test_a_broken_store_is_named_and_left_alone(capsys, monkeypatch, store):
    store.parent.mkdir(parents=True)
    store.write_bytes(b"this is not a database" * 100)
    code, _, err = run(capsys, monkeypatch, "--only", "python", "--store", str(store))
    assert code == cli.EXIT_STORE and f"the progress store {store} is unreadable" in err
    assert store.read_bytes() == b"this is not a database" * 100


def test_a_scratch_folder_that_cannot_be_written_records_nothing(capsys, monkeypatch, store, tmp_path):
    (tmp_path / "a-file").write_text("")
    code, _, err = run(capsys, monkeypatch, "--only", "python", "--store", str(store),
                       "--scratch", str(tmp_path / "a-file" / "scratch"))
    assert code == cli.EXIT_USAGE and "cannot write to the scratch folder" in err and "Not a directory" in err
    with InterviewProgress(store) as progress:
        assert progress.sessions() == []


def test_a_bank_problem_is_reported_with_its_status(capsys, monkeypatch, store, tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "tags.md").write_text("- airflow: Airflow\n")
    (decks / "10-x.md").write_text("## a-card\nQ: Which?\nA: that\nType: short\nTags: unknown-tag\n")
    monkeypatch.setenv("KIT_QUIZ_DECKS", str(decks))
    code, _, err = run(capsys, monkeypatch, "--only", "concepts", "--store", str(store))
    assert code == cli.EXIT_BANK and "bank problem: the flashcard decks have 1 problem(s)" in err


def test_nothing_to_resume_and_an_unknown_session(capsys, monkeypatch, store):
    code, _, err = run(capsys, monkeypatch, "--resume", "--store", str(store))
    assert code == cli.EXIT_USAGE and "no unfinished interview to resume" in err
    code, out, _ = run(capsys, monkeypatch, "list", "--store", str(store))
    assert code == 0 and "No interviews yet" in out
    code, _, err = run(capsys, monkeypatch, "show", "20260101-000000", "--store", str(store))
    assert code == cli.EXIT_USAGE and "no interview '20260101-000000'" in err


def test_a_piped_interview_stops_resumes_and_shows_its_scorecard(capsys, monkeypatch, store, tmp_path):
    scratch = tmp_path / "scratch"
    args = ("--only", "python,design", "--length", "short", "--store", str(store), "--scratch", str(scratch))
    code, out, _ = run(capsys, monkeypatch, *args, stdin="q\n")  # drawn, then stopped before the clock starts
    assert code == 0 and "Stopped: 2 items left" in out
    with InterviewProgress(store) as progress:
        python, design = progress.unfinished().plan
    task = bank("python")[python["item_id"]]
    (scratch / task.file).write_text(task.reference.read_text())  # written before the starter would be

    code, out, _ = run(capsys, monkeypatch, "--store", str(store), stdin="y\n\n\n")  # resume, start, submit
    assert code == cli.EXIT_INTERRUPTED and "Passed in" in out  # then input ends at the design prompt
    answer = scratch / f"{design['item_id']}.md"
    assert answer.read_text().startswith(f"# {design['title']}\n\n> ")  # the prompt, quoted, then room to write

    answer.write_text("# Mine\nDedup by key, MERGE newer wins.\n")
    rubric = load_banks(["design"]).prompts[design["item_id"]].rubric
    points = len(rubric)
    yes = points // 2
    code, out, _ = run(capsys, monkeypatch, "--store", str(store), stdin="y\n\n\n" + "y\n" * yes + "n\n" * (points - yes))
    assert code == 0 and "Resuming" in out and "Model answer" in out
    design_score = round(100 * yes / points)
    assert "Scorecard" in out and f"System design  {design_score}%" in out and "Python         100%" in out
    assert "Where it is taught" in out and rubric[yes].teaches in out  # the first point answered n

    code, out, _ = run(capsys, monkeypatch, "list", "--store", str(store))
    assert "python,design" in out and f"{round((100 + 100 * yes / points) / 2)}%" in out and "finished" in out
    code, again, _ = run(capsys, monkeypatch, "show", "last", "--store", str(store))
    assert code == 0 and "Scorecard" in again and f"System design  {design_score}%" in again
    db = sqlite3.connect(store)
    rows = db.execute("SELECT section, item_id, score FROM interview_results ORDER BY seq").fetchall()
    db.close()
    assert rows == [("python", task.task_id, 1.0), ("design", design["item_id"], pytest.approx(yes / points))]


def test_starting_anew_closes_the_unfinished_interview(capsys, monkeypatch, store, tmp_path):
    args = ("--only", "design", "--store", str(store), "--scratch", str(tmp_path / "s"))
    code, _, _ = run(capsys, monkeypatch, *args, stdin="q\n")
    assert code == 0
    code, out, _ = run(capsys, monkeypatch, *args, stdin="n\nq\n")
    assert code == 0 and "An unfinished interview from" in out
    with InterviewProgress(store) as progress:
        first, second = progress.sessions()
        assert first.finished_at is not None and second.finished_at is None


def test_a_closed_terminal_keeps_the_time_of_the_item_in_progress(store, tmp_path):
    scratch = tmp_path / "s"
    child = subprocess.Popen([sys.executable, "-m", "interview.cli", "--only", "design", "--store", str(store),
                              "--scratch", str(scratch)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, cwd=ROOT)
    child.stdin.write("\n")  # start the clock
    child.stdin.flush()
    deadline = time.monotonic() + 60
    while not list(scratch.glob("*.md")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the design prompt waits for the answer
    child.send_signal(signal.SIGHUP)
    _, err = child.communicate(timeout=60)
    assert child.returncode == cli.EXIT_INTERRUPTED and "kit-interview --resume` continues" in err
    with InterviewProgress(store) as progress:
        session = progress.unfinished()
        seconds, best = progress.open_item(session.session_id, 0)
    assert seconds > 0.4 and best is None
