"""Notebook support for data that changes (notebooks 15 and 16): run the ``solutions/dbt_changes`` project night
after night on the sim's changing source, and score what it built against the truth the change history knows.

* ``changes_runner(world)``: a ``DbtRunner`` for ``solutions/dbt_changes`` on the world's warehouse (in-process:
  many short runs). Its tables live in ``ANALYTICS.INCREMENTAL``, ``ANALYTICS.SNAPSHOTS`` and
  ``ANALYTICS.HISTORY``, apart from everything the kit's main project builds.
* ``night(...)`` / ``snapshot_night(...)``: move the source's clock (``history.as_of``) and run the incremental
  models / the snapshots once, as a nightly job would.
* ``score(...)``, ``rows_written(...)``, ``content_hash(...)``: an incremental model's table against the source
  (stale rows, ghosts of deletes, duplicates, missing rows), what a run wrote, and its content's fingerprint.
* ``pit_score(...)``: a point-in-time answer ("which state was the client in at the appointment?") against the
  change history (``TRUTH_SQL``), never against a snapshot, so every way of answering can be scored.

    runner = changes_runner(world)
    night(world, runner, "2025-09-16 02:00:00", label="night 1")
    score(world.warehouse, "APPTS_MERGE")
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import solutions
from solutions.dbt_runner import DbtResult, DbtRunner
from solutions.sql import quote_identifier, quote_table

PROJECT_DIR = Path(solutions.__file__).resolve().parent / "dbt_changes"
SCHEMA = "ANALYTICS.INCREMENTAL"
STRATEGY_MODELS = ("APPTS_NEW_DAYS_ONLY", "APPTS_APPEND", "APPTS_MERGE", "APPTS_LOOKBACK_3", "APPTS_LOOKBACK_7",
                   "APPTS_MICROBATCH")
TRUTH = "BACKEND.PUBLIC.APPOINTMENTS"


def changes_runner(world: Any) -> DbtRunner:
    """A dbt runner for ``solutions/dbt_changes`` on this world's warehouse (in-process: many short runs)."""
    return DbtRunner(world.warehouse.path, world.run_dir / "dbt_changes", project_dir=PROJECT_DIR,
                     release=world.warehouse.released, in_process=True)


def night(world: Any, runner: DbtRunner, when: str, *, label: str, since: str | None = None,
          select: str = "tag:strategies", extra: tuple[str, ...] = (), vars_: dict[str, Any] | None = None
          ) -> DbtResult:
    """Move the source to ``when`` and run ``select`` once, labelled ``label``.

    The microbatch model processes the day batches from ``since`` (default: the first day of the data) to
    ``when`` (``--event-time-start`` / ``--event-time-end``): never the machine's clock.
    """
    world.history.as_of(when)
    start = since or world.history.start
    end = dt.datetime.fromisoformat(when)
    args = ["--select", select, "--event-time-start", start, "--event-time-end", end.isoformat(timespec="seconds"),
            "--vars", json.dumps({"run": label, **(vars_ or {})}), *extra]
    return runner.invoke("run", *args)


@dataclass(frozen=True)
class Score:
    """One model's table against the source's truth, key by key."""

    rows: int
    duplicate_rows: int  # rows beyond the first for an appointment id
    stale: int  # appointments whose status differs from the source's
    ghosts: int  # appointments deleted at the source, still here
    missing: int  # appointments in the source, absent here
    completed_revenue: str  # sum of FEE_AMOUNT over rows with status completed (every row counts)
    right: bool  # no duplicates, no stale rows, no ghosts, nothing missing

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(warehouse: Any, table: str, *, schema: str = SCHEMA) -> Score:
    """Compare ``schema.table`` with the source (``BACKEND.PUBLIC.APPOINTMENTS`` as it is now)."""
    t = f"{quote_table(schema)}.{_name(table)}"
    (rows, dupes, stale, ghosts, missing, revenue), = warehouse.duckdb().execute(f"""
        WITH m AS (SELECT * FROM {t}), s AS (SELECT * FROM {TRUTH})
        SELECT (SELECT count(*) FROM m),
               (SELECT count(*) - count(DISTINCT APPOINTMENT_ID) FROM m),
               (SELECT count(DISTINCT m.APPOINTMENT_ID) FROM m JOIN s USING (APPOINTMENT_ID)
                 WHERE m.STATUS <> s.STATUS),
               (SELECT count(DISTINCT APPOINTMENT_ID) FROM m WHERE APPOINTMENT_ID NOT IN
                 (SELECT APPOINTMENT_ID FROM s)),
               (SELECT count(*) FROM s WHERE APPOINTMENT_ID NOT IN (SELECT APPOINTMENT_ID FROM m)),
               (SELECT coalesce(sum(FEE_AMOUNT), 0) FROM m WHERE STATUS = 'completed')""").fetchall()
    return Score(rows, dupes, stale, ghosts, missing, f"{revenue:.2f}",
                 right=not (dupes or stale or ghosts or missing))


