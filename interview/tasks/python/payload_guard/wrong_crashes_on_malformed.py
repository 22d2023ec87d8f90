"""Fails: quarantines malformed pages - ``json.loads`` on every body, with nothing around it.

The records are validated carefully, but the first page cut off halfway raises JSONDecodeError and the
whole landing is lost, good pages included.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

INTS = ("appointment_id", "client_id", "clinician_id", "duration_minutes")
STATUSES = ("completed", "no_show", "cancelled")


def guard_pages(bodies):
    good, quarantined = [], []
    for body in bodies:
        for record in json.loads(body)["appointments"]:
            reason = _problem(record)
            if reason:
                quarantined.append((record, reason))
            else:
                good.append(record)
    return good, quarantined


def _problem(record):
    if not isinstance(record, dict):
        return "record is not an object"
    for field in INTS:
        if type(record.get(field)) is not int:
            return f"{field} must be an integer, got {record.get(field)!r}"
    for field in ("appointment_date", "start_time", "status", "fee_amount"):
        if not isinstance(record.get(field), str):
            return f"{field} must be a string, got {record.get(field)!r}"
    try:
        if len(record["appointment_date"]) != 10:
            raise ValueError
        dt.date.fromisoformat(record["appointment_date"])
    except ValueError:
        return f"appointment_date {record['appointment_date']!r} is not a date"
    try:
        if len(record["start_time"]) != 19:
            raise ValueError
        dt.datetime.fromisoformat(record["start_time"])
    except ValueError:
        return f"start_time {record['start_time']!r} is not a timestamp"
    if record["status"] not in STATUSES:
        return f"status {record['status']!r} is unknown"
    if record["duration_minutes"] <= 0:
        return "duration_minutes must be positive"
    try:
        if Decimal(record["fee_amount"]) < 0:
            return "fee_amount is negative"
    except InvalidOperation:
        return f"fee_amount {record['fee_amount']!r} is not a number"
    return None
