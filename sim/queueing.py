"""What Airflow's scheduler would run at once: its own queueing code, tick by tick, on the runner's metadata DB.

``dag.test()`` ignores pools, ``max_active_tasks`` and the per-task limits: it runs one task instance at a time
in this process (see ``airflow/sdk/definitions/dag.py``). To show what those settings do, this module asks the
real scheduler. Each tick:

1. ``DagRun.update_state`` and ``DagRun.schedule_tis`` (Airflow's) move the task instances whose upstream is
   done to ``scheduled``;
2. ``SchedulerJobRunner._executable_task_instances_to_queued`` (Airflow's "critical section") picks the
   scheduled instances to queue: pool slots, ``priority_weight``, ``max_active_tasks``,
   ``max_active_tis_per_dag`` and ``max_active_tis_per_dagrun``, as a real scheduler decides them;
3. what it queued starts running; a task finishes after the number of ticks ``durations`` gives it (1 by
   default). This step alone is the kit's: no task code runs, no executor, no worker.

    pools(snowflake_warehouse=3)
    timeline = queue_ticks(dag, "2025-10-01")
    print(timeline)                 # one line per tick: what ran concurrently
    timeline.most_at_once("run_model")
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

__all__ = ["QueueTimeline", "pool_slots", "pools", "queue_ticks", "start_queued_runs", "validate_conf"]

MAX_TICKS = 200


def pools(include_deferred: Iterable[str] = (), **slots: int) -> None:
    """Create or update pools in the metadata DB, ``name=slots``; ``include_deferred`` names the pools whose
    slots deferred tasks keep (Airflow's default: a deferred task frees its slot)."""
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    deferred = set(include_deferred)
    with create_session() as session:
        for name, count in slots.items():
            if not isinstance(count, int) or count < 0:
                raise ValueError(f"pool {name!r}: slots must be a whole number >= 0, not {count!r}")
            Pool.create_or_update_pool(name, count, f"{name} (the kit's sim)", name in deferred,
                                       session=session)


def pool_slots() -> dict[str, dict[str, int]]:
    """Every pool's slot counts as the scheduler sees them: total, running, queued, deferred, open."""
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    with create_session() as session:
        return {name: {k: int(stats[k]) for k in ("total", "running", "queued", "deferred", "open")}
                for name, stats in Pool.slots_stats(session=session).items()}


@dataclass
class QueueTimeline:
    """What ran at each tick (``ticks[i]`` = the task instances running during tick ``i + 1``)."""

    dag_id: str
    ticks: list[list[str]] = field(default_factory=list)
    never_queued: list[str] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)  # label -> the priority weight it was queued with

    def most_at_once(self, task_id: str | None = None) -> int:
        """The most instances (of ``task_id``, or of any task) running in one tick."""
        return max((len([t for t in tick if task_id is None or _order(t)[1] == task_id])
                    for tick in self.ticks), default=0)

    def first_tick(self, label: str) -> int | None:
        """The tick (1-based) in which ``label`` (``"task"`` or ``"task[3]"``) first ran."""
        return next((i + 1 for i, tick in enumerate(self.ticks) if label in tick), None)

    def __str__(self) -> str:
        lines = [f"{self.dag_id}: {len(self.ticks)} ticks, at most {self.most_at_once()} task(s) at once"]
        lines += [f"tick {i + 1:>2}: {', '.join(_short(tick)) or '-'}" for i, tick in enumerate(self.ticks)]
        if self.never_queued:
            lines.append(f"never queued: {', '.join(_short(self.never_queued))}")
        return "\n".join(lines)

    __repr__ = __str__


def _short(labels: list[str]) -> list[str]:
    """``x[0], x[1], x[2]`` -> ``x[0..2]``: consecutive map indexes of one task (and run) merged."""
    out: list[tuple[str, int, int, str]] = []  # (task, first, last, suffix); first -1: not mapped
    for label in labels:
        suffix, task, index = _order(label)
        if out and index >= 0 and out[-1][0] == task and out[-1][3] == suffix and out[-1][2] + 1 == index:
            out[-1] = (task, out[-1][1], index, suffix)
        else:
            out.append((task, index, index, suffix))
    return [task + suffix if first < 0 else
            f"{task}[{first}]{suffix}" if first == last else f"{task}[{first}..{last}]{suffix}"
            for task, first, last, suffix in out]


