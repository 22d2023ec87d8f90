"""Serving the customer dashboard: an in-process cache, cache warming, and a query-latency check that alerts.

Customers generate load nobody schedules: Monday-morning logins, a clinic refreshing a page, a partner
integration polling. Three habits keep that load cheap and the dashboard fast:

* **A small cache in the API process** (:class:`RatesCache`): TTL + LRU, keyed by ``(clinician_id, months)``,
  with hit/miss counters, on an injected clock so expiry is testable. The key starts with the *session's*
  clinician id, so one clinician's cached answer can never be served to another. A team would use
  ``cachetools.TTLCache(maxsize, ttl, timer=clock.monotonic)`` (or Redis when several API processes must
  share it); the counters are what matters in an interview: a cache nobody measures is a guess.
* **Warming** (:func:`warm_cache`): right after the nightly rebuild, pre-run the common requests for the
  most active clinicians, so their first visit of the day hits the cache instead of a cold warehouse.
  The rebuild is also when the cache must be emptied (:meth:`MetricsService.invalidate`): a TTL only bounds
  how stale an answer can be.
* **A latency check** (:class:`LatencyMonitor`): every warehouse query the service makes is timed with the
  injected clock; :meth:`LatencyMonitor.check` compares the p95 of the recent window with the SLO and posts to
  Slack (``solutions.alerting.post_alert``) when it goes over, once, and again when it recovers.
  Customers feel the slow tail, not the average: one 8-second query in twenty hides in a mean of 0.5 s.

In production the warehouse side is measured too, from query history (:data:`QUERY_HISTORY_SQL`): queueing on
an undersized warehouse shows up there before the dashboard's p95 moves.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from solutions.clock import Clock, SystemClock
from solutions.connections import connected
from solutions.customer_metrics import TABLE, ClinicianSession, MonthlyRate, no_show_rates

#: What a monitoring job would read in Snowflake (not available in the sim): the dashboard's queries, tagged
#: by the service with ``ALTER SESSION SET QUERY_TAG = 'customer_dashboard'``, per hour, from the Information
#: Schema's table function: no latency, 7 days kept, 100 rows unless ``RESULT_LIMIT`` says more (10,000 at
#: most). ``SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY`` keeps a year but lags (up to 45 minutes): for trends, too
#: late for an early warning. Parameters: warehouse name, then the start and end of the window (end times).
QUERY_HISTORY_SQL = """SELECT DATE_TRUNC('hour', START_TIME) AS HOUR,
       COUNT(*) AS QUERIES,
       APPROX_PERCENTILE(TOTAL_ELAPSED_TIME, 0.95) / 1000 AS P95_SECONDS,
       MAX(QUEUED_OVERLOAD_TIME) / 1000 AS MAX_QUEUED_SECONDS
FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY_BY_WAREHOUSE(
       WAREHOUSE_NAME => %s, END_TIME_RANGE_START => %s, END_TIME_RANGE_END => %s, RESULT_LIMIT => 10000))
