"""Fails: uses the page limit - never sends ``limit``, so every request asks for the backend's default page.

The result is right here, but the caller chose the page size (memory, response time, the backend's guidance)
and the function silently ignores it.
"""

from __future__ import annotations

import json
from decimal import Decimal

import requests


def collect_payments(base_url, day, *, limit=100):
    params = {"date": day}
    by_id = {}
    while True:
        response = requests.get(f"{base_url}/payments", params=params, timeout=10)
        response.raise_for_status()
        page = json.loads(response.text, parse_float=Decimal)
        for payment in page["payments"]:
            by_id.setdefault(payment["payment_id"], payment)
        if not page["next_cursor"]:
            break
        params = {"cursor": page["next_cursor"]}
    return list(by_id.values()), sum((p["amount"] for p in by_id.values()), Decimal(0))
