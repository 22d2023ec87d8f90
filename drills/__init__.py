"""SQL drills in Snowflake's dialect on the clinic's tables, graded on a visible and several hidden datasets.

In a notebook::

    from drills import check, preview
    preview("APPOINTMENTS")                   # the visible data
    check("revenue-per-clinician", sql)       # grades, prints the verdict, saves the attempt

In a terminal: ``kit-drill`` (see ``drills.cli``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["check", "preview"]


def check(drill_id: str, sql: str | None, *, record: bool = True, store: Any = None) -> None:
    """Grade ``sql`` for drill ``drill_id`` and print the verdict; an attempt is saved to the progress
    store (``store`` or ``$KIT_QUIZ_STORE``). An empty or comment-only ``sql`` is "not attempted" and
    saves nothing."""
    from datetime import UTC, datetime

    from . import bank
    from .grade import grade

    drills = bank.by_id()
    if drill_id not in drills:
        raise KeyError(f"no drill '{drill_id}'; known: {', '.join(drills)}")
    result = grade(drills[drill_id], sql)
    print(result.message)
    if record and result.stage != "not_attempted":
        from .progress import DrillProgress, StoreError

        try:
            with DrillProgress(store) as progress:
                progress.record(drill_id, result.passed, result.stage, result.case, datetime.now(UTC))
        except StoreError as error:
            print(f"(not saved: {error})")


def preview(table: str, limit: int = 10) -> Any:
    """The first ``limit`` rows of ``table`` in the visible dataset, as a pandas DataFrame."""
    import pandas as pd

    from . import datasets, engine

    name = table.upper()
    if name not in datasets.COLUMNS:
        raise KeyError(f"no table '{table}'; the drills use {', '.join(datasets.COLUMNS)}")
    order = "LOADED_AT" if name == "RAW_APPOINTMENTS" else "1"
    outcome = engine.scratch().query("visible", f"SELECT * FROM {name} ORDER BY {order} LIMIT {int(limit)}")
    return pd.DataFrame(outcome.rows, columns=list(outcome.columns))
