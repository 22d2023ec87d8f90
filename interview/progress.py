"""The mock interview's tables in the progress store (the same SQLite file as ``kit-quiz`` and ``kit-drill``).

Opened like ``drills.progress``: through ``flashcards.store.Store`` first (so the file is a sound quiz store),
then the interview's own tables are added if missing and versioned in ``interview_meta``. Every write is one
committed transaction (``flashcards.store.saving``), so an interrupted interview loses nothing it had recorded.

A session is a plan (the sections and items drawn for it) and one result row per finished item; an item with
no result row is still to do, which is what ``--resume`` picks up. The item in progress keeps its time used
and best submission so far in ``interview_open_items`` (added later: created when missing, so older files
gain it without a schema change).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flashcards.store import StoreError, default_path, open_tables, saving

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS interview_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interview_sessions (
    session_id  TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,               -- ISO 8601, UTC
    finished_at TEXT,                        -- NULL while the session can be resumed
    plan        TEXT NOT NULL,               -- JSON: [{"section": ..., "item_id": ..., "minutes": ...}, ...]
    scratch     TEXT NOT NULL                -- the folder the candidate's files are written to
);
CREATE TABLE IF NOT EXISTS interview_results (  -- one row per finished item
    session_id   TEXT NOT NULL REFERENCES interview_sessions (session_id),
    seq          INTEGER NOT NULL,           -- the item's place in the plan
    section      TEXT NOT NULL,              -- sql | python | dag | design | concepts
    item_id      TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    seconds_used REAL NOT NULL,
    score        REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
    detail       TEXT NOT NULL,              -- JSON: what failed and why, what teaches it
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS interview_open_items (  -- an item begun but not finished: what --resume restores
    session_id   TEXT NOT NULL REFERENCES interview_sessions (session_id),
    seq          INTEGER NOT NULL,
    seconds_used REAL NOT NULL,              -- time on the item so far
    best         TEXT,                       -- JSON: the best graded submission so far, NULL before one
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS exercise_results (   -- notebook exercises graded in the candidate's work copy
    id          INTEGER PRIMARY KEY,
    exercise    TEXT NOT NULL,
    notebook    TEXT NOT NULL,
    passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
    recorded_at TEXT NOT NULL
);
"""

__all__ = ["InterviewProgress", "Result", "Session", "StoreError", "default_path"]


@dataclass(frozen=True)
class Session:
    session_id: str
    started_at: datetime
    finished_at: datetime | None
    plan: list[dict[str, Any]]
    scratch: Path


