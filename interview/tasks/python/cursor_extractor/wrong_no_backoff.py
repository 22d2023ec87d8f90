"""Fails: backs off between retries - retries a 500 or a timeout at once, in a tight loop.

The attempts are bounded, but all of them land on the partner in the same instant, while it is struggling.
"""

from __future__ import annotations

from collections.abc import Callable

import requests


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    url = f"{base_url}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    params = {"start_date": start_date, "end_date": end_date, "mode": "cursor"}
    records, seen = [], set()
    while True:
        body = _get(url, params, headers, sleep, max_retries)
        for record in body["appointments"]:
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        if body["next_cursor"] is None:
            return records
        params = {"cursor": body["next_cursor"]}


def _get(url, params, headers, sleep, max_retries):
    attempts = 0
    while True:
        attempts += 1
        try:
            response = requests.get(url, params=params, headers=headers, timeout=10)
        except requests.Timeout:
            if attempts > max_retries:
                raise
            continue
        if response.status_code == 429:
            sleep(float(response.headers["Retry-After"]))
            attempts -= 1
            continue
        if response.status_code >= 500 and attempts <= max_retries:
            continue
        response.raise_for_status()
        return response.json()
