"""Alerts to Slack: ``post_alert`` (a message to the team's webhook) and ``SlackNotifier`` (a failed task).

The syllabus alerts with ``email_on_failure=True`` and ``email=[...]`` in ``default_args``. On Airflow 3.3
both warn (``RemovedInAirflow4Warning``: "please migrate to SmtpNotifier") and only send anything when the
SMTP provider and a mail server connection are configured. Teams alert where they already talk: a notifier
object in ``on_failure_callback`` (task or DAG level). A team would install the Slack provider and use its
``SlackWebhookNotifier``; this kit keeps its dependencies small, so ``SlackNotifier`` is the same idea in a
few lines, posting through :func:`post_alert` (status checked, URL never shown).

    default_args = {"owner": "data-team", "retries": 2, "on_failure_callback": SlackNotifier()}

Airflow calls the notifier once per task that fails for good (after its last retry), with the task's
context: ``ti`` (dag_id, task_id, try_number), ``exception``, ``logical_date`` and the rest. The webhook URL
is read at call time from the Airflow Variable ``slack_webhook_url`` (``AIRFLOW_VAR_SLACK_WEBHOOK_URL``),
never at import: a DAG file must not read secrets while it is parsed.

``SlackNotifier`` is an Airflow class (``solutions/slack_notifier.py``), imported from here on first use:
code that only posts (the reconciliation, the latency monitor, a notebook) does not import Airflow.
"""

from __future__ import annotations

import os
from typing import Any

import requests

VARIABLE = "slack_webhook_url"
WEBHOOK_ENV = "AIRFLOW_VAR_SLACK_WEBHOOK_URL"


class AlertError(RuntimeError):
    """The alert could not be delivered (the message says why, never the webhook URL)."""


def post_alert(text: str, webhook_url: str | None = None, *, session: requests.Session | None = None,
               timeout: float = 10) -> None:
    """Post ``{"text": text}`` to the Slack webhook (default: ``$AIRFLOW_VAR_SLACK_WEBHOOK_URL``).

    Raises :class:`AlertError` on anything but 200: Slack answers ``400 invalid_payload`` or ``404
    no_service`` as ordinary responses, which ``requests.post`` returns without raising. Not retried: a
    POST that timed out may have been delivered, and a duplicated page is worse than a failed task
    (Airflow retries the task). The URL is a secret and never appears in an error.
    """
    url = webhook_url or os.environ.get(WEBHOOK_ENV)
    if not url:
        raise AlertError(f"no Slack webhook configured (set {WEBHOOK_ENV})")
    try:
        response = (session or requests).post(url, json={"text": text}, timeout=timeout)
    except requests.RequestException as error:
        raise AlertError(f"Slack webhook unreachable: {type(error).__name__}") from None
    if response.status_code != 200:
        raise AlertError(f"Slack webhook answered {response.status_code}: {response.text[:100]}")


def failure_text(context: Any) -> str:
    """One line saying what failed, for which date, on which try, and why."""
    ti = context["ti"]
    when = context.get("logical_date")
    date = when.strftime("%Y-%m-%d %H:%M %Z") if when is not None else f"run {context.get('run_id', '?')}"
    error = context.get("exception")
    if isinstance(error, BaseException):
        reason = f"{type(error).__name__}: {error}"
    else:
        reason = str(error or "unknown")
    return f"FAILED {ti.dag_id}.{ti.task_id} ({date}, try {ti.try_number}): {reason}"


def __getattr__(name: str) -> Any:
    if name == "SlackNotifier":  # an Airflow class: Airflow is imported when a DAG file asks for it
        from solutions.slack_notifier import SlackNotifier

        return SlackNotifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
