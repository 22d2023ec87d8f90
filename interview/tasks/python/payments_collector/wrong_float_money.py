"""Fails: amounts are exact Decimals, total equals the backend's revenue - money read as float.

``response.json()`` parses 135.46 as the nearest binary float; ``round(sum(...), 2)`` looks right when
printed, but it is not the backend's exact total and a Snowflake ``NUMBER`` comparison says so.
"""

from __future__ import annotations

import requests


def collect_payments(base_url, day, *, limit=100):
    params = {"date": day, "limit": limit}
    payments, seen = [], set()
    while True:
        page = requests.get(f"{base_url}/payments", params=params, timeout=10).json()
        for payment in page["payments"]:
            if payment["payment_id"] not in seen:
                seen.add(payment["payment_id"])
                payments.append(payment)
        if not page["has_more"]:
            break
        params = {"cursor": page["next_cursor"]}
    return payments, round(sum(p["amount"] for p in payments), 2)
