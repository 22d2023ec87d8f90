"""The dashboard's serving layer: a TTL/LRU cache with counters, warming, per-clinician keys, p95 alerts."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.clock import FakeClock
from solutions import customer_metrics as cm
from solutions import customer_serving as cs
from solutions.alerting import AlertError


@pytest.fixture(scope="module")
def world(start_module_world):
    world = start_module_world(start_date=dt.date(2024, 10, 1), days=365, appointments=20000)
    cm.precompute_clinician_metrics(world.warehouse.connect, dt.date(2025, 9, 30))
    return world


# -- the cache -----------------------------------------------------------------------------------------------


def test_cache_counts_hits_and_misses_and_expires_on_its_clock():
    clock = FakeClock()
    cache = cs.RatesCache(ttl=60, clock=clock)
    assert cache.get("a") is None
    cache.put("a", (1,))
    assert cache.get("a") == (1,)
    clock.advance(59.9)
    assert cache.get("a") == (1,)
    clock.advance(0.1)
    assert cache.get("a") is None
    assert cache.stats() == {"size": 0, "hits": 2, "misses": 2, "expired": 1, "evicted": 0, "hit_rate": 0.5}


def test_cache_evicts_the_least_recently_used():
    cache = cs.RatesCache(maxsize=2, clock=FakeClock())
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")          # a is now the most recent
    cache.put("c", 3)       # so b goes
    assert (cache.get("b"), cache.get("a"), cache.get("c")) == (None, 1, 3)
    assert cache.evicted == 1 and len(cache) == 2


def test_cache_keeps_empty_answers_and_can_be_cleared():
    cache = cs.RatesCache(clock=FakeClock())
    cache.put("nobody", ())
    assert cache.get("nobody") == ()
    cache.clear()
    assert len(cache) == 0 and cache.get("nobody") is None


@pytest.mark.parametrize("kwargs", [{"ttl": 0}, {"maxsize": 0}])
def test_cache_refuses_nonsense_settings(kwargs):
    with pytest.raises(ValueError):
        cs.RatesCache(**kwargs)


# -- p95 and the latency monitor -----------------------------------------------------------------------------


@pytest.mark.parametrize("samples, expected", [
    ([], None), ([0.3], 0.3), (list(range(1, 101)), 95), ([0.1] * 97 + [10.0] * 3, 0.1),
    ([0.1] * 90 + [2.0] * 10, 2.0), ([5, 1, 4, 2, 3], 5),
])
def test_p95_is_the_nearest_rank(samples, expected):
    assert cs.p95(samples) == expected


def monitor(world, **kwargs):
    settings = {"threshold": 1.0, "window": 50, "min_samples": 10, "clock": FakeClock()} | kwargs
    return cs.LatencyMonitor(**settings)


def test_monitor_alerts_once_when_p95_goes_over_and_once_when_it_recovers(world):
    world.slack.messages.clear()
    m = monitor(world)
    for _ in range(9):
        m.record(3.0)
    assert not m.check().breached and world.slack.texts == []  # 9 samples: too few to judge
    m.record(3.0)
    report = m.check()
    assert report.breached and report.p95 == 3.0
    assert world.slack.texts == ["ALERT: Customer dashboard latency over SLO: p95 3.00 s vs 1.00 s over the "
                                 "last 10 queries (p50 3.00 s, worst 3.00 s)"]
    m.check()
    assert len(world.slack.texts) == 1  # still breached: no repeat
    for _ in range(50):
        m.record(0.2)
    assert not m.check().breached
    assert world.slack.texts[-1].startswith("RECOVERED: Customer dashboard latency within SLO: p95 0.20 s")


def test_monitor_ignores_a_slow_tail_under_five_percent(world):
    m = monitor(world, alert=lambda text: pytest.fail(text))
    for seconds in [0.1] * 48 + [9.0] * 2:
        m.record(seconds)
    report = m.check()
    assert (report.breached, report.p95, report.worst) == (False, 0.1, 9.0)


def test_monitor_times_with_its_clock_even_when_the_call_raises(world):
    clock = FakeClock()
    m = monitor(world, clock=clock)
    assert m.timed(lambda: clock.advance(0.25) or "rows") == "rows"

    def boom():
        clock.advance(4.0)
        raise TimeoutError

    with pytest.raises(TimeoutError):
        m.timed(boom)
    assert m.samples == [0.25, 4.0]


def test_monitor_keeps_only_the_window(world):
    m = monitor(world, window=3, min_samples=1)
    for seconds in [9, 9, 1, 1, 1]:
        m.record(seconds)
    assert m.samples == [1.0, 1.0, 1.0] and not m.report().breached


def test_an_undeliverable_alert_raises_and_is_retried_on_the_next_check(world):
    m = monitor(world, min_samples=1)
    m.record(5.0)
    world.slack.inject("server_error")
    with pytest.raises(AlertError):
        m.check()
    assert not m.breached
    before = len(world.slack.texts)
    assert m.check().breached and len(world.slack.texts) == before + 1


# -- the service ---------------------------------------------------------------------------------------------


def test_service_caches_per_clinician_and_never_mixes_them(world):
    service = cs.MetricsService(world.warehouse.connect, cache=cs.RatesCache(clock=FakeClock()))
    a, b = cm.ClinicianSession(5001), cm.ClinicianSession(5002)
    first = service.no_show_rates(a)
    assert service.no_show_rates(a) == first and service.cache.hits == 1
    other = service.no_show_rates(b)
    assert {r.clinician_id for r in other} == {5002} and service.cache.misses == 2
    assert service.no_show_rates(a, months=3) == first[-3:]  # another key: another query
    with pytest.raises(TypeError):
        service.no_show_rates(5001)


def test_service_uses_the_cache_it_is_given_even_when_empty(world):
    clock = FakeClock()
    cache = cs.RatesCache(ttl=60, clock=clock)
    service = cs.MetricsService(world.warehouse.connect, cache=cache)
    assert service.cache is cache
    service.no_show_rates(cm.ClinicianSession(5001))
    clock.advance(60)
    service.no_show_rates(cm.ClinicianSession(5001))
    assert (cache.hits, cache.misses, cache.expired) == (0, 2, 1)


def test_service_times_only_warehouse_queries(world):
    clock = FakeClock()

    def slow(session, *, months, connection):
        clock.advance(0.4)
        return cm.no_show_rates(session, months=months, connection=connection)

    m = monitor(world, clock=clock)
    service = cs.MetricsService(world.warehouse.connect, cache=cs.RatesCache(clock=clock), monitor=m,
                                query=slow)
    for _ in range(3):
        service.no_show_rates(cm.ClinicianSession(5003))
    assert m.samples == [0.4]  # two hits, one query


def test_most_active_clinicians_is_deterministic(world):
    rows = world.warehouse.query(f"SELECT CLINICIAN_ID, SUM(TOTAL_APPOINTMENTS) FROM {cm.TABLE} GROUP BY 1")
    expected = [c for c, _ in sorted(rows, key=lambda r: (-r[1], r[0]))][:5]
    assert cs.most_active_clinicians(world.warehouse.connect, 5) == expected
    with pytest.raises(ValueError):
        cs.most_active_clinicians(world.warehouse.connect, 0)


def test_warming_turns_first_visits_into_hits(world):
    service = cs.MetricsService(world.warehouse.connect, cache=cs.RatesCache(clock=FakeClock()))
    service.no_show_rates(cm.ClinicianSession(5001))
    assert cs.warm_cache(service, top=10, months=(12, 3)) == 20
    assert len(service.cache) == 20  # the earlier entry was invalidated first
    misses = service.cache.misses
    for clinician_id in cs.most_active_clinicians(world.warehouse.connect, 10):
        service.no_show_rates(cm.ClinicianSession(clinician_id))
        service.no_show_rates(cm.ClinicianSession(clinician_id), months=3)
    assert service.cache.misses == misses and service.cache.hits == 20


def test_query_history_sql_reads_the_near_real_time_table_function():
    """Snowflake SQL (parsed by sqlglot's Snowflake dialect), from the Information Schema's table function
    with an explicit RESULT_LIMIT (the default is 100 rows), not from the lagging ACCOUNT_USAGE view."""
    import sqlglot

    parsed = sqlglot.parse_one(cs.QUERY_HISTORY_SQL.replace("%s", "NULL"), read="snowflake")
    sql = parsed.sql("snowflake")
    assert "INFORMATION_SCHEMA.QUERY_HISTORY_BY_WAREHOUSE(" in sql and "RESULT_LIMIT => 10000" in sql
    assert "ACCOUNT_USAGE" not in sql
    assert cs.QUERY_HISTORY_SQL.count("%s") == 3
