"""The source changes after the fact: a seeded change history for the backend and the partner feed.

``sim.data.generate`` builds each record as it was first written. Real sources keep changing it: an
appointment recorded as completed becomes a no-show two days later, a session is cancelled late and its
payment refunded, a payment is corrected, a client moves state or changes name, a record entered in error
is deleted. A pipeline that extracts "yesterday's appointments" once never sees any of it.

``enable(warehouse, seed=..., start=..., days=...)`` plans such a history (deterministic: every choice is a
hash of the seed, as in ``sim.data``), gives the source tables an ``UPDATED_AT`` column, and returns a
``History`` (showing the source settled: every change made): the manifest of every change (what, which key, before and after, when) and the clock of the
source, ``history.as_of(ts)``, which shows ``BACKEND.PUBLIC`` exactly as it was at ``ts``: records written
by then, changes made by then, deletes done by then. Nothing here touches ``ANALYTICS``: the marts stay what
the daily load saw, which is the point.

In SQL the history is ``BACKEND.HISTORY.CHANGES`` (one row per changed column, deletes and inserts with
``COLUMN_NAME`` NULL); the first version of every record is kept in ``BACKEND.HISTORY.<TABLE>_ORIGINAL``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sim.data_sql import salt
from sim.warehouse import Warehouse

#: change kind -> (what it does, default rate: fraction of the eligible records it touches)
KINDS: dict[str, tuple[str, float]] = {
    "no_show_after_all": ("a completed appointment becomes a no-show 1-6 days later; its payment is refunded",
                          0.03),
    "late_cancellation": ("a completed appointment becomes cancelled 1-6 days later; its payment is refunded",
                          0.02),
    "appointment_delete": ("an appointment entered in error is deleted 1-6 days later, with its payment", 0.005),
    "payment_correction": ("a payment's amount is corrected (-20..+20 dollars) 2-9 days after it was taken",
                           0.03),
    "client_move": ("a client's STATE changes (any time in the window and the week after)", 0.10),
    "client_rename": ("a client's CLIENT_NAME changes (any time in the window and the week after)", 0.05),
    "client_delete": ("a client is deleted (an erasure request); their appointments stay", 0.02),
}
APPOINTMENT_KINDS = ("no_show_after_all", "late_cancellation", "appointment_delete")
#: entity -> (table, key column)
ENTITIES = {
    "appointment": ("APPOINTMENTS", "APPOINTMENT_ID"),
    "payment": ("PAYMENTS", "PAYMENT_ID"),
    "client": ("CLIENTS", "CLIENT_ID"),
}
#: columns a change may set, with their SQL types (changes are stored as text)
CHANGEABLE = {
    "APPOINTMENTS": {"STATUS": "VARCHAR", "IS_NO_SHOW": "BIGINT"},
    "PAYMENTS": {"PAYMENT_AMOUNT": "DECIMAL(12, 2)"},
    "CLIENTS": {"STATE": "VARCHAR", "CLIENT_NAME": "VARCHAR"},
}
LATE_DAYS = 7  # changes keep arriving this many days after the last appointment day
SOURCE = "BACKEND.PUBLIC"
ARCHIVE = "BACKEND.HISTORY"


@dataclass(frozen=True)
class Change:
    """One change to one record: ``op`` is update, insert (a refund) or delete; ``after`` is empty for a delete."""

    change_id: int
    kind: str
    entity: str
    key: Any
    op: str
    changed_at: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass
class History:
    """The manifest of a change history and the source's clock (``as_of``)."""

    warehouse: Warehouse
    seed: int
    rates: dict[str, float]
    changes: tuple[Change, ...]
    start: str
    end: str
    now: str = ""
    #: called after every ``as_of`` (the partner API drops its cached pages)
    listeners: list = field(default_factory=list, repr=False)

    @property
    def first_change(self) -> str:
        return self.changes[0].changed_at if self.changes else ""

    @property
    def last_change(self) -> str:
        return self.changes[-1].changed_at if self.changes else ""

    @property
    def settled(self) -> str:
        """Midnight after the last change (or after the last day): the source "today", every change made."""
        last = date.fromisoformat(self.last_change[:10]) if self.changes else date.fromisoformat(self.end)
        return f"{last + timedelta(days=1)} 00:00:00"

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        if kind not in KINDS:
            raise ValueError(f"unknown change kind {kind!r}; known: {sorted(KINDS)}")
        return tuple(c for c in self.changes if c.kind == kind)

    def between(self, after: datetime | str, until: datetime | str) -> tuple[Change, ...]:
        """Changes made in ``(after, until]`` (ISO strings compare as timestamps: same format)."""
        a, u = _ts(after, "after").isoformat(sep=" "), _ts(until, "until").isoformat(sep=" ")
        return tuple(c for c in self.changes if a < c.changed_at <= u)

    def as_of(self, when: datetime | date | str) -> str:
        """Show ``BACKEND.PUBLIC`` as it was at ``when`` (a date means the end of that day); returns the time.

        Records appear when first written (their original ``UPDATED_AT``), changes and deletes when made;
        going back in time works too. The partner API serves whatever the source shows.
        """
        when = _ts(when, "when")
        _show_as_of(self.warehouse.duckdb(), when)
        self.now = when.isoformat(sep=" ")
        for listener in self.listeners:
            listener()
        return self.now

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "rates": self.rates, "start": self.start, "end": self.end, "now": self.now,
                "changes": [asdict(c) for c in self.changes]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)