@dataclass(frozen=True)
class Result:
    session_id: str
    seq: int
    section: str
    item_id: str
    finished_at: datetime
    seconds_used: float
    score: float
    detail: dict[str, Any]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class InterviewProgress:
    """The interview's tables in the progress store at ``path``; ``StoreError`` if the file is unusable."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self._db = open_tables(self.path, _SCHEMA, "interview_meta", SCHEMA_VERSION, "the interview's")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> InterviewProgress:  # noqa: PYI034 - flashcards.store.Store does the same
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions --------------------------------------------------------------------------------------

    def start(self, session_id: str, plan: list[dict[str, Any]], scratch: Path, when: datetime) -> Session:
        with saving(self._db, self.path, "the new interview session"):
            self._db.execute(
                "INSERT INTO interview_sessions (session_id, started_at, plan, scratch) VALUES (?, ?, ?, ?)",
                (session_id, iso(when), json.dumps(plan), str(scratch)),
            )
        return self.session(session_id)

    def finish(self, session_id: str, when: datetime) -> None:
        with saving(self._db, self.path, "the end of the interview session"):
            self._db.execute(
                "UPDATE interview_sessions SET finished_at = ? WHERE session_id = ?", (iso(when), session_id)
            )

    def session(self, session_id: str) -> Session:
        row = self._db.execute(
            "SELECT session_id, started_at, finished_at, plan, scratch FROM interview_sessions "
            "WHERE session_id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise KeyError(session_id)
        return _session(row)

    def sessions(self) -> list[Session]:
        """Every session, oldest first."""
        rows = self._db.execute(
            "SELECT session_id, started_at, finished_at, plan, scratch FROM interview_sessions "
            "ORDER BY started_at, session_id"
        )
        return [_session(r) for r in rows]

    def unfinished(self) -> Session | None:
        """The latest session not finished yet (what ``--resume`` continues), or None."""
        open_ = [s for s in self.sessions() if s.finished_at is None]
        return open_[-1] if open_ else None

    # -- results ---------------------------------------------------------------------------------------

    def record(self, result: Result) -> None:
        """Save one finished item (and forget its open state); recording the same (session, seq) twice keeps
        the first."""
        with saving(self._db, self.path, "the interview result"):
            self._db.execute("DELETE FROM interview_open_items WHERE session_id = ? AND seq = ?",
                             (result.session_id, result.seq))
            self._db.execute(
                "INSERT OR IGNORE INTO interview_results (session_id, seq, section, item_id, finished_at, "
                "seconds_used, score, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (result.session_id, result.seq, result.section, result.item_id, iso(result.finished_at),
                 result.seconds_used, result.score, json.dumps(result.detail)),
            )

    def results(self, session_id: str | None = None) -> list[Result]:
        """Results of one session (or of all), in the order they were finished."""
        sql = ("SELECT session_id, seq, section, item_id, finished_at, seconds_used, score, detail "
               "FROM interview_results")
        params: tuple[str, ...] = ()
        if session_id is not None:
            sql, params = sql + " WHERE session_id = ?", (session_id,)
        rows = self._db.execute(sql + " ORDER BY finished_at, session_id, seq", params)
        return [Result(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), r[5], r[6], json.loads(r[7]))
                for r in rows]

    # -- the item in progress --------------------------------------------------------------------------

    def save_open(self, session_id: str, seq: int, seconds_used: float, best: dict[str, Any] | None) -> None:
        """Keep the time spent on an unfinished item and its best submission, so a resume restores them."""
        with saving(self._db, self.path, "the time spent on the current item"):
            self._db.execute(
                "INSERT INTO interview_open_items (session_id, seq, seconds_used, best) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (session_id, seq) DO UPDATE SET seconds_used = excluded.seconds_used, "
                "best = excluded.best",
                (session_id, seq, seconds_used, None if best is None else json.dumps(best)),
            )

    def open_item(self, session_id: str, seq: int) -> tuple[float, dict[str, Any] | None]:
        """(seconds used, best submission or None) of an unfinished item; (0.0, None) if never begun."""
        row = self._db.execute(
            "SELECT seconds_used, best FROM interview_open_items WHERE session_id = ? AND seq = ?",
            (session_id, seq),
        ).fetchone()
        if row is None:
            return 0.0, None
        return row[0], json.loads(row[1]) if row[1] else None

    # -- notebook exercises ----------------------------------------------------------------------------

    def record_exercise(self, exercise: str, notebook: str, passed: bool, when: datetime) -> None:
        with saving(self._db, self.path, "the exercise result"):
            self._db.execute(
                "INSERT INTO exercise_results (exercise, notebook, passed, recorded_at) VALUES (?, ?, ?, ?)",
                (exercise, notebook, int(passed), iso(when)),
            )

    def exercises(self) -> dict[tuple[str, str], bool]:
        """Per (notebook, exercise): passed at least once."""
        rows = self._db.execute(
            "SELECT notebook, exercise, MAX(passed) FROM exercise_results GROUP BY notebook, exercise"
        )
        return {(r[0], r[1]): bool(r[2]) for r in rows}


def _session(row: tuple) -> Session:
    return Session(row[0], datetime.fromisoformat(row[1]), datetime.fromisoformat(row[2]) if row[2] else None,
                   json.loads(row[3]), Path(row[4]))
