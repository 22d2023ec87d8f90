"""The in-process backfill lab of notebook 18: Airflow's own metadata DB and scheduler steps, driven by hand.

    register_dags()                      # the DAG processor's step: the dags folder's DAGs into the metadata DB
    add_runs("kit_tour", {"2025-09-03T02:00Z": "success"})   # runs the scheduler made earlier, in given states
    scheduler_pass()                     # the scheduler's own step that starts queued runs
    finish_runs(run_ids)                 # stand in for the tasks finishing (no worker runs here)

No scheduler process runs in a notebook, so these call the functions a scheduler and a DAG processor call,
unchanged, one step at a time. Needs the sim's Airflow home (``sim.start()`` first).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

UTC = dt.timezone.utc


def register_dags() -> list[str]:
    """Write the DAGs of the configured dags folder to the metadata DB, as the DAG processor does (Airflow's
    ``sync_bag_to_db``); returns their ids. Needs the sim's Airflow home (``sim.start()`` first)."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.utils.session import create_session

    from sim.runner import use_bundles

    use_bundles()
    manager = DagBundlesManager()
    with create_session() as session:
        manager.sync_bundles_to_db(session=session)
    ids: list[str] = []
    for bundle in manager.get_all_dag_bundles():
        if not bundle.is_initialized:
            bundle.initialize()
        with warnings.catch_warnings():  # providers' own deprecation notices at import: not the DAGs' doing
            warnings.simplefilter("ignore")
            bag = BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name)
        sync_bag_to_db(bag, bundle.name, bundle.version)
        ids += bag.dags
    return sorted(ids)


def _when(value: str | dt.datetime) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"{value!r}: give a timezone (e.g. 'Z'); a run's logical date is an instant")
    return moment.astimezone(UTC)


def add_runs(dag_id: str, states: Mapping[str | dt.datetime, str]) -> None:
    """Create scheduled runs of ``dag_id`` at the given logical dates in the given states (``success``,
    ``failed``, ``running``, ``queued``): the history a backfill meets. Its task instances are not run."""
    from airflow.models.dagrun import DagRun
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    with create_session() as session:
        serialized = session.scalar(SerializedDagModel.latest_item_select_object(dag_id))
        if serialized is None:
            raise LookupError(f"no DAG {dag_id!r} in the metadata DB: register_dags() first")
        dag = serialized.dag
        for when, state in states.items():
            logical = _when(when)
            dag.create_dagrun(
                run_id=DagRun.generate_run_id(run_type=DagRunType.SCHEDULED, logical_date=logical,
                                              run_after=logical),
                logical_date=logical, data_interval=dag.timetable.infer_manual_data_interval(run_after=logical),
                run_after=logical, run_type=DagRunType.SCHEDULED, triggered_by=DagRunTriggeredByType.TIMETABLE,
                state=DagRunState(state), session=session)


def set_paused(dag_id: str, paused: bool) -> None:
    """Pause or unpause a DAG (what the UI's toggle and ``PATCH /api/v2/dags/{dag_id}`` do)."""
    from sqlalchemy import update

    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        session.execute(update(DagModel).where(DagModel.dag_id == dag_id).values(is_paused=paused))


def scheduler_pass() -> list[str]:
    """Two steps of the scheduler's loop: ``_start_queued_dagruns`` (queued runs to running, honouring
    ``max_active_runs``, backfill order and paused DAGs) and ``_mark_backfills_complete`` (a backfill whose
    runs all finished gets its ``completed_at``); returns the run ids it started, in the order it started them."""
    from sqlalchemy import select

    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    def running() -> set[str]:
        with create_session() as session:
            return set(session.scalars(select(DagRun.run_id).where(DagRun.state == "running")))

    before = running()
    scheduler = SchedulerJobRunner(job=Job())
    with create_session() as session:
        scheduler._start_queued_dagruns(session)
    scheduler._mark_backfills_complete()
    with create_session() as session:
        started = session.scalars(select(DagRun.run_id).where(DagRun.state == "running")
                                  .order_by(DagRun.start_date, DagRun.logical_date))
        return [run_id for run_id in started if run_id not in before]


def finish_runs(run_ids: Iterable[str], state: str = "success") -> None:
    """Mark runs finished, standing in for their tasks (a real scheduler would run them on workers)."""
    from sqlalchemy import update

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        session.execute(update(DagRun).where(DagRun.run_id.in_(list(run_ids))).values(state=state))


def runs_table(dag_id: str) -> list[dict[str, Any]]:
    """Every run of ``dag_id`` in logical-date order: its id, type, state and backfill."""
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        found = session.scalars(select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.logical_date))
        return [{"logical_date": f"{r.logical_date:%Y-%m-%d %H:%M}", "run_id": r.run_id,
                 "run_type": r.run_type, "state": r.state, "backfill_id": r.backfill_id} for r in found]


def backfill_rows(backfill_id: int) -> list[dict[str, Any]]:
    """The backfill's ``backfill_dag_run`` rows in ``sort_ordinal`` order: each logical date it covers, the
    run it created or took over, or why it made none (``already exists``, ``in flight``)."""
    from sqlalchemy import select

    from airflow.models.backfill import BackfillDagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.scalars(select(BackfillDagRun).where(BackfillDagRun.backfill_id == backfill_id)
                               .order_by(BackfillDagRun.sort_ordinal))
        return [{"sort_ordinal": r.sort_ordinal, "logical_date": f"{r.logical_date:%Y-%m-%d %H:%M}",
                 "run_id": r.dag_run.run_id if r.dag_run else None,
                 "not created because": r.exception_reason} for r in rows]