def validate_rates(rates: dict[str, float] | None) -> dict[str, float]:
    """Default rates overridden by ``rates``; a ``ValueError`` names an unknown kind or a bad rate."""
    rates = dict(rates or {})
    unknown = sorted(set(rates) - set(KINDS))
    if unknown:
        known = "\n".join(f"  {k}: {v[0]} (default {v[1]})" for k, v in KINDS.items())
        raise ValueError(f"unknown change kind(s) {unknown}; known kinds:\n{known}")
    for name, value in rates.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 0.5:
            raise ValueError(f"rate of {name} must be a fraction in [0, 0.5], got {value!r}")
    return {name: float(rates.get(name, default)) for name, (_, default) in KINDS.items()}


def _ts(value: datetime | date | str, name: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime.combine(value, datetime.max.time()).replace(microsecond=0)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return _ts(parsed if ("T" in value or " " in value) else parsed.date(), name)
    raise ValueError(f"{name} must be a datetime, a date or an ISO string like '2025-09-05 02:00:00', "
                     f"got {value!r}")


def enable(warehouse: Warehouse, *, seed: int, start: date, days: int,
           rates: dict[str, float] | None = None) -> History:
    """Plan the history over the freshly generated source, give it ``UPDATED_AT``, and show it as of the end."""
    rates = validate_rates(rates)
    duck = warehouse.duckdb()
    end = start + timedelta(days=days - 1)
    with warehouse.cursor(database="BACKEND", schema="PUBLIC") as cur:  # Snowflake types, through fakesnow
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE}")
        for table in CHANGEABLE:
            cur.execute(f"ALTER TABLE {SOURCE}.{table} ADD COLUMN IF NOT EXISTS UPDATED_AT TIMESTAMP_NTZ")
    _stamp_originals(duck, seed)
    changes = _plan(duck, seed, start, end, rates)
    _store(duck, changes)
    history = History(warehouse, seed, rates, tuple(changes), start.isoformat(), end.isoformat())
    history.as_of(history.settled)
    return history


def _stamp_originals(duck: Any, seed: int) -> None:
    """First-write times: an appointment when the session ended, its payment a few minutes later, a client on
    the morning of its creation. Then keep those first versions in ``BACKEND.HISTORY``."""
    duck.execute(f"""UPDATE {SOURCE}.APPOINTMENTS
        SET UPDATED_AT = APPOINTMENT_TS + to_minutes(DURATION_MINUTES::BIGINT)""")
    duck.execute(f"""UPDATE {SOURCE}.PAYMENTS p SET UPDATED_AT = a.UPDATED_AT + INTERVAL 5 MINUTE
        FROM {SOURCE}.APPOINTMENTS a WHERE a.APPOINTMENT_ID = p.APPOINTMENT_ID""")
    duck.execute(f"""UPDATE {SOURCE}.CLIENTS SET UPDATED_AT = CREATED_DATE + INTERVAL 9 HOUR
        + to_minutes((hash(CLIENT_ID, {seed}, {salt('client_created_at')}) % 480)::BIGINT)""")
    for table in CHANGEABLE:
        duck.execute(f"CREATE OR REPLACE TABLE {ARCHIVE}.{table}_ORIGINAL AS SELECT * FROM {SOURCE}.{table}")


