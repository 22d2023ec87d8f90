"""solutions.dag_inspect: next runs from a DAG's timetable as the scheduler computes them; edges; Mermaid."""

from __future__ import annotations

import datetime as dt

import pytest

from solutions.dag_inspect import edges, mermaid, next_runs, topological_order

UTC = dt.timezone.utc


def dag_with(schedule, start=dt.datetime(2025, 9, 1, tzinfo=UTC), **kwargs):
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    with DAG("inspect_me", schedule=schedule, start_date=start, **kwargs) as dag:
        a, b, c = (EmptyOperator(task_id=n) for n in "abc")
        a >> [b, c]
        EmptyOperator(task_id="alone")
    return dag


def rows(runs):
    return [(r.run_after.isoformat(), r.ds, r.data_interval_start.isoformat(), r.data_interval_end.isoformat())
            for r in runs]


def test_cron_trigger_timetable_ds_is_the_run_itself():
    assert rows(next_runs(dag_with("0 2 * * *"), "2025-10-01", 2)) == [
        ("2025-10-01T02:00:00+00:00", "2025-10-01", "2025-10-01T02:00:00+00:00", "2025-10-01T02:00:00+00:00"),
        ("2025-10-02T02:00:00+00:00", "2025-10-02", "2025-10-02T02:00:00+00:00", "2025-10-02T02:00:00+00:00")]


def test_cron_data_interval_timetable_ds_is_the_interval_start():
    from airflow.sdk import CronDataIntervalTimetable

    dag = dag_with(CronDataIntervalTimetable("0 2 * * *", timezone="UTC"))
    assert rows(next_runs(dag, "2025-10-01", 1)) == [
        ("2025-10-01T02:00:00+00:00", "2025-09-30", "2025-09-30T02:00:00+00:00", "2025-10-01T02:00:00+00:00")]


def test_timedelta_and_preset():
    assert [r[0] for r in rows(next_runs(dag_with(dt.timedelta(hours=6)), "2025-10-01T01:00", 3))] == [
        "2025-10-01T06:00:00+00:00", "2025-10-01T12:00:00+00:00", "2025-10-01T18:00:00+00:00"]
    assert [r[0] for r in rows(next_runs(dag_with("@daily"), "2025-10-01T00:00:01", 1))] == ["2025-10-02T00:00:00+00:00"]


def test_runs_never_start_before_start_date():
    dag = dag_with("0 2 * * *", start=dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert next_runs(dag, "2025-10-01", 1)[0].run_after == dt.datetime(2026, 1, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("schedule", [None, "@once"])
def test_unscheduled_and_once(schedule):
    runs = next_runs(dag_with(schedule), "2025-08-01", 3)
    assert len(runs) == (0 if schedule is None else 1)


def test_catchup_does_not_change_the_plan():
    assert rows(next_runs(dag_with("0 2 * * *", catchup=True), "2025-10-01", 2)) == \
        rows(next_runs(dag_with("0 2 * * *", catchup=False), "2025-10-01", 2))


def test_edges_topological_order_and_mermaid():
    dag = dag_with(None)
    assert edges(dag) == {("a", "b"), ("a", "c")}
    assert topological_order(dag) == ["a", "alone", "b", "c"]
    assert mermaid(dag) == ("```mermaid\nflowchart LR\n    a\n    alone\n    b\n    c\n"
                            "    a --> b\n    a --> c\n```")
    assert mermaid(dag, "TB", fenced=False).splitlines()[0] == "flowchart TB"


def test_topological_order_survives_a_cycle():
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    with DAG("cyclic", schedule=None) as dag:
        s, a, b = (EmptyOperator(task_id=n) for n in ("start", "a", "b"))
        s >> a >> b >> a
    assert topological_order(dag) == ["start", "a", "b"]
    assert "b --> a" in mermaid(dag)


def test_backfill_plan_bounds_logical_dates_as_timestamps():
    from solutions.dag_inspect import backfill_plan

    dag = dag_with("0 2 * * *")
    bare = backfill_plan(dag, "airflow backfill create --dag-id inspect_me"
                              " --from-date 2025-09-02 --to-date 2025-09-11")
    assert (bare.to_date, len(bare.logical_dates)) == (dt.datetime(2025, 9, 11, tzinfo=UTC), 9)
    timed = backfill_plan(dag, ["backfill", "create", "--dag-id", "inspect_me", "--from-date", "2025-09-02",
                                "--to-date", "2025-09-11T02:00", "--run-backwards", "--max-active-runs", "1"])
    assert [d.day for d in timed.logical_dates] == list(range(11, 1, -1))
    assert (timed.max_active_runs, timed.reprocess_behavior, timed.run_backwards) == (1, "none", True)


@pytest.mark.parametrize("command", ["airflow dags backfill inspect_me",
                                     "airflow backfill create --dag-id x",
                                     "airflow backfill create --dag-id x --from-date 2025-09-02"
                                     " --to-date nope",
                                     "airflow backfill create --dag-id x --from-date 2025-09-02 "
                                     "--to-date 2025-09-11 --max-active-runs 0"])
def test_parse_backfill_command_refuses_what_airflow_refuses(command, capsys):
    from solutions.dag_inspect import parse_backfill_command

    with pytest.raises(ValueError):
        parse_backfill_command(command)
