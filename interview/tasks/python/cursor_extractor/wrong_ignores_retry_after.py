"""Fails: honours Retry-After - treats a 429 like any hiccup and retries after its own short pause.

A fixed 0.2 s pause "to be polite" is shorter than the partner's Retry-After, so the retry is refused again.
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
    failures = 0
    while True:
        try:
            response = requests.get(url, params=params, headers=headers, timeout=10)
        except requests.Timeout:
            response = None
        if response is not None and response.status_code == 429:
            sleep(0.2)
            continue
        if response is not None and response.status_code < 500:
            response.raise_for_status()
            return response.json()
        failures += 1
        if failures > max_retries:
            raise RuntimeError(f"giving up on {params}")
        sleep(2 ** failures)
