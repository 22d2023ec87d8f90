"""Exercises of notebook 02 (task dependencies): the graders, and reference answers to read after trying.

* ``wire_pipeline(t)`` sets the dependencies of a DAG whose tasks already exist (``t``: task_id -> task).
  Graded by comparing the edges it created with the required ones, exactly: missing and extra edges are named.
* ``parallel_waves(dag)`` groups a DAG's tasks into the waves that can run side by side. Graded on the kit's
  own DAGs, on a graph where the shortest and the longest path to a task differ, and on a cycle.

Both need Airflow importable (in a notebook: after ``world.airflow``); no sim data is touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade

PIPELINE_TASKS = ("extract_appointments", "extract_payments", "run_dbt_models", "validate_appointments",
                  "validate_payments", "send_completion_alert")
CYCLE_TIME_LIMIT_S = 5.0  # a waves function that never notices a cycle is stopped after this long
REQUIRED_EDGES = {
    ("extract_appointments", "run_dbt_models"), ("extract_payments", "run_dbt_models"),
    ("run_dbt_models", "validate_appointments"), ("run_dbt_models", "validate_payments"),
    ("validate_appointments", "send_completion_alert"), ("validate_payments", "send_completion_alert"),
}


# -- reference answers -------------------------------------------------------------------------------------------


def wire_pipeline(t: dict[str, Any]) -> None:
    """Both extracts before dbt; dbt before both validations; both validations before the alert."""
    ([t["extract_appointments"], t["extract_payments"]]
     >> t["run_dbt_models"]
     >> [t["validate_appointments"], t["validate_payments"]]
     >> t["send_completion_alert"])


def parallel_waves(dag: Any) -> list[set[str]]:
    """Wave 0: tasks with no upstream. A task runs in the wave after its *latest* upstream task.

    Kahn's algorithm, one layer at a time: a task joins a wave once all its upstream tasks are placed, so a
    task reached by a short and a long path lands after the long one. Tasks never placed sit on a cycle.
    """
    waiting = {task_id: set(task.upstream_task_ids) for task_id, task in dag.task_dict.items()}
    waves: list[set[str]] = []
    while waiting:
        ready = {task_id for task_id, ups in waiting.items() if not ups}
        if not ready:
            raise ValueError(f"cycle: {', '.join(sorted(waiting))} wait on each other")
        waves.append(ready)
        for task_id in ready:
            del waiting[task_id]
        for ups in waiting.values():
            ups -= ready
    return waves


# -- graders -----------------------------------------------------------------------------------------------------


def _empty_dag(dag_id: str, task_ids: Iterable[str]) -> tuple[Any, dict[str, Any]]:
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    with DAG(dag_id=dag_id, schedule=None, start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc),
             default_args={"owner": "grader", "retries": 0}) as dag:
        tasks = {task_id: EmptyOperator(task_id=task_id) for task_id in task_ids}
    return dag, tasks


def _edges(dag: Any) -> set[tuple[str, str]]:
    from solutions.dag_inspect import edges

    return edges(dag)


def grade_wire_pipeline(fn: Callable[[dict[str, Any]], None], *, show: bool = True) -> Grade:
    built: dict[str, Any] = {}

    def wired() -> Any:
        if not built:
            dag, tasks = _empty_dag("exercise_wire_pipeline", PIPELINE_TASKS)
            fn(tasks)
            built["dag"] = dag
        return built["dag"]

    def no_missing(f: Any) -> None:
        missing = REQUIRED_EDGES - _edges(wired())
        if missing:
            raise Mismatch("missing: " + ", ".join(f"{a} >> {b}" for a, b in sorted(missing)))

    def no_extra(f: Any) -> None:
        extra = _edges(wired()) - REQUIRED_EDGES
        if extra:
            raise Mismatch("not asked for: " + ", ".join(f"{a} >> {b}" for a, b in sorted(extra)))

    def acyclic(f: Any) -> None:
        try:
            wired().check_cycle()
        except Exception as error:  # noqa: BLE001 - Airflow's AirflowDagCycleException, reported as is
            raise Mismatch(f"{type(error).__name__}: {error}") from None

    checks = [
        ("every required edge is there", no_missing),
        ("no edge that was not asked for", no_extra),
        ("no cycle (Airflow's own check)", acyclic),
    ]
    return grade("wire_pipeline", fn, checks, show=show)


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Turn an endless loop (a cycle nobody checked for) into a TimeoutError, where signals allow it."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds:g} s: does the loop ever end on a cycle?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def grade_parallel_waves(fn: Callable[[Any], Any], *, show: bool = True) -> Grade:
    from solutions.dags import daily_appointments_pipeline, dependency_patterns

    def waves(dag: Any) -> list[set[str]]:
        result = fn(dag)
        if result is None:
            raise Mismatch("returned None: return a list of sets of task ids")
        return [set(wave) for wave in result]

    def shortcut() -> Any:
        dag, t = _empty_dag("exercise_shortcut", ["extract", "transform", "load", "report"])
        t["extract"] >> t["transform"] >> t["load"] >> t["report"]
        t["extract"] >> t["report"]  # a shortcut: report still waits for load
        return dag

    def cycle() -> Any:
        dag, t = _empty_dag("exercise_cycle", ["start", "a", "b", "c"])
        t["start"] >> t["a"] >> t["b"] >> t["c"] >> t["a"]
        return dag

    def raises_on_cycle(f: Any) -> None:
        try:
            with _time_limit(CYCLE_TIME_LIMIT_S):
                result = fn(cycle())
        except ValueError:
            return
        except Exception as error:  # noqa: BLE001 - say what came instead
            raise Mismatch(f"expected ValueError, got {type(error).__name__}: {error}") from None
        raise Mismatch(f"expected ValueError for a cycle, got {result!r}")

    checks = [
        ("the syllabus pipeline is four waves of one task",
         lambda f: expect(waves(daily_appointments_pipeline.dag),
                          [{"extract_appointments"}, {"run_dbt_models"}, {"validate_appointment_data"},
                           {"send_completion_alert"}], "waves")),
        ("dependency_patterns: fan-out, cross_downstream, chain",
         lambda f: expect(waves(dependency_patterns.dag),
                          [{"start"}, {"land_appointments", "land_payments", "land_clients"},
                           {"stage_appointments", "stage_payments"}, {"check_appointments", "check_payments"},
                           {"publish_marts"}, {"notify", "archive_run"}], "waves")),
        ("a task waits for its longest upstream path",
         lambda f: expect(waves(shortcut()), [{"extract"}, {"transform"}, {"load"}, {"report"}], "waves")),
        ("a cycle raises ValueError", raises_on_cycle),
    ]
    return grade("parallel_waves", fn, checks, show=show)
