"""Fails: no duplicate payments, total equals the backend's revenue - trusts pages not to overlap.

Offset pagination repeats a payment when rows shift between requests; ``extend`` keeps both copies and the
total counts that payment twice.
"""

from __future__ import annotations

import json
from decimal import Decimal

import requests


def collect_payments(base_url, day, *, limit=100):
    params = {"date": day, "limit": limit}
    payments = []
    while True:
        response = requests.get(f"{base_url}/payments", params=params, timeout=10)
        response.raise_for_status()
        page = json.loads(response.text, parse_float=Decimal)
        payments.extend(page["payments"])
        if page["next_cursor"] is None:
            break
        params = {"cursor": page["next_cursor"]}
    return payments, sum((p["amount"] for p in payments), Decimal(0))
