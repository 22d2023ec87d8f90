"""Graded exercises go to the progress store, for the readiness report (``kit-report``), from your work copy only.

``exercises.grading.grade`` calls :func:`record` with every verdict. It saves (exercise, notebook, passed) only when
the notebook runs in your copy of the notebooks, ``work/`` (JupyterLab starts a notebook's kernel in the notebook's
folder), and never in CI or under pytest: the shipped ``notebooks/`` that ``make test`` runs with nbval, and the
graders' own tests, record nothing. "Not attempted" is not a result and is not saved.

The notebook is found from the exercise's name (``interview.topics.notebook_of``: the grader module that grades
it, and the notebook that imports that module), not from the call stack or the kernel.

Recording never breaks a notebook: if the store cannot be used, one calm line says so and the grade stands.
The store is the one ``kit-quiz`` and ``kit-drill`` use (``$KIT_QUIZ_STORE``, else the user data directory).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parents[1] / "work"


def in_work_copy(cwd: Path | None = None) -> bool:
    """True when this process runs in the kit's ``work/`` folder (or below it), outside CI and pytest."""
    if os.environ.get("CI") or os.environ.get("PYTEST_CURRENT_TEST"):
        return False
    here = (cwd or Path.cwd()).resolve()
    return here == WORK.resolve() or here.is_relative_to(WORK.resolve())


def record(result: Any, store: Path | None = None) -> bool:
    """Save a passed or failed ``Grade`` when running in the work copy; True when it was saved."""
    if result.status not in ("passed", "failed") or not in_work_copy():
        return False
    try:
        from interview.progress import InterviewProgress
        from interview.topics import notebook_of

        notebook = notebook_of(result.exercise)
        if notebook is None:
            return False
        with InterviewProgress(store) as progress:
            progress.record_exercise(result.exercise, notebook, result.passed, datetime.now(UTC))
    except Exception as error:  # noqa: BLE001 - the grade is what matters; the record is a bonus
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"(this result was not saved for kit-report: {first})")
        return False
    return True
