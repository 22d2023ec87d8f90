"""The syllabus's daily appointments pipeline, corrected for Airflow 3.3: classic operators.

extract_appointments >> run_dbt_models >> validate_appointment_data >> send_completion_alert

What changed from the syllabus, and why:

* ``schedule="0 2 * * *"``, not ``schedule_interval=``: Airflow 3 removed ``schedule_interval`` (a TypeError),
  and inside ``default_args`` it is silently ignored, leaving a DAG that is never scheduled.
* A cron schedule is a ``CronTriggerTimetable``: the run at 02:00 on 1 October has logical date and ``ds``
  1 October. "Yesterday's appointments" are therefore ``ds - 1 day``, computed explicitly
  (``day_to_validate``), not assumed from ``ds`` as on Airflow 2.
* ``start_date`` is a static, timezone-aware DAG argument; ``catchup=False`` is Airflow 3's default, kept
  explicit because it matters.
* Alerting: ``on_failure_callback`` with a Slack notifier replaces ``email_on_failure`` (deprecated).
* Operators come from ``airflow.providers.standard`` (``airflow.operators.bash`` / ``.python`` still import,
  with a deprecation warning); the DAG class from ``airflow.sdk``.
* The dependencies are set once (the syllabus set them twice; Airflow keeps one copy of each edge, silently).
* The validation uses an Airflow Connection (``snowflake_default``) through the Snowflake provider's
  ``SnowflakeHook``, bound parameters, and closes its connection on every path (``solutions.validation``).

The extract and dbt steps are stand-ins (``echo``): the extractor is notebook 08's subject, and the sim's
marts are already built. Nothing here touches a database or the network while the file is parsed.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

from solutions.alerting import SlackNotifier

SNOWFLAKE_CONN_ID = "snowflake_default"  # AIRFLOW_CONN_SNOWFLAKE_DEFAULT in the environment

default_args = {
    "owner": "data-team",
    "depends_on_past": False,
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": SlackNotifier(),  # after the last retry; replaces email_on_failure
}


def validate_appointment_data(**context):
    """The syllabus's ``validate_appointments`` callable, corrected. ``**context`` receives Airflow's context:
    no ``provide_context`` (removed), and no ``execution_date`` (gone: ``logical_date``)."""
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    from solutions.validation import day_to_validate, validate_appointments

    day = day_to_validate(context["logical_date"])
    return validate_appointments(day, SnowflakeHook(snowflake_conn_id=SNOWFLAKE_CONN_ID))


def send_slack_notification(ti):
    """Asks for ``ti`` by name: PythonOperator passes only the context keys a callable declares."""
    from airflow.sdk import Variable

    from solutions.alerting import post_alert

    result = ti.xcom_pull(task_ids="validate_appointment_data")
    text = f"daily_appointments_pipeline: {result['appointments']} appointments validated for {result['day']}"
    post_alert(text, Variable.get("slack_webhook_url"))
    print(f"posted to Slack: {text}")


with DAG(
    dag_id="daily_appointments_pipeline",
    description="Process daily appointment data",
    schedule="0 2 * * *",  # 02:00 UTC daily; ds = the run's own date
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args=default_args,
    tags=["appointments", "syllabus"],
) as dag:
    extract_appointments = BashOperator(
        task_id="extract_appointments",
        # bash_command is a templated field: Airflow renders {{ ... }} just before the task runs
        bash_command='echo "stand-in extract for {{ macros.ds_add(ds, -1) }}"',
    )
    run_dbt = BashOperator(
        task_id="run_dbt_models",
        bash_command='echo "stand-in: dbt run --select marts.fct_appointments"',
    )
    validate_data = PythonOperator(
        task_id="validate_appointment_data",
        python_callable=validate_appointment_data,
    )
    send_alert = PythonOperator(
        task_id="send_completion_alert",
        python_callable=send_slack_notification,
    )

    extract_appointments >> run_dbt >> validate_data >> send_alert
