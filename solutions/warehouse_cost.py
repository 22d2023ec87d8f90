"""What a day of queries costs on a Snowflake warehouse: credits from a query profile.

Snowflake's billing rules (docs.snowflake.com/user-guide/warehouses-overview, .../cost-understanding-compute):

- a warehouse bills credits only while it runs: XSMALL 1 credit an hour, each size up doubles it;
- billing is per second, with a 60-second minimum each time the warehouse starts or resumes;
- with AUTO_SUSPEND = s it suspends after s seconds without a query, and AUTO_RESUME starts it again
  at the next query; ``None`` means it never suspends (it runs to the end of the day once started);
- cloud-services credits are billed only for the part above 10% of the day's warehouse credits.

The model runs one cluster and takes each query's start and duration as given (no queueing). How much
faster a query runs on a bigger warehouse is an assumption, not a Snowflake rule: ``speedup`` says how
much of each doubling shows up as speed (1.0: twice the size, half the time; 0.0: no faster at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SIZES = ("XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE", "XXXLARGE", "X4LARGE", "X5LARGE",
         "X6LARGE")
CREDITS_PER_HOUR = {size: 2 ** i for i, size in enumerate(SIZES)}
MINIMUM_SECONDS = 60
DAY_SECONDS = 86_400
CLOUD_SERVICES_FREE_SHARE = 0.10


@dataclass(frozen=True)
class Query:
    """One query: when it started (seconds after midnight), how long it ran on ``XSMALL``, where, and its tag."""

    start: float
    seconds: float
    warehouse: str = "TRANSFORM_WH"
    tag: str = ""


@dataclass(frozen=True)
class Session:
    """One stretch of a warehouse running: resumed at ``start``, suspended at ``end``, billed ``billed`` s."""

    start: float
    end: float

    @property
    def billed(self) -> float:
        return max(self.end - self.start, MINIMUM_SECONDS)


def credits_per_hour(size: str) -> int:
    """Credits an hour for one cluster of ``size`` (``XSMALL`` 1, doubling with each size)."""
    try:
        return CREDITS_PER_HOUR[size.upper()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown warehouse size {size!r}: expected one of {', '.join(SIZES)}") from None


def runtime(query: Query, size: str, speedup: float = 1.0) -> float:
    """Seconds ``query`` runs on ``size``, assuming each doubling makes it ``2 ** speedup`` times faster."""
    if not 0.0 <= speedup <= 1.0:
        raise ValueError(f"speedup must be between 0 and 1, got {speedup!r}")
    credits_per_hour(size)  # names an unknown size
    doublings = SIZES.index(size.upper())
    return query.seconds / 2 ** (doublings * speedup)


def sessions(queries: Iterable[Query], size: str = "XSMALL", auto_suspend: float | None = 600,
             speedup: float = 1.0) -> list[Session]:
    """When the warehouse runs: it resumes at a query, and suspends ``auto_suspend`` s after the last one ends."""
    if auto_suspend is not None and auto_suspend < 0:
        raise ValueError(f"auto_suspend must be >= 0 seconds or None (never), got {auto_suspend!r}")
    spans = sorted((q.start, q.start + runtime(q, size, speedup)) for q in _checked(queries))
    result: list[Session] = []
    for start, end in spans:
        if result and (auto_suspend is None or start <= result[-1].end + auto_suspend):
            last = result[-1]
            result[-1] = Session(last.start, max(last.end, end))      # still running: extend the session
        else:
            result.append(Session(start, end))
    idle = DAY_SECONDS if auto_suspend is None else auto_suspend
    return [Session(s.start, min(s.end + idle, max(DAY_SECONDS, s.end))) for s in result]


def warehouse_credits(queries: Iterable[Query], size: str = "XSMALL", auto_suspend: float | None = 600,
                      speedup: float = 1.0) -> float:
    """Credits one warehouse bills for ``queries``: every running second, at least 60 s per resume."""
    billed = sum(s.billed for s in sessions(queries, size, auto_suspend, speedup))
    return billed * credits_per_hour(size) / 3600


def daily_credits(queries: Iterable[Query], settings: dict[str, tuple[str, float | None]],
                  speedup: float = 1.0) -> dict[str, float]:
    """Credits per warehouse for a day: ``settings`` maps each warehouse to its (size, auto_suspend)."""
    by_warehouse: dict[str, list[Query]] = {}
    for q in _checked(queries):
        by_warehouse.setdefault(q.warehouse, []).append(q)
    missing = sorted(set(by_warehouse) - set(settings))
    if missing:
        raise ValueError(f"no (size, auto_suspend) for warehouse(s) {', '.join(missing)}")
    return {wh: warehouse_credits(by_warehouse.get(wh, []), size, suspend, speedup)
            for wh, (size, suspend) in settings.items()}


def billed_cloud_services(warehouse: float, cloud_services: float) -> float:
    """Cloud-services credits billed for a day: only what exceeds 10% of the day's warehouse credits."""
    return max(0.0, cloud_services - CLOUD_SERVICES_FREE_SHARE * warehouse)


def credits_by_tag(queries: Iterable[Query], size: str = "XSMALL", speedup: float = 1.0) -> dict[str, float]:
    """Credits of each query tag's execution time alone, the way QUERY_ATTRIBUTION_HISTORY leaves out idle time."""
    totals: dict[str, float] = {}
    for q in _checked(queries):
        totals[q.tag] = totals.get(q.tag, 0.0) + runtime(q, size, speedup) * credits_per_hour(size) / 3600
    return totals


def _checked(queries: Iterable[Query]) -> list[Query]:
    checked = list(queries)
    for i, q in enumerate(checked):
        if not isinstance(q, Query):
            raise TypeError(f"query {i}: expected a Query, got {type(q).__name__}")
        if q.seconds < 0 or not 0 <= q.start < DAY_SECONDS:
            raise ValueError(f"query {i}: start must be within the day and seconds >= 0, got {q}")
    return checked
