"""Fails: reports unfetchable days - a day that could not be fetched is given a total of zero.

``revenue.get(day, Decimal(0))``-style defaults are the classic: the reconciliation then reports the
warehouse as "over" for that day instead of saying the backend could not be asked.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import requests


def fetch_daily_revenue(base_url, start_date, end_date, *, sleep, max_attempts=4):
    start, end = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
    revenue = {}
    for n in range((end - start).days + 1):
        day = (start + dt.timedelta(days=n)).isoformat()
        revenue[day] = Decimal("0.00")
        for attempt in range(max_attempts):
            try:
                response = requests.get(f"{base_url}/revenue", params={"date": day}, timeout=10)
                response.raise_for_status()
                revenue[day] = json.loads(response.text, parse_float=Decimal)["total_revenue"]
                break
            except (requests.RequestException, ValueError):
                if attempt + 1 < max_attempts:
                    sleep(2 ** attempt)
    return revenue, []
