"""Failure alerts for the kit's DAGs: a Slack notifier for ``on_failure_callback``.

The syllabus alerts with ``email_on_failure=True`` and ``email=[...]`` in ``default_args``. On Airflow 3.3
both warn (``RemovedInAirflow4Warning``: "please migrate to SmtpNotifier") and only send anything when the
SMTP provider and a mail server connection are configured. Teams alert where they already talk: a notifier
object in ``on_failure_callback`` (task or DAG level). A team would install the Slack provider and use its
``SlackWebhookNotifier``; this kit keeps its dependencies small, so ``SlackNotifier`` below is the same idea
in a few lines, posting through ``solutions.reconciliation.post_alert`` (status checked, URL never shown).

    default_args = {"owner": "data-team", "retries": 2, "on_failure_callback": SlackNotifier()}

Airflow calls the notifier once per task that fails for good (after its last retry), with the task's
context: ``ti`` (dag_id, task_id, try_number), ``exception``, ``logical_date`` and the rest. The webhook URL
is read at call time from the Airflow Variable ``slack_webhook_url`` (``AIRFLOW_VAR_SLACK_WEBHOOK_URL``),
never at import: a DAG file must not read secrets while it is parsed.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseNotifier

VARIABLE = "slack_webhook_url"


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


class SlackNotifier(BaseNotifier):
    """Post :func:`failure_text` (or ``text``, when given) to the Slack webhook in the Variable ``variable``.

    No ``template_fields``: Airflow renders a notifier's templated fields in place, once, so one notifier
    shared through ``default_args`` would repeat the first failure's text for every later one (in a process
    that runs several tasks, as ``dag.test()`` does). The text is built from each call's context instead.
    """

    def __init__(self, text: str | None = None, *, variable: str = VARIABLE) -> None:
        super().__init__()
        self.text = text
        self.variable = variable

    def notify(self, context: Any) -> None:
        from airflow.sdk import Variable

        from solutions.reconciliation import post_alert

        post_alert(self.text or failure_text(context), Variable.get(self.variable))
