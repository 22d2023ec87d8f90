"""sim.slack.SlackChannel: the fake Slack's channel, visible on the webhook's port (make airflow)."""

from __future__ import annotations

import json

from sim.http import FakeRequest
from sim.slack import SlackChannel, SlackWebhook


def post(channel: SlackChannel, payload, path: str | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return channel.handle(FakeRequest("POST", path or channel.hook.path, body=body))


def test_accepted_messages_reach_the_listeners_the_page_and_the_json():
    channel = SlackChannel(SlackWebhook())
    heard = []
    channel.listeners.append(heard.append)
    assert post(channel, {"text": "dbt_test failed <for> 2025-09-20"}).status == 200
    assert post(channel, b"not json").status == 400  # refused: not a message, nobody hears it
    assert post(channel, {"text": "quality_checks failed"}).status == 200
    assert heard == [{"text": "dbt_test failed <for> 2025-09-20"}, {"text": "quality_checks failed"}]

    answer = channel.handle(FakeRequest("GET", "/messages.json"))
    listed = json.loads(answer.body)["messages"]
    assert [(m["n"], m["text"]) for m in listed] == [(1, "dbt_test failed <for> 2025-09-20"),
                                                     (2, "quality_checks failed")]
    assert all(m["received"].endswith("UTC") for m in listed)

    page = channel.handle(FakeRequest("GET", "/"))
    html = page.body.decode()
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "2 message(s)" in html and "&lt;for&gt;" in html and "<for>" not in html
    assert html.index("quality_checks failed") < html.index("dbt_test failed")  # newest first


def test_the_webhook_itself_still_answers_like_slack():
    channel = SlackChannel(SlackWebhook())
    refused = channel.handle(FakeRequest("GET", channel.hook.path))
    assert (refused.status, refused.body) == (405, b"invalid_method")
    assert channel.handle(FakeRequest("POST", "/elsewhere", body=b'{"text": "x"}')).status == 404
    empty = channel.handle(FakeRequest("GET", "/")).body.decode()
    assert "No messages yet." in empty


def test_messages_posted_in_process_are_listed_without_a_time():
    hook = SlackWebhook()
    channel = SlackChannel(hook)
    hook.messages.append({"blocks": [{"type": "section"}]})
    (entry,) = channel.entries()
    assert entry["received"] is None and entry["text"] == ""
    assert "received in-process" in channel.page() and "section" in channel.page()
