"""Scenario 1: the daily pipeline for clinic appointments, end to end, on Airflow 3.3.

    wait_for_partner_file >> extract_partner_appointments >> dbt_run >> [dbt_test, quality_checks]
        >> refresh_customer_metrics >> notify_slack

The syllabus's answer is "extract >> dbt_run >> quality_checks >> cache_refresh >> alert". This DAG keeps that
shape except the alert: a task at the end of the chain, with the default ``all_success``, is
``upstream_failed`` exactly when something failed, so failures alert from ``on_failure_callback`` and the last
task posts the green summary. And it adds what the answer leaves out:

* **Which day.** The 02:00 run on day D processes D-1 (``CronTriggerTimetable``: the logical date is D), and
  every task receives that day: the S3 key, the API's date range, dbt's ``--vars``, the checks. Nothing
  reads the wall clock, so a rerun or a backfill of a day processes that day.
* **Idempotent steps.** Landing replaces the day's raw rows; dbt's fact replaces the day (delete+insert); the
  customer-facing table is rebuilt. Running a day twice leaves the warehouse as after one run.
* **A contract with the partner.** The partner writes ``partner/appointments/<day>/ready.json`` with its count
  when the day is closed; the sensor waits for it (rescheduling between pokes, so no worker slot is held)
  and the extract fails if the API serves a different number of appointments.
* **Tests in two places.** ``dbt test`` (set-based rules on the models) and Python checks (volume anomaly,
  a cross-check against the billing API) run side by side after ``dbt run``. Either failing stops the
  customer-facing refresh: customers never see a day that failed its checks.
* **An SLA.** Airflow 3 removed ``sla=``; its replacement is a Deadline Alert on the DAG, e.g.
  ``deadline=DeadlineAlert(reference=DeadlineReference.DAGRUN_QUEUED_AT, interval=timedelta(hours=4),
  callback=SyncCallback("solutions.pipeline.deadline_missed"))``: queued at 02:00, done by 06:00, or Slack
  hears about it. It is not set here because ``dag.test()`` (how the kit runs DAGs) fails on a DAG with a
  deadline in Airflow 3.3.2; under a real scheduler, add it.
* **Failures that say what failed.** Bad data raises ``AirflowFailException`` (no retries: the answer would
  not change); an API or warehouse outage raises an ordinary error and is retried. Every task alerts Slack
  when it fails for good (``on_failure_callback``), naming the failing tests and checks; a green run posts
  a summary.
* **Configuration, not code, says where things are.** Endpoints come from Airflow Variables and Connections
  (``solutions.pipeline.VARIABLES``: partner/backend base URLs, bucket, dbt settings; ``snowflake_default``,
  ``aws_default``; secrets ``partner_api_key`` and ``slack_webhook_url``), read when a task runs, never while
  this file is parsed.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.sdk import DAG, task

from solutions import pipeline
from solutions.alerting import SlackNotifier

DAG_ID = "clinic_appointments_pipeline"
RAW_BUCKET = "{{ var.value.get('raw_bucket', 'simplepractice-raw-data') }}"  # rendered when the task runs
READY_KEY = pipeline.READY_KEY.format(day="{{ macros.ds_add(ds, -1) }}")  # the day the run processes


def _day(logical_date) -> str:
    from solutions.validation import day_to_validate

    return day_to_validate(logical_date).isoformat()


def _fail_on_bad_data(run):
    """Bad data fails the task for good (no retry); anything else propagates and is retried."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        return run()
    except pipeline.DataProblem as problem:
        raise AirflowFailException(str(problem)) from problem


def _snowflake():
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    return SnowflakeHook(snowflake_conn_id=pipeline.SNOWFLAKE_CONN_ID).get_conn


with DAG(
    dag_id=DAG_ID,
    description="Partner appointments -> RAW -> dbt -> checks -> customer metrics, one day per run",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # scheduled days one at a time (a backfill has its own: --max-active-runs 1)
    default_args={
        "owner": "data-team",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=5),
        "on_failure_callback": SlackNotifier(),  # once per task that fails for good
    },
    tags=["scenario", "dbt", "appointments"],
    doc_md=__doc__,
) as dag:
    wait_for_partner_file = S3KeySensor(
        task_id="wait_for_partner_file",
        bucket_name=RAW_BUCKET,
        bucket_key=READY_KEY,
        aws_conn_id="aws_default",
        mode="reschedule",  # frees the worker slot between pokes
        poke_interval=10,
        timeout=3 * 60 * 60,  # three hours late is an incident: fail (and alert) instead of waiting on
    )

    @task
    def extract_partner_appointments(logical_date=None) -> dict:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        from airflow.sdk import Variable

        day, config = _day(logical_date), pipeline.PipelineConfig.from_airflow()
        marker = S3Hook(aws_conn_id=pipeline.AWS_CONN_ID).read_key(pipeline.ready_key(day), config.raw_bucket)

        def run():
            expected = pipeline.read_marker(marker, day)
            return pipeline.extract_and_land(day, token=Variable.get("partner_api_key"), connect=_snowflake(),
                                             expected=expected, base_url=config.partner_api_base_url)

        result = _fail_on_bad_data(run)
        print(f"{day}: {result['records']} appointments extracted in {result['pages']} page(s), "
              f"{result['duplicates_dropped']} duplicates dropped, {result['landed']} landed")
        return result

    @task
    def dbt_run(logical_date=None) -> dict:
        return pipeline.dbt_run(_day(logical_date), pipeline.PipelineConfig.from_airflow().dbt())

    @task
    def dbt_test(logical_date=None) -> dict:
        runner = pipeline.PipelineConfig.from_airflow().dbt()
        return _fail_on_bad_data(lambda: pipeline.dbt_test(_day(logical_date), runner))

    @task
    def quality_checks(logical_date=None) -> dict:
        config = pipeline.PipelineConfig.from_airflow()
        return _fail_on_bad_data(lambda: pipeline.quality_checks(
            _day(logical_date), connect=_snowflake(), backend_base_url=config.backend_api_base_url))

    @task
    def refresh_customer_metrics(logical_date=None) -> dict:
        runner = pipeline.PipelineConfig.from_airflow().dbt()
        return _fail_on_bad_data(lambda: pipeline.refresh_customer_metrics(_day(logical_date), runner))

    @task
    def notify_slack(extract: dict, build: dict, tests: dict, checks: dict, refresh: dict,
                     logical_date=None) -> str:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        text = pipeline.success_text(_day(logical_date), extract, build, tests, checks, refresh)
        post_alert(text, Variable.get("slack_webhook_url"))
        print(f"posted to Slack: {text}")
        return text

    extracted = extract_partner_appointments()
    built = dbt_run()
    tested = dbt_test()
    checked = quality_checks()
    refreshed = refresh_customer_metrics()
    wait_for_partner_file >> extracted >> built >> [tested, checked] >> refreshed
    notify_slack(extracted, built, tested, checked, refreshed)