def _register(dag: Any, session: Any) -> None:
    """Write ``dag`` (the object, with any in-memory changes) to the metadata DB, as the DAG processor would,
    unpaused; and remove its earlier runs."""
    from sqlalchemy import delete, update

    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.models.dag import DagModel
    from airflow.models.dagrun import DagRun
    from airflow.serialization.serialized_objects import LazyDeserializedDAG

    from sim.runner import bundle_of, use_bundles

    use_bundles()
    DagBundlesManager().sync_bundles_to_db(session=session)
    session.commit()
    # the DAG processor writes a changed DAG at most every 30 s ([core] min_serialized_dag_update_interval);
    # here every call must see the object as it is now
    with mock.patch.dict(os.environ, {"AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "0"}):
        update_dag_parsing_results_in_db(bundle_of(dag.fileloc), None, [LazyDeserializedDAG.from_dag(dag)], {},
                                         None, set(), session=session)
    session.execute(update(DagModel).where(DagModel.dag_id == dag.dag_id).values(is_paused=False))
    session.execute(delete(DagRun).where(DagRun.dag_id == dag.dag_id))
    session.commit()


def queue_ticks(dags: Any, logical_date: dt.date | dt.datetime | str, *,
                durations: dict[str, int] | None = None, outputs: dict[str, Collection] | None = None,
                runs: int = 1, arrivals: dict[str, int] | None = None) -> QueueTimeline:
    """Start ``runs`` runs of each of ``dags`` (a DAG or a list; runs on consecutive days ending on
    ``logical_date``) and play the scheduler's queueing tick by tick until every task instance has finished or
    nothing more can be queued; return what ran when.

    ``durations``: ticks a task instance runs, by label (``"dbt_run_day[3]"``) or task id; default 1.
    ``outputs``: what a task returns, by task id, for tasks whose output another task is mapped over (the
    scheduler needs its length to create the mapped instances; no task code runs here).
    ``arrivals``: dag_id -> the tick in which its runs are created (default 1: all at the start).
    """
    from sqlalchemy import select, update

    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.models.dagbag import DBDagBag
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.taskmap import TaskMap
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, TaskInstanceState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    from sim.runner import parse_logical_date

    dags = list(dags) if isinstance(dags, (list, tuple)) else [dags]
    durations, outputs = durations or {}, outputs or {}
    when = parse_logical_date(logical_date)
    timeline = QueueTimeline(", ".join(d.dag_id for d in dags))
    labels: dict[Any, str] = {}

    def label(ti: Any) -> str:
        text = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
        prefix = f"{ti.dag_id}." if len(dags) > 1 else ""
        suffix = f"@{ti.run_id.rsplit('__', 1)[-1]}" if runs > 1 else ""
        return f"{prefix}{text}{suffix}"

    arrivals = arrivals or {}
    with create_session() as session:
        dag_runs: list[Any] = []
        for dag in dags:
            _register(dag, session)

        def arrive(tick: int) -> None:
            for dag in dags:
                if arrivals.get(dag.dag_id, 1) != tick:
                    continue
                scheduler_dag = DBDagBag().get_latest_version_of_dag(dag.dag_id, session=session)
                for back in range(runs - 1, -1, -1):
                    day = when - dt.timedelta(days=back)
                    dag_runs.append(scheduler_dag.create_dagrun(
                        run_id=f"queue_ticks__{day.date().isoformat()}", logical_date=day,
                        data_interval=scheduler_dag.timetable.infer_manual_data_interval(run_after=day),
                        run_after=day, conf={}, run_type=DagRunType.MANUAL,
                        triggered_by=DagRunTriggeredByType.TEST, state=DagRunState.RUNNING, session=session))
            session.commit()

        scheduler = SchedulerJobRunner(job=Job())
        running: dict[Any, int] = {}  # TI id -> ticks left
        last_arrival = max([1, *arrivals.values()])
        while True:
            arrive(len(timeline.ticks) + 1)
            for run in dag_runs:
                session.refresh(run)
                if run.state == DagRunState.RUNNING:
                    schedulable, _ = run.update_state(session=session, execute_callbacks=False)
                    run.schedule_tis(schedulable, session=session)
            session.commit()
            if len(timeline.ticks) + 1 >= last_arrival and not any(
                    run.state == DagRunState.RUNNING for run in dag_runs):
                break
            queued = scheduler._executable_task_instances_to_queued(max_tis=scheduler._parallelism,
                                                                   session=session)
            for ti in queued:
                labels[ti.id] = label(ti)
                timeline.weights[labels[ti.id]] = ti.priority_weight
                running[ti.id] = durations.get(labels[ti.id], durations.get(ti.task_id, 1))
            if queued:
                session.execute(update(TI).where(TI.id.in_([ti.id for ti in queued]))
                                .values(state=TaskInstanceState.RUNNING))
            session.commit()
            if not running and len(timeline.ticks) + 1 >= last_arrival:
                waiting = session.scalars(select(TI).where(TI.dag_id.in_([d.dag_id for d in dags]),
                                                           TI.state == TaskInstanceState.SCHEDULED)).all()
                timeline.never_queued = sorted((label(ti) for ti in waiting), key=_order)
                break
            if len(timeline.ticks) >= MAX_TICKS:
                raise RuntimeError(f"{timeline.dag_id}: not finished after {MAX_TICKS} ticks")
            timeline.ticks.append(sorted((labels[ti_id] for ti_id in running), key=_order))
            done = [ti_id for ti_id, left in running.items() if left <= 1]
            running = {ti_id: left - 1 for ti_id, left in running.items() if ti_id not in done}
            if done:
                session.execute(update(TI).where(TI.id.in_(done)).values(state=TaskInstanceState.SUCCESS))
                for ti in session.scalars(select(TI).where(TI.id.in_(done))):
                    if ti.task_id in outputs:
                        session.merge(TaskMap.from_task_instance_xcom(ti, outputs[ti.task_id]))
            session.commit()
    return timeline


def _order(label: str) -> tuple:
    """Sort labels by task, then by map index as a number (``x[2]`` before ``x[10]``)."""
    match = re.fullmatch(r"(.*?)(?:\[(\d+)\])?(@.*)?", label)
    return (match.group(3) or "", match.group(1), int(match.group(2) or -1))


def start_queued_runs(dag: Any, logical_date: dt.date | dt.datetime | str, runs: int = 2) -> dict[str, str]:
    """Create ``runs`` queued runs of ``dag`` (consecutive days ending on ``logical_date``), as a trigger does,
    then let the scheduler's ``_start_queued_dagruns`` start what ``max_active_runs`` allows: run id -> state."""
    from sqlalchemy import select

    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.models.dagbag import DBDagBag
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    from sim.runner import parse_logical_date

    when = parse_logical_date(logical_date)
    with create_session() as session:
        _register(dag, session)
        scheduler_dag = DBDagBag().get_latest_version_of_dag(dag.dag_id, session=session)
        for back in range(runs - 1, -1, -1):
            day = when - dt.timedelta(days=back)
            scheduler_dag.create_dagrun(
                run_id=f"queued__{day.date().isoformat()}", logical_date=day,
                data_interval=scheduler_dag.timetable.infer_manual_data_interval(run_after=day),
                run_after=day, conf={}, run_type=DagRunType.MANUAL, triggered_by=DagRunTriggeredByType.TEST,
                state=DagRunState.QUEUED, session=session)
        session.commit()
        SchedulerJobRunner(job=Job())._start_queued_dagruns(session=session)
        session.commit()
        found = session.scalars(select(DagRun).where(DagRun.dag_id == dag.dag_id).order_by(DagRun.run_id))
        return {run.run_id: str(run.state) for run in found}


def validate_conf(dag: Any, conf: dict[str, Any] | None) -> dict[str, Any]:
    """What creating a run does with a trigger's ``conf``: the serialized DAG's params, ``conf`` merged in,
    validated (``create_dagrun``: ``params.deep_merge(conf).validate()``). Returns the resolved params or raises
    ``ParamValidationError``, the error a trigger gets (the REST API answers 400 with its text)."""
    from airflow.serialization.serialized_objects import DagSerialization

    scheduler_dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    return scheduler_dag.params.deep_merge(conf).validate()
