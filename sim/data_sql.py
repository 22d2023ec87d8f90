"""The SQL that builds the sim's tables: Snowflake DDL (run through fakesnow, so column types are Snowflake's)
and vectorised DuckDB fills where every pseudo-random value is ``hash(row id, seed, purpose)``."""

from __future__ import annotations

import zlib
from datetime import date

APPOINTMENT_COLUMNS = """(
    APPOINTMENT_ID NUMBER(38, 0),
    CLIENT_ID NUMBER(38, 0),
    CLINICIAN_ID NUMBER(38, 0),
    APPOINTMENT_DATE DATE,
    APPOINTMENT_TS TIMESTAMP_NTZ,
    STATUS VARCHAR,
    IS_NO_SHOW NUMBER(38, 0),
    DURATION_MINUTES NUMBER(38, 0),
    FEE_AMOUNT NUMBER(10, 2)
)"""
PAYMENT_COLUMNS = """(
    PAYMENT_ID VARCHAR,
    APPOINTMENT_ID NUMBER(38, 0),
    CLIENT_ID NUMBER(38, 0),
    PAYMENT_DATE DATE,
    PAYMENT_AMOUNT NUMBER(12, 2),
    PAYMENT_METHOD VARCHAR
)"""
CLIENT_COLUMNS = "(CLIENT_ID NUMBER(38, 0), CLIENT_NAME VARCHAR, STATE VARCHAR, CREATED_DATE DATE)"
CLINICIAN_COLUMNS = "(CLINICIAN_ID NUMBER(38, 0), CLINICIAN_NAME VARCHAR, SPECIALTY VARCHAR, HOURLY_RATE NUMBER(10, 2))"

#: the vocabularies the generated rows draw from
SPECIALTIES = ("psychotherapy", "psychiatry", "counseling", "family therapy", "speech therapy")
STATES = ("CA", "NY", "TX", "FL", "WA", "IL", "CO", "MA")
METHODS = ("card", "ach", "insurance")

# (table, columns) in Snowflake DDL
TABLES: list[tuple[str, str]] = [
    ("BACKEND.PUBLIC.CLIENTS", CLIENT_COLUMNS),
    ("BACKEND.PUBLIC.CLINICIANS", CLINICIAN_COLUMNS),
    ("BACKEND.PUBLIC.APPOINTMENTS", APPOINTMENT_COLUMNS),
    ("BACKEND.PUBLIC.PAYMENTS", PAYMENT_COLUMNS),
    ("ANALYTICS.MARTS.DIM_CLIENTS", CLIENT_COLUMNS),
    ("ANALYTICS.MARTS.DIM_CLINICIANS", CLINICIAN_COLUMNS),
    ("ANALYTICS.MARTS.FCT_APPOINTMENTS", APPOINTMENT_COLUMNS),
    ("ANALYTICS.MARTS.FCT_PAYMENTS", PAYMENT_COLUMNS),
    ("ANALYTICS.STAGING.APPOINTMENTS", APPOINTMENT_COLUMNS),
    ("RAW.STAGING.RAW_APPOINTMENTS", "(RAW_DATA VARIANT, LOADED_AT TIMESTAMP_NTZ)"),
    # the syllabus's landing table for the partner API extract, created empty
    ("RAW.STAGING.API_APPOINTMENTS", "(RAW_DATA VARIANT, EXTRACTED_AT TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP())"),
]

def salt(purpose: str) -> int:
    """A stable integer for a purpose name (hashing an integer is ~2x faster than hashing a string)."""
    return zlib.crc32(purpose.encode())


CLIENT_BASE = 100_000
CLINICIAN_BASE = 5_000


def ddl() -> list[str]:
    return [f"CREATE OR REPLACE TABLE {name} {columns}" for name, columns in TABLES]


def _u(key: str, seed: int, purpose: str) -> str:
    """SQL for a seeded uniform number in [0, 1) derived from ``key``."""
    return f"((hash({key}, {seed}, {salt(purpose)}) % 1000000)::DOUBLE / 1000000)"


def _pick(key: str, seed: int, purpose: str, options: tuple[str, ...]) -> str:
    items = ", ".join(f"'{o}'" for o in options)
    return f"([{items}])[1 + (hash({key}, {seed}, {salt(purpose)}) % {len(options)})::INTEGER]"


