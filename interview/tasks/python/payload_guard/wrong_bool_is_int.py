"""Fails: rejects wrong types - checks integers with ``isinstance(value, int)``.

``bool`` is a subclass of ``int``, so ``"client_id": true`` passes as a client id; everything else is right.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

TYPES = {"appointment_id": int, "client_id": int, "clinician_id": int, "duration_minutes": int,
         "appointment_date": str, "start_time": str, "status": str, "fee_amount": str}
STATUSES = ("completed", "no_show", "cancelled")


def guard_pages(bodies):
    good, quarantined = [], []
    for n, body in enumerate(bodies, 1):
        try:
            page = json.loads(body)
            records = page["appointments"]
            if not isinstance(records, list):
                raise TypeError("appointments is not a list")
        except (ValueError, KeyError, TypeError) as error:
            quarantined.append((body, f"page {n} unreadable: {error}"))
            continue
        for record in records:
            reason = _problem(record)
            if reason:
                quarantined.append((record, reason))
            else:
                good.append(record)
    return good, quarantined


def _problem(record):
    if not isinstance(record, dict):
        return f"not an object: {record!r}"
    for field, kind in TYPES.items():
        if record.get(field) is None:
            return f"{field} missing"
        if not isinstance(record[field], kind):
            return f"{field} has type {type(record[field]).__name__}"
    try:
        if len(record["appointment_date"]) != 10:
            raise ValueError
        dt.date.fromisoformat(record["appointment_date"])
    except ValueError:
        return f"appointment_date {record['appointment_date']!r} invalid"
    try:
        if len(record["start_time"]) != 19:
            raise ValueError
        dt.datetime.fromisoformat(record["start_time"])
    except ValueError:
        return f"start_time {record['start_time']!r} invalid"
    if record["status"] not in STATUSES:
        return f"status {record['status']!r} not allowed"
    if record["duration_minutes"] <= 0:
        return "duration_minutes not positive"
    try:
        if Decimal(record["fee_amount"]) < 0:
            return "fee_amount negative"
    except InvalidOperation:
        return "fee_amount not a number"
    return None
