"""Fails: exact Decimal totals - reads the totals with ``response.json()``, as floats.

3673.14 becomes 3673.1399999999999; compared with Snowflake's NUMBER sum, every day "differs".
"""

from __future__ import annotations

import datetime as dt

import requests


def fetch_daily_revenue(base_url, start_date, end_date, *, sleep, max_attempts=4):
    day = dt.date.fromisoformat(start_date)
    revenue, failed = {}, []
    while day <= dt.date.fromisoformat(end_date):
        for attempt in range(max_attempts):
            try:
                response = requests.get(f"{base_url}/revenue", params={"date": day.isoformat()}, timeout=10)
                response.raise_for_status()
                revenue[day.isoformat()] = response.json()["total_revenue"]
                break
            except (requests.RequestException, ValueError):
                if attempt + 1 < max_attempts:
                    sleep(2 ** attempt)
        else:
            failed.append(day.isoformat())
        day += dt.timedelta(days=1)
    return revenue, failed
