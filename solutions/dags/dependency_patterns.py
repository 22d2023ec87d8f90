"""Every way to declare task dependencies in Airflow 3.3, in one nightly marts refresh.

    start >> [land_appointments, land_payments, land_clients]       a list: one edge per task (fan-out)
    cross_downstream(landed, staged)                                 every landing before every staging build
    chain(staged, checked, publish_marts)                            equal-length lists pair up, then fan in
    notify << publish_marts                                          << reads right to left
    publish_marts.set_downstream(archive_run)                        the method behind >>

The tasks are ``EmptyOperator`` placeholders: this file is about the shape of the graph. Airflow does not
even start a worker for an ``EmptyOperator``; the scheduler marks it successful when its turn comes.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, chain, cross_downstream

with DAG(
    dag_id="dependency_patterns",
    description="Nightly marts refresh: lists, cross_downstream, chain, <<, set_downstream",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 1, "retry_delay": dt.timedelta(minutes=5)},
    tags=["dependencies"],
) as dag:
    start = EmptyOperator(task_id="start")
    landed = [EmptyOperator(task_id=f"land_{name}") for name in ("appointments", "payments", "clients")]
    staged = [EmptyOperator(task_id=f"stage_{name}") for name in ("appointments", "payments")]
    checked = [EmptyOperator(task_id=f"check_{name}") for name in ("appointments", "payments")]
    publish_marts = EmptyOperator(task_id="publish_marts")
    notify = EmptyOperator(task_id="notify")
    archive_run = EmptyOperator(task_id="archive_run")

    start >> landed  # fan-out: start >> land_appointments, start >> land_payments, start >> land_clients
    cross_downstream(landed, staged)  # 3 x 2 = 6 edges: the staging models join all three sources
    chain(staged, checked, publish_marts)  # stage_x >> check_x (pairs), then both checks >> publish_marts
    notify << publish_marts  # the same as publish_marts >> notify
    publish_marts.set_downstream(archive_run)  # the same as publish_marts >> archive_run
