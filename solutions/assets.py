"""The 2 AM chain re-cut as assets (notebook 20): which data each DAG produces, and how to read what Airflow
recorded about it.

    appointments_extract (02:00)  --raw_partner_appointments-->  appointments_marts
                                  --fct_appointments-->          customer_metrics_refresh
                                  --clinician_no_show_rate-->    (whoever serves customers)

An asset is a name (and a URI) for a piece of data; a task that lists it in ``outlets`` records an **asset
event** when it succeeds, with an ``extra`` dict the task fills (here: which day). A DAG whose ``schedule`` is
an asset (or an expression of assets) is queued by that event and started by the scheduler; its tasks read
the events that triggered the run from ``triggering_asset_events``. Each event carries the day, so consumers
never guess it from a clock (an asset-triggered run has no logical date).

The readers below (``events``, ``queued``, ``ready``) query the metadata DB the way the UI and the scheduler
do; they are for notebooks and tests, never for tasks (a task under a real worker may not touch the DB).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import Asset

RAW_APPOINTMENTS = Asset(name="raw_partner_appointments",
                         uri="snowflake://simplepractice/RAW/STAGING/PARTNER_APPOINTMENTS")
FCT_APPOINTMENTS = Asset(name="fct_appointments", uri="snowflake://simplepractice/ANALYTICS/MARTS/FCT_APPOINTMENTS")
CLINICIAN_NO_SHOW_RATE = Asset(name="clinician_no_show_rate",
                               uri="snowflake://simplepractice/ANALYTICS/CUSTOMER_METRICS/CLINICIAN_NO_SHOW_RATE")


def days_of(asset: Asset, triggering: Mapping[Any, Sequence[Any]] | None,
            inlets: Mapping[Any, Sequence[Any]] | None = None) -> list[str]:
    """The days a consumer run must process, oldest first: every distinct ``extra["day"]`` among the events of
    ``asset`` that triggered the run (the scheduler hands a run every event since the previous one, so a
    producer that ran three times gives three days). A run started by hand, or by ``dag.test()``, has no
    triggering events: then the day of the asset's newest event (``inlet_events``; the task must list the asset
    in ``inlets``). Raises ValueError naming the asset when no event says which day."""
    found = _events(triggering, asset)
    if not found:
        found = _events(inlets, asset)[-1:]
    days = sorted({(event.extra or {}).get("day") for event in found} - {None})
    if not days:
        raise ValueError(f"no event of asset {asset.name!r} says which day (extra['day']): "
                         "was it produced by the kit's producer?")
    return days


def _events(source: Mapping[Any, Sequence[Any]] | None, asset: Asset) -> list[Any]:
    if not source:
        return []
    try:
        return list(source[asset])
    except KeyError:
        return []


def would_start(schedule: Any, produced: Sequence[Asset]) -> bool:
    """Would a DAG scheduled on ``schedule`` (an asset, a list, or an ``&``/``|`` expression) start, once each
    asset in ``produced`` has a new event? Evaluated by the scheduler's own evaluator (``AssetEvaluator``) on the
    condition as the scheduler stores it (the serialized DAG's timetable)."""
    import datetime as dt

    from airflow.assets.evaluation import AssetEvaluator
    from airflow.sdk import DAG
    from airflow.serialization.definitions.assets import SerializedAssetUniqueKey
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.session import create_session

    probe = DAG("would_start_probe", schedule=schedule, start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc))
    condition = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(probe)).timetable.asset_condition
    statuses = {SerializedAssetUniqueKey(name=a.name, uri=a.uri): True for a in produced}
    with create_session() as session:
        return AssetEvaluator(session).run(condition, statuses)


# -- what the metadata DB holds (notebooks and tests only) --------------------------------------------------


def events(session: Any) -> list[tuple[str, str, str, dict]]:
    """Every asset event, oldest first: (asset name, source dag_id, source task_id, extra)."""
    from airflow.models.asset import AssetEvent, AssetModel
    from sqlalchemy import select

    rows = session.execute(select(AssetModel.name, AssetEvent.source_dag_id, AssetEvent.source_task_id,
                                  AssetEvent.extra).join(AssetModel, AssetModel.id == AssetEvent.asset_id)
                           .order_by(AssetEvent.timestamp, AssetEvent.id))
    return [(name, dag_id, task_id, dict(extra or {})) for name, dag_id, task_id, extra in rows]


def queued(session: Any) -> list[tuple[str, str]]:
    """The scheduler's to-do list: (consumer dag_id, asset name) for every asset event not yet consumed."""
    from airflow.models.asset import AssetDagRunQueue, AssetModel
    from sqlalchemy import select

    rows = session.execute(select(AssetDagRunQueue.target_dag_id, AssetModel.name)
                           .join(AssetModel, AssetModel.id == AssetDagRunQueue.asset_id))
    return sorted((dag_id, name) for dag_id, name in rows)


def ready(session: Any) -> list[str]:
    """The consumers whose schedule condition the queued events satisfy: what the scheduler would start now
    (``DagModel.dags_needing_dagruns``, the scheduler's own function)."""
    from airflow.models.dag import DagModel

    _, triggered = DagModel.dags_needing_dagruns(session)
    return sorted(triggered)


def unpause(session: Any, *dag_ids: str) -> None:
    """Unpause DAGs (as a click in the UI would): events queue runs only for consumers that are not paused."""
    from airflow.models.dag import DagModel
    from sqlalchemy import update

    session.execute(update(DagModel).where(DagModel.dag_id.in_(dag_ids)).values(is_paused=False))
    session.commit()
