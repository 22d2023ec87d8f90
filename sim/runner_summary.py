"""What a DAG run did, in a form a notebook can show and a test can assert on.

``dag.test()`` returns a failed DagRun without raising, so a run that broke looks like a run that worked
unless someone checks. ``RunSummary`` makes failure loud: its text and HTML renderings start with
``FAILED`` and name the failing task and its error. Everything in it is deterministic (no durations,
timestamps, run ids or temp paths), so stored notebook outputs stay stable.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_CELL = 44  # widest XCom value shown in a table cell; the whole value is on the TaskResult
_COLUMNS = ("task", "state", "tries", "xcom", "printed")


@dataclass(frozen=True)
class TaskResult:
    """One task instance of the run: final state, tries used, XComs pushed, text it printed."""

    task_id: str
    state: str  # success / failed / skipped / upstream_failed / ...
    tries: int  # Airflow's try_number: 0 = never ran, 2 = ran twice (one retry)
    xcoms: dict[str, Any] = field(default_factory=dict)  # key -> value, as xcom_pull would return it
    output: str = ""  # what the task printed to stdout, every try
    error: str | None = None  # "ExceptionType: message" of its last failed try
    map_index: int = -1  # >= 0 for each instance of a mapped task

    @property
    def label(self) -> str:
        return self.task_id if self.map_index < 0 else f"{self.task_id}[{self.map_index}]"


class RunFailed(AssertionError):
    """A run did not end as expected; ``.summary`` holds the whole story."""

    def __init__(self, summary: RunSummary, expected: str) -> None:
        super().__init__(f"expected the run to end {expected}, it ended {summary.state}\n{summary}")
        self.summary = summary


@dataclass(frozen=True)
class RunSummary:
    dag_id: str
    logical_date: str  # 'YYYY-MM-DD' for midnight UTC, else ISO
    state: str  # the DagRun's state: success / failed
    tasks: tuple[TaskResult, ...]  # level by level from the roots, then by task_id
    log_file: Path | None = field(default=None, compare=False, repr=False)  # Airflow's log lines

    @property
    def ok(self) -> bool:
        return self.state == "success"

    @property
    def states(self) -> dict[str, str]:
        return {t.label: t.state for t in self.tasks}

    @property
    def failed(self) -> tuple[TaskResult, ...]:
        """Tasks that failed themselves (not the ``upstream_failed`` ones behind them)."""
        return tuple(t for t in self.tasks if t.state == "failed")

    def __getitem__(self, label: str) -> TaskResult:
        for t in self.tasks:
            if t.label == label:
                return t
        raise KeyError(f"no task {label!r} in this run; tasks: {', '.join(self.states)}")

    def assert_state(self, expected: Mapping[str, str], run: str | None = None) -> RunSummary:
        """Raise AssertionError naming every task whose state differs from ``expected`` (a partial map)."""
        wrong = [f"{k}: expected {v}, got {self.states.get(k, 'no such task')}"
                 for k, v in expected.items() if self.states.get(k) != v]
        if run is not None and run != self.state:
            wrong.insert(0, f"run: expected {run}, got {self.state}")
        if wrong:
            raise AssertionError("\n".join(wrong) + f"\n{self}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (an XCom value JSON cannot hold becomes its ``str``)."""
        tasks = [{"task": t.label, "state": t.state, "tries": t.tries, "xcoms": t.xcoms,
                  "output": t.output, "error": t.error} for t in self.tasks]
        raw = {"dag_id": self.dag_id, "logical_date": self.logical_date, "state": self.state, "tasks": tasks}
        return json.loads(json.dumps(raw, default=str))

    def headline(self) -> str:
        """``SUCCESS dag @ date``, or ``FAILED dag @ date: task failed after N tries - Error: message``."""
        line = f"{self.state.upper()} {self.dag_id} @ {self.logical_date}"
        if not self.ok and self.failed:
            first, more = self.failed[0], len(self.failed) - 1
            line += f": {first.label} failed after {first.tries} {'try' if first.tries == 1 else 'tries'}"
            line += f" - {first.error or 'see the log file'}" + (f" (+{more} more failed)" if more else "")
        return line

    def _rows(self) -> list[tuple[str, str, str, str, list[str]]]:
        return [(t.label, t.state, str(t.tries), _xcom_text(t.xcoms), t.output.splitlines())
                for t in self.tasks]

    def __str__(self) -> str:
        rows = self._rows()
        widths = [max([len(_COLUMNS[i])] + [len(r[i]) for r in rows]) for i in range(4)]

        def line(*cells: str) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, [*widths, 0])).rstrip()

        out = [self.headline(), line(*_COLUMNS)]
        for label, state, tries, xcom, printed in rows:
            out.append(line(label, state, tries, xcom, printed[0] if printed else ""))
            out += [line("", "", "", "", more) for more in printed[1:]]  # further printed lines
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """A table for notebooks: text left-aligned and wrapped at spaces, long values cut short with the
        whole value one click away (``<details>``). Inline styles only: JupyterLab's table style right-aligns
        cells, and its sanitizer keeps inline ``text-align``, ``white-space``, ``word-break`` on untrusted
        output."""
        color = "#1a7f37" if self.ok else "#cf222e"
        head = "".join(f"<th style='{_LEFT}'>{h}</th>" for h in _COLUMNS)
        body = "".join(
            f"<tr><td style='{_LEFT}'><code>{_e(t.label)}</code></td>"
            f"<td style='{_LEFT}{_state_style(t.state)}'>{t.state}</td>"
            f"<td style='{_LEFT}'>{t.tries}</td>"
            f"<td style='{_LEFT}min-width:14em;max-width:30em;'>{_xcom_html(t.xcoms)}</td>"
            f"<td style='{_LEFT}min-width:20em;'>{_printed_html(t.output)}</td></tr>"
            for t in self.tasks
        )
        headline = f"<div style='color:{color};font-weight:bold;text-align:left'>{_e(self.headline())}</div>"
        return (f"<div>{headline}"
                f"<table style='border-collapse:collapse'><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table></div>")


