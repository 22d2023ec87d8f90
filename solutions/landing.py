"""Land API records in a Snowflake VARIANT staging table: in bulk (stage + COPY INTO), idempotent per day.

The syllabus's ``load_to_snowflake`` runs one ``INSERT ... SELECT PARSE_JSON(%s)`` per record (a network round
trip and a tiny write each: thousands of statements for a day) and appends, so re-running a failed or
corrected day loads it twice. Here:

1. the records are written as newline-delimited JSON to a local temporary file;
2. ``PUT`` uploads it (compressed) to a temporary stage, the way the connector's own ``write_pandas`` does;
3. ``COPY INTO`` a temporary one-column ``VARIANT`` table parses every line in one statement;
   ``PURGE = TRUE`` removes the staged file. Snowflake keeps load metadata per target table and skips a file
   that table already loaded; the load table and stage are created afresh in every call, so real Snowflake
   never skips here. ``FORCE = TRUE`` is for the sim only: fakesnow keys its load history by file URL and
   table *name*, and the fresh load table has the same name each time, so a re-run of the day would load 0
   rows;
4. one transaction replaces the day: ``DELETE`` the day's rows, ``INSERT ... SELECT`` from the load table,
   ``COMMIT``. Re-running a day leaves exactly one copy of each appointment; a failure rolls back and the
   previous load stays.

Records repeated within a call (the same ``appointment_id``) are dropped before the file is written, keeping
the first copy in the order given: the extractor's rule (``solutions.extraction.dedupe``), so the copy kept
never depends on how the warehouse happens to order rows. The partner's records carry no version column, so
no copy is provably newer; with one (``updated_at``), keep the newest instead:
``QUALIFY ROW_NUMBER() OVER (PARTITION BY appointment_id ORDER BY updated_at DESC) = 1``.

Replacing the whole day (rather than ``MERGE`` on ``appointment_id``) also removes appointments the partner
deleted since the last run, and makes the day the unit of a backfill: ``land_day`` for 2025-09-03 touches
only 2025-09-03. The target gets a ``LOAD_DATE`` and a typed ``APPOINTMENT_ID`` next to ``RAW_DATA``; it is
created here (``CREATE TABLE IF NOT EXISTS``), separate from the syllabus's ``API_APPOINTMENTS``.

The table name is the only identifier taken as an argument: it is validated and quoted
(:func:`solutions.sql.quote_table`); dates are bound parameters.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solutions.days import iso_day
from solutions.sql import quote_identifier, quote_table, validate_identifier

TABLE = "RAW.STAGING.PARTNER_APPOINTMENTS"
KEY = "appointment_id"


@dataclass(frozen=True)
class LandingResult:
    """What one ``land_day`` did: rows the COPY parsed (one per appointment), the day's rows it replaced,
    rows now in the day."""

    table: str
    load_date: str
    copied: int
    replaced: int
    inserted: int


def create_table_sql(table: str = TABLE) -> str:
    """The landing table: one row per appointment per load day, the raw JSON kept whole."""
    return (f"CREATE TABLE IF NOT EXISTS {quote_table(table)} (APPOINTMENT_ID NUMBER(38, 0), LOAD_DATE DATE, "
            "RAW_DATA VARIANT, EXTRACTED_AT TIMESTAMP_NTZ)")


def land_day(conn: Any, load_date: dt.date | str, records: list[dict[str, Any]], *, table: str = TABLE
             ) -> LandingResult:
    """Replace ``load_date``'s rows of ``table`` with ``records`` (bulk, in one transaction); return counts.

    ``conn`` is a Snowflake connection (``snowflake.connector.connect(...)`` or ``SnowflakeHook.get_conn()``).
    The temporary stage and load table live in the target's schema (``USE SCHEMA``) and vanish with the
    session; the connection's database and schema are restored before returning (also on error).
    """
    target = quote_table(table)
    parts = table.split(".")
    load_name = validate_identifier(f"{parts[-1]}_LOAD", "load table name")
    stage_name = validate_identifier(f"{parts[-1]}_STAGE", "stage name")
    day = iso_day(load_date)
    if any(not isinstance(r, dict) or r.get(KEY) is None for r in records):
        raise ValueError(f"every record must be a JSON object with {KEY!r}")
    first: dict[Any, dict[str, Any]] = {}
    for record in records:
        first.setdefault(record[KEY], record)  # the first copy of each key, in the order given
    records = list(first.values())

    cur = conn.cursor()
    cur.execute("SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()")
    before = cur.fetchone()
    try:
        if len(parts) == 3:
            cur.execute(f"USE SCHEMA {quote_identifier(parts[0])}.{quote_identifier(parts[1])}")
        cur.execute(create_table_sql(table))
        copied = _copy_into_load_table(cur, records, load_name, stage_name, day) if records else 0
        cur.execute("BEGIN")
        try:
            cur.execute(f"DELETE FROM {target} WHERE LOAD_DATE = %s", (day,))
            replaced = cur.fetchone()[0]
            inserted = 0
            if records:
                cur.execute(
                    f"INSERT INTO {target} (APPOINTMENT_ID, LOAD_DATE, RAW_DATA, EXTRACTED_AT) "
                    f"SELECT RAW_DATA:{KEY}::NUMBER(38, 0), %s::DATE, RAW_DATA, "
                    "CURRENT_TIMESTAMP()::TIMESTAMP_NTZ "
                    f"FROM {quote_identifier(load_name)}",
                    (day,),
                )
                inserted = cur.fetchone()[0]
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        if records:
            cur.execute(f"DROP TABLE IF EXISTS {quote_identifier(load_name)}")
    finally:
        try:
            _restore(cur, *before)
        finally:
            cur.close()
    return LandingResult(table=target, load_date=day, copied=copied, replaced=replaced, inserted=inserted)


def _restore(cur: Any, database: str | None, schema: str | None) -> None:
    """Give the caller's connection back its database and schema (``USE SCHEMA`` changed them)."""
    def quoted(name: str) -> str:  # the server's own names, quoted as they are (a '"' inside is doubled)
        return '"' + name.replace('"', '""') + '"'

    if database and schema:
        cur.execute(f"USE SCHEMA {quoted(database)}.{quoted(schema)}")
    elif database:
        cur.execute(f"USE DATABASE {quoted(database)}")


