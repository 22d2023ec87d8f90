"""Fetch the billing backend's revenue for every day of a range, exactly, reporting days it could not fetch."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

import requests


class Unavailable(Exception):
    """One attempt failed in a way that may pass if repeated."""


def fetch_daily_revenue(base_url: str, start_date: str, end_date: str, *,
                        sleep: Callable[[float], None],
                        max_attempts: int = 4) -> tuple[dict[str, Decimal], list[str]]:
    """``(revenue by day, days that could not be fetched)`` for ``start_date`` .. ``end_date`` inclusive.

    A day that fails ``max_attempts`` times is reported, not zeroed: a zero would reconcile as "no revenue"
    and hide the outage.
    """
    start, end = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
    revenue: dict[str, Decimal] = {}
    failed: list[str] = []
    for offset in range((end - start).days + 1):
        day = (start + dt.timedelta(days=offset)).isoformat()
        for attempt in range(1, max_attempts + 1):
            try:
                revenue[day] = _revenue(base_url, day)
                break
            except Unavailable:
                if attempt < max_attempts:
                    sleep(0.5 * 2 ** (attempt - 1))
        else:
            failed.append(day)
    return revenue, failed


def _revenue(base_url: str, day: str) -> Decimal:
    try:
        response = requests.get(f"{base_url.rstrip('/')}/revenue", params={"date": day}, timeout=(3.05, 10))
    except (requests.Timeout, requests.ConnectionError) as error:
        raise Unavailable(type(error).__name__) from error
    if response.status_code >= 500:
        raise Unavailable(f"HTTP {response.status_code}")
    response.raise_for_status()  # a 4xx is a bug in the request: retrying cannot fix it
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except ValueError as error:
        raise Unavailable("a truncated body") from error
    return Decimal(body["total_revenue"])
