"""Exercises of notebook 24 (running Airflow for real): the graders, and reference answers to read after.

1. ``COMPONENTS``: name the Airflow 3 component that does each job (a dict the notebook asks for).
2. ``airflow_env(settings)``: ``{"core": {"executor": "LocalExecutor"}, ...}`` -> the environment variables
   that set them (``AIRFLOW__CORE__EXECUTOR=LocalExecutor``), refusing an option Airflow does not have. This is
   how the kit's ``make airflow`` configures Airflow, and how containers are usually configured: environment
   variables beat ``airflow.cfg``. The grader checks the result with Airflow's own configuration parser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

from exercises.grading import Grade, Mismatch, expect, grade

# -- reference answers ---------------------------------------------------------------------------------------

JOBS = (
    "parses DAG files and stores the serialized DAGs",
    "creates DAG runs and decides which task instances to queue",
    "runs the triggers of deferred tasks",
    "serves the UI, the REST API and the Task Execution API",
    "runs a task's code",
)

COMPONENTS = {
    "parses DAG files and stores the serialized DAGs": "dag-processor",
    "creates DAG runs and decides which task instances to queue": "scheduler",
    "runs the triggers of deferred tasks": "triggerer",
    "serves the UI, the REST API and the Task Execution API": "api-server",
    "runs a task's code": "worker",
}


def airflow_env(settings: dict[str, dict[str, Any]]) -> dict[str, str]:
    """``AIRFLOW__{SECTION}__{KEY}`` for each option, values as strings; an unknown option is a ``ValueError``."""
    from airflow.configuration import conf

    env = {}
    for section, options in settings.items():
        for key, value in options.items():
            if not conf.has_option(section, key):
                raise ValueError(f"Airflow has no option [{section}] {key}")
            env[f"AIRFLOW__{section.upper()}__{key.upper()}"] = str(value)
    return env


# -- exercise 1 ----------------------------------------------------------------------------------------------

_NAMES = {
    "dag-processor": {"dag-processor", "dag processor", "dagprocessor", "dag_processor", "dag file processor"},
    "scheduler": {"scheduler", "the scheduler"},
    "triggerer": {"triggerer", "the triggerer"},
    "api-server": {"api-server", "api server", "apiserver", "api_server", "airflow api-server"},
    "worker": {"worker", "workers", "a worker", "the worker", "executor worker", "task runner"},
}
_WRONG = {
    "webserver": "Airflow 3 has no webserver: the api-server serves the UI, the REST API and the Task "
                 "Execution API",
    "scheduler": "",  # filled per job below
    "executor": "the executor decides where a task runs and hands it over; a worker process runs its code",
}


def _normal(name: Any) -> str:
    return re.sub(r"\s+", " ", str(name).strip().lower().replace("`", ""))


def grade_components(answers: Any, *, show: bool = True) -> Grade:
    def check(job: str) -> Callable[[Any], None]:
        def run(given: Any) -> None:
            if given is None or (isinstance(given, dict) and not any(given.values())):
                raise NotImplementedError
            if not isinstance(given, dict) or job not in given:
                raise Mismatch(f"expected a dict with the key {job!r}")
            name = _normal(given[job])
            right = COMPONENTS[job]
            if name in _NAMES[right]:
                return
            if name == "scheduler" and right == "dag-processor":
                raise Mismatch("in Airflow 2 the scheduler parsed DAG files; in Airflow 3 parsing is a separate "
                               "process, `airflow dag-processor`, and the scheduler reads serialized DAGs")
            if name == "scheduler" and right == "triggerer":
                raise Mismatch("the scheduler only sees the deferred state; the triggerer process runs the "
                               "triggers' async code (`airflow triggerer`)")
            if name in _WRONG and _WRONG[name]:
                raise Mismatch(_WRONG[name])
            raise Mismatch(f"got {given[job]!r}")
        return run

    return grade("components", answers, [(job, check(job)) for job in JOBS], show=show)


# -- exercise 2 ----------------------------------------------------------------------------------------------


def grade_airflow_env(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    from airflow.configuration import conf

    def read_back(settings: dict[str, dict[str, Any]], expected: dict[tuple[str, str], str]) -> None:
        env = fn(settings)
        if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
            raise Mismatch(f"expected a dict of str -> str (environment values are strings), got {env!r:.150}")
        clean = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
        with mock.patch.dict(os.environ, {**clean, **env}, clear=True):
            for (section, key), value in expected.items():
                expect(conf.get(section, key), value, f"Airflow's conf.get({section!r}, {key!r}) with your env")
        expect(len(env), len(expected), "number of variables")

    def refuses(_: Any) -> None:
        try:
            fn({"core": {"excutor": "CeleryExecutor"}})
        except ValueError as error:
            if "excutor" not in str(error):
                raise Mismatch(f"the error should name the option: {error}") from None
            return
        raise Mismatch("[core] excutor (a typo) must raise ValueError: Airflow would silently ignore it")

    checks = [
        ("[core] executor", lambda f: read_back({"core": {"executor": "CeleryExecutor"}},
                                                {("core", "executor"): "CeleryExecutor"})),
        ("a section name with an underscore: [dag_processor] refresh_interval",
         lambda f: read_back({"dag_processor": {"refresh_interval": "60"}},
                             {("dag_processor", "refresh_interval"): "60"})),
        ("numbers and booleans become strings",
         lambda f: read_back({"api": {"port": 8090}, "core": {"load_examples": False}},
                             {("api", "port"): "8090", ("core", "load_examples"): "False"})),
        ("several sections at once",
         lambda f: read_back({"core": {"parallelism": 8, "executor": "LocalExecutor"},
                              "scheduler": {"use_job_schedule": False}},
                             {("core", "parallelism"): "8", ("core", "executor"): "LocalExecutor",
                              ("scheduler", "use_job_schedule"): "False"})),
        ("an option Airflow does not have is refused, by name", refuses),
    ]
    return grade("airflow_env", fn, checks, show=show)
