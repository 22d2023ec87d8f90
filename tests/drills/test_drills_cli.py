"""kit-drill as a user drives it: read a drill, check a wrong file, read the message, fix it, check again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from drills import bank

SCRIPT = Path(sys.executable).parent / "kit-drill"
# the console script as a user types it; the module (same code path) if the install predates the script
KIT_DRILL = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "drills.cli"]


@pytest.fixture
def run(tmp_path):
    root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "KIT_QUIZ_STORE": str(tmp_path / "progress.sqlite3"),
        "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p),
    }

    def kit_drill(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*KIT_DRILL, *args],
            capture_output=True,
            text=True,
            check=False,
            env=env,
            timeout=120,
            cwd=tmp_path,
        )

    return kit_drill


def test_check_a_wrong_file_read_the_message_fix_it_check_again(run, tmp_path):
    shown = run("show", "clients-never-booked")
    assert shown.returncode == 0 and "Which clients have no appointment at all" in shown.stdout

    answer = tmp_path / "never.sql"
    answer.write_text(
        "SELECT client_id, client_name FROM clients\n"
        "WHERE client_id NOT IN (SELECT client_id FROM appointments)\n"
    )
    first = run("check", "clients-never-booked", str(answer))
    assert first.returncode == 4, first.stderr
    assert (
        "right on the visible data, but wrong on a hidden case: when keys or amounts are NULL" in first.stdout
    )
    assert "comes back for review on" in first.stdout
    assert "due" not in run("list").stdout.split("clients-never-booked")[1].splitlines()[0]  # due tomorrow

    answer.write_text(
        "SELECT client_id, client_name FROM clients c\n"
        "WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = c.client_id)\n"
    )
    second = run("check", "clients-never-booked", str(answer))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "passed on the visible data and 6 hidden cases" in second.stdout

    stats = run("stats")
    assert stats.returncode == 0 and " 1 solved, 1 attempted" in stats.stdout
    tagged = sum("anti-join" in d.tags for d in bank.load())
    assert re.search(rf"^  anti-join +1/{tagged}$", stats.stdout, re.MULTILINE)
    nxt = run("next", "--tag", "anti-join")
    # the solved drill's review is days away: the next is another anti-join drill, not yet tried
    assert nxt.stdout.startswith("Next new drill: ") and "clients-never-booked" not in nxt.stdout


def test_usage_errors_and_refusals_have_their_exit_codes(run, tmp_path):
    assert run("show", "no-such-drill").returncode == 1
    assert run("list", "--tag", "no-such-tag").returncode == 1
    missing = run("check", "revenue-per-clinician", str(tmp_path / "nope.sql"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    bad = tmp_path / "bad.sql"
    bad.write_text("DELETE FROM appointments")
    refused = run("check", "revenue-per-clinician", str(bad))
    assert refused.returncode == 4 and "refused" in refused.stdout and "no data changed" in refused.stdout
    assert "Next new drill: busy-clinicians" in run("next").stdout  # the failed one is due tomorrow, not now


def test_an_unusable_store_exits_3_and_is_left_alone(run, tmp_path):
    store = tmp_path / "progress.sqlite3"
    store.write_bytes(b"garbage" * 500)
    result = run("stats")
    assert result.returncode == 3 and "unreadable" in result.stderr
    assert store.read_bytes() == b"garbage" * 500


def test_nothing_is_next_once_a_selection_is_solved(run, tmp_path):
    answer = tmp_path / "not_card.sql"
    answer.write_text(bank.by_id()["payments-not-by-card"].solution)
    assert run("check", "payments-not-by-card", str(answer)).returncode == 0
    nxt = run("next", "--tag", "filtering")  # the one drill with this tag: solved, its review days away
    assert nxt.returncode == 0 and "Nothing due and nothing new" in nxt.stdout
