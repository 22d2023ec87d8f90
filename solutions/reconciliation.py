"""Revenue reconciliation: one day of warehouse payments against the backend billing system, to the cent.

Finance says "revenue doesn't match the backend". This module answers with numbers and ids:

1. **Totals, exactly.** Snowflake (and the sim) keeps ``SUM`` over a ``NUMBER(12,2)`` column exact, so Python
   receives a ``Decimal``. The total is ``SUM(PAYMENT_AMOUNT::NUMBER(12,2))`` anyway, with the cast *inside*
   the aggregate: if the column is ever a ``FLOAT`` (a careless ``CREATE TABLE AS``), a bare ``SUM`` returns a
   float and 7309.36 comes back as 7309.360000000002; cast first and the sum is exact again. The API's total
   is parsed with ``json`` ``parse_float=Decimal`` for the same reason. Money is never compared as floats:
   ``Decimal - float`` raises ``TypeError``, and float sums drift.
2. **Tolerance.** Totals match when they differ by at most ``tolerance`` (default one cent), *and* the
   payment counts agree: a missing payment and a duplicated one of the same amount cancel out in the total.
3. **Investigation.** On a mismatch, the warehouse's rows are compared with the backend's ``/payments``
   listing (every page, following cursors) and the payment ids are named: missing from the warehouse,
   loaded twice, loaded with the wrong amount, unknown to the backend.
4. **Alert.** A Slack webhook message; the status code is checked, because ``requests.post`` does not raise
   on a 400. The webhook URL is a secret: it is read from the environment and never printed.

The syllabus's ``reconcile_revenue`` used ``CURRENT_DATE - 1`` and ``datetime.now()``: the day depended on
when the script ran (and on two different clocks). Here the day is an argument; a DAG passes its logical
date, so a retry or a backfill reconciles the day it was meant to.

HTTP calls have timeouts and retries (urllib3 ``Retry``: 429/5xx on ``GET``, honouring ``Retry-After``).
In the sim, ``responses`` replays those retries without sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from solutions.alerting import post_alert
from solutions.connections import connected
from solutions.days import as_date
from solutions.sql import quote_table

BASE_URL = "https://api.backend.com"
TOLERANCE = Decimal("0.01")
TIMEOUT = (3.05, 30)  # (connect, read) seconds: requests waits forever without one


class BackendError(RuntimeError):
    """The backend API could not give a usable answer (after retries)."""


# -- what counts as money ------------------------------------------------------------------------------------


def money(value: Any, where: str, *, text: bool = True) -> Decimal:
    """``value`` as a finite ``Decimal``, or ``ValueError`` naming ``where`` and what was wrong.

    Accepted: ``Decimal`` and ``int`` (JSON numbers parsed with ``parse_float=Decimal``) and, when ``text``,
    numeric strings ("12.50"). Refused: ``bool`` (``True`` is an ``int`` and would count as 1), ``float``
    (already inexact), ``None``, non-numeric text, and NaN or infinity in any form (``Decimal("NaN")``
    compares unequal to everything, so a check built on it can neither pass nor fail honestly).
    """
    kinds = (Decimal, int, str) if text else (Decimal, int)
    if isinstance(value, bool) or not isinstance(value, kinds):
        wanted = "a decimal number or numeric text" if text else "a decimal number"
        raise ValueError(f"{where} is {value!r} ({type(value).__name__}), expected {wanted}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except ArithmeticError:  # decimal.InvalidOperation: "abc"
        raise ValueError(f"{where} is {value!r}, not a number") from None
    if not amount.is_finite():
        raise ValueError(f"{where} is {value!r}, not a finite amount")
    return amount


def payment_count(value: Any, where: str) -> int:
    """A count of payments: a non-negative ``int`` (a bool, a fraction or text is refused, not truncated)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where} is {value!r} ({type(value).__name__}), expected a whole number >= 0")
    return value


