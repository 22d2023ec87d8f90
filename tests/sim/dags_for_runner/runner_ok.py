"""Three tasks that succeed: XCom through return values and an explicit push, and prints to capture."""

from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["runner-test"])
def runner_ok():
    @task
    def extract() -> dict:  # a dict return annotation turns on multiple_outputs: "rows" is an XCom too
        print("extracted 3 rows")
        return {"rows": [1, 2, 3]}

    @task
    def transform(data: dict, ti=None) -> int:
        total = sum(data["rows"])
        ti.xcom_push(key="row_count", value=len(data["rows"]))
        print(f"total={total}")
        print("done")
        return total

    @task
    def load(total: int, ds=None) -> None:
        print(f"loaded {total} for {ds}")

    load(transform(extract()))


runner_ok_dag = runner_ok()  # bound to a name so a notebook or test can import the DAG object
