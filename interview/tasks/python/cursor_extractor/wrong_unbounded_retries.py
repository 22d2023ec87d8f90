"""Fails: bounded retries - retries a 5xx until the partner heals, however long that takes.

``max_retries`` is accepted and never used: an outage turns into a run that hammers the partner for as long
as it is down, instead of failing so the scheduler can alert and retry later.
"""

from __future__ import annotations

from collections.abc import Callable

import requests


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    url = f"{base_url}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    params = {"start_date": start_date, "end_date": end_date, "mode": "cursor"}
    by_id = {}
    while True:
        body = _get(url, params, headers, sleep)
        for record in body["appointments"]:
            by_id.setdefault(record["appointment_id"], record)
        if not body["next_cursor"]:
            return list(by_id.values())
        params = {"cursor": body["next_cursor"]}


def _get(url, params, headers, sleep):
    delay = 0.5
    while True:
        try:
            response = requests.get(url, params=params, headers=headers, timeout=10)
        except requests.Timeout:
            sleep(delay)
            delay = min(delay * 2, 30)
            continue
        if response.status_code == 429:
            sleep(float(response.headers["Retry-After"]))
        elif response.status_code >= 500:
            sleep(delay)
            delay = min(delay * 2, 30)
        else:
            response.raise_for_status()
            return response.json()
