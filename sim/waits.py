"""Watch a ``FileSensor`` wait under ``dag.test()``: land its file at a chosen check, and record where the wait ran.

``dag.test()`` runs a task with ``run_task_in_process`` (where a deployment uses a worker slot) and a deferred
task's trigger with ``_run_inline_trigger`` (where a deployment uses the triggerer); both are Airflow's own
functions, in ``airflow/sdk/definitions/dag.py``. ``WaitLedger`` wraps them to count and time each call per task,
and counts the file checks: ``FileSensor.poke`` on the worker, the ``glob`` of ``FileTrigger.run`` in the trigger.

    with WaitLedger(marker, land_on_check=3) as ledger:
        runner.run(dag, "2025-10-01")
    ledger.worker_starts["wait_poke"], ledger.checks["wait_poke"]
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

__all__ = ["WaitLedger"]


class WaitLedger:
    """Lands ``marker`` (with ``content``) when the ``land_on_check``-th check of any sensor looks for it."""

    def __init__(self, marker: Path, land_on_check: int = 3, content: str = "closed") -> None:
        if land_on_check < 1:
            raise ValueError(f"land_on_check must be 1 or more, not {land_on_check}")
        self.marker, self.land_on_check, self.content = Path(marker), land_on_check, content
        self.checks: Counter[str] = Counter()  # task_id -> checks made on a worker
        self.trigger_checks: Counter[str] = Counter()  # task_id -> checks made by its trigger
        self.worker_starts: Counter[str] = Counter()  # task_id -> times the task ran on the "worker"
        self.worker_seconds: defaultdict[str, float] = defaultdict(float)
        self.trigger_seconds: defaultdict[str, float] = defaultdict(float)
        self._saved: list[tuple[Any, str, Any]] = []
        self._task: str | None = None

    def _check(self) -> None:
        if sum(self.checks.values()) + sum(self.trigger_checks.values()) >= self.land_on_check:
            self.marker.write_text(self.content)

    def __enter__(self) -> WaitLedger:
        import airflow.providers.standard.triggers.file as file_triggers
        import airflow.sdk.definitions.dag as dag_module
        import airflow.sdk.execution_time.supervisor as supervisor
        from airflow.providers.standard.sensors.filesystem import FileSensor

        self.marker.unlink(missing_ok=True)
        ledger = self
        run_task, run_trigger = supervisor.run_task_in_process, dag_module._run_inline_trigger
        poke, glob = FileSensor.poke, file_triggers.glob

        def timed_task(ti: Any, task: Any) -> Any:
            ledger._task = ti.task_id
            ledger.worker_starts[ti.task_id] += 1
            started = time.monotonic()
            try:
                return run_task(ti=ti, task=task)
            finally:
                ledger.worker_seconds[ti.task_id] += time.monotonic() - started

        def timed_trigger(trigger: Any, ti: Any) -> Any:
            ledger._task = ti.task_id
            started = time.monotonic()
            try:
                return run_trigger(trigger, ti)
            finally:
                ledger.trigger_seconds[ti.task_id] += time.monotonic() - started

        def counted_poke(sensor: Any, context: Any) -> bool:
            ledger.checks[sensor.task_id] += 1
            ledger._check()
            return poke(sensor, context)

        def counted_glob(pattern: str, *args: Any, **kwargs: Any) -> Any:
            ledger.trigger_checks[ledger._task or "?"] += 1
            ledger._check()
            return glob(pattern, *args, **kwargs)

        self._saved = [(supervisor, "run_task_in_process", run_task), (dag_module, "_run_inline_trigger", run_trigger),
                       (FileSensor, "poke", poke), (file_triggers, "glob", glob)]
        supervisor.run_task_in_process, dag_module._run_inline_trigger = timed_task, timed_trigger
        FileSensor.poke, file_triggers.glob = counted_poke, counted_glob
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in self._saved:
            setattr(owner, name, original)
        self._saved = []
