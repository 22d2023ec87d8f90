"""sim.queueing asks Airflow's own scheduler code what it would queue: pools, priorities, concurrency limits,
max_active_runs and params validation, on the kit's warehouse backfill DAG."""

from __future__ import annotations

import pytest

import sim

DAYS = [f"2025-09-{d}" for d in range(21, 31)]


@pytest.fixture(scope="module")
def backfill(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("queueing"))
    _ = world.airflow  # configure Airflow before anything imports it
    from solutions.dags.warehouse_backfill import dag
    yield dag
    sim.stop()


def test_a_missing_pool_queues_nothing_and_a_pool_of_three_runs_three_at_a_time(backfill):
    from sim.queueing import pool_slots, pools, queue_ticks

    task = backfill.get_task("dbt_run_day")
    task.pool = "queueing_test_pool"  # a pool no other test creates (one metadata DB per test process)
    try:
        missing = queue_ticks(backfill, "2025-10-01", outputs={"plan_days": DAYS})
        assert missing.ticks == [["plan_days"]]
        assert missing.never_queued == [f"dbt_run_day[{i}]" for i in range(10)]

        pools(queueing_test_pool=3, snowflake_warehouse=3)  # dbt_test_days keeps the warehouse pool
        timeline = queue_ticks(backfill, "2025-10-01", outputs={"plan_days": DAYS})
    finally:
        task.pool = "snowflake_warehouse"
    assert timeline.most_at_once("dbt_run_day") == 3
    assert [len(tick) for tick in timeline.ticks] == [1, 3, 3, 3, 1, 1]
    assert timeline.first_tick("dbt_test_days") == 6
    assert pool_slots()["queueing_test_pool"] == {"total": 3, "running": 0, "queued": 0, "deferred": 0, "open": 3}
    assert "dbt_run_day[0..2]" in str(timeline)


def test_priority_decides_who_takes_the_next_free_slot(backfill):
    from sim.queueing import pools, queue_ticks

    pools(snowflake_warehouse=3)
    timeline = queue_ticks(backfill, "2025-10-01", outputs={"plan_days": DAYS}, runs=2)
    # two runs compete; equal weights: the earlier logical date first, then map index
    assert timeline.ticks[1] == ["dbt_run_day[0]@2025-09-30", "dbt_run_day[1]@2025-09-30",
                                 "dbt_run_day[2]@2025-09-30"]


def test_max_active_runs_keeps_the_second_run_queued(backfill):
    from sim.queueing import start_queued_runs

    assert start_queued_runs(backfill, "2025-10-01", runs=3) == {
        "queued__2025-09-29": "running", "queued__2025-09-30": "queued", "queued__2025-10-01": "queued"}


def test_validate_conf_is_what_a_trigger_gets(backfill):
    from airflow.exceptions import ParamValidationError

    from sim.queueing import validate_conf

    assert validate_conf(backfill, {"first_day": "2025-09-01"}) == {"first_day": "2025-09-01",
                                                                      "last_day": "2025-09-30"}
    with pytest.raises(ParamValidationError, match="is not a 'date'"):
        validate_conf(backfill, {"last_day": "2025-02-30"})


def test_pools_refuses_a_negative_size(backfill):
    from sim.queueing import pools

    with pytest.raises(ValueError, match="snowflake_warehouse"):
        pools(snowflake_warehouse=-1)
