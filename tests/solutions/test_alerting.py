"""solutions.alerting: the Slack failure notifier the kit's DAGs use instead of email_on_failure."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from solutions.alerting import SlackNotifier, failure_text
from solutions.alerting import AlertError


@pytest.fixture(scope="module")
def world(start_module_world):
    return start_module_world()


def context(**extra):
    ti = SimpleNamespace(dag_id="daily_appointments_pipeline", task_id="validate_appointment_data", try_number=3)
    return {"ti": ti, "logical_date": dt.datetime(2025, 9, 16, 2, tzinfo=dt.timezone.utc),
            "exception": ValueError("No appointments found for 2025-09-15"), **extra}


def test_failure_text_names_task_date_try_and_error():
    assert failure_text(context()) == ("FAILED daily_appointments_pipeline.validate_appointment_data "
                                       "(2025-09-16 02:00 UTC, try 3): ValueError: No appointments found for 2025-09-15")


def test_failure_text_without_logical_date_or_exception():
    text = failure_text({**context(), "logical_date": None, "exception": None, "run_id": "manual__x"})
    assert text == "FAILED daily_appointments_pipeline.validate_appointment_data (run manual__x, try 3): unknown"


def test_notifier_posts_to_the_webhook_from_the_variable(world):
    before = len(world.slack.messages)
    SlackNotifier()(context())
    SlackNotifier("custom text")(context())
    assert world.slack.texts[before:] == [failure_text(context()), "custom text"]


def test_notifier_raises_when_slack_fails_without_showing_the_url(world):
    world.slack.inject("server_error", status=500)
    with pytest.raises(AlertError) as caught:
        SlackNotifier().notify(context())
    assert "500" in str(caught.value) and world.slack.url not in str(caught.value)


def test_one_shared_notifier_builds_each_message_from_its_own_context(world):
    """default_args share one notifier between tasks: nothing from the first call may stick."""
    notifier, before = SlackNotifier(), len(world.slack.messages)
    first, second = context(), context()
    second["ti"] = SimpleNamespace(dag_id="daily_appointments_pipeline", task_id="send_completion_alert", try_number=1)
    notifier(first)
    notifier(second)
    assert [t.split(" (")[0] for t in world.slack.texts[before:]] == [
        "FAILED daily_appointments_pipeline.validate_appointment_data",
        "FAILED daily_appointments_pipeline.send_completion_alert"]
