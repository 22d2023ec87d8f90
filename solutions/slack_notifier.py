"""``SlackNotifier``: the kit's ``on_failure_callback``, a Slack message for each task that fails for good.

Import it as ``from solutions.alerting import SlackNotifier`` (the module docstring there says why and how).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseNotifier

from solutions.alerting import VARIABLE, failure_text, post_alert


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

        post_alert(self.text or failure_text(context), Variable.get(self.variable))
