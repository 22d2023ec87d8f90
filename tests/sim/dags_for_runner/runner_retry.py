"""Retries under dag.test(): one task recovers on its second try, one fails both tries.

The retry delay is the production-like 5 minutes on purpose: the runner zeroes it for the run.
"""

from datetime import datetime, timedelta

from airflow.sdk import dag, task


@dag(
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["runner-test"],
)
def runner_retry():
    @task
    def recovers(ti=None) -> str:
        print(f"recovers: try {ti.try_number}")
        if ti.try_number == 1:
            raise ConnectionError("warehouse busy")
        return "ok"

    @task
    def always_fails(ti=None) -> None:
        print(f"always_fails: try {ti.try_number}")
        raise ValueError("column AMOUNT has 2 nulls")

    @task
    def report() -> None:
        print("never printed")

    [recovers(), always_fails()] >> report()


runner_retry()