def rows_written(warehouse: Any, table: str, label: str, *, schema: str = SCHEMA) -> int:
    """Rows of ``table`` written by the run labelled ``label`` (its ``_RUN`` column): inserted or updated."""
    return warehouse.duckdb().execute(
        f"SELECT count(*) FROM {quote_table(schema)}.{_name(table)} WHERE _RUN = ?", [label]).fetchall()[0][0]


def content_hash(warehouse: Any, table: str, *, schema: str = SCHEMA, exclude: tuple[str, ...] = ()) -> str:
    """SHA-256 of the table's rows in a fixed order (the first 12 hex digits): equal hashes, equal content."""
    columns = f" EXCLUDE ({', '.join(_name(c) for c in exclude)})" if exclude else ""
    rows = warehouse.duckdb().execute(f"SELECT *{columns} FROM {quote_table(schema)}.{_name(table)} ORDER BY ALL").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


# Every query here reads its whole result (fetchall): a half-read result on the warehouse's DuckDB connection keeps
# the database files in use, and the next dbt run could not hand them over and take them back.


def _name(identifier: str) -> str:
    """Validated and quoted (``solutions.sql``): table, schema and column names cannot be bound parameters."""
    return quote_identifier(identifier)


# -- history: snapshots and point-in-time answers -------------------------------------------------------

#: the client's STATE at each appointment, from the change history: the last move made by the appointment's
#: start, else the state the client was created with; NULL once the client has been deleted
TRUTH_SQL = """
    SELECT a.APPOINTMENT_ID,
           CASE WHEN EXISTS (SELECT 1 FROM BACKEND.HISTORY.CHANGES d
                             WHERE d.ENTITY = 'client' AND d.OP = 'delete'
                               AND CAST(d.ENTITY_KEY AS BIGINT) = a.CLIENT_ID AND d.CHANGED_AT <= a.APPOINTMENT_TS)
                THEN NULL
                ELSE coalesce((SELECT m.AFTER_VALUE FROM BACKEND.HISTORY.CHANGES m
                               WHERE m.ENTITY = 'client' AND m.COLUMN_NAME = 'STATE'
                                 AND CAST(m.ENTITY_KEY AS BIGINT) = a.CLIENT_ID
                                 AND m.CHANGED_AT <= a.APPOINTMENT_TS
                               ORDER BY m.CHANGED_AT DESC, m.CHANGE_ID DESC LIMIT 1), o.STATE) END AS STATE
    FROM BACKEND.PUBLIC.APPOINTMENTS a
    LEFT JOIN BACKEND.HISTORY.CLIENTS_ORIGINAL o ON o.CLIENT_ID = a.CLIENT_ID
"""


def snapshot_night(world: Any, runner: DbtRunner, when: str) -> DbtResult:
    """Move the source to ``when`` and run every snapshot, stamped with that time (``snapshot_time``)."""
    world.history.as_of(when)
    return runner.invoke("snapshot", "--vars", json.dumps({"snapshot_time": when}))


@dataclass(frozen=True)
class PitScore:
    """How many appointments an answer puts in the right state."""

    appointments: int
    right: int  # the state the client had then (none, for a client already deleted)
    wrong: int  # a state, but not the one the client had then
    no_match: int  # no state, for a client who existed then
    extra_rows: int  # rows beyond one per appointment (overlapping versions)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def pit_score(warehouse: Any, answer_sql: str) -> PitScore:
    """Score ``answer_sql`` (rows of APPOINTMENT_ID, STATE) against the truth, appointment by appointment."""
    (total, right, wrong, no_match, extra), = warehouse.duckdb().execute(f"""
        WITH truth AS ({TRUTH_SQL}), answer AS ({answer_sql}),
        per AS (SELECT t.APPOINTMENT_ID, t.STATE AS truth, a.STATE AS given, count(a.APPOINTMENT_ID) OVER
                       (PARTITION BY t.APPOINTMENT_ID) AS n
                FROM truth t LEFT JOIN answer a ON a.APPOINTMENT_ID = t.APPOINTMENT_ID)
        SELECT count(DISTINCT APPOINTMENT_ID),
               count(DISTINCT APPOINTMENT_ID) FILTER (WHERE n <= 1 AND given IS NOT DISTINCT FROM truth),
               count(DISTINCT APPOINTMENT_ID) FILTER (WHERE given IS DISTINCT FROM truth AND given IS NOT NULL),
               count(DISTINCT APPOINTMENT_ID) FILTER (WHERE given IS NULL AND truth IS NOT NULL),
               sum(CASE WHEN n > 1 THEN 1 ELSE 0 END) - count(DISTINCT APPOINTMENT_ID) FILTER (WHERE n > 1)
        FROM per""").fetchall()
    return PitScore(total, right, wrong, no_match, int(extra or 0))
