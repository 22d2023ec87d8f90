"""Error paths of kit-quiz: clear words naming what and where, the documented exit status, nothing lost.

Exit status (``flashcards.cli``): 1 bad usage or an export that cannot be written, 2 deck problems,
3 progress store unusable or in use, 130 Ctrl-C.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from flashcards.scheduler import GOOD, Scheduler
from flashcards.store import Store, StoreError

DECK = "## first-card\nQ: First question?\nA: First answer.\nTags: t\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "tags.md").write_text("- t: test\n", encoding="utf-8")
    (decks / "10-test.md").write_text(DECK, encoding="utf-8")
    return {**os.environ, "KIT_QUIZ_DECKS": str(decks), "KIT_QUIZ_STORE": str(tmp_path / "progress.sqlite3")}


def quiz(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flashcards.cli", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=60)


def studied_store(path: Path) -> None:
    with Store(path) as store:
        now = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
        after = Scheduler(fuzz=False).review("first-card", None, GOOD, now)
        store.record_review("first-card", GOOD, now, None, after)


# -- decks ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["lint", "study"])
def test_a_deck_file_that_is_not_utf8_is_named_with_its_line_and_exits_2(env, command: str) -> None:
    bad = Path(env["KIT_QUIZ_DECKS"]) / "20-latin1.md"
    bad.write_bytes("## second-card\nQ: Caf\u00e9?\nA: yes\nTags: t\n".encode("latin-1"))
    result = quiz(env, command)
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "20-latin1.md:2: not UTF-8 text (byte 0xe9 at column 7); save the file as UTF-8" in out
    assert "Traceback" not in out


# -- the progress store ---------------------------------------------------------------------------------

def make_read_only(path: Path, request) -> None:
    """chmod for a normal user; root writes anyway, so for root the file is made immutable (chattr +i)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr +i: cannot make a file read-only")
    request.addfinalizer(lambda: subprocess.run(["chattr", "-i", str(path)], capture_output=True))


def test_a_read_only_store_is_refused_before_any_question(env, request) -> None:
    path = Path(env["KIT_QUIZ_STORE"])
    studied_store(path)
    before = path.read_bytes()
    make_read_only(path, request)
    result = quiz(env, "--plain", stdin="\n3\n")
    assert result.returncode == 3
    assert f"the progress store {path} cannot be written" in result.stderr
    assert "so answers could not be saved" in result.stderr
    assert "question" not in result.stdout  # refused when opened, not after the first answer
    assert path.read_bytes() == before


def test_a_second_study_session_is_told_the_store_is_in_use_and_by_what(env) -> None:
    path = Path(env["KIT_QUIZ_STORE"])
    with Store(path) as first:
        first.claim()  # a study session in this process
        result = quiz(env, "--plain", stdin="\n3\n")
    assert result.returncode == 3
    assert f"is in use by another study session: kit-quiz, pid {os.getpid()}, started" in result.stderr
    assert "Nothing is lost" in result.stderr
    assert "mv " not in result.stderr and "broken" not in result.stderr and "unreadable" not in result.stderr
    with Store(path) as again:  # the claim went with the session
        again.claim()


def test_a_store_locked_by_another_program_names_it_and_advises_nothing_that_loses_data(env) -> None:
    path = Path(env["KIT_QUIZ_STORE"])
    studied_store(path)
    before = path.read_bytes()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # e.g. a sqlite3 shell in the middle of a transaction
    try:
        result = quiz(env, "--plain", stdin="\n3\n")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 3
    assert f"the progress store {path} is locked by another program" in result.stderr
    if Path("/proc/self/fd").is_dir():  # Linux: the holder is found through /proc
        assert f"pid {os.getpid()} (" in result.stderr  # which program
    assert "It has not been modified" in result.stderr
    assert "mv " not in result.stderr and "unreadable" not in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["study", "stats"])
def test_a_bad_time_in_the_store_names_the_card_exits_3_and_leaves_the_store_alone(env, command: str) -> None:
    path = Path(env["KIT_QUIZ_STORE"])
    studied_store(path)
    db = sqlite3.connect(path)
    db.execute("UPDATE cards SET due = 'garbage'")
    db.commit()
    db.close()
    before = path.read_bytes()
    result = quiz(env, command, "--plain")
    assert result.returncode == 3
    assert "card 'first-card' has due = 'garbage' in table cards, not an ISO 8601 time" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_store_checks_raise_store_error_in_process(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    studied_store(path)
    db = sqlite3.connect(path)
    db.execute("UPDATE reviews SET reviewed_at = '2026-13-45'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="reviewed_at = '2026-13-45' in table reviews"):
        Store(path)


# -- usage and export --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--new-limit", "-5"], "-5 is negative"),
        (["study", "--new-limit", "many"], "'many' is not a whole number"),
        (["study", "--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["export", "--anki", "x.apkg", "--store", "p.sqlite3"], "unrecognized arguments: --store"),
        (["study", "--tag", "nope"], "unknown tag 'nope'"),
    ],
)
def test_usage_errors_exit_1_as_documented(env, args: list[str], message: str) -> None:
    result = quiz(env, *args)
    assert result.returncode == 1
    assert message in result.stderr
    from flashcards import cli

    assert "1 bad usage" in cli.__doc__ and cli.EXIT_USAGE == 1


def test_export_to_a_folder_or_an_unwritable_path_says_so_without_a_traceback(env, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = quiz(env, "export", "--anki", str(folder))
    assert result.returncode == 1
    assert f"{folder} is a folder; give a file name" in result.stderr
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    for args in (["--anki", str(not_a_folder / "kit.apkg")], ["--csv", str(not_a_folder / "kit.csv")]):
        result = quiz(env, "export", *args)
        assert result.returncode == 1
        assert "kit-quiz export: cannot write" in result.stderr and "Traceback" not in result.stderr
