"""Fails: transient errors retried - one GET per request and raise_for_status(): the first 503 of the backend
aborts the whole reconciliation.

A transient 5xx deserves another try (urllib3 Retry on the session, or a loop with back-off)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import requests


def fetch(url: str, params: dict) -> dict:
    response = requests.get(url, params=params, timeout=30)
    response.raise_for_status()
    return response.json(parse_float=Decimal)


def reconcile(cursor, first_day: date, last_day: date,
              base_url: str = "https://api.backend.com") -> list[dict]:
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    report = []
    day = first_day
    while day <= last_day:
        cursor.execute("SELECT COALESCE(SUM(PAYMENT_AMOUNT), 0) FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
        ours = cursor.fetchone()[0]
        theirs = fetch(f"{base_url}/revenue", {"date": day.isoformat()})["total_revenue"]
        if ours != theirs:
            listed, params = [], {"date": day.isoformat()}
            while True:
                page = fetch(f"{base_url}/payments", params)
                listed += [p["payment_id"] for p in page["payments"]]
                if not page["has_more"]:
                    break
                params = {"date": day.isoformat(), "cursor": page["next_cursor"]}
            cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
            loaded = Counter(row[0] for row in cursor.fetchall())
            report.append({"day": day, "warehouse_total": ours, "backend_total": theirs,
                           "difference": ours - theirs,
                           "missing_ids": sorted(set(listed) - set(loaded)),
                           "duplicate_ids": sorted(p for p, n in loaded.items() if n > 1)})
        day += timedelta(days=1)
    return report
