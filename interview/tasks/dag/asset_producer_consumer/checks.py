"""Hidden checks of the asset pair: the outlet and the asset schedule read from the parsed DAGs, the event the
producer records (read from the metadata DB, as the scheduler reads it), and a consumer run on another date
that must check the event's day, not a day worked out from its own date; then again after rows of that day
were lost."""

from __future__ import annotations

from interview.dag_checks import DagGrading, Mismatch, expect, expect_states, served, task_of
from solutions.dag_inspect import scheduler_view

PRODUCER, CONSUMER = "partner_appointments_extract", "partner_appointments_check"
ASSET = "raw_partner_appointments"
PRODUCED, DAY = "2025-09-11", "2025-09-10"  # the producer's logical date and the day it lands
LATER = "2025-09-26"  # the consumer's logical date


def newest_event() -> dict | None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        row = session.execute(
            select(AssetEvent.id, AssetEvent.extra).join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == ASSET, AssetEvent.source_dag_id == PRODUCER)
            .order_by(AssetEvent.id.desc()).limit(1)).first()
    return None if row is None else {"id": row[0], "extra": dict(row[1] or {})}


def check(solution):
    grading = DagGrading(solution, file="partner_assets.py")
    with grading.world() as world:
        producer = grading.load(PRODUCER, CONSUMER)
        consumer = grading.dags.get(CONSUMER)

        @grading.check("extract_and_land declares the raw_partner_appointments asset as an outlet")
        def _():
            outlets = [getattr(o, "name", None) for o in task_of(producer, "extract_and_land").outlets]
            if ASSET not in outlets:
                raise Mismatch(f"extract_and_land's outlets are {outlets}: no asset named {ASSET!r}")

        @grading.check("the check DAG is scheduled on the asset and not on a clock")
        def _():
            from airflow.timetables.simple import AssetTriggeredTimetable

            timetable = scheduler_view(consumer).timetable  # what the scheduler stores and reads
            if not isinstance(timetable, AssetTriggeredTimetable):
                raise Mismatch(f"{CONSUMER} runs on a {type(timetable).__name__}: a time is a guess about "
                               "when the extract has finished; schedule on the asset")
            names = sorted(key.name for key, _ in timetable.asset_condition.iter_assets())
            if ASSET not in names:
                raise Mismatch(f"{CONSUMER} is scheduled on {names}, not on {ASSET!r}")

        @grading.check("a producer run records an asset event that says which day and how many")
        def _():
            before = newest_event()
            summary = grading.run(producer, PRODUCED)
            expect_states(summary, {"extract_and_land": "success"}, run="success")
            after = newest_event()
            if after is None or (before is not None and after["id"] == before["id"]):
                raise Mismatch("the run recorded no event of the asset (is it in the task's outlets?)")
            expect(after["extra"], {"day": DAY, "records": served(world, DAY)}, "the event's extra")

        @grading.check("the consumer checks the event's day whatever its own logical date")
        def _():
            before = len(world.slack.texts)
            summary = grading.run(consumer, LATER)
            expect_states(summary, {"check_landed_day": "success"}, run="success")
            wanted = f"{DAY}: {served(world, DAY)} of {served(world, DAY)} appointments landed"
            posted = world.slack.texts[before:]
            if not any(wanted in text for text in posted):
                raise Mismatch(f"Slack got {posted}; expected {wanted!r}")

        @grading.check("rows lost after the event: the consumer posts the shortfall and fails")
        def _():
            with world.warehouse.cursor() as cur:
                cur.execute("DELETE FROM RAW.STAGING.PARTNER_APPOINTMENTS WHERE LOAD_DATE = %s AND APPOINTMENT_ID IN "
                            "(SELECT APPOINTMENT_ID FROM RAW.STAGING.PARTNER_APPOINTMENTS WHERE LOAD_DATE = %s "
                            "ORDER BY APPOINTMENT_ID LIMIT 3)", (DAY, DAY))
            before = len(world.slack.texts)
            summary = grading.run(consumer, LATER)
            expect_states(summary, {"check_landed_day": "failed"}, run="failed")
            wanted = f"{DAY}: {served(world, DAY) - 3} of {served(world, DAY)} appointments landed"
            posted = world.slack.texts[before:]
            if not any(wanted in text for text in posted):
                raise Mismatch(f"Slack got {posted}; expected {wanted!r} before the task failed")

    return grading.results()