def _pick(duck: Any, seed: int, kind: str, pool_sql: str, rate: float, taken: set) -> list[Any]:
    """A seeded ``rate`` share of ``pool_sql``'s ids (at least one when the rate is not 0), skipping ``taken``."""
    if rate == 0:
        return []
    rows = [r[0] for r in duck.execute(
        f"SELECT id FROM ({pool_sql}) ORDER BY hash(id, {seed}, {salt(kind)}), id").fetchall()]
    chosen = [i for i in rows if i not in taken][: max(1, round(len(rows) * rate))]
    taken.update(chosen)
    return sorted(chosen)


def _ids(ids: set) -> str:
    """Integer ids for ``NOT IN (...)``; -1 (no such id) when empty, since ``NOT IN (NULL)`` matches nothing."""
    return ", ".join(str(int(i)) for i in sorted(ids)) or "-1"


def _when(duck: Any, sql: str) -> dict[Any, datetime]:
    return dict(duck.execute(sql).fetchall())


def _plan(duck: Any, seed: int, start: date, end: date, rates: dict[str, float]) -> list[Change]:
    """Every change, ordered by time then kind then key, numbered from 1."""
    a, p, c = f"{SOURCE}.APPOINTMENTS", f"{SOURCE}.PAYMENTS", f"{SOURCE}.CLIENTS"
    planned: list[tuple[datetime, str, Any, str, str, dict, dict]] = []
    taken: set = set()

    def late(kind: str, key: str, table: str, base: str, days: int, first: int) -> str:
        return (f"""SELECT {key}, {base} + to_days(({first} + hash({key}, {seed}, {salt(kind + '_day')}) % {days})
                    ::INTEGER) + to_minutes((hash({key}, {seed}, {salt(kind + '_minute')}) % 600)::BIGINT)
                    FROM {table}""")

    completed = f"SELECT APPOINTMENT_ID AS id FROM {a} WHERE STATUS = 'completed'"
    payments = dict(duck.execute(f"SELECT APPOINTMENT_ID, PAYMENT_ID FROM {p}").fetchall())
    pay_rows = {r[0]: r[1:] for r in duck.execute(
        f"SELECT PAYMENT_ID, PAYMENT_AMOUNT, PAYMENT_METHOD, CLIENT_ID FROM {p}").fetchall()}
    for kind in APPOINTMENT_KINDS:
        pool = completed if kind != "appointment_delete" else f"SELECT APPOINTMENT_ID AS id FROM {a}"
        ids = _pick(duck, seed, kind, pool, rates[kind], taken)
        if not ids:
            continue
        when = _when(duck, late(kind, "APPOINTMENT_ID", a, "UPDATED_AT", 6, 1))
        status = dict(duck.execute(f"SELECT APPOINTMENT_ID, STATUS FROM {a}").fetchall())
        for i in ids:
            at, pay = when[i], payments.get(i)
            if kind == "appointment_delete":
                planned.append((at, kind, i, "appointment", "delete", {}, {}))
                if pay:
                    planned.append((at, kind, pay, "payment", "delete", {}, {}))
                continue
            new = "no_show" if kind == "no_show_after_all" else "cancelled"
            planned.append((at, kind, i, "appointment", "update",
                            {"STATUS": status[i], "IS_NO_SHOW": 0},
                            {"STATUS": new, "IS_NO_SHOW": int(new == "no_show")}))
            amount, method, client = pay_rows[pay]
            refunded = at + timedelta(minutes=5)
            refund = {"PAYMENT_ID": "rfd_" + pay[4:], "APPOINTMENT_ID": i, "CLIENT_ID": client,
                      "PAYMENT_DATE": refunded.date().isoformat(), "PAYMENT_AMOUNT": f"{-amount:.2f}",
                      "PAYMENT_METHOD": method}
            planned.append((refunded, kind, refund["PAYMENT_ID"], "payment", "insert", {}, refund))
    fixed = _pick(duck, seed, "payment_correction",
                  f"SELECT PAYMENT_ID AS id FROM {p} WHERE APPOINTMENT_ID NOT IN ({_ids(taken)})",
                  rates["payment_correction"], set())
    when = _when(duck, late("payment_correction", "PAYMENT_ID", p, "UPDATED_AT", 8, 2))
    for pay in fixed:
        amount = pay_rows[pay][0]
        delta = (duck.execute(f"SELECT hash('{pay}', {seed}, {salt('correction')}) % 4000").fetchall()[0][0]
                 - 2000) / 100 or 5.0
        new = max(amount + type(amount)(f"{delta:.2f}"), type(amount)("0.00"))
        planned.append((when[pay], "payment_correction", pay, "payment", "update",
                        {"PAYMENT_AMOUNT": f"{amount:.2f}"}, {"PAYMENT_AMOUNT": f"{new:.2f}"}))
    window = (end - start).days + 1 + LATE_DAYS

    def anytime(kind: str) -> str:
        return late(kind, "CLIENT_ID", c, f"TIMESTAMP '{start} 08:00:00'", window, 0)

    clients = {r[0]: r[1:] for r in duck.execute(f"SELECT CLIENT_ID, CLIENT_NAME, STATE FROM {c}").fetchall()}
    from sim.data_sql import STATES

    deleted = set(_pick(duck, seed, "client_delete", f"SELECT CLIENT_ID AS id FROM {c}",
                        rates["client_delete"], set()))
    all_clients = f"SELECT CLIENT_ID AS id FROM {c} WHERE CLIENT_ID NOT IN ({_ids(deleted)})"
    for kind in ("client_move", "client_rename", "client_delete"):
        ids = sorted(deleted) if kind == "client_delete" else _pick(duck, seed, kind, all_clients, rates[kind], set())
        when = _when(duck, anytime(kind))
        for i in ids:
            name, state = clients[i]
            if kind == "client_delete":
                planned.append((when[i], kind, i, "client", "delete", {}, {}))
            elif kind == "client_move":
                others = [s for s in STATES if s != state]
                new = others[duck.execute(f"SELECT hash({i}, {seed}, {salt('moved_to')}) % {len(others)}")
                             .fetchall()[0][0]]
                planned.append((when[i], kind, i, "client", "update", {"STATE": state}, {"STATE": new}))
            else:
                planned.append((when[i], kind, i, "client", "update", {"CLIENT_NAME": name},
                                {"CLIENT_NAME": f"{name} (renamed)"}))
    planned.sort(key=lambda x: (x[0], x[1], str(x[2]), x[4]))
    return [Change(n, kind, entity, key, op, at.isoformat(sep=" "), before, after)
            for n, (at, kind, key, entity, op, before, after) in enumerate(planned, start=1)]