def build_steps(*, seed: int, n: int, n_clients: int, n_clinicians: int, start: date,
                days: int) -> list[tuple[str, str]]:
    """(label, DuckDB SQL) steps that fill the backend truth, then copy it into the marts.

    No ORDER BY: DuckDB preserves insertion order (``preserve_insertion_order``), and ``range`` is ordered.
    """
    s = start.isoformat()
    clinician = f"{CLINICIAN_BASE} + 1 + (hash(i, {seed}, {salt('clinician')}) % {n_clinicians})"
    no_show_rate = f"(0.04 + 0.14 * {_u('c', seed, 'no_show_rate')})"
    return [
        ("clients", f"""INSERT INTO BACKEND.PUBLIC.CLIENTS
            SELECT {CLIENT_BASE} + i, 'Client ' || i, {_pick('i', seed, 'state', STATES)},
                   DATE '{s}' - CAST(hash(i, {seed}, {salt('created')}) % 1500 AS INTEGER)
            FROM range(1, {n_clients} + 1) t(i)"""),
        ("clinicians", f"""INSERT INTO BACKEND.PUBLIC.CLINICIANS
            SELECT {CLINICIAN_BASE} + i, 'Clinician ' || i, {_pick('i', seed, 'specialty', SPECIALTIES)},
                   CAST(90 + (hash(i, {seed}, {salt('rate')}) % 23) * 5 AS DECIMAL(10, 2))
            FROM range(1, {n_clinicians} + 1) t(i)"""),
        ("appointments", f"""INSERT INTO BACKEND.PUBLIC.APPOINTMENTS
            WITH a AS (
                SELECT i, {clinician} AS c,
                       DATE '{s}' + CAST(hash(i, {seed}, {salt('day')}) % {days} AS INTEGER) AS d,
                       {_u('i', seed, 'status')} AS u_status
                FROM range(1, {n} + 1) t(i)
            ), s AS (
                SELECT a.*, CASE WHEN u_status < {no_show_rate} THEN 'no_show'
                                 WHEN u_status < {no_show_rate} + 0.12 THEN 'cancelled'
                                 ELSE 'completed' END AS status
                FROM a
            )
            SELECT i, {CLIENT_BASE} + 1 + (hash(i, {seed}, {salt('client')}) % {n_clients}), c, d,
                   d + INTERVAL (8 + hash(i, {seed}, {salt('hour')}) % 10) HOUR
                     + INTERVAL (30 * (hash(i, {seed}, {salt('half')}) % 2)) MINUTE,
                   status, CASE WHEN status = 'no_show' THEN 1 ELSE 0 END,
                   ([50, 50, 50, 30, 80])[1 + (hash(i, {seed}, {salt('duration')}) % 5)::INTEGER],
                   CAST(90 + (hash(c - {CLINICIAN_BASE}, {seed}, {salt('rate')}) % 23) * 5
                        + (hash(i, {seed}, {salt('cents')}) % 100) / 100 AS DECIMAL(10, 2))
            FROM s"""),
        ("payments", f"""INSERT INTO BACKEND.PUBLIC.PAYMENTS
            SELECT 'pay_' || lpad(APPOINTMENT_ID::VARCHAR, 8, '0'), APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE,
                   FEE_AMOUNT, {_pick('APPOINTMENT_ID', seed, 'method', METHODS)}
            FROM BACKEND.PUBLIC.APPOINTMENTS WHERE STATUS = 'completed'"""),
        ("marts", "INSERT INTO ANALYTICS.MARTS.DIM_CLIENTS SELECT * FROM BACKEND.PUBLIC.CLIENTS"),
        ("marts", "INSERT INTO ANALYTICS.MARTS.DIM_CLINICIANS SELECT * FROM BACKEND.PUBLIC.CLINICIANS"),
        ("marts", "INSERT INTO ANALYTICS.MARTS.FCT_APPOINTMENTS SELECT * FROM BACKEND.PUBLIC.APPOINTMENTS"),
        ("marts", "INSERT INTO ANALYTICS.MARTS.FCT_PAYMENTS SELECT * FROM BACKEND.PUBLIC.PAYMENTS"),
    ]
