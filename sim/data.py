"""Deterministic synthetic data for the simulated warehouse, with named defects and a manifest.

Everything is generated in DuckDB SQL, vectorised: each "random" value is a hash of (seed, row id, purpose),
so the same seed gives identical tables whatever the scale or machine, and 10M appointments take seconds.

The source system (``BACKEND.PUBLIC``) holds the truth. The marts (``ANALYTICS.MARTS``) are built from it and
then damaged by the defects you ask for; ``generate`` returns a ``Manifest`` naming exactly which rows each
defect touched, so quality checks and exercises are graded against truth, not against another query.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sim.data_sql import build_steps, ddl  # the SQL that builds the tables
from sim.warehouse import Warehouse

START = date(2025, 9, 1)
DAYS = 30
APPOINTMENTS = 1500
MAX_APPOINTMENTS = 20_000_000

#: defect name -> what its value means
DEFECTS: dict[str, str] = {
    "null_client_id": "fraction (0-1] of the defect day's appointments whose client_id becomes NULL",
    "orphan_client_id": "count of appointments pointing at a client_id missing from dim_clients",
    "duplicate_appointment_id": "count of appointments loaded twice (same appointment_id)",
    "out_of_range_date": "count of appointments moved to an impossible date (alternately 2019-06-30, 2099-01-01)",
    "missing_day": "True (the middle day) or a date: every appointment and payment of that day is gone",
    "missing_payment": "count of the defect day's payments absent from fct_payments",
    "duplicate_payment": "count of the defect day's payments loaded twice into fct_payments",
    "misamounted_payment": "count of the defect day's payments whose amount is off by a few dollars",
}
OUT_OF_RANGE_DATES = (date(2019, 6, 30), date(2099, 1, 1))
STATUSES = ("completed", "no_show", "cancelled")


@dataclass(frozen=True)
class Injected:
    """One injected defect: the rows it touched (by id) and what was done to them."""

    name: str
    day: str
    ids: tuple[Any, ...]
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Manifest:
    """What ``generate`` built: its parameters and every injected defect (name -> ``Injected``)."""

    seed: int
    appointments: int
    start: str
    days: int
    defect_day: str
    defects: dict[str, Injected]

    @property
    def end(self) -> str:
        return (date.fromisoformat(self.start) + timedelta(days=self.days - 1)).isoformat()

    def ids(self, name: str) -> tuple[Any, ...]:
        """Ids a defect touched; an empty tuple when it was not injected."""
        return self.defects[name].ids if name in self.defects else ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)


def validate_defects(defects: dict[str, Any] | None) -> dict[str, Any]:
    """Check names and values; raise ``ValueError`` saying what is wrong and what is allowed."""
    defects = dict(defects or {})
    unknown = sorted(set(defects) - set(DEFECTS))
    if unknown:
        known = "\n".join(f"  {k}: {v}" for k, v in DEFECTS.items())
        raise ValueError(f"unknown defect(s) {unknown}; known defects:\n{known}")
    for name, value in defects.items():
        if name == "null_client_id":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ValueError(f"null_client_id must be a fraction in (0, 1], got {value!r}")
        elif name == "missing_day":
            if not (value is True or isinstance(value, date) or _is_iso_date(value)):
                raise ValueError(f"missing_day must be True or a date, got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive count, got {value!r}")
    return defects


def _is_iso_date(value: Any) -> bool:
    try:
        date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def validate_knobs(*, seed: Any, appointments: Any, start: Any, days: Any, defects: Any,
                   defect_day: Any) -> tuple[int, date, date, dict[str, Any]]:
    """Check ``generate``'s knobs before any work; returns (seed, start, defect day, defects), dates parsed.

    Dates may be ``date`` objects or ISO strings ("2025-09-01"); anything else is a ``ValueError`` that
    names the argument (the seed is written into SQL, so it must really be an integer).
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not -2**63 <= seed < 2**63:
        raise ValueError(f"seed must be an integer (64-bit), got {seed!r}")
    if (isinstance(appointments, bool) or not isinstance(appointments, int)
            or not 50 <= appointments <= MAX_APPOINTMENTS):
        raise ValueError(f"appointments must be an integer between 50 and {MAX_APPOINTMENTS:,}, "
                         f"got {appointments!r}")
    if isinstance(days, bool) or not isinstance(days, int) or not 2 <= days <= 3660:
        raise ValueError(f"days must be an integer between 2 and 3660, got {days!r}")
    start = _as_date(start, "start_date")
    defects = validate_defects(defects)
    end = start + timedelta(days=days - 1)
    day = _as_date(defect_day, "defect_day") if defect_day is not None else end
    if not start <= day <= end:
        raise ValueError(f"defect_day {day} is outside the data range {start}..{end}")
    return seed, start, day, defects


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _is_iso_date(value):
        return date.fromisoformat(value)
    raise ValueError(f"{name} must be a date or an ISO date string like '2025-09-01', got {value!r}")


