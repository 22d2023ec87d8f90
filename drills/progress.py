"""Drill progress in the flashcards' progress store: the same SQLite file, the drills' own tables.

The file is found exactly as ``kit-quiz`` finds it (``--store PATH``, then ``$KIT_QUIZ_STORE``, then the user
data directory) and is opened through ``flashcards.store.Store`` first, so the flashcards' own checks and
schema apply and a file that only the drills ever opened is still a valid quiz store. The drills then add
(if missing) three tables of their own, versioned in ``drill_meta``; both programs can open the file in
either order.

The schedule for failed drills is deliberately simple (a Leitner box): a failed attempt makes the drill
due again 1 day later; passing it after a failure moves it to 3 days, then 7; passing at the 7-day step
retires it. A failure at any step starts again at 1 day. A drill solved on its first attempt is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flashcards.store import StoreError, default_path, open_tables, saving

SCHEMA_VERSION = 1
STEPS_DAYS = (1, 3, 7)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drill_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS drill_attempts (     -- append-only, one row per graded attempt
    id           INTEGER PRIMARY KEY,
    drill_id     TEXT NOT NULL,
    attempted_at TEXT NOT NULL,                 -- ISO 8601, UTC
    passed       INTEGER NOT NULL CHECK (passed IN (0, 1)),
    stage        TEXT NOT NULL,                 -- passed | refused | timeout | error | visible | hidden
    failed_case  TEXT
);
CREATE TABLE IF NOT EXISTS drill_status (        -- the schedule: one row per attempted drill
    drill_id   TEXT PRIMARY KEY,
    solved     INTEGER NOT NULL,                -- ever passed
    step       INTEGER,                         -- index into STEPS_DAYS while under review, NULL when retired
    due        TEXT                             -- when it comes back, NULL if not scheduled
);
CREATE INDEX IF NOT EXISTS drill_attempts_by_drill ON drill_attempts (drill_id, attempted_at);
"""

__all__ = ["DrillProgress", "Status", "StoreError", "default_path"]


@dataclass(frozen=True)
class Status:
    drill_id: str
    solved: bool
    step: int | None
    due: datetime | None
    attempts: int
    fails: int


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class DrillProgress:
    """The drills' tables in the progress store at ``path``; ``StoreError`` if the file is unusable."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self._db = open_tables(self.path, _SCHEMA, "drill_meta", SCHEMA_VERSION, "the drills'")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DrillProgress:  # noqa: PYI034 - flashcards.store.Store does the same
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(
        self, drill_id: str, passed: bool, stage: str, failed_case: str | None, when: datetime
    ) -> Status:
        """Log one attempt and move the drill on its schedule, in one committed transaction."""
        with saving(self._db, self.path, "the attempt"):
            self._db.execute(
                "INSERT INTO drill_attempts (drill_id, attempted_at, passed, stage, failed_case) "
                "VALUES (?, ?, ?, ?, ?)",
                (drill_id, _iso(when), int(passed), stage, failed_case),
            )
            row = self._db.execute(
                "SELECT solved, step FROM drill_status WHERE drill_id = ?", (drill_id,)
            ).fetchone()
            solved, step, due = _next(row, passed, when)
            self._db.execute(
                "INSERT INTO drill_status (drill_id, solved, step, due) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (drill_id) "
                "DO UPDATE SET solved = excluded.solved, step = excluded.step, due = excluded.due",
                (drill_id, int(solved), step, _iso(due) if due else None),
            )
        return self.statuses()[drill_id]

    def statuses(self) -> dict[str, Status]:
        """Every attempted drill's schedule and counts, by id."""
        rows = self._db.execute(
            "SELECT s.drill_id, s.solved, s.step, s.due, COUNT(a.id), COALESCE(SUM(1 - a.passed), 0) "
            "FROM drill_status s LEFT JOIN drill_attempts a ON a.drill_id = s.drill_id GROUP BY s.drill_id"
        )
        return {
            r[0]: Status(r[0], bool(r[1]), r[2], datetime.fromisoformat(r[3]) if r[3] else None, r[4], r[5])
            for r in rows
        }


def _next(row: tuple | None, passed: bool, when: datetime) -> tuple[bool, int | None, datetime | None]:
    """(solved, step, due) after an attempt, from the previous (solved, step) row or None."""
    solved = bool(row and row[0]) or passed
    if not passed:
        return solved, 0, when + timedelta(days=STEPS_DAYS[0])
    if row is None or row[1] is None:  # first attempt passed, or already retired
        return solved, None, None
    step = row[1] + 1
    if step >= len(STEPS_DAYS):
        return solved, None, None
    return solved, step, when + timedelta(days=STEPS_DAYS[step])