_LEFT = "text-align:left;vertical-align:top;white-space:normal;word-break:normal;word-wrap:break-word;"
_MONO = "font-family:monospace;font-size:0.92em;white-space:pre-wrap;word-break:normal;word-wrap:break-word;"
_LINES = 6  # printed lines shown before the rest folds away
_FULL = 2000  # characters of a value shown unfolded at most; the whole value is on the TaskResult


def _state_style(state: str) -> str:
    return {"failed": "color:#cf222e;font-weight:bold;", "upstream_failed": "color:#bc4c00;",
            "success": "color:#1a7f37;"}.get(state, "")


def _xcom_html(xcoms: dict[str, Any]) -> str:
    """One line per XCom: the value (``key=value`` for keys other than the return value), cut to the text
    table's width with the whole value folded under it; nothing at all for a task without XComs."""
    lines = []
    for key, value in xcoms.items():
        text = repr(value)
        name = "" if key == "return_value" else f"{key}="
        short = text if len(text) <= _CELL else text[: _CELL - 3] + "..."
        line = f"<span style='{_MONO}'>{_e(name + short)}</span>"
        if short != text:
            whole = text if len(text) <= _FULL else text[:_FULL] + f"... ({len(text):,} characters)"
            line = (f"<details><summary style='{_MONO}'>{_e(name + short)}</summary>"
                    f"<div style='{_MONO}'>{_e(whole)}</div></details>")
        lines.append(f"<div>{line}</div>")
    return "".join(lines)


def _printed_html(output: str) -> str:
    """What the task printed, line breaks kept, wrapped at spaces; past ``_LINES`` lines the rest folds."""
    lines = output.rstrip("\n").splitlines()
    shown = f"<div style='{_MONO}'>{_e(chr(10).join(lines[:_LINES]))}</div>" if lines else ""
    if len(lines) <= _LINES:
        return shown
    rest = chr(10).join(lines[_LINES:])
    rest = rest if len(rest) <= _FULL * 5 else rest[: _FULL * 5] + f"... ({len(lines)} lines in all)"
    return (f"{shown}<details><summary>{len(lines) - _LINES} more line(s)</summary>"
            f"<div style='{_MONO}'>{_e(rest)}</div></details>")


def _xcom_text(xcoms: dict[str, Any]) -> str:
    """The return value as is, other keys as ``key=value``; long values cut short."""
    parts = []
    for key, value in xcoms.items():
        text = repr(value)
        text = text if len(text) <= _CELL else text[: _CELL - 3] + "..."
        parts.append(text if key == "return_value" else f"{key}={text}")
    return ", ".join(parts)


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def summarise(dag: Any, run_id: str, logical_date: dt.datetime, printed: Mapping[tuple[str, int], list[str]],
              failures: Mapping[tuple[str, int], str], log_file: Path | None = None) -> RunSummary:
    """Read a finished run back from the metadata DB: run state, task instances, XComs (deserialized)."""
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        run = (DagRun.dag_id == dag.dag_id, DagRun.run_id == run_id)
        state = session.scalar(select(DagRun.state).where(*run))
        tis = session.scalars(select(TI).where(TI.dag_id == dag.dag_id, TI.run_id == run_id)).all()
        xcoms: dict[tuple[str, int], dict[str, Any]] = {}
        rows = session.scalars(XComModel.get_many(run_id=run_id, dag_ids=dag.dag_id))
        for row in sorted(rows, key=lambda r: r.key):
            xcoms.setdefault((row.task_id, row.map_index), {})[row.key] = _xcom_value(row)
        level = _levels(dag)
        tasks = tuple(
            TaskResult(ti.task_id, str(getattr(ti.state, "value", ti.state) or "none"), ti.try_number,
                       xcoms.get(key, {}), "".join(printed.get(key, [])), failures.get(key), ti.map_index)
            for ti in sorted(tis, key=lambda ti: (level.get(ti.task_id, 0), ti.task_id, ti.map_index))
            for key in [(ti.task_id, ti.map_index)]
        )
    midnight_utc = logical_date.utcoffset() == dt.timedelta(0) and logical_date.time() == dt.time(0)
    date = logical_date.date().isoformat() if midnight_utc else logical_date.isoformat()
    return RunSummary(dag.dag_id, date, str(getattr(state, "value", state)), tasks, log_file)


def _xcom_value(row: Any) -> Any:
    """An XCom row's value as ``xcom_pull`` returns it: JSON decoded, then serde-decoded (tuples, dates...);
    a value serde cannot rebuild here (a class not importable in this process) is shown as stored."""
    from airflow.models.xcom import XComModel
    from airflow.sdk.serde import deserialize

    value = XComModel.deserialize_value(row)
    try:
        return deserialize(value)
    except Exception:  # noqa: BLE001 - a summary must never fail on a value it cannot rebuild
        return value


def _levels(dag: Any) -> dict[str, int]:
    """Each task's depth: the longest path to it from a root."""
    level: dict[str, int] = {}

    def depth(task_id: str) -> int:
        if task_id not in level:
            ups = dag.task_dict[task_id].upstream_task_ids
            level[task_id] = 1 + max((depth(up) for up in ups), default=-1)
        return level[task_id]

    for task_id in dag.task_dict:
        depth(task_id)
    return level
