"""Fails: waits with the given sleep - waits with ``time.sleep``, so a test (or a notebook) really waits.

Everything else is right; but a back-off of 8 s costs 8 real seconds in every test, and the partner's clock in
the tests never sees the wait unless it is real time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    url = f"{base_url}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    params = {"start_date": start_date, "end_date": end_date, "mode": "cursor"}
    records, seen = [], set()
    while True:
        body = _get(url, params, headers, max_retries)
        for record in body["appointments"]:
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        if body["next_cursor"] is None:
            return records
        params = {"cursor": body["next_cursor"]}


def _get(url, params, headers, max_retries):
    failures = 0
    while True:
        try:
            response = requests.get(url, params=params, headers=headers, timeout=10)
        except requests.Timeout:
            response = None
        if response is not None and response.status_code == 429:
            time.sleep(float(response.headers["Retry-After"]))
            continue
        if response is not None and response.status_code < 500:
            response.raise_for_status()
            return response.json()
        failures += 1
        if failures > max_retries:
            raise RuntimeError(f"giving up on {params}")
        time.sleep(2 ** failures)
