"""Fails: accepts every valid record - requires ``fee_amount > 0``, so a zero fee is quarantined.

The contract says "not negative"; a pro-bono or waived session costs 0.00 and is a real appointment.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

INTS = ("appointment_id", "client_id", "clinician_id", "duration_minutes")
STRS = ("appointment_date", "start_time", "status", "fee_amount")


def guard_pages(bodies):
    good, quarantined = [], []
    for body in bodies:
        try:
            page = json.loads(body)
        except json.JSONDecodeError as error:
            quarantined.append((body, f"invalid JSON: {error}"))
            continue
        records = page.get("appointments") if isinstance(page, dict) else None
        if not isinstance(records, list):
            quarantined.append((body, "page without an appointments list"))
            continue
        for record in records:
            reason = _check(record)
            (quarantined.append((record, reason)) if reason else good.append(record))
    return good, quarantined


def _check(record):
    if not isinstance(record, dict):
        return "not a JSON object"
    for field in INTS:
        if type(record.get(field)) is not int:
            return f"{field}: expected an integer, got {record.get(field)!r}"
    for field in STRS:
        if type(record.get(field)) is not str:
            return f"{field}: expected a string, got {record.get(field)!r}"
    try:
        dt.date.fromisoformat(record["appointment_date"])
        if len(record["appointment_date"]) != 10:
            raise ValueError
    except ValueError:
        return f"appointment_date: {record['appointment_date']!r} is not a date"
    try:
        dt.datetime.fromisoformat(record["start_time"])
        if len(record["start_time"]) != 19:
            raise ValueError
    except ValueError:
        return f"start_time: {record['start_time']!r} is not a timestamp"
    if record["status"] not in ("completed", "no_show", "cancelled"):
        return f"status: {record['status']!r} is not allowed"
    if record["duration_minutes"] <= 0:
        return "duration_minutes: must be positive"
    try:
        if not Decimal(record["fee_amount"]) > 0:
            return f"fee_amount: {record['fee_amount']} must be positive"
    except InvalidOperation:
        return f"fee_amount: {record['fee_amount']!r} is not a number"
    return None
