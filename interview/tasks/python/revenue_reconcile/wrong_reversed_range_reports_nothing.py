"""Fails: reversed range refused - a reversed range skips the while loop and returns []: "all days reconcile",
for a range that was never looked at.

A caller's mistake should be loud."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import requests


def fetch(url: str, params: dict) -> dict:
    for attempt in range(4):
        response = requests.get(url, params=params, timeout=30)
        if response.status_code < 500:
            break
        time.sleep(0.05 * 2 ** attempt)
    response.raise_for_status()
    return response.json(parse_float=Decimal)


def reconcile(cursor, first_day: date, last_day: date,
              base_url: str = "https://api.backend.com") -> list[dict]:
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