def generate(
    warehouse: Warehouse,
    *,
    seed: int = 7,
    appointments: int = APPOINTMENTS,
    start: date = START,
    days: int = DAYS,
    defects: dict[str, Any] | None = None,
    defect_day: date | str | None = None,
    progress: bool | None = None,
) -> Manifest:
    """(Re)build every table of the sim and inject ``defects`` on ``defect_day`` (default: the last day).

    ``appointments`` is the scale knob: a few hundred for notebooks, up to 20M for benchmarks.
    ``progress`` shows a progress bar (default: only from 1M appointments, where it takes a moment).
    """
    seed, start, day, defects = validate_knobs(seed=seed, appointments=appointments, start=start, days=days,
                                               defects=defects, defect_day=defect_day)

    with warehouse.cursor() as cur:  # DDL through fakesnow, so the columns carry Snowflake's types
        for statement in ddl():
            cur.execute(statement)
    duck = warehouse.duckdb()
    n_clients = max(50, appointments // 15)
    n_clinicians = max(10, appointments // 150)
    steps = build_steps(seed=seed, n=appointments, n_clients=n_clients, n_clinicians=n_clinicians,
                        start=start, days=days)
    show = appointments >= 1_000_000 if progress is None else progress
    _run(duck, steps, show)
    injected = _inject(duck, seed, day, start, start + timedelta(days=days - 1), defects)
    _run(duck, build_staging_steps(day), False)
    return Manifest(seed=seed, appointments=appointments, start=start.isoformat(), days=days,
                    defect_day=day.isoformat(), defects=injected)


def _run(duck: Any, steps: list[tuple[str, str]], show: bool) -> None:
    if not show:
        for _, sql in steps:
            duck.execute(sql)
        return
    from rich.progress import Progress

    with Progress(transient=False) as bar:
        task = bar.add_task("generating", total=len(steps))
        for label, sql in steps:
            bar.update(task, description=label)
            duck.execute(sql)
            bar.advance(task)


def build_staging_steps(day: date) -> list[tuple[str, str]]:
    """Staging holds the latest load: the defect day's appointments, typed and as raw JSON (VARIANT)."""
    d = day.isoformat()
    return [
        ("staging", f"""INSERT INTO ANALYTICS.STAGING.APPOINTMENTS
            SELECT * FROM ANALYTICS.MARTS.FCT_APPOINTMENTS WHERE APPOINTMENT_DATE = DATE '{d}'
            ORDER BY APPOINTMENT_ID"""),
        ("raw json", f"""INSERT INTO RAW.STAGING.RAW_APPOINTMENTS
            SELECT to_json({{'appointment_id': APPOINTMENT_ID, 'client_id': CLIENT_ID,
                             'clinician_id': CLINICIAN_ID, 'appointment_date': APPOINTMENT_DATE,
                             'start_time': strftime(APPOINTMENT_TS, '%Y-%m-%dT%H:%M:%S'), 'status': STATUS,
                             'duration_minutes': DURATION_MINUTES, 'fee_amount': FEE_AMOUNT}})::JSON,
                   TIMESTAMP '{d} 02:00:00'
            FROM ANALYTICS.MARTS.FCT_APPOINTMENTS WHERE APPOINTMENT_DATE = DATE '{d}'
            ORDER BY APPOINTMENT_ID"""),
    ]


def _pick(duck: Any, seed: int, salt: str, pool_sql: str, k: int, taken: set) -> list[Any]:
    """The first ``k`` ids of ``pool_sql`` in a seeded hash order, skipping ids another defect took."""
    rows = duck.execute(f"SELECT id FROM ({pool_sql}) ORDER BY hash(id, {seed}, '{salt}'), id").fetchall()
    chosen = [r[0] for r in rows if r[0] not in taken][:k]
    if len(chosen) < k:
        raise ValueError(f"{salt}: asked for {k} rows but the defect day only has {len(chosen)} to spare; "
                         "lower the count or raise the scale")
    taken.update(chosen)
    return chosen


def _inject(duck: Any, seed: int, day: date, start: date, end: date, defects: dict[str, Any]) -> dict[str, Injected]:
    d = day.isoformat()
    fa, fp = "ANALYTICS.MARTS.FCT_APPOINTMENTS", "ANALYTICS.MARTS.FCT_PAYMENTS"
    appts = f"SELECT APPOINTMENT_ID AS id FROM {fa} WHERE APPOINTMENT_DATE = DATE '{d}'"
    pays = f"SELECT PAYMENT_ID AS id FROM {fp} WHERE PAYMENT_DATE = DATE '{d}'"
    taken_a: set = set()
    taken_p: set = set()
    out: dict[str, Injected] = {}

    def in_list(ids: list[Any]) -> str:
        return ", ".join(repr(i) if isinstance(i, str) else str(int(i)) for i in ids)

    if "missing_day" in defects:  # first, so the other defects never pick from a day that is then erased
        value = defects["missing_day"]
        gone = start + timedelta(days=(end - start).days // 2) if value is True else (
            date.fromisoformat(value) if isinstance(value, str) else value)
        if gone == day or not start <= gone <= end:
            raise ValueError(f"missing_day {gone} must be inside {start}..{end} and differ from defect_day {day}")
        ids = [r[0] for r in duck.execute(
            f"SELECT APPOINTMENT_ID FROM {fa} WHERE APPOINTMENT_DATE = DATE '{gone}' ORDER BY 1").fetchall()]
        pay_ids = [r[0] for r in duck.execute(
            f"SELECT PAYMENT_ID FROM {fp} WHERE PAYMENT_DATE = DATE '{gone}' ORDER BY 1").fetchall()]
        duck.execute(f"DELETE FROM {fa} WHERE APPOINTMENT_DATE = DATE '{gone}'")
        duck.execute(f"DELETE FROM {fp} WHERE PAYMENT_DATE = DATE '{gone}'")
        out["missing_day"] = Injected("missing_day", gone.isoformat(), tuple(ids),
                                      {"payment_ids": pay_ids, "appointments_removed": len(ids)})
    if "null_client_id" in defects:
        total = duck.execute(f"SELECT count(*) FROM ({appts})").fetchone()[0]
        k = max(1, round(total * defects["null_client_id"]))
        ids = _pick(duck, seed, "null_client_id", appts, k, taken_a)
        duck.execute(f"UPDATE {fa} SET CLIENT_ID = NULL WHERE APPOINTMENT_ID IN ({in_list(ids)})")
        out["null_client_id"] = Injected("null_client_id", d, tuple(sorted(ids)), {"rate": defects["null_client_id"]})
    if "orphan_client_id" in defects:
        ids = sorted(_pick(duck, seed, "orphan_client_id", appts, defects["orphan_client_id"], taken_a))
        top = duck.execute("SELECT max(CLIENT_ID) FROM ANALYTICS.MARTS.DIM_CLIENTS").fetchone()[0]
        orphans = {i: top + 1000 + n for n, i in enumerate(ids)}
        for appt, client in orphans.items():
            duck.execute(f"UPDATE {fa} SET CLIENT_ID = {client} WHERE APPOINTMENT_ID = {appt}")
        out["orphan_client_id"] = Injected("orphan_client_id", d, tuple(ids),
                                           {"client_ids": [orphans[i] for i in ids]})
    if "duplicate_appointment_id" in defects:
        ids = sorted(_pick(duck, seed, "duplicate_appointment_id", appts, defects["duplicate_appointment_id"], taken_a))
        duck.execute(f"INSERT INTO {fa} SELECT * FROM {fa} WHERE APPOINTMENT_ID IN ({in_list(ids)})")
        out["duplicate_appointment_id"] = Injected("duplicate_appointment_id", d, tuple(ids))
    if "out_of_range_date" in defects:
        ids = sorted(_pick(duck, seed, "out_of_range_date", appts, defects["out_of_range_date"], taken_a))
        moved = {i: OUT_OF_RANGE_DATES[n % 2] for n, i in enumerate(ids)}
        for appt, new in moved.items():
            duck.execute(f"UPDATE {fa} SET APPOINTMENT_DATE = DATE '{new}' WHERE APPOINTMENT_ID = {appt}")
        out["out_of_range_date"] = Injected("out_of_range_date", d, tuple(ids),
                                            {"new_dates": [moved[i].isoformat() for i in ids]})
    if "missing_payment" in defects:
        ids = sorted(_pick(duck, seed, "missing_payment", pays, defects["missing_payment"], taken_p))
        amounts = _amounts(duck, fp, ids)
        duck.execute(f"DELETE FROM {fp} WHERE PAYMENT_ID IN ({in_list(ids)})")
        out["missing_payment"] = Injected("missing_payment", d, tuple(ids), {"amounts": amounts})
    if "duplicate_payment" in defects:
        ids = sorted(_pick(duck, seed, "duplicate_payment", pays, defects["duplicate_payment"], taken_p))
        amounts = _amounts(duck, fp, ids)
        duck.execute(f"INSERT INTO {fp} SELECT * FROM {fp} WHERE PAYMENT_ID IN ({in_list(ids)})")
        out["duplicate_payment"] = Injected("duplicate_payment", d, tuple(ids), {"amounts": amounts})
    if "misamounted_payment" in defects:
        ids = sorted(_pick(duck, seed, "misamounted_payment", pays, defects["misamounted_payment"], taken_p))
        before = _amounts(duck, fp, ids)
        # off by +1.00 .. +9.99 dollars, seeded
        duck.execute(f"""UPDATE {fp} SET PAYMENT_AMOUNT = PAYMENT_AMOUNT
                         + CAST(1 + (hash(PAYMENT_ID, {seed}, 'misamount') % 900) / 100 AS DECIMAL(12, 2))
                         WHERE PAYMENT_ID IN ({in_list(ids)})""")
        after = _amounts(duck, fp, ids)
        out["misamounted_payment"] = Injected("misamounted_payment", d, tuple(ids),
                                              {"truth": before, "loaded": after})
    return out


def _amounts(duck: Any, table: str, ids: list[Any]) -> list[str]:
    """Amounts (as exact strings) of the given payment ids, in id order."""
    rows = duck.execute(f"SELECT PAYMENT_ID, PAYMENT_AMOUNT FROM {table} WHERE PAYMENT_ID IN "
                        f"({', '.join(repr(i) for i in ids)}) ORDER BY PAYMENT_ID").fetchall()
    return [f"{amount:.2f}" for _, amount in rows]