def _store(duck: Any, changes: list[Change]) -> None:
    duck.execute(f"""CREATE OR REPLACE TABLE {ARCHIVE}.CHANGES (CHANGE_ID BIGINT, KIND VARCHAR, ENTITY VARCHAR,
        ENTITY_KEY VARCHAR, OP VARCHAR, COLUMN_NAME VARCHAR, BEFORE_VALUE VARCHAR, AFTER_VALUE VARCHAR,
        CHANGED_AT TIMESTAMP)""")
    rows = []
    for ch in changes:
        if ch.op == "update":
            rows += [(ch.change_id, ch.kind, ch.entity, str(ch.key), ch.op, col, str(ch.before[col]),
                      str(ch.after[col]), ch.changed_at) for col in ch.after]
        else:
            rows.append((ch.change_id, ch.kind, ch.entity, str(ch.key), ch.op, None, None,
                         json.dumps(ch.after) if ch.after else None, ch.changed_at))
    if rows:
        duck.executemany(f"INSERT INTO {ARCHIVE}.CHANGES VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMP)", rows)
    duck.execute(f"CREATE OR REPLACE TABLE {ARCHIVE}.PAYMENTS_INSERTED AS SELECT * FROM {SOURCE}.PAYMENTS LIMIT 0")
    inserts = [c.after for c in changes if c.op == "insert"]
    if inserts:
        duck.executemany(
            f"INSERT INTO {ARCHIVE}.PAYMENTS_INSERTED VALUES (?, ?, ?, ?::DATE, ?::DECIMAL(12, 2), ?, ?::TIMESTAMP)",
            [(r["PAYMENT_ID"], r["APPOINTMENT_ID"], r["CLIENT_ID"], r["PAYMENT_DATE"], r["PAYMENT_AMOUNT"],
              r["PAYMENT_METHOD"], c.changed_at) for c, r in ((c, c.after) for c in changes if c.op == "insert")])


