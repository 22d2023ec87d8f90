"""Customer-facing no-show metrics: the pre-aggregate, its atomic rebuild, and the tenant-isolated read.

The table (shared contract: the dbt project's ``clinician no-show-rate pre-aggregate`` model writes the same
one, with the same columns; change both or neither)::

    ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE
        CLINICIAN_ID        NUMBER(38,0)  the clinician the row belongs to (the tenant key)
        MONTH               DATE          first day of the calendar month
        TOTAL_APPOINTMENTS  NUMBER(38,0)  appointments that month, up to the as-of date
        NO_SHOWS            NUMBER(38,0)  of which no-shows
        NO_SHOW_RATE        NUMBER(5,2)   100 * NO_SHOWS / TOTAL_APPOINTMENTS, a percentage rounded half up

What is different from the syllabus's ``precompute_clinician_metrics``:

* **An as-of date, not the wall clock.** ``current_date()`` ties the result to the day the code happens to
  run: a retry, a backfill or a late run computes another window. A DAG passes the last complete day (for a
  daily 02:00 run, the day before its logical date) and the window is the ``months`` calendar months ending
  with that day's month, appointments up to that day only: no partial first month, no future appointments.
* **Types the dashboard can trust.** ``DATE_TRUNC`` of a date is a ``DATE`` in Snowflake but a timestamp in
  the sim (fakesnow), so ``MONTH`` is cast to ``DATE``; the table is created with explicit types instead of
  whatever ``CREATE TABLE ... AS`` infers (and a live table with other columns is refused, not written to);
  the rate is rounded to the contract's ``NUMBER(5,2)``.
* **Built, checked, then published atomically.** The new rows go to ``..._NEXT`` first; an empty or
  inconsistent build is refused and the customers keep yesterday's numbers. Publishing is ``DELETE`` +
  ``INSERT`` in one transaction: readers see the old rows or the new ones, never an empty table, and the live
  table (its grants, its row access policy) is never replaced. Snowflake's ``ALTER TABLE ... SWAP WITH`` is
  the other atomic option (:data:`SWAP_SQL`); the sim does not parse it.
* **Reads are per tenant.** :func:`no_show_rates` takes a :class:`ClinicianSession` (built from a verified
  login, never from request input) and binds its id as a parameter; nothing the caller sends reaches the
  SQL text. In Snowflake a row access policy adds the same rule inside the warehouse
  (:data:`ROW_ACCESS_POLICY_SQL`); the sim has no roles or policies, so there the serving code is the guard.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from solutions.connections import connected

TABLE = "ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE"
NEXT_TABLE = f"{TABLE}__NEXT"
SOURCE = "ANALYTICS.MARTS.FCT_APPOINTMENTS"
CONTRACT = (("CLINICIAN_ID", "NUMBER(38,0)"), ("MONTH", "DATE"), ("TOTAL_APPOINTMENTS", "NUMBER(38,0)"),
            ("NO_SHOWS", "NUMBER(38,0)"), ("NO_SHOW_RATE", "NUMBER(5,2)"))
COLUMNS = tuple(name for name, _ in CONTRACT)
MAX_MONTHS = 24  # a customer request never scans more than two years, whatever it asks for

_DDL = """(
    CLINICIAN_ID NUMBER(38, 0) NOT NULL,
    MONTH DATE NOT NULL,
    TOTAL_APPOINTMENTS NUMBER(38, 0) NOT NULL,
    NO_SHOWS NUMBER(38, 0) NOT NULL,
    NO_SHOW_RATE NUMBER(5, 2) NOT NULL
)"""

# The rate is rounded as whole basis points, then divided by 100: exact in Snowflake (NUMBER division) and in
# the sim (DOUBLE division: a half-way value such as 1055.5 is exactly representable, so it rounds up).
BUILD_SQL = f"""INSERT INTO {NEXT_TABLE}
SELECT CLINICIAN_ID,
       DATE_TRUNC('month', APPOINTMENT_DATE)::DATE AS MONTH,
       COUNT(*) AS TOTAL_APPOINTMENTS,
       COUNT_IF(IS_NO_SHOW = 1) AS NO_SHOWS,
       (ROUND(COUNT_IF(IS_NO_SHOW = 1) * 10000 / COUNT(*)) / 100)::NUMBER(5, 2) AS NO_SHOW_RATE
FROM {SOURCE}
WHERE APPOINTMENT_DATE BETWEEN %s AND %s
  AND CLINICIAN_ID IS NOT NULL
