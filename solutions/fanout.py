"""Fan-out over days: the task logic of the DAG ``partner_week_check`` (notebook 19, dynamic task mapping).

Each night the partner's last seven days are compared with the mart, one mapped task instance per day:

    days_to_check (one task)  ->  count_partner[day] (mapped)  ->  compare_with_mart[day] (mapped)  ->  week_report

The functions take plain arguments, so they run the same in a test, a notebook or a task. A day whose counts
disagree is a :class:`~solutions.pipeline.DataProblem` (retrying returns the same counts). ``week_report``
receives only the results of the days that succeeded (a mapped task's failed instances push no XCom), so it
checks the days it got against the days it expected and fails naming the missing ones: a report that trusted
its input would turn a failed day into a green run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from typing import Any

from solutions.pipeline import VARIABLES, DataProblem, partner_clock

DAYS = 7
MART_COUNT = "SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS WHERE APPOINTMENT_DATE = %(day)s"


def days_to_check(logical_date: dt.date | dt.datetime, days: int = DAYS) -> list[str]:
    """The ``days`` whole days before ``logical_date``, oldest first, as ISO strings (what the map expands)."""
    if isinstance(logical_date, dt.datetime):
        logical_date = logical_date.date()
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return [(logical_date - dt.timedelta(days=back)).isoformat() for back in range(days, 0, -1)]


def partner_count(day: str, *, token: str, base_url: str = VARIABLES["partner_api_base_url"]) -> dict[str, Any]:
    """How many unique appointments the partner API serves for ``day`` (every page walked)."""
    from solutions.extraction import PartnerExtractor, RetryPolicy

    extraction = PartnerExtractor(token, base_url=base_url, clock=partner_clock(),
                                  policy=RetryPolicy(seed=0)).extract(day, day)
    return {"day": day, "partner": len(extraction.records), "pages": extraction.metrics.pages}


def mart_count(day: str, connect: Callable[[], Any]) -> int:
    """Rows of ``day`` in the mart ``fct_appointments`` (the day bound, never formatted in)."""
    with closing(connect()) as conn, closing(conn.cursor()) as cursor:
        cursor.execute(MART_COUNT, {"day": day})
        return int(cursor.fetchone()[0])


def compare(day: str, partner: int, mart: int) -> dict[str, Any]:
    """One day's verdict; a difference is a DataProblem naming both counts."""
    if partner != mart:
        problem = f"partner served {partner} appointments, the mart holds {mart}"
        raise DataProblem(f"{day}: {problem}", [problem])
    return {"day": day, "appointments": mart}


def week_report(days: Iterable[str], results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The week's totals from the days that passed; raises DataProblem naming every day without a result."""
    expected = list(days)
    by_day = {result["day"]: result["appointments"] for result in results}
    missing = [day for day in expected if day not in by_day]
    if missing:
        raise DataProblem(f"{len(missing)} of {len(expected)} days did not pass: {', '.join(missing)}",
                          [f"{day}: no result" for day in missing])
    return {"days": len(expected), "appointments": sum(by_day[day] for day in expected)}