def _copy_into_load_table(cur: Any, records: list[dict[str, Any]], load_name: str, stage_name: str,
                          day: str) -> int:
    """NDJSON file -> PUT to a temporary stage -> COPY INTO a temporary VARIANT table; rows loaded."""
    cur.execute(f"CREATE OR REPLACE TEMPORARY TABLE {quote_identifier(load_name)} (RAW_DATA VARIANT)")
    cur.execute(f"CREATE OR REPLACE TEMPORARY STAGE {stage_name} FILE_FORMAT = (TYPE = JSON)")
    with tempfile.TemporaryDirectory(prefix="landing-") as folder:
        path = Path(folder) / f"{load_name.lower()}_{day}.json"
        with path.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, separators=(",", ":"), default=str))
                out.write("\n")
        if "'" in path.as_posix():
            raise ValueError("temporary file path contains a quote")
        cur.execute(f"PUT 'file://{path.as_posix()}' @{stage_name} OVERWRITE = TRUE")
    cur.execute(f"COPY INTO {quote_identifier(load_name)} FROM @{stage_name} "
                "FILE_FORMAT = (TYPE = JSON) FORCE = TRUE PURGE = TRUE")
    results = cur.fetchall()
    failed = [row for row in results if row[1] != "LOADED"]
    copied = sum(row[3] for row in results)
    if failed or copied != len(records):
        raise RuntimeError(f"COPY INTO loaded {copied} of {len(records)} records: {failed}")
    return copied


def day_counts(conn: Any, table: str = TABLE) -> list[tuple[str, int, int]]:
    """``(load_date, rows, distinct appointment ids)`` per load day: the idempotency check."""
    cur = conn.cursor()
    try:
        cur.execute(f"SELECT LOAD_DATE, COUNT(*), COUNT(DISTINCT APPOINTMENT_ID) FROM {quote_table(table)} "
                    "GROUP BY LOAD_DATE ORDER BY LOAD_DATE")
        return [(d.isoformat(), n, k) for d, n, k in cur.fetchall()]
    finally:
        cur.close()