GROUP BY 1, 2"""

CHECK_SQL = f"""SELECT COUNT(*),
       COUNT(DISTINCT CLINICIAN_ID),
       COUNT(*) - COUNT(DISTINCT CLINICIAN_ID || '|' || MONTH),
       COUNT_IF(NO_SHOWS > TOTAL_APPOINTMENTS OR NO_SHOW_RATE NOT BETWEEN 0 AND 100
                OR MONTH NOT BETWEEN %s AND %s),
       SUM(TOTAL_APPOINTMENTS::NUMBER(38, 0))
FROM {NEXT_TABLE}"""

PUBLISH_SQL = (
    "BEGIN",
    f"DELETE FROM {TABLE}",
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM {NEXT_TABLE}",
    "COMMIT",
)

SERVE_SQL = f"""SELECT CLINICIAN_ID, MONTH, TOTAL_APPOINTMENTS, NO_SHOWS, NO_SHOW_RATE
FROM {TABLE}
WHERE CLINICIAN_ID = %s
  AND MONTH > DATEADD('month', -%s, (SELECT MAX(MONTH) FROM {TABLE}))
ORDER BY MONTH"""

#: Production alternative to DELETE + INSERT: one atomic DDL statement (not parsed by the sim). The swapped-in
#: table is a different object: grant SELECT on it and attach the row access policy before swapping.
SWAP_SQL = f"ALTER TABLE {NEXT_TABLE} SWAP WITH {TABLE}"

#: Snowflake's row-level security for this table: shown, not run (the sim has no roles or policies).
ROW_ACCESS_POLICY_SQL = """-- who may read which clinician's rows: one row per (Snowflake user, clinician)
CREATE TABLE IF NOT EXISTS ANALYTICS.CUSTOMER_METRICS.CLINICIAN_ACCESS (
    USER_NAME VARCHAR NOT NULL,
    CLINICIAN_ID NUMBER(38, 0) NOT NULL
);

-- the pipeline's role sees every row: policies also filter the rows a DELETE or MERGE touches
CREATE ROW ACCESS POLICY IF NOT EXISTS ANALYTICS.CUSTOMER_METRICS.CLINICIAN_ROWS
  AS (ROW_CLINICIAN_ID NUMBER) RETURNS BOOLEAN ->
    IS_ROLE_IN_SESSION('TRANSFORMER')
    OR EXISTS (
        SELECT 1 FROM ANALYTICS.CUSTOMER_METRICS.CLINICIAN_ACCESS a
        WHERE a.USER_NAME = CURRENT_USER() AND a.CLINICIAN_ID = ROW_CLINICIAN_ID
    );

ALTER TABLE ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE
  ADD ROW ACCESS POLICY ANALYTICS.CUSTOMER_METRICS.CLINICIAN_ROWS ON (CLINICIAN_ID);"""


class RefreshError(RuntimeError):
    """The new build failed its checks; the live table was left as it was."""


@dataclass(frozen=True)
class Refresh:
    """What one rebuild published."""

    as_of: dt.date
    first_month: dt.date
    last_month: dt.date
    rows: int
    clinicians: int
    appointments: int

    def __str__(self) -> str:
        return (f"published {self.rows} rows ({self.clinicians} clinicians, {self.appointments} "
                f"appointments) for {self.first_month:%Y-%m}..{self.last_month:%Y-%m}, as of {self.as_of}")


class MonthlyRate(NamedTuple):
    clinician_id: int
    month: dt.date
    total_appointments: int
    no_shows: int
    no_show_rate: Decimal


# -- the pre-aggregate ---------------------------------------------------------------------------------------


def window(as_of: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the ``months`` calendar months ending with ``as_of``'s month, cut at
    ``as_of``."""
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise TypeError(f"as_of must be a date, got {type(as_of).__name__}")
    months = _months(months)
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1), as_of


