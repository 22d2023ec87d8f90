"""A DAG file that cannot be imported (the module does not exist): the runner must show the error."""

from datetime import datetime

import not_a_real_module_for_the_runner  # noqa: F401

from airflow.sdk import dag


@dag(schedule=None, start_date=datetime(2024, 1, 1))
def runner_broken():
    pass


runner_broken()
