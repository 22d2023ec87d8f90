"""Incremental models against a source that changes after the fact: run them night after night, measure them.

The dbt project is ``solutions/dbt_changes`` (its own project: its tables live in ``ANALYTICS.INCREMENTAL``,
``ANALYTICS.SNAPSHOTS`` and ``ANALYTICS.HISTORY``, apart from everything the kit's main project builds). The
source is the sim's backend with its change history (``sim.start(history=True)``); a "night" moves the
source's clock to that moment (``history.as_of``) and runs the strategy models once, as a nightly job would.

    runner = changes_runner(world)
    night(world, runner, "2025-09-16 02:00:00", label="night 1")
    score(world.warehouse, "APPTS_MERGE")     # against the source's truth: stale rows, ghosts, duplicates
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from solutions.dbt_runner import DbtResult, DbtRunner

PROJECT_DIR = Path(__file__).resolve().parent / "dbt_changes"
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
    import json

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
    t = f"{schema}.{_name(table)}"
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
        f"SELECT count(*) FROM {schema}.{_name(table)} WHERE _RUN = ?", [label]).fetchall()[0][0]


def content_hash(warehouse: Any, table: str, *, schema: str = SCHEMA, exclude: tuple[str, ...] = ()) -> str:
    """SHA-256 of the table's rows in a fixed order (the first 12 hex digits): equal hashes, equal content."""
    columns = f" EXCLUDE ({', '.join(_name(c) for c in exclude)})" if exclude else ""
    rows = warehouse.duckdb().execute(f"SELECT *{columns} FROM {schema}.{_name(table)} ORDER BY ALL").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


# Every query here reads its whole result (fetchall): a half-read result on the warehouse's DuckDB connection keeps
# the database files in use, and the next dbt run could not hand them over and take them back.


def _name(identifier: str) -> str:
    if not identifier.replace("_", "").isalnum():
        raise ValueError(f"not a plain identifier: {identifier!r}")
    return identifier.upper()