WHERE QUERY_TAG = 'customer_dashboard'
GROUP BY 1
ORDER BY 1"""

_MISSING = object()


class RatesCache:
    """A TTL + LRU cache with counters. ``get`` returns ``None`` on a miss (cached values are lists)."""

    def __init__(self, *, ttl: float = 900.0, maxsize: int = 1000, clock: Clock | None = None) -> None:
        if ttl <= 0 or maxsize < 1:
            raise ValueError("ttl must be positive and maxsize at least 1")
        self.ttl = ttl
        self.maxsize = maxsize
        self.clock = clock if clock is not None else SystemClock()
        self._items: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self.hits = self.misses = self.expired = self.evicted = 0

    def get(self, key: Any) -> Any:
        entry = self._items.get(key, _MISSING)
        if entry is not _MISSING and self.clock.monotonic() < entry[0]:
            self._items.move_to_end(key)
            self.hits += 1
            return entry[1]
        if entry is not _MISSING:
            del self._items[key]
            self.expired += 1
        self.misses += 1
        return None

    def put(self, key: Any, value: Any) -> None:
        self._items[key] = (self.clock.monotonic() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)
            self.evicted += 1

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def stats(self) -> dict[str, Any]:
        asked = self.hits + self.misses
        return {"size": len(self), "hits": self.hits, "misses": self.misses, "expired": self.expired,
                "evicted": self.evicted, "hit_rate": round(self.hits / asked, 3) if asked else None}


def p95(samples: Sequence[float]) -> float | None:
    """The 95th percentile by nearest rank (a value that really occurred); ``None`` without samples."""
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


@dataclass(frozen=True)
class LatencyReport:
    samples: int
    p50: float | None
    p95: float | None
    worst: float | None
    threshold: float
    breached: bool

    def message(self, name: str) -> str:
        if self.p95 is None:
            return f"{name}: no queries measured yet"
        state = "over" if self.breached else "within"
        return (f"{name} latency {state} SLO: p95 {self.p95:.2f} s vs {self.threshold:.2f} s over the last "
                f"{self.samples} queries (p50 {self.p50:.2f} s, worst {self.worst:.2f} s)")


class LatencyMonitor:
    """Times queries on ``clock``; alerts when the p95 of the last ``window`` exceeds ``threshold`` seconds.

    Alerts on the transition (ok -> over: one alert, over -> ok: one recovery note), not on every check, and
    not before ``min_samples`` queries (three slow queries after a deploy are not an incident).
    """

    def __init__(self, *, threshold: float, window: int = 200, min_samples: int = 20,
                 clock: Clock | None = None, alert: Callable[[str], None] | None = None,
                 name: str = "Customer dashboard") -> None:
        if threshold <= 0 or window < 1 or not 1 <= min_samples <= window:
            raise ValueError("threshold must be positive and 1 <= min_samples <= window")
        self.threshold = threshold
        self.window = window
        self.min_samples = min_samples
        self.clock = clock if clock is not None else SystemClock()
        self.alert = alert if alert is not None else _post_alert
        self.name = name
        self.samples: list[float] = []
        self.breached = False

    def record(self, seconds: float) -> None:
        self.samples.append(float(seconds))
        del self.samples[:-self.window]

    def timed(self, call: Callable[[], Any]) -> Any:
        """Run ``call()`` and record how long it took on the monitor's clock (also when it raises)."""
        start = self.clock.monotonic()
        try:
            return call()
        finally:
            self.record(self.clock.monotonic() - start)

    def report(self) -> LatencyReport:
        s = self.samples
        high = p95(s)
        over = len(s) >= self.min_samples and high is not None and high > self.threshold
        middle = sorted(s)[math.ceil(0.5 * len(s)) - 1] if s else None
        return LatencyReport(len(s), middle, high, max(s) if s else None, self.threshold, over)

    def check(self) -> LatencyReport:
        """Report, and post to Slack when the state changes (``AlertError`` if Slack cannot be told)."""
        report = self.report()
        if report.breached != self.breached:
            prefix = "ALERT" if report.breached else "RECOVERED"
            self.alert(f"{prefix}: {report.message(self.name)}")
            self.breached = report.breached
        return report


def _post_alert(text: str) -> None:
    from solutions.alerting import post_alert

    post_alert(text)


class MetricsService:
    """What the dashboard API calls per request: the cache first, then a timed warehouse query.

    ``query`` is :func:`solutions.customer_metrics.no_show_rates` (injectable, e.g. to simulate a slow
    warehouse on a fake clock). Cache keys start with the session's clinician id.
    """

    def __init__(self, connection: Any, *, cache: RatesCache | None = None,
                 monitor: LatencyMonitor | None = None,
                 query: Callable[..., list[MonthlyRate]] = no_show_rates) -> None:
        self.connection = connection
        self.cache = cache if cache is not None else RatesCache()  # an empty cache is falsy
        self.monitor = monitor
        self.query = query

    def no_show_rates(self, session: ClinicianSession, *, months: int = 12) -> list[MonthlyRate]:
        if not isinstance(session, ClinicianSession):
            raise TypeError(f"expected a ClinicianSession, got {type(session).__name__}")
        key = (session.clinician_id, months)
        cached = self.cache.get(key)
        if cached is not None:
            return list(cached)
        rows = self._load(session, months)
        self.cache.put(key, tuple(rows))
        return rows

    def _load(self, session: ClinicianSession, months: int) -> list[MonthlyRate]:
        def call() -> list[MonthlyRate]:
            return self.query(session, months=months, connection=self.connection)

        return self.monitor.timed(call) if self.monitor else call()

    def warm(self, clinician_ids: Iterable[int], months: Iterable[int] = (12,)) -> int:
        """Load these requests into the cache (a trusted job acting for each clinician); returns how many."""
        loaded = 0
        for clinician_id in clinician_ids:
            session = ClinicianSession(clinician_id)
            for m in months:
                self.cache.put((clinician_id, m), tuple(self._load(session, m)))
                loaded += 1
        return loaded

    def invalidate(self) -> None:
        """Forget every cached answer: call it when the table is rebuilt, before warming."""
        self.cache.clear()


def most_active_clinicians(connection: Any, n: int) -> list[int]:
    """The ``n`` clinicians with the most appointments in the pre-aggregate (ties by id: deterministic).

    A proxy for "who will open the dashboard"; with request logs, warm the clinicians who actually did.
    """
    if type(n) is not int or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    with connected(connection) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT CLINICIAN_ID FROM {TABLE} GROUP BY CLINICIAN_ID "
                    f"ORDER BY SUM(TOTAL_APPOINTMENTS::NUMBER(38, 0)) DESC, CLINICIAN_ID LIMIT %s", (n,))
        return [int(row[0]) for row in cur.fetchall()]


def warm_cache(service: MetricsService, *, top: int = 20, months: Iterable[int] = (12, 3)) -> int:
    """After a rebuild: empty the cache, then pre-run ``months`` for the ``top`` most active clinicians."""
    service.invalidate()
    return service.warm(most_active_clinicians(service.connection, top), months)