def _show_as_of(duck: Any, when: datetime) -> None:
    """Rebuild the source tables from the first versions and the changes made by ``when`` (set-based)."""
    t = f"TIMESTAMP '{when.isoformat(sep=' ')}'"
    duck.execute("BEGIN TRANSACTION")
    try:
        for table, columns in CHANGEABLE.items():
            entity = next(e for e, (name, _) in ENTITIES.items() if name == table)
            key = ENTITIES[entity][1]
            duck.execute(f"DELETE FROM {SOURCE}.{table}")
            duck.execute(f"INSERT INTO {SOURCE}.{table} SELECT * FROM {ARCHIVE}.{table}_ORIGINAL "
                         f"WHERE UPDATED_AT <= {t}")
            if table == "PAYMENTS":
                duck.execute(f"INSERT INTO {SOURCE}.PAYMENTS SELECT * FROM {ARCHIVE}.PAYMENTS_INSERTED "
                             f"WHERE UPDATED_AT <= {t}")
            made = (f"SELECT * FROM {ARCHIVE}.CHANGES WHERE ENTITY = '{entity}' AND CHANGED_AT <= {t}")
            for column, sql_type in columns.items():
                duck.execute(f"""UPDATE {SOURCE}.{table} s SET {column} = CAST(c.v AS {sql_type})
                    FROM (SELECT ENTITY_KEY, arg_max(AFTER_VALUE, (CHANGED_AT, CHANGE_ID)) AS v FROM ({made})
                          WHERE OP = 'update' AND COLUMN_NAME = '{column}' GROUP BY 1) c
                    WHERE CAST(s.{key} AS VARCHAR) = c.ENTITY_KEY""")
            duck.execute(f"""UPDATE {SOURCE}.{table} s SET UPDATED_AT = c.at
                FROM (SELECT ENTITY_KEY, max(CHANGED_AT) AS at FROM ({made}) WHERE OP = 'update' GROUP BY 1) c
                WHERE CAST(s.{key} AS VARCHAR) = c.ENTITY_KEY""")
            duck.execute(f"""DELETE FROM {SOURCE}.{table} WHERE CAST({key} AS VARCHAR) IN
                (SELECT ENTITY_KEY FROM ({made}) WHERE OP = 'delete')""")
        duck.execute("COMMIT")
    except BaseException:
        duck.execute("ROLLBACK")
        raise


def deletes_since(warehouse: Warehouse, entity: str, since: datetime, until: str) -> list[tuple[str, str]]:
    """(key, deleted at) of ``entity`` records deleted in ``[since, until]``, in time then key order."""
    return [(k, at) for k, at in warehouse.duckdb().execute(
        f"""SELECT ENTITY_KEY, strftime(CHANGED_AT, '%Y-%m-%dT%H:%M:%S') FROM {ARCHIVE}.CHANGES
            WHERE ENTITY = ? AND OP = 'delete' AND CHANGED_AT >= ? AND CHANGED_AT <= ?::TIMESTAMP
            ORDER BY CHANGED_AT, ENTITY_KEY""", [entity, since, until]).fetchall()]
