"""The syllabus's 2 AM chain re-cut as three DAGs linked by assets instead of one schedule.

    appointments_extract      02:00 daily       outlets: raw_partner_appointments
    appointments_marts        schedule: raw_partner_appointments     outlets: fct_appointments
    customer_metrics_refresh  schedule: fct_appointments             outlets: clinician_no_show_rate

Only the first DAG runs on the clock. When its task succeeds, Airflow records an asset event for
``raw_partner_appointments`` with the task's ``extra`` (the day and how many records landed), queues every
unpaused DAG scheduled on that asset, and the scheduler starts ``appointments_marts``, which checks the day's
marts and, when they pass, records ``fct_appointments`` for that day; that starts ``customer_metrics_refresh``.
A failed step records no event, so nothing downstream runs on bad or missing data, and no consumer waits on
a guess about how long the step before it takes.

Each consumer reads its days from the events that triggered it (``solutions.assets.days_of``): an asset-triggered
run has no logical date, and one run may carry several events (the producer ran three times before the
scheduler started the consumer: three days to check). A run started by hand reads the asset's newest event
instead (``inlets``).
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import dag, task

from solutions.assets import CLINICIAN_NO_SHOW_RATE, FCT_APPOINTMENTS, RAW_APPOINTMENTS, days_of

START = pendulum.datetime(2025, 9, 1, tz="UTC")
DEFAULTS = {"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)}


def _snowflake():
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    from solutions.pipeline import SNOWFLAKE_CONN_ID

    return SnowflakeHook(snowflake_conn_id=SNOWFLAKE_CONN_ID).get_conn


def _fail_on_bad_data(run):
    from airflow.sdk.exceptions import AirflowFailException

    from solutions.pipeline import DataProblem

    try:
        return run()
    except DataProblem as problem:
        raise AirflowFailException(str(problem)) from problem


@dag(dag_id="appointments_extract", schedule="0 2 * * *", start_date=START, catchup=False,
     default_args=DEFAULTS, tags=["assets", "appointments"], doc_md=__doc__)
def appointments_extract():
    @task(outlets=[RAW_APPOINTMENTS])
    def extract_partner_day(logical_date=None, outlet_events=None) -> dict:
        from airflow.sdk import Variable

        from solutions import pipeline
        from solutions.validation import day_to_validate

        day, config = day_to_validate(logical_date).isoformat(), pipeline.PipelineConfig.from_airflow()
        result = _fail_on_bad_data(lambda: pipeline.extract_and_land(
            day, token=Variable.get("partner_api_key"), connect=_snowflake(), base_url=config.partner_api_base_url))
        outlet_events[RAW_APPOINTMENTS].extra = {"day": day, "records": result["records"]}
        return result

    extract_partner_day()


@dag(dag_id="appointments_marts", schedule=RAW_APPOINTMENTS, start_date=START, catchup=False,
     default_args=DEFAULTS, tags=["assets", "appointments"], doc_md=__doc__)
def appointments_marts():
    @task(inlets=[RAW_APPOINTMENTS], outlets=[FCT_APPOINTMENTS])
    def check_marts_day(triggering_asset_events=None, inlet_events=None, outlet_events=None) -> dict:
        from solutions import pipeline

        days = days_of(RAW_APPOINTMENTS, triggering_asset_events, inlet_events)
        config = pipeline.PipelineConfig.from_airflow()
        checks = sum(_fail_on_bad_data(lambda day=day: pipeline.quality_checks(
            day, connect=_snowflake(), backend_base_url=config.backend_api_base_url))["checks"] for day in days)
        outlet_events[FCT_APPOINTMENTS].extra = {"day": days[-1], "days": days, "checks": checks}
        return {"days": days, "checks": checks}

    check_marts_day()


@dag(dag_id="customer_metrics_refresh", schedule=FCT_APPOINTMENTS, start_date=START, catchup=False,
     default_args=DEFAULTS, tags=["assets", "customer-metrics"], doc_md=__doc__)
def customer_metrics_refresh():
    @task(inlets=[FCT_APPOINTMENTS], outlets=[CLINICIAN_NO_SHOW_RATE])
    def refresh_clinician_metrics(triggering_asset_events=None, inlet_events=None, outlet_events=None) -> dict:
        from solutions import pipeline

        day = days_of(FCT_APPOINTMENTS, triggering_asset_events, inlet_events)[-1]  # a rebuild as of the newest
        result = _fail_on_bad_data(
            lambda: pipeline.refresh_customer_metrics(day, pipeline.PipelineConfig.from_airflow().dbt()))
        outlet_events[CLINICIAN_NO_SHOW_RATE].extra = {"day": day}
        return {"day": day, **result}

    refresh_clinician_metrics()


extract_dag = appointments_extract()
marts_dag = appointments_marts()
metrics_dag = customer_metrics_refresh()
