"""The syllabus's ``validate_appointments``, corrected: one day of ``fct_appointments`` checked safely.

The syllabus's version, and what changes here:

* ``execution_date = context['ds']``: on Airflow 3 a cron DAG's ``ds`` is the run's *own* date, so the 02:00
  run on 1 October would check 1 October, a day that has barely started. The day is an argument here;
  :func:`day_to_validate` turns a run's logical date into the previous calendar day.
* ``password='{{ var.value.snowflake_password }}'`` inside a Python callable is never rendered (templates
  render only in an operator's templated fields): the connector receives the template text. Here the
  caller passes a way to connect: a ``SnowflakeHook`` (an Airflow Connection, the idiomatic route) or any
  zero-argument function returning a DB-API connection.
* ``WHERE appointment_date = '{execution_date}'`` (an f-string) becomes a bound ``%s`` parameter.
* ``cursor.close(); conn.close()`` ran only on success: a failed check raised first and left the connection
  open. Here the connection is closed on every path.
* Two scans of the day become one.

    validate_appointments("2025-09-30", SnowflakeHook(snowflake_conn_id="snowflake_default"))
    validate_appointments(day, lambda: snowflake.connector.connect(**params))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from typing import Any

from solutions.connections import open_connection
from solutions.days import as_date
from solutions.sql import quote_table

TABLE = "fct_appointments"

#: One pass over the day: how many appointments, and how many lack a client or clinician id.
COUNTS_SQL = """SELECT COUNT(*),
       COUNT(CASE WHEN client_id IS NULL OR clinician_id IS NULL THEN 1 END)
FROM {table}
WHERE appointment_date = %s"""



def day_to_validate(logical_date: dt.date | dt.datetime | str) -> dt.date:
    """The calendar day a daily 02:00 run checks: the day before its logical date.

    On Airflow 3 a cron schedule uses ``CronTriggerTimetable``: the run that starts at 02:00 on 1 October has
    logical date (and ``ds``) 1 October. Yesterday's appointments are the complete day it should validate.
    """
    return as_date(logical_date) - dt.timedelta(days=1)



def validate_appointments(day: dt.date | dt.datetime | str, connect: Any | Callable[[], Any], *,
                          table: str = TABLE) -> dict[str, Any]:
    """Check one day of appointments; return ``{"day": "YYYY-MM-DD", "appointments": n}`` when it passes.

    Raises ``ValueError`` (so the Airflow task fails, and retries) when the day has no appointments or when
    any appointment lacks a ``client_id`` or ``clinician_id``. The connection is closed on every path.
    """
    day = as_date(day)
    with closing(open_connection(connect)) as conn, closing(conn.cursor()) as cursor:
        cursor.execute(COUNTS_SQL.format(table=quote_table(table)), (day,))
        row_count, null_count = cursor.fetchone()
    if row_count == 0:
        raise ValueError(f"No appointments found for {day}")
    if null_count > 0:
        raise ValueError(f"Found {null_count} records with null IDs on {day}")
    print(f"✓ Validation passed: {row_count} appointments on {day}")
    return {"day": day.isoformat(), "appointments": int(row_count)}
