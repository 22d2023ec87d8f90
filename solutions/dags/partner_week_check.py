"""The partner's last seven days against the mart, one mapped task instance per day.

``days_to_check`` returns a list; ``count_partner.partial(...).expand(day=...)`` makes one instance of
``count_partner`` per element when the run reaches it (``map_index`` 0..6, labelled with the day in the UI
through ``map_index_template``). ``count_partner`` returns a dict per day, and ``compare_with_mart.expand_kwargs``
turns each dict into the keyword arguments of one ``compare_with_mart`` instance. ``week_report`` gets the
instances' return values as one lazy sequence; it runs even when a day failed (``trigger_rule="all_done"``), says
which days passed, and then fails naming the days that did not, so the run is red.

``max_active_tis_per_dagrun=2`` on the partner calls: at most two instances of ``count_partner`` run at once
in one run (the partner allows 5 requests a second). The scheduler enforces it; ``dag.test()`` runs one task
instance at a time anyway.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Variable, dag, task
from airflow.sdk.exceptions import AirflowFailException

from solutions import fanout
from solutions.pipeline import VARIABLES, DataProblem

# a template: rendered when each instance runs (TaskFlow arguments are templated), never read at parse time
BASE_URL = "{{ var.value.get('partner_api_base_url', '%s') }}" % VARIABLES["partner_api_base_url"]


@dag(
    dag_id="partner_week_check",
    schedule="0 4 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["mapping", "partner"],
    doc_md=__doc__,
)
def partner_week_check():
    @task
    def days_to_check(logical_date=None) -> list[str]:
        return fanout.days_to_check(logical_date)

    @task(map_index_template="{{ task.op_kwargs['day'] }}", max_active_tis_per_dagrun=2)
    def count_partner(day: str, base_url: str) -> dict:
        return fanout.partner_count(day, token=Variable.get("partner_api_key"), base_url=base_url)

    @task(map_index_template="{{ task.op_kwargs['day'] }}")
    def compare_with_mart(day: str, partner: int, pages: int) -> dict:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        mart = fanout.mart_count(day, SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)
        try:
            return fanout.compare(day, partner, mart)
        except DataProblem as problem:
            raise AirflowFailException(str(problem)) from problem  # the same counts on every retry

    @task(trigger_rule="all_done")
    def week_report(days: list[str], results) -> dict:
        for result in results:
            print(f"{result['day']}: {result['appointments']} appointments, partner and mart agree")
        try:
            return fanout.week_report(days, results)
        except DataProblem as problem:
            raise AirflowFailException(str(problem)) from problem

    days = days_to_check()
    partner = count_partner.partial(base_url=BASE_URL).expand(day=days)
    week_report(days, compare_with_mart.expand_kwargs(partner))


dag = partner_week_check()
