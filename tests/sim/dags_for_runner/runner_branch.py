"""A branch: weekday or weekend work by the logical date; the branch not taken is skipped."""

from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["runner-test"])
def runner_branch():
    @task.branch
    def pick(logical_date=None) -> str:
        choice = "weekend" if logical_date.weekday() >= 5 else "weekday"
        print(f"{logical_date.date()} -> {choice}")
        return choice

    @task
    def weekday() -> None:
        print("weekday load")

    @task
    def weekend() -> None:
        print("weekend load")

    @task(trigger_rule="none_failed_min_one_success")
    def publish() -> str:
        return "published"

    pick() >> [weekday(), weekend()] >> publish()


runner_branch()
