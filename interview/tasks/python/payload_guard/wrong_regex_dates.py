"""Fails: rejects bad dates - dates are checked by their shape only, with a regular expression.

``\\d{4}-\\d{2}-\\d{2}`` accepts 2025-02-30 and ``...T25:00:00``: they look like dates, they are not.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
TYPES = {"appointment_id": int, "client_id": int, "clinician_id": int, "duration_minutes": int,
         "appointment_date": str, "start_time": str, "status": str, "fee_amount": str}


def guard_pages(bodies):
    good, quarantined = [], []
    for body in bodies:
        try:
            records = json.loads(body)["appointments"]
            assert isinstance(records, list)  # noqa: S101
        except (ValueError, KeyError, TypeError, AssertionError):
            quarantined.append((body, "page is not valid JSON with an appointments list"))
            continue
        for record in records:
            reasons = _problems(record)
            if reasons:
                quarantined.append((record, ", ".join(reasons)))
            else:
                good.append(record)
    return good, quarantined


def _problems(record):
    if not isinstance(record, dict):
        return ["record is not an object"]
    problems = [f"{f} should be {t.__name__}" for f, t in TYPES.items() if type(record.get(f)) is not t]
    if problems:
        return problems
    if not DATE.fullmatch(record["appointment_date"]):
        problems.append("appointment_date is not YYYY-MM-DD")
    if not TIME.fullmatch(record["start_time"]):
        problems.append("start_time is not YYYY-MM-DDTHH:MM:SS")
    if record["status"] not in ("completed", "no_show", "cancelled"):
        problems.append(f"status {record['status']!r} is unknown")
    if record["duration_minutes"] <= 0:
        problems.append("duration_minutes must be positive")
    try:
        if Decimal(record["fee_amount"]) < 0:
            problems.append("fee_amount is negative")
    except InvalidOperation:
        problems.append("fee_amount is not a number")
    return problems