def check_tolerance(tolerance: Any) -> None:
    """A tolerance is a finite ``Decimal`` >= 0: a float is inexact, and ``Decimal("Infinity")`` (or NaN)
    would let any difference pass."""
    if not isinstance(tolerance, Decimal):
        raise TypeError("tolerance must be a Decimal, e.g. Decimal('0.01'): money is never a float")
    if not tolerance.is_finite() or tolerance < 0:
        raise ValueError(f"tolerance must be a finite amount >= 0, not {tolerance}")


# -- the source system ---------------------------------------------------------------------------------------


def retrying_session(retries: int = 3, backoff: float = 0.5) -> requests.Session:
    """A session whose GETs retry connection errors, read timeouts, 429 and 5xx, with exponential back-off
    and ``Retry-After`` honoured. ``raise_on_status=False``: after the last retry the response comes back
    and the caller reports its status, rather than a bare ``MaxRetryError``."""
    retry = Retry(total=retries, backoff_factor=backoff, status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False)
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


@dataclass(frozen=True)
class SourceRevenue:
    day: dt.date
    total: Decimal
    payment_count: int
    currency: str


class BackendClient:
    """``GET /revenue`` and ``GET /payments`` of the billing backend, money parsed as ``Decimal``."""

    def __init__(self, base_url: str = BASE_URL, *, session: requests.Session | None = None,
                 timeout: float | tuple[float, float] = TIMEOUT, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or retrying_session()
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.session.get(f"{self.base_url}{path}", params=params, headers=self.headers,
                                        timeout=self.timeout)
        except requests.RequestException as error:
            raise BackendError(f"GET {path} failed: {type(error).__name__}") from None
        if response.status_code != 200:
            raise BackendError(f"GET {path} answered {response.status_code}: {response.text[:200]}")
        try:
            body = response.json(parse_float=Decimal)  # 7309.36 stays Decimal("7309.36"), not a float
        except ValueError as error:
            raise BackendError(f"GET {path} returned malformed JSON ({error})") from None
        if not isinstance(body, dict):
            raise BackendError(f"GET {path} returned {type(body).__name__}, expected a JSON object")
        return body

    def revenue(self, day: dt.date) -> SourceRevenue:
        body = self._get("/revenue", {"date": day.isoformat()})
        for name in ("total_revenue", "payment_count"):
            if name not in body:
                raise BackendError(f"GET /revenue: the body has no {name!r} field")
        try:
            total = money(body["total_revenue"], "GET /revenue: total_revenue", text=False)
            count = payment_count(body["payment_count"], "GET /revenue: payment_count")
        except ValueError as error:
            raise BackendError(str(error)) from None
        return SourceRevenue(day, total, count, str(body.get("currency", "")))

    def payments(self, day: dt.date, *, limit: int = 100, max_pages: int = 10_000) -> list[dict[str, Any]]:
        """Every payment of ``day``, following ``next_cursor`` until ``has_more`` is false."""
        params: dict[str, Any] = {"date": day.isoformat(), "limit": limit}
        rows: list[dict[str, Any]] = []
        for _ in range(max_pages):
            body = self._get("/payments", params)
            rows.extend(body.get("payments", []))
            if not body.get("has_more"):
                return rows
            if not body.get("next_cursor"):
                raise BackendError("GET /payments: has_more without a next_cursor")
            params = {"date": day.isoformat(), "cursor": body["next_cursor"]}
        raise BackendError(f"GET /payments: more than {max_pages} pages, giving up")


# -- the warehouse ---------------------------------------------------------------------------------------------



def warehouse_revenue(connection: Any, day: dt.date, *, table: str = "fct_payments") -> tuple[Decimal, int]:
    """(exact total, row count) of the day's payments. The cast sits inside ``SUM`` (see the module doc), so a
    FLOAT column still gives an exact total."""
    with connected(connection) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(12, 2)), 0), COUNT(*) "
                    f"FROM {quote_table(table)} WHERE PAYMENT_DATE = %s", (day,))
        total, count = cur.fetchone()
    if not isinstance(total, Decimal):
        raise TypeError(f"the warehouse returned {type(total).__name__} for a money total; cast inside SUM")
    return total, int(count)


