"""solutions/assets.py and the asset-linked chain in solutions/dags/appointments_assets.py: the day travels in
the events' extra; dag.test() records events and queues unpaused consumers; conditions are evaluated by the
scheduler's own evaluator."""

from __future__ import annotations

import pytest

from solutions.assets import FCT_APPOINTMENTS, RAW_APPOINTMENTS, days_of, events, queued, ready, unpause, would_start
from exercises.assets import _event


def test_days_of_takes_every_triggering_day_oldest_first():
    triggering = {RAW_APPOINTMENTS: [_event("2025-09-30", 1), _event("2025-09-28", 2), _event("2025-09-30", 3)]}
    assert days_of(RAW_APPOINTMENTS, triggering) == ["2025-09-28", "2025-09-30"]


def test_days_of_falls_back_to_the_newest_inlet_event_only_without_triggering_events():
    inlets = {RAW_APPOINTMENTS: [_event("2025-09-28", 1), _event("2025-09-29", 2)]}
    assert days_of(RAW_APPOINTMENTS, {}, inlets) == ["2025-09-29"]
    assert days_of(RAW_APPOINTMENTS, {RAW_APPOINTMENTS: [_event("2025-09-01", 1)]}, inlets) == ["2025-09-01"]


def test_days_of_names_the_asset_when_no_event_has_a_day():
    with pytest.raises(ValueError, match="raw_partner_appointments"):
        days_of(RAW_APPOINTMENTS, {RAW_APPOINTMENTS: [_event(None, 1)]})
    with pytest.raises(ValueError, match="raw_partner_appointments"):
        days_of(RAW_APPOINTMENTS, None, None)


@pytest.mark.parametrize("schedule, produced, starts", [
    ([RAW_APPOINTMENTS, FCT_APPOINTMENTS], [RAW_APPOINTMENTS], False),
    ([RAW_APPOINTMENTS, FCT_APPOINTMENTS], [RAW_APPOINTMENTS, FCT_APPOINTMENTS], True),
    (RAW_APPOINTMENTS | FCT_APPOINTMENTS, [FCT_APPOINTMENTS], True),
    (RAW_APPOINTMENTS & FCT_APPOINTMENTS, [FCT_APPOINTMENTS], False),
    (RAW_APPOINTMENTS, [], False),
])
def test_would_start_uses_the_schedulers_evaluator(schedule, produced, starts):
    assert would_start(schedule, produced) is starts


def test_the_extract_event_queues_the_unpaused_consumer_with_its_day(world):
    from airflow.utils.session import create_session

    world.run_dag("appointments_extract", "2025-09-11", expect="success")  # syncs the DAGs: consumers exist
    with create_session() as session:
        assert queued(session) == []  # consumers start paused here: nothing was queued
        unpause(session, "appointments_marts")
    world.run_dag("appointments_extract", "2025-09-11", expect="success")
    with create_session() as session:
        assert queued(session) == [("appointments_marts", "raw_partner_appointments")]
        assert ready(session) == ["appointments_marts"]
        assert events(session)[-1] == ("raw_partner_appointments", "appointments_extract", "extract_partner_day",
                                       {"day": "2025-09-10", "records": events(session)[-1][3]["records"]})
    marts = world.run_dag("appointments_marts", "2025-09-11", expect="success")
    assert marts["check_marts_day"].xcoms["return_value"]["days"] == ["2025-09-10"]