def precompute_clinician_metrics(connection: Any, as_of: dt.date, *, months: int = 12) -> Refresh:
    """Rebuild the table for the window ending ``as_of``: build into ``..._NEXT``, check, publish atomically.

    ``connection`` is a connection (stays open) or a factory (its connection is closed on every path).
    Raises :class:`RefreshError`, leaving the live table untouched, when the live table's columns differ from
    the contract or the build is empty or inconsistent.
    """
    start, end = window(as_of, months)
    with connected(connection) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} {_DDL}")
        cur.execute(f"DESCRIBE TABLE {TABLE}")
        drift = _drift(dict((row[0], row[1]) for row in cur.fetchall()))
        if drift:  # another writer (an old script, a dbt model) created it differently
            raise RefreshError(f"not published, {TABLE} breaks the contract: {drift}")
        cur.execute(f"CREATE OR REPLACE TABLE {NEXT_TABLE} {_DDL}")
        try:
            cur.execute(BUILD_SQL, (start, end))
            cur.execute(CHECK_SQL, (start, end))
            rows, clinicians, duplicates, invalid, appointments = cur.fetchone()
            problems = [text for bad, text in [
                (rows == 0, f"no appointments between {start} and {end}"),
                (duplicates, f"{duplicates} duplicate (CLINICIAN_ID, MONTH) rows"),
                (invalid, f"{invalid} rows with impossible counts, rates or months"),
            ] if bad]
            if problems:
                raise RefreshError(f"not published, the live table is unchanged: {'; '.join(problems)}")
            _publish(cur)
        finally:
            cur.execute(f"DROP TABLE IF EXISTS {NEXT_TABLE}")
    return Refresh(as_of, start, end.replace(day=1), int(rows), int(clinicians), int(appointments or 0))


def _drift(live: dict[str, str]) -> str:
    """What differs between the live table's columns and the contract ("" when nothing does)."""
    wanted = dict(CONTRACT)
    problems = [f"{name} is {live[name]}, expected {kind}" for name, kind in CONTRACT
                if name in live and live[name] != kind]
    problems += [f"{name} is missing" for name in wanted if name not in live]
    problems += [f"{name} is not in the contract" for name in live if name not in wanted]
    return "; ".join(problems)


def _publish(cur: Any) -> None:
    """Replace the live rows in one transaction: readers see the old rows until COMMIT, then the new ones."""
    try:
        for statement in PUBLISH_SQL:
            cur.execute(statement)
    except BaseException:
        cur.execute("ROLLBACK")
        raise


# -- who is asking -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicianSession:
    """The caller's identity, made by the authentication layer (:meth:`SessionVerifier.verify`) from a login
    it verified; never from a URL, a form field or a query parameter the caller controls."""

    clinician_id: int

    def __post_init__(self) -> None:
        if type(self.clinician_id) is not int or self.clinician_id <= 0:  # bool is an int: refused too
            raise ValueError(f"clinician_id must be a positive integer, got {self.clinician_id!r}")


class SessionVerifier:
    """Signed session tokens: the login service issues ``"<clinician_id>.<HMAC>"``, the API verifies it.

    A stand-in for what production uses (a JWT from the identity provider, checked by the API gateway with a
    library such as PyJWT, with an expiry): the point is that the clinician id is read from something the
    server signed, so changing it invalidates the signature.
    """

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) < 16:
            raise ValueError("the signing key must be at least 16 random bytes")
        self._key = key

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, clinician_id: int) -> str:
        """What the login service hands the clinician's browser after a successful login."""
        payload = str(ClinicianSession(clinician_id).clinician_id)
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str) -> ClinicianSession:
        """The session for a valid token; ``PermissionError`` for anything forged, altered or malformed."""
        payload, _, signature = str(token).rpartition(".")
        if not payload or not hmac.compare_digest(signature, self._sign(payload)) or not payload.isdigit():
            raise PermissionError("invalid session token")
        return ClinicianSession(int(payload))


# -- serving -------------------------------------------------------------------------------------------------


def no_show_rates(session: ClinicianSession, *, months: int = 12, connection: Any) -> list[MonthlyRate]:
    """The session's clinician's last ``months`` months (up to the table's latest month), oldest first.

    The only tenant filter is ``CLINICIAN_ID = %s`` bound to ``session.clinician_id``: no id argument exists
    for a caller to forge, and nothing a caller sends is formatted into the SQL.
    """
    if not isinstance(session, ClinicianSession):
        raise TypeError("expected a ClinicianSession from the authentication layer, "
                        f"got {type(session).__name__}")
    months = _months(months)
    with connected(connection) as conn, conn.cursor() as cur:
        cur.execute(SERVE_SQL, (session.clinician_id, months))
        rows = [MonthlyRate(int(c), m, int(t), int(n), Decimal(r)) for c, m, t, n, r in cur.fetchall()]
    foreign = {r.clinician_id for r in rows} - {session.clinician_id}
    if foreign:  # cannot happen with the statement above; a second lock on the door costs nothing
        raise PermissionError(f"query returned rows of {len(foreign)} other clinician(s); nothing served")
    return rows


def _months(months: int) -> int:
    if type(months) is not int or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be an integer from 1 to {MAX_MONTHS}, got {months!r}")
    return months

