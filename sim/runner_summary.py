"""What a DAG run did, in a form a notebook can show and a test can assert on.

``dag.test()`` returns a failed DagRun without raising, so a run that broke looks like a run that worked
unless someone checks. ``RunSummary`` makes failure loud: its text and HTML renderings start with
``FAILED`` and name the failing task and its error. Everything in it is deterministic (no durations,
timestamps, run ids or temp paths), so stored notebook outputs stay stable.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_CELL = 44  # widest xcom value shown in a table cell; the full value is on the TaskResult


@dataclass(frozen=True)
class TaskResult:
    """One task instance of the run: final state, tries used, XComs pushed, text it printed."""

    task_id: str
    state: str
    tries: int
    xcoms: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    error: str | None = None  # "ExceptionType: message" of the last failed try
    map_index: int = -1

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
    logical_date: str
    state: str  # the DagRun's state: success / failed
    tasks: tuple[TaskResult, ...]
    log_file: Path | None = field(default=None, compare=False, repr=False)

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
        """Raise AssertionError listing every task whose state differs from ``expected`` (a partial map)."""
        wrong = [f"{k}: expected {v}, got {self.states.get(k, 'no such task')}"
                 for k, v in expected.items() if self.states.get(k) != v]
        if run is not None and run != self.state:
            wrong.insert(0, f"run: expected {run}, got {self.state}")
        if wrong:
            raise AssertionError("\n".join(wrong) + f"\n{self}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (non-JSON XCom values become their ``str``)."""
        tasks = [{"task": t.label, "state": t.state, "tries": t.tries, "xcoms": t.xcoms,
                  "output": t.output, "error": t.error} for t in self.tasks]
        raw = {"dag_id": self.dag_id, "logical_date": self.logical_date, "state": self.state, "tasks": tasks}
        return json.loads(json.dumps(raw, default=str))

    # -- rendering ---------------------------------------------------------------------------------------
    def headline(self) -> str:
        """``SUCCESS dag @ date``, or ``FAILED dag @ date: task failed after N tries: Error: message``."""
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
        head = ("task", "state", "tries", "xcom", "printed")
        rows = self._rows()
        widths = [max([len(head[i])] + [len(r[i]) for r in rows]) for i in range(4)]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths + [0])).rstrip()

        out = [self.headline(), line(head)]
        for label, state, tries, xcom, printed in rows:
            out.append(line((label, state, tries, xcom, printed[0] if printed else "")))
            out += [line(("", "", "", "", more)) for more in printed[1:]]
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.ok else "#cf222e"
        cells = "".join(
            f"<tr><td><code>{_e(label)}</code></td><td>{_e(state)}</td><td>{tries}</td>"
            f"<td><code>{_e(xcom)}</code></td><td><pre style='margin:0'>{_e(chr(10).join(printed))}</pre></td></tr>"
            for label, state, tries, xcom, printed in self._rows()
        )
        th = "".join(f"<th style='text-align:left'>{h}</th>" for h in ("task", "state", "tries", "xcom", "printed"))
        return (f"<div><div style='color:{color};font-weight:bold'>{_e(self.headline())}</div>"
                f"<table><thead><tr>{th}</tr></thead><tbody>{cells}</tbody></table></div>")


def _xcom_text(xcoms: dict[str, Any]) -> str:
    parts = []
    for key, value in xcoms.items():
        text = repr(value)
        text = text if len(text) <= _CELL else text[: _CELL - 3] + "..."
        parts.append(text if key == "return_value" else f"{key}={text}")
    return ", ".join(parts)


def _e(text: str) -> str:
    return html.escape(text, quote=False)
