"""The Slack webhook fake: accepted alerts are recorded, bad payloads get Slack's plain-text errors."""

from __future__ import annotations

import pytest
import requests
import responses

from sim.clock import FakeClock
from sim.http import mount
from sim.slack import SlackWebhook


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=100.0)


@pytest.fixture
def hook(clock) -> SlackWebhook:
    return SlackWebhook(clock=clock)


@pytest.fixture
def rsps(hook):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mount(mock, hook.base_url, hook)
        yield mock


def post(hook: SlackWebhook, **kwargs) -> requests.Response:
    return requests.post(hook.url, timeout=10, **kwargs)


def test_text_and_blocks_messages_are_recorded_in_order(rsps, hook):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Revenue mismatch*"}}]
    for payload in ({"text": "first"}, {"blocks": blocks}, {"text": "third", "username": "airflow"}):
        r = post(hook, json=payload)
        assert (r.status_code, r.text) == (200, "ok")
    assert hook.messages == [{"text": "first"}, {"blocks": blocks}, {"text": "third", "username": "airflow"}]
    assert hook.texts == ["first", "", "third"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "invalid_payload"),
        (b"\xff\xfe", "invalid_payload"),
        (b'["text"]', "invalid_payload"),
        (b"", "invalid_payload"),
        (b"{}", "no_text"),
        (b'{"text": ""}', "no_text"),
        (b'{"username": "airflow", "blocks": []}', "no_text"),
    ],
)
def test_bad_payloads_are_400_with_slacks_error_and_not_recorded(rsps, hook, body, error):
    r = post(hook, data=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.text) == (400, error)
    assert hook.messages == []


def test_wrong_webhook_path_is_404_no_service(rsps, hook):
    r = requests.post(f"{hook.base_url}/services/T000/B000/WRONG", json={"text": "hi"}, timeout=10)
    assert (r.status_code, r.text) == (404, "no_service")
    assert requests.get(hook.url, timeout=10).status_code == 405
    assert hook.messages == []


def test_server_error_breaks_the_alert_path_once(rsps, hook):
    hook.inject("server_error")
    r = post(hook, json={"text": "Revenue reconciliation failed"})
    assert (r.status_code, r.text) == (500, "internal_error")
    assert hook.messages == []
    assert post(hook, json={"text": "Revenue reconciliation failed"}).status_code == 200
    assert hook.texts == ["Revenue reconciliation failed"]


def test_timeout_and_503(rsps, hook):
    hook.inject("timeout")
    hook.inject("server_error", status=503)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(hook, json={"text": "a"})
    r = post(hook, json={"text": "b"})
    assert (r.status_code, r.headers["Retry-After"]) == (503, "1")
    with pytest.raises(ValueError):
        hook.inject("server_error", status=418)
    with pytest.raises(ValueError):
        hook.inject("malformed_json")


def test_custom_webhook_url_and_request_log(clock):
    hook = SlackWebhook("https://hooks.slack.com/services/TEAM/BOT/secret", clock=clock)
    with responses.RequestsMock() as mock:
        mount(mock, hook.base_url, hook)
        post(hook, json={"text": "hello"})
        clock.advance(1.5)
        post(hook, data=b"nope")
    assert [(e.time, e.method, e.path, e.status) for e in hook.log] == [
        (100.0, "POST", "/services/TEAM/BOT/secret", 200),
        (101.5, "POST", "/services/TEAM/BOT/secret", 400),
    ]
    assert hook.log.summary()["ok"] == 1
