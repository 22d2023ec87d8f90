"""Fails: reports unfetchable days, bounded retries - keeps asking for a day until the backend answers.

``max_attempts`` is ignored: a day that is down is retried (politely, with back-off) until it heals, so the
run hammers a sick backend and takes as long as the outage.
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
        delay = 0.5
        while day not in revenue:
            try:
                response = requests.get(f"{base_url}/revenue", params={"date": day}, timeout=10)
                response.raise_for_status()
                revenue[day] = json.loads(response.text, parse_float=Decimal)["total_revenue"]
            except (requests.RequestException, ValueError):
                sleep(delay)
                delay = min(2 * delay, 60)
    return revenue, []
