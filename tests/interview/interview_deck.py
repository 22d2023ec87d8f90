"""A small concept deck for the mock interview's tests, in the format kit-quiz reads (flashcards/decks/)."""

from __future__ import annotations

from pathlib import Path

DECK = """# Interview test deck

## retries-default
Q: How many retries does an Airflow task get by default?
A: 0
Type: short
Check: number
Tags: airflow

## trigger-process
Q: Which Airflow process runs deferred triggers?
A: triggerer
Type: short
Tags: airflow

## cron-daily-two
Q: At what time does the cron schedule `0 2 * * *` run?
A: 02:00 every day
Type: short
Check: schedule
Tags: airflow
"""
RIGHT = {"retries-default": "0", "trigger-process": "triggerer", "cron-daily-two": "2 AM daily"}  # accepted


def write_decks(tmp_path: Path, name: str) -> Path:
    """``tmp_path/decks`` holding the tag list and the deck as ``10-<name>.md`` (kit-quiz --deck <name>)."""
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "tags.md").write_text("- airflow: Airflow\n", encoding="utf-8")
    (decks / f"10-{name}.md").write_text(DECK, encoding="utf-8")
    return decks
