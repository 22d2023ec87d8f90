"""The kit-quiz command end to end: a real pseudo-terminal, Ctrl-C and kill mid-session, piped plain output."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pexpect
import pytest

DECK = """\
# Test deck

## first-card
Q: First question?
A: First answer.
Tags: airflow

## second-card
Q: Which Airflow process runs deferred triggers?
A: triggerer
Type: short
Tags: airflow, trigger-rules

## third-card
Q: Third question?
A: Third answer.
Tags: airflow
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "tags.md").write_text("- airflow: Airflow\n- trigger-rules: trigger rules\n", encoding="utf-8")
    (decks / "10-test.md").write_text(DECK, encoding="utf-8")
    store = tmp_path / "state" / "progress.sqlite3"
    env = {**os.environ, "KIT_QUIZ_STORE": str(store), "KIT_QUIZ_DECKS": str(decks), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    return decks, store, env


def reviews(store: Path) -> list[tuple[str, int]]:
    db = sqlite3.connect(store)
    try:
        return db.execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    finally:
        db.close()


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    # the child gets Ctrl-C as in a user's terminal even where this test runs with SIGINT ignored (a shell's
    # background job): ignored signals are inherited, and Python then installs no KeyboardInterrupt handler
    return pexpect.spawn(sys.executable, ["-m", "flashcards.cli", *args], env=env, encoding="utf-8",
                         dimensions=(40, 120), timeout=30,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def answer_two_cards(child: pexpect.spawn) -> None:
    child.expect("First question")
    child.expect(r"Enter = show the answer \(q = quit\) ")
    child.sendline("")
    child.expect("First answer")
    assert "\r\n" in child.before.split("╭")[0]  # the Enter is echoed: the answer panel starts on a new line
    child.expect("Rate:")
    child.sendline("4")
    child.expect("Which Airflow process runs deferred triggers")
    child.expect("Your answer")
    child.sendline("trigerer")  # a typo in a plain word: still right
    child.expect("Correct, with a typo")
    child.expect("Enter = Good")
    child.sendline("")
    child.expect("Third question")
    child.expect("Enter = show the answer")


def test_ctrl_c_in_a_real_terminal_keeps_every_answered_card(setup) -> None:
    _, store, env = setup
    child = spawn(env)
    answer_two_cards(child)
    child.sendintr()  # Ctrl-C while the third card waits
    child.expect("Stopped by Ctrl-C; every rated card is saved.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "\x1b[" in child.before or "╭" in child.before  # rich rendering on a terminal
    assert reviews(store) == [("first-card", 4), ("second-card", 3)]


def test_killed_process_loses_nothing_already_answered(setup) -> None:
    _, store, env = setup
    child = spawn(env)
    answer_two_cards(child)
    child.kill(signal.SIGKILL)  # no chance to clean up
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    assert reviews(store) == [("first-card", 4), ("second-card", 3)]
    # The store still opens, and the next session continues where this one stopped.
    result = subprocess.run([sys.executable, "-m", "flashcards.cli"], input="", env=env, capture_output=True,
                            text=True, timeout=60)
    assert "0 due, 1 new" in result.stdout and "Third question?" in result.stdout


def test_end_of_input_in_a_terminal_ends_with_a_summary(setup) -> None:
    _, store, env = setup
    child = spawn(env, "--new-limit", "1")
    child.expect("Enter = show the answer")
    child.sendline("")
    child.expect("Rate:")
    child.sendline("g")
    child.expect("Enter = show|Your answer|Session summary")  # first-card comes back only after 10 minutes
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert reviews(store) == [("first-card", 3)]


def test_piped_session_is_plain_text_and_progress_persists_across_runs(setup) -> None:
    _, store, env = setup
    run = lambda stdin, *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "flashcards.cli", *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )
    first = run("\n4\nq\n")
    assert first.returncode == 0
    assert "\x1b[" not in first.stdout and "╭" not in first.stdout
    assert "--- test · first-card · new · 2 more ---\nFirst question?" in first.stdout
    assert "Enter = show the answer (q = quit) \n--- Answer ---\nFirst answer." in first.stdout  # input echoed
    assert reviews(store) == [("first-card", 4)]

    second = run("true\n\nq\n")  # a new process: first-card is scheduled for days from now
    assert "0 due, 2 new (limit 20 new a day)" in second.stdout
    assert "--- test · second-card · new · 1 more ---" in second.stdout
    assert "Wrong. Expected: triggerer" in second.stdout
    assert reviews(store) == [("first-card", 4), ("second-card", 1)]

    stats = run("", "stats")
    assert stats.returncode == 0
    assert "Cards studied  2 of 3" in stats.stdout and "Reviews today  2" in stats.stdout
    assert f"Store: {store}" in stats.stdout


def test_store_flag_beats_the_environment_variable(setup, tmp_path: Path) -> None:
    _, store, env = setup
    other = tmp_path / "elsewhere.sqlite3"
    result = subprocess.run([sys.executable, "-m", "flashcards.cli", "--store", str(other), "--self-grade"],
                            input="\n2\n", env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert reviews(other) == [("first-card", 2)]
    assert not store.exists()


def test_filters_and_unknown_tag(setup) -> None:
    _, _, env = setup
    tagged = subprocess.run([sys.executable, "-m", "flashcards.cli", "--tag", "trigger-rules"], input="",
                            env=env, capture_output=True, text=True, timeout=60)
    assert "0 due, 1 new" in tagged.stdout and "second-card" in tagged.stdout and "first-card" not in tagged.stdout
    unknown = subprocess.run([sys.executable, "-m", "flashcards.cli", "--tag", "xcoms"], input="", env=env,
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 1
    assert "unknown tag 'xcoms'; known: airflow, trigger-rules" in unknown.stderr


def test_broken_deck_blocks_study_with_file_and_line(setup) -> None:
    decks, store, env = setup
    (decks / "20-broken.md").write_text(textwrap.dedent("""\
        ## broken
        Q: No answer here.
        Tags: airflow
        """), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "flashcards.cli"], input="", env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert f"{decks / '20-broken.md'}:1: card 'broken' has no A: (answer)" in result.stderr
    assert not store.exists()


def test_nothing_studied_and_no_new_cards_left(setup) -> None:
    _, _, env = setup
    result = subprocess.run([sys.executable, "-m", "flashcards.cli", "--new-limit", "0"], input="", env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["Nothing due, and today's 0 new cards are done.", "Nothing studied yet to cram."]


def test_decks_command_counts(setup) -> None:
    _, _, env = setup
    result = subprocess.run([sys.executable, "-m", "flashcards.cli", "decks"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert ["3", "cards"] in lines and ["test", "3"] in lines
    assert ["airflow", "3"] in lines and ["trigger-rules", "1"] in lines


def test_help_lists_the_commands() -> None:
    result = subprocess.run([sys.executable, "-m", "flashcards.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("study", "stats", "lint", "export", "decks"):
        assert command in result.stdout


def test_start_up_path_imports_nothing_heavy(setup) -> None:
    """The first card must appear fast: no Airflow, duckdb or pandas on the way (timing is in bench/)."""
    _, _, env = setup
    script = (
        "import sys\n"
        "from flashcards.cli import main\n"
        "code = main(['study', '--plain'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'airflow', 'duckdb', 'pandas', 'numpy', 'genanki'})\n"
        "print('HEAVY', heavy, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], input="\n3\nq\n", env=env, capture_output=True,
                            text=True, timeout=60)
    assert "First question?" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "HEAVY [] 0"


def test_after_a_restart_the_header_counts_cards_left_in_learning(setup) -> None:
    _, store, env = setup
    run = lambda stdin: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "flashcards.cli", "--plain"], input=stdin, env=env, capture_output=True,
        text=True, timeout=60,
    )
    run("\n3\nq\n")  # Good on a new card: a learning step, due again in minutes
    second = run("q\n")
    assert "0 due, 2 new, 1 in learning (limit 20 new a day)" in second.stdout
    assert "--- test · second-card · new · 1 more + 1 in learning ---" in second.stdout
