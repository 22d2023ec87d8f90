"""Fails: no lost records - stops before keeping the last page.

``while body["next_cursor"]`` keeps a page only when another one follows, so the final page (and a range that
fits on one page) is fetched and thrown away.
"""

from __future__ import annotations

from collections.abc import Callable

import requests


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    url = f"{base_url}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    body = _get(url, {"start_date": start_date, "end_date": end_date, "mode": "cursor"}, headers, sleep,
                max_retries)
    records, seen = [], set()
    while body["next_cursor"]:
        for record in body["appointments"]:
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        body = _get(url, {"cursor": body["next_cursor"]}, headers, sleep, max_retries)
    return records


def _get(url, params, headers, sleep, max_retries):
    failures = 0
    while True:
        try:
            response = requests.get(url, params=params, headers=headers, timeout=10)
        except requests.Timeout:
            response = None
        if response is not None and response.status_code == 429:
            sleep(float(response.headers["Retry-After"]))
            continue
        if response is not None and response.status_code < 500:
            response.raise_for_status()
            return response.json()
        failures += 1
        if failures > max_retries:
            raise RuntimeError(f"giving up on {params}")
        sleep(2 ** failures)
