"""Progress in SQLite: one row per studied card, one row per answer.

Durability is the point of this module. Every answered card is written in its own transaction and
committed before the next card is shown, so Ctrl-C, end of input or a killed process loses nothing that
was already answered (SQLite's rollback journal makes each commit atomic and, with the default
``synchronous=FULL``, durable).

A store that cannot be read is never "repaired" by starting over: ``Store`` raises ``StoreError`` with
the path and what to do, and leaves the file untouched.

Where the store lives, first match wins: ``--store PATH``, the ``KIT_QUIZ_STORE`` environment variable,
then ``progress.sqlite3`` in the platform's user data directory (``platformdirs``; e.g.
``~/.local/share/kit-quiz`` on Linux).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .interrupts import ctrl_c_held
from .scheduler import REVIEW, Memory

APP_NAME = "kit-quiz"
ENV_VAR = "KIT_QUIZ_STORE"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE cards (                      -- the scheduler's memory of each studied card
    card_id       TEXT PRIMARY KEY,       -- the deck id (## card-id), stable across rewording
    state         INTEGER NOT NULL,       -- 1 learning, 2 review, 3 relearning
    step          INTEGER,
    stability     REAL,
    difficulty    REAL,
    due           TEXT NOT NULL,          -- ISO 8601, UTC
    last_review   TEXT,
    reps          INTEGER NOT NULL DEFAULT 0,
    lapses        INTEGER NOT NULL DEFAULT 0,  -- times forgotten after graduating (Again in review)
    introduced_at TEXT NOT NULL           -- first review: counts against the daily new-card limit
);
CREATE TABLE reviews (                    -- append-only log, one row per answer
    id           INTEGER PRIMARY KEY,
    card_id      TEXT NOT NULL,
    reviewed_at  TEXT NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    mode         TEXT NOT NULL CHECK (mode IN ('scheduled', 'cram')),
    state_before INTEGER,                 -- NULL for a new card
    due_after    TEXT,
    duration_ms  INTEGER
);
CREATE INDEX reviews_by_time ON reviews (reviewed_at);
"""


class StoreError(Exception):
    """The progress store is unusable; the message says where it is and what to do."""


@contextmanager
def saving(db: sqlite3.Connection, path: Path, what: str) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed at the end, rolled back on any failure; a database error becomes a
    ``StoreError`` saying that ``what`` could not be saved to ``path``.

    Ctrl-C is held meanwhile and takes effect once the transaction is over: it can neither cut a write in
    half nor, landing just after the commit, be taken for a failed save (the rollback would then fail).
    """
    with ctrl_c_held():
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as error:
            raise StoreError(f"could not save {what} to {path}: {error}") from error


def open_tables(path: Path, schema: str, meta_table: str, version: int, whose: str) -> sqlite3.Connection:
    """Open the store at ``path`` for another program's own tables: ``schema`` (``CREATE ... IF NOT EXISTS``)
    added if missing, its version kept in ``meta_table``. The drills and the mock interview keep their
    progress this way, in the quiz's file.

    The file is opened through ``Store`` first, so it is created or checked as a sound quiz store (never
    rewritten); a version this code does not read is refused, untouched, with a ``StoreError`` naming it.
    """
    if not meta_table.isidentifier():
        raise ValueError(f"invalid table name {meta_table!r}")
    Store(path).close()
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=10)
        db.executescript(f"BEGIN; {schema} COMMIT;")
        row = db.execute(f"SELECT value FROM {meta_table} WHERE key = 'schema_version'").fetchone()
        if row is None:
            db.execute(f"INSERT INTO {meta_table} VALUES ('schema_version', ?)", (str(version),))
        elif row[0] != str(version):
            db.close()
            raise StoreError(
                f"{whose} tables in {path} have schema version {row[0]}, this kit reads {version}; it has not "
                "been modified. Update the kit, or use --store PATH."
            )
    except sqlite3.DatabaseError as error:
        raise StoreError(f"cannot use {whose} tables in {path}: {error}") from error
    return db


@dataclass(frozen=True)
class CardRecord:
    """A studied card's scheduling memory plus counters."""

    card_id: str
    memory: Memory
    reps: int
    lapses: int
    introduced_at: datetime


