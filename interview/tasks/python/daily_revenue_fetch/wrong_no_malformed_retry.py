"""Fails: retries transient failures - retries 5xx and timeouts, but gives up on a body that is not JSON.

A 200 is taken as final; a body cut off halfway raises on parsing and the day is reported failed, although
asking again would have worked.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import requests


def fetch_daily_revenue(base_url, start_date, end_date, *, sleep, max_attempts=4):
    start, end = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
    revenue, failed = {}, []
    for n in range((end - start).days + 1):
        day = (start + dt.timedelta(days=n)).isoformat()
        response = None
        for attempt in range(max_attempts):
            try:
                response = requests.get(f"{base_url}/revenue", params={"date": day}, timeout=10)
            except requests.Timeout:
                response = None
            if response is not None and response.status_code < 500:
                break
            if attempt + 1 < max_attempts:
                sleep(2 ** attempt)
        if response is None or response.status_code >= 500:
            failed.append(day)
            continue
        try:
            revenue[day] = json.loads(response.text, parse_float=Decimal)["total_revenue"]
        except ValueError:
            failed.append(day)
    return revenue, failed
