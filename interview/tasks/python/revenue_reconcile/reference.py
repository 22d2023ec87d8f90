"""Reconcile warehouse revenue with the billing backend, day by day, to the cent."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = (3.05, 30)  # connect, read: requests waits forever without one


def session() -> requests.Session:
    """GETs retried on 429/5xx and connection errors, with back-off (and Retry-After honoured)."""
    retry = Retry(total=4, backoff_factor=0.2, status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=frozenset({"GET"}), raise_on_status=False)
    http = requests.Session()
    http.mount("https://", HTTPAdapter(max_retries=retry))
    http.mount("http://", HTTPAdapter(max_retries=retry))
    return http


def get(http: requests.Session, url: str, params: dict) -> dict:
    response = http.get(url, params=params, timeout=TIMEOUT)
    response.raise_for_status()
    return response.json(parse_float=Decimal)  # 7309.36 stays Decimal("7309.36"), never a float


def reconcile(cursor, first_day: date, last_day: date,
              base_url: str = "https://api.backend.com") -> list[dict]:
    """One dict per day whose warehouse total differs from the backend's /revenue total (exactly, Decimal):
    day, warehouse_total, backend_total, difference (warehouse - backend), missing_ids, duplicate_ids.

    Days that match are left out; a reversed range raises ValueError.
    """
    if first_day > last_day:
        raise ValueError(f"reversed range: first_day {first_day} is after last_day {last_day}")
    base_url = base_url.rstrip("/")
    # one query for the range; SUM over NUMBER(12,2) is exact (a Decimal), days without rows are simply absent
    cursor.execute("SELECT PAYMENT_DATE, SUM(PAYMENT_AMOUNT) FROM FCT_PAYMENTS "
                   "WHERE PAYMENT_DATE BETWEEN %s AND %s GROUP BY PAYMENT_DATE", (first_day, last_day))
    warehouse = {day: Decimal(total) for day, total in cursor.fetchall()}
    http = session()
    report = []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        ours = warehouse.get(day, Decimal("0.00"))
        theirs = Decimal(get(http, f"{base_url}/revenue", {"date": day.isoformat()})["total_revenue"])
        if ours == theirs:
            continue
        listed = payments(http, base_url, day)
        cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
        loaded = Counter(row[0] for row in cursor.fetchall())
        report.append({"day": day, "warehouse_total": ours, "backend_total": theirs, "difference": ours - theirs,
                       "missing_ids": sorted(set(listed) - set(loaded)),
                       "duplicate_ids": sorted(pid for pid, n in loaded.items() if n > 1)})
    return report


def payments(http: requests.Session, base_url: str, day: date) -> list[str]:
    """Every payment id the backend lists for ``day``, following the cursor to the last page."""
    params = {"date": day.isoformat(), "limit": 1000}
    ids: list[str] = []
    while True:
        page = get(http, f"{base_url}/payments", params)
        ids += [p["payment_id"] for p in page["payments"]]
        if not page.get("has_more"):
            return ids
        params = {"date": day.isoformat(), "cursor": page["next_cursor"]}