@dataclass(frozen=True)
class Review:
    card_id: str
    reviewed_at: datetime
    rating: int
    mode: str
    state_before: int | None


def default_path() -> Path:
    """``$KIT_QUIZ_STORE`` if set, else ``progress.sqlite3`` in the user data directory."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "progress.sqlite3"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _is_busy(error: sqlite3.Error) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _holders(path: Path) -> list[str]:
    """Other processes with ``path`` (or its journal) open, as ``pid N (command)``; Linux only."""
    targets = {str(path.resolve()), str(path.resolve()) + "-journal", str(path.resolve()) + "-wal"}
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        if proc.name == str(os.getpid()):
            continue
        try:
            if any(os.readlink(fd) in targets for fd in (proc / "fd").iterdir()):
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
                command = command.decode(errors="replace").strip()
                found.append(f"pid {proc.name} ({command[:80]})")
        except OSError:
            continue
    return found


class Store:
    """Open (or create) the store at ``path``; raises ``StoreError`` if it exists but is unusable.

    Opening checks, before any question is asked, that the store is readable, that every stored time
    parses, and that it can be written (a read-only file or folder would otherwise lose the first answer).
    ``busy_timeout`` is how long to wait for another program's lock on the database.
    """

    def __init__(self, path: Path | str, *, busy_timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._lock: int | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the progress store {self.path}: {error}") from error
        try:
            self._db.execute("PRAGMA busy_timeout = 1000")  # opening: say at once that it is locked
            self._check_or_create()
            self._check_times()
            self._check_writable()
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        except BaseException:
            self._db.close()
            raise

    def claim(self) -> None:
        """Hold the store for one study session; raises ``StoreError`` if another session holds it.

        Two sessions on one store would each schedule from their own (stale) copy of the records. The claim
        is an advisory lock on ``PATH.lock`` that the operating system releases when the process ends,
        however it ends, so it can never be left behind.
        """
        import fcntl

        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"cannot create the session lock {lock_path}: {error}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 200).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise StoreError(
                f"the progress store {self.path} is in use by another study session: {holder}.\n"
                "Nothing is lost: each answer there is saved as it is given.\n"
                "Finish or quit that session (q), then start this one again."
            ) from None
        started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        os.ftruncate(fd, 0)
        os.write(fd, f"kit-quiz, pid {os.getpid()}, started {started}".encode())
        self._lock = fd

    def _in_use(self, error: sqlite3.Error) -> StoreError:
        holders = _holders(self.path)
        return StoreError(
            f"the progress store {self.path} is locked by another program ({error})"
            + (f": {', '.join(holders)}" if holders else "")
            + ".\nIt has not been modified. Close that program (or end its transaction) and start again."
        )

    def _check_writable(self) -> None:
        """A real write, rolled back: a read-only file or folder fails now, not at the first answer."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
            finally:
                self._db.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                raise self._in_use(error) from error
            raise StoreError(
                f"the progress store {self.path} cannot be written ({error}),\n"
                "so answers could not be saved. It has not been modified. Make the file and its folder\n"
                f"writable, or study with another store: --store PATH or {ENV_VAR}=PATH."
            ) from error

    def _check_times(self) -> None:
        """Every stored time must parse: a bad one is named here, not met as a traceback mid-session."""
        try:
            for table, key, columns in (("cards", "card_id", ("due", "last_review", "introduced_at")),
                                        ("reviews", "card_id", ("reviewed_at", "due_after"))):
                for column in columns:
                    for card_id, value in self._db.execute(f"SELECT {key}, {column} FROM {table}"):
                        try:
                            _time(value)
                        except (TypeError, ValueError):
                            raise self._bad(f"card '{card_id}' has {column} = {value!r} in table {table}, "
                                            "not an ISO 8601 time") from None
        except sqlite3.DatabaseError as error:
            raise self._corrupt(str(error)) from error

    def _corrupt(self, reason: str) -> StoreError:
        return StoreError(
            f"the progress store {self.path} is unreadable ({reason}).\n"
            "It has not been modified. Keep it for inspection and start a fresh one, e.g.\n"
            f"  mv '{self.path}' '{self.path}.broken'\n"
            f"or point the quiz elsewhere with --store PATH or {ENV_VAR}=PATH."
        )

    def _bad(self, reason: str) -> StoreError:
        return StoreError(
            f"the progress store {self.path} holds a bad value: {reason}.\n"
            "It has not been modified. Fix that row (e.g. with the sqlite3 shell), or study with\n"
            f"another store (--store PATH or {ENV_VAR}=PATH) and keep this one."
        )

    def _check_or_create(self) -> None:
        try:
            status = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise self._corrupt(f"integrity check: {status}")
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:  # a new (or zero-byte) file: nothing to lose
                self._db.executescript(
                    f"BEGIN; {_SCHEMA} INSERT INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;"
                )
                return
            if not {"meta", "cards", "reviews"} <= tables:
                raise self._corrupt(f"not a kit-quiz store: tables {sorted(tables)}")
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                raise self._in_use(error) from error
            raise self._corrupt(str(error)) from error
        except sqlite3.DatabaseError as error:
            raise self._corrupt(str(error)) from error
        if row is None or row[0] != str(SCHEMA_VERSION):
            raise self._corrupt(f"schema version {row[0] if row else 'missing'}, expected {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            os.close(self._lock)  # releases the session claim
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads ---------------------------------------------------------------------------------------

    def records(self) -> dict[str, CardRecord]:
        """Every studied card, by id."""
        rows = self._db.execute(
            "SELECT card_id, state, step, stability, difficulty, due, last_review, reps, lapses, introduced_at "
            "FROM cards"
        )
        return {
            row[0]: CardRecord(
                card_id=row[0],
                memory=Memory(row[1], row[2], row[3], row[4], _time(row[5]), _time(row[6])),
                reps=row[7],
                lapses=row[8],
                introduced_at=_time(row[9]),
            )
            for row in rows
        }

    def reviews(self, since: datetime | None = None) -> list[Review]:
        """The review log, oldest first (optionally only from ``since``)."""
        query = "SELECT card_id, reviewed_at, rating, mode, state_before FROM reviews"
        params: tuple = ()
        if since is not None:
            query += " WHERE reviewed_at >= ?"
            params = (_iso(since),)
        rows = self._db.execute(query + " ORDER BY reviewed_at, id", params)
        return [Review(r[0], _time(r[1]), r[2], r[3], r[4]) for r in rows]

    def count_introduced(self, since: datetime) -> int:
        """How many cards were seen for the first time at or after ``since`` (for the new-card limit)."""
        return self._db.execute("SELECT count(*) FROM cards WHERE introduced_at >= ?", (_iso(since),)).fetchone()[0]

    # -- writes --------------------------------------------------------------------------------------

    def record_review(
        self,
        card_id: str,
        rating: int,
        reviewed_at: datetime,
        before: Memory | None,
        after: Memory | None,
        *,
        mode: str = "scheduled",
        duration_ms: int | None = None,
    ) -> None:
        """Log one answer and (for scheduled reviews) store the card's new memory, in one committed transaction.

        Cram reviews (``after=None``) are logged but leave the schedule alone: reviewing ahead of time would
        otherwise teach FSRS that the card is easier than it is.
        """
        state_before = before.state if before else None
        with saving(self._db, self.path, "the answer"):
            self._db.execute(
                "INSERT INTO reviews (card_id, reviewed_at, rating, mode, state_before, due_after, duration_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (card_id, _iso(reviewed_at), rating, mode, state_before,
                 _iso(after.due) if after else None, duration_ms),
            )
            if after is not None:
                lapse = int(state_before == REVIEW and rating == 1)
                self._db.execute(
                    "INSERT INTO cards (card_id, state, step, stability, difficulty, due, last_review, reps, lapses, "
                    "introduced_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
                    "ON CONFLICT (card_id) DO UPDATE SET state = excluded.state, step = excluded.step, "
                    "stability = excluded.stability, difficulty = excluded.difficulty, due = excluded.due, "
                    "last_review = excluded.last_review, reps = reps + 1, lapses = lapses + excluded.lapses",
                    (card_id, after.state, after.step, after.stability, after.difficulty, _iso(after.due),
                     _iso(after.last_review) if after.last_review else None, lapse, _iso(reviewed_at)),
                )

