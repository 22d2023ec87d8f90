"""The same daily appointments pipeline in TaskFlow style (``@dag`` / ``@task``), for Airflow 3.3.

Same schedule, defaults and tasks as ``daily_appointments_pipeline.py``; what TaskFlow changes:

* each task is a decorated function; a task asks for context values by parameter name
  (``logical_date=None``) instead of digging them out of ``**context``;
* a return value is an XCom, and passing it to another task *is* the dependency:
  ``send_completion_alert(validated)`` both hands over the result and orders the two tasks;
* ``>>`` remains for order without data (extract, then dbt, then validate);
* ``@task.bash`` returns the command to run, built in Python at run time.

The extract and dbt steps are stand-ins (``echo``), as in the classic file.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import dag, task

from solutions.alerting import SlackNotifier

SNOWFLAKE_CONN_ID = "snowflake_default"


@dag(
    dag_id="daily_appointments_taskflow",
    description="Process daily appointment data (TaskFlow)",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={
        "owner": "data-team",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=5),
        "on_failure_callback": SlackNotifier(),
    },
    tags=["appointments", "taskflow"],
)
def daily_appointments_taskflow():
    @task.bash
    def extract_appointments(logical_date=None) -> str:
        from solutions.validation import day_to_validate

        return f'echo "stand-in extract for {day_to_validate(logical_date)}"'

    @task.bash
    def run_dbt_models() -> str:
        return 'echo "stand-in: dbt run --select marts.fct_appointments"'

    @task
    def validate_appointment_data(logical_date=None):
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        from solutions.validation import day_to_validate, validate_appointments

        hook = SnowflakeHook(snowflake_conn_id=SNOWFLAKE_CONN_ID)
        return validate_appointments(day_to_validate(logical_date), hook)

    @task
    def send_completion_alert(result: dict) -> None:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        text = (f"daily_appointments_taskflow: {result['appointments']} appointments validated "
                f"for {result['day']}")
        post_alert(text, Variable.get("slack_webhook_url"))
        print(f"posted to Slack: {text}")

    validated = validate_appointment_data()
    extract_appointments() >> run_dbt_models() >> validated
    send_completion_alert(validated)


pipeline = daily_appointments_taskflow()
