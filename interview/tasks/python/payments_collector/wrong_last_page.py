"""Fails: no lost payments, total equals the backend's revenue - drops the last page.

The loop fetches the next page while ``has_more`` and collects the previous one, so the page that says
``has_more: false`` (and a day that fits on one page) is fetched but never collected.
"""

from __future__ import annotations

import json
from decimal import Decimal

import requests


def collect_payments(base_url, day, *, limit=100):
    def get(params):
        response = requests.get(f"{base_url}/payments", params=params, timeout=10)
        response.raise_for_status()
        return json.loads(response.text, parse_float=Decimal)

    page = get({"date": day, "limit": limit})
    by_id = {}
    while page["has_more"]:
        for payment in page["payments"]:
            by_id[payment["payment_id"]] = payment
        page = get({"cursor": page["next_cursor"]})
    payments = list(by_id.values())
    return payments, sum((p["amount"] for p in payments), Decimal("0"))
