"""Fails: every day in the range - ``range((end - start).days)`` stops the day before ``end_date``.

The off-by-one every date loop risks: the last day of the range is never asked for (and a one-day range asks
for nothing at all).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import requests


def fetch_daily_revenue(base_url, start_date, end_date, *, sleep, max_attempts=4):
    start, end = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
    revenue, failed = {}, []
    for n in range((end - start).days):
        day = (start + dt.timedelta(days=n)).isoformat()
        for attempt in range(max_attempts):
            try:
                response = requests.get(f"{base_url}/revenue", params={"date": day}, timeout=10)
                response.raise_for_status()
                revenue[day] = json.loads(response.text, parse_float=Decimal)["total_revenue"]
                break
            except (requests.RequestException, ValueError):
                if attempt + 1 < max_attempts:
                    sleep(2 ** attempt)
        else:
            failed.append(day)
    return revenue, failed