def warehouse_payments(connection: Any, day: dt.date, *, table: str = "fct_payments") -> list[tuple[str, Decimal]]:
    """(payment_id, amount) of every row of ``day``, duplicates included, in id order."""
    with connected(connection) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT PAYMENT_ID, PAYMENT_AMOUNT::NUMBER(12, 2) FROM {quote_table(table)} "
                    f"WHERE PAYMENT_DATE = %s ORDER BY PAYMENT_ID", (day,))
        rows = cur.fetchall()
    # the cast in SQL, as in warehouse_revenue: a FLOAT column's 19.99 is 19.989999... as a float, and
    # Decimal(float) would keep every wrong digit and flag a correct payment
    return [(str(pid), money(amount, f"warehouse payment {pid}: PAYMENT_AMOUNT", text=False))
            for pid, amount in rows]


# -- comparing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrongAmount:
    payment_id: str
    warehouse: Decimal
    source: Decimal


@dataclass(frozen=True)
class Reconciliation:
    """One day's verdict. ``missing``/``duplicated``/``misamounted``/``unexpected`` are filled by the
    investigation (``investigated``); ``explained`` is how much of the difference those ids account for."""

    day: dt.date
    warehouse_total: Decimal
    source_total: Decimal
    warehouse_count: int
    source_count: int
    tolerance: Decimal = TOLERANCE
    investigated: bool = False
    missing: tuple[str, ...] = ()
    duplicated: tuple[str, ...] = ()
    misamounted: tuple[WrongAmount, ...] = ()
    unexpected: tuple[str, ...] = ()
    explained: Decimal = Decimal("0.00")
    currency: str = "USD"
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        check_tolerance(self.tolerance)

    @property
    def difference(self) -> Decimal:
        """Warehouse minus source: positive means the warehouse shows more revenue than really came in."""
        return self.warehouse_total - self.source_total

    @property
    def totals_match(self) -> bool:
        return abs(self.difference) <= self.tolerance and self.warehouse_count == self.source_count

    @property
    def passed(self) -> bool:
        return self.totals_match and not (self.missing or self.duplicated or self.misamounted or self.unexpected)

    def message(self) -> str:
        """The alert text: what differs, by how much, and which payment ids."""
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"Revenue reconciliation {verdict} for {self.day}",
                 f"warehouse {self.warehouse_total} ({self.warehouse_count} payments) vs backend "
                 f"{self.source_total} ({self.source_count} payments): difference {self.difference:+} "
                 f"{self.currency} (tolerance {self.tolerance})"]
        for label, ids in (("missing from the warehouse", self.missing), ("loaded more than once", self.duplicated),
                           ("unknown to the backend", self.unexpected)):
            if ids:
                lines.append(f"{label} ({len(ids)}): {_some(ids)}")
        if self.misamounted:
            wrong = [f"{w.payment_id} {w.warehouse} vs {w.source}" for w in self.misamounted]
            lines.append(f"wrong amount ({len(wrong)}): {_some(wrong)}")
        if self.investigated and not self.passed:
            rest = self.difference - self.explained
            lines.append("these payments account for the whole difference" if rest == 0 else
                         f"these payments account for {self.explained:+}; {rest:+} is unexplained")
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (money as strings, so no float ever touches it): fit for XCom or a log line."""
        return {
            "day": self.day.isoformat(), "passed": self.passed, "warehouse_total": str(self.warehouse_total),
            "source_total": str(self.source_total), "difference": str(self.difference),
            "warehouse_count": self.warehouse_count, "source_count": self.source_count,
            "missing": list(self.missing), "duplicated": list(self.duplicated),
            "misamounted": [{"payment_id": w.payment_id, "warehouse": str(w.warehouse), "source": str(w.source)}
                            for w in self.misamounted],
            "unexpected": list(self.unexpected), "explained": str(self.explained),
        }


def compare_payments(warehouse: list[tuple[str, Decimal]], source: list[dict[str, Any]]) -> dict[str, Any]:
    """Name the ids behind a difference: missing, duplicated, misamounted, unexpected, and the amount they explain."""
    truth = dict(_source_payment(p, n) for n, p in enumerate(source, 1))
    seen = Counter(pid for pid, _ in warehouse)
    loaded: dict[str, list[Decimal]] = defaultdict(list)
    for pid, amount in warehouse:
        loaded[pid].append(amount)
    wrong = [WrongAmount(pid, amount, truth[pid]) for pid, amounts in sorted(loaded.items()) if pid in truth
             for amount in sorted(set(amounts)) if amount != truth[pid]]
    explained = sum((sum(loaded.get(pid, []), Decimal(0)) - truth.get(pid, Decimal(0))
                     for pid in set(truth) | set(loaded)), Decimal("0.00"))
    return {
        "missing": tuple(sorted(set(truth) - set(loaded))),
        "duplicated": tuple(sorted(pid for pid, n in seen.items() if n > 1)),
        "misamounted": tuple(wrong),
        "unexpected": tuple(sorted(set(loaded) - set(truth))),
        "explained": explained,
    }


def _source_payment(row: Any, position: int) -> tuple[str, Decimal]:
    """(payment_id, amount) of one backend row, or ``BackendError`` naming the payment and the field."""
    if not isinstance(row, dict) or row.get("payment_id") in (None, ""):
        raise BackendError(f"backend payment #{position}: no payment_id in {row!r}")
    pid = str(row["payment_id"])
    if "amount" not in row:
        raise BackendError(f"backend payment {pid}: no 'amount' field")
    try:
        return pid, money(row["amount"], f"backend payment {pid}: amount")
    except ValueError as error:
        raise BackendError(str(error)) from None


def reconcile(day: dt.date | str, *, connection: Any, client: BackendClient | None = None,
              tolerance: Decimal = TOLERANCE, investigate: bool | None = None,
              table: str = "fct_payments") -> Reconciliation:
    """Compare ``day`` in the warehouse with the backend. ``investigate``: ``None`` (default) looks at the
    payment ids only when totals or counts differ, ``True`` always (catches offsetting errors), ``False``
    never. ``connection`` is a connection or a factory (then closed on every path)."""
    day = as_date(day)
    check_tolerance(tolerance)
    client = client or BackendClient()
    source = client.revenue(day)
    with connected(connection) as conn:
        total, count = warehouse_revenue(conn, day, table=table)
        result = Reconciliation(day, total, source.total, count, source.payment_count, tolerance,
                                currency=source.currency or "USD")
        if investigate is False or (investigate is None and result.totals_match):
            return result
        found = compare_payments(warehouse_payments(conn, day, table=table), client.payments(day))
    return Reconciliation(day, total, source.total, count, source.payment_count, tolerance, True,
                          currency=source.currency or "USD", **found)


def run_reconciliation(day: dt.date | str, *, connection: Any, client: BackendClient | None = None,
                       webhook_url: str | None = None, tolerance: Decimal = TOLERANCE,
                       investigate: bool | None = None, raise_on_mismatch: bool = False) -> dict[str, Any]:
    """What a DAG task calls with its logical date: reconcile, alert on a mismatch, return plain JSON."""
    result = reconcile(day, connection=connection, client=client, tolerance=tolerance, investigate=investigate)
    if not result.passed:
        post_alert(result.message(), webhook_url)
        if raise_on_mismatch:
            raise ValueError(result.message())
    return result.to_dict()


def _some(items: list[str] | tuple[str, ...], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")
