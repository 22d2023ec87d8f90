"""Run a DAG for real on Airflow 3 with ``dag.test()``, in this process, and summarise what happened.

    runner = AirflowRunner(state_dir() / "airflow")      # before anything imports airflow
    summary = runner.run("daily_revenue", "2024-01-02")  # dag_id, DAG file path or DAG object
    summary                                             # a small table; FAILED at the top if it failed

Why in-process: the tasks run inside this interpreter, so fakesnow, moto and responses patches active in
the caller apply to them. What ``dag.test()`` needs and this module provides:

* an isolated ``AIRFLOW_HOME`` whose environment is set *before* ``airflow`` is first imported (Airflow
  reads its configuration once, at import: a kernel that imported it with another home must restart);
* a migrated metadata DB: ``airflow db migrate`` runs once per Airflow version into a template under
  ``.state/cache/`` and every new home gets a copy (a file copy instead of a migration);
* the DAG file inside the configured dags folder (else "the dag is not serialized"): the kit's DAG folder
  is linked in as ``dags/kit`` and any other file is copied in.

Task output: Airflow's log flood goes to ``runner.log_file``; ``print()`` inside a task is captured per
task (a listener marks which task is running, and ``sys.stdout`` routes text to that task's buffer).
Retries: ``dag.test()`` honours ``retry_delay`` in wall-clock time (it polls once a second until the
retry is due: the 5-minute default would stall a notebook), so ``run`` sets every task's retry delay to
zero by default (``fast_retries=False`` keeps the DAG's own). Tries, states and errors stay real.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import logging
import os
import shutil
import subprocess
import sys
import warnings
from importlib.metadata import version
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from pluggy import HookimplMarker

from sim.paths import DAGS_DIR, KIT_ROOT
from sim.runner_summary import RunFailed, RunSummary, TaskResult

__all__ = ["AirflowRunner", "DagImportError", "RunFailed", "RunSummary", "TaskResult", "UnknownDag",
           "configure", "configured_home", "parse_logical_date"]

hookimpl = HookimplMarker("airflow")  # what airflow.listeners.hookimpl is, without importing airflow yet
CACHE_DIR = KIT_ROOT / ".state" / "cache"
_log_stream: TextIO | None = None  # the open log file once configure() has run


class DagImportError(RuntimeError):
    """A DAG file failed to import; the message is Airflow's import error text."""


class UnknownDag(LookupError):
    """No DAG with that id in the dags folder; the message lists the ones there are."""

    def __str__(self) -> str:
        return str(self.args[0])


def _airflow_env(home: Path) -> dict[str, str]:
    """Settings for a quiet, fast, isolated home (env vars beat any airflow.cfg)."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW_CONFIG": str(home / "airflow.cfg"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),  # empty: no stray plugins or listeners
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
    }


def configured_home() -> Path | None:
    """The AIRFLOW_HOME that ``configure`` set up in this process, if any."""
    return Path(os.environ["AIRFLOW_HOME"]) if _log_stream is not None else None


def configure(home: Path) -> Path:
    """Point this process's Airflow at ``home`` (idempotent); must run before the first ``import airflow``."""
    global _log_stream
    home = Path(home).resolve()
    if "airflow" in sys.modules:
        from airflow.configuration import conf

        loaded = {"AIRFLOW__CORE__DAGS_FOLDER": conf.get("core", "dags_folder"),
                  "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": conf.get("database", "sql_alchemy_conn")}
        if any(_airflow_env(home)[k] != v for k, v in loaded.items()):
            raise RuntimeError(
                f"Airflow is already loaded in this process (dags folder {loaded['AIRFLOW__CORE__DAGS_FOLDER']})."
                f" It reads its configuration once, at import, so it cannot switch to {home}. Restart the "
                "kernel (or the Python process) and create the runner before anything imports airflow."
            )
        if _log_stream is not None:
            return home
    for sub in ("dags", "plugins", "logs"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    os.environ.update(_airflow_env(home))
    _install_db(home)
    _log_stream = open(home / "logs" / "runner.log", "a", encoding="utf-8", buffering=1)  # noqa: SIM115
    with _quiet():
        showwarning = warnings.showwarning
        import airflow.sdk.log
        from airflow.sdk.listener import get_listener_manager

        # Airflow bound its loggers to the console at import: send them (stdlib and structlog) to the file,
        # and give Python warnings back to the caller (Airflow reroutes them into its log).
        os.environ["NO_COLOR"], no_color = "1", os.environ.get("NO_COLOR")  # Jupyter sets FORCE_COLOR
        airflow.sdk.log.configure_logging(output=_log_stream, colored_console_log=False)
        os.environ.pop("NO_COLOR") if no_color is None else os.environ.update(NO_COLOR=no_color)
        logging.getLogger("airflow.sdk.definitions.dag").addHandler(_DagTestErrors(logging.ERROR))
        warnings.showwarning = showwarning
        get_listener_manager().add_listener(_LISTENER)
    return home


def _install_db(home: Path) -> None:
    """Give ``home`` a migrated metadata DB: a copy of the per-version template, migrated on first need."""
    db, stamp = home / "airflow.db", home / "airflow.db.version"
    airflow_version = version("apache-airflow")
    if db.exists() and stamp.exists() and stamp.read_text() == airflow_version:
        return
    template = CACHE_DIR / f"airflow-{airflow_version}.db"
    if not template.exists():
        _migrate_template(template)
    shutil.copyfile(template, db)
    stamp.write_text(airflow_version)


def _migrate_template(template: Path) -> None:
    """``airflow db migrate`` in a child process with a scratch home; publish the DB atomically."""
    scratch = template.parent / f"migrate-{os.getpid()}"
    (scratch / "dags").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **_airflow_env(scratch)}
    try:
        done = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        os.replace(scratch / "airflow.db", template)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def parse_logical_date(value: dt.date | dt.datetime | str) -> dt.datetime:
    """``date``, ``datetime`` or ISO string (``'2024-01-02'``) -> aware datetime; naive means UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"logical_date {value!r} is not 'YYYY-MM-DD' or an ISO datetime") from None
    if not isinstance(value, dt.datetime):
        if not isinstance(value, dt.date):
            raise TypeError(f"logical_date must be a date, datetime or 'YYYY-MM-DD', got {type(value).__name__}")
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class _TaskOutput(io.TextIOBase):
    """Stands in for ``sys.stdout`` during a run: text goes to the running task's buffer, else to the log."""

    def __init__(self, log: TextIO) -> None:
        self.log, self.current = log, None
        self.printed: dict[tuple[str, int], list[str]] = {}
        self.failures: dict[tuple[str, int], str | None] = {}

    @property
    def encoding(self) -> str:
        return "utf-8"

    def write(self, text: str) -> int:
        if self.current is None:
            return self.log.write(text)
        self.printed.setdefault(self.current, []).append(text)
        return len(text)

    def flush(self) -> None:
        self.log.flush()


class _Listener:
    """An Airflow listener (the plugin API's task hooks): marks which task runs, records its errors."""

    capture: _TaskOutput | None = None

    @hookimpl
    def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
        if self.capture:
            self.capture.current = (task_instance.task_id, task_instance.map_index)

    @hookimpl
    def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
        if self.capture:
            self.capture.current = None

    on_task_instance_skipped = on_task_instance_success

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        if self.capture:
            text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error or "")
            lines = text.strip().splitlines()
            self.capture.failures[(task_instance.task_id, task_instance.map_index)] = lines[0] if lines else None
            self.capture.current = None


class _DagTestErrors(logging.Handler):
    """dag.test() logs and swallows errors raised around a task rather than in it (e.g. running a trigger)."""

    def emit(self, record: logging.LogRecord) -> None:
        ti = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if _LISTENER.capture and record.exc_info and record.exc_info[1] and hasattr(ti, "task_id"):
            error = record.exc_info[1]
            _LISTENER.capture.failures[(ti.task_id, ti.map_index)] = f"{type(error).__name__}: {error}"


_LISTENER = _Listener()


class AirflowRunner:
    """Runs DAGs of a dags folder (``<home>/dags``: ``dags_dir`` linked in, plus files added) with dag.test()."""

    def __init__(self, home: Path, dags_dir: Path | None = DAGS_DIR) -> None:
        self.home = configure(home)
        self.dags_folder = self.home / "dags"
        self.dags_dir = Path(dags_dir).resolve() if dags_dir else None
        self._link = self.dags_folder / ("kit" if dags_dir == DAGS_DIR else getattr(dags_dir, "name", ""))
        self._sync()

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "runner.log"

    def _sync(self) -> None:
        """Link ``dags_dir`` in; where symlinks are not allowed, copy it (again on every run, to stay in sync)."""
        if self.dags_dir is None or (self._link.is_symlink() and self._link.resolve() == self.dags_dir):
            return
        if self._link.is_symlink():
            self._link.unlink()
        try:
            self._link.symlink_to(self.dags_dir, target_is_directory=True)
        except OSError:
            shutil.copytree(self.dags_dir, self._link, dirs_exist_ok=True)

    def add_file(self, path: str | os.PathLike) -> Path:
        """Copy a DAG file into the dags folder (a file already there stays); return its path there."""
        src = Path(path).resolve()
        if not src.is_file():
            raise FileNotFoundError(f"no DAG file at {path}")
        if self.dags_dir and src.is_relative_to(self.dags_dir):
            return self._link / src.relative_to(self.dags_dir)
        if src.is_relative_to(self.dags_folder):
            return src
        dest = self.dags_folder / src.name
        if not dest.exists() or dest.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dest)
        return dest

    def _bag(self, path: Path | None = None) -> Any:
        from airflow.dag_processing.dagbag import DagBag

        with _quiet():
            return DagBag(path or self.dags_folder, bundle_path=self.dags_folder)

    def dag_ids(self) -> list[str]:
        self._sync()
        return sorted(self._bag().dags)

    def _resolve(self, dag: Any) -> Any:
        """dag_id, DAG file path or DAG object -> a DAG object whose file is in the dags folder."""
        from airflow.sdk import DAG

        if isinstance(dag, str) and not dag.endswith(".py"):
            bag = self._bag()
            if dag in bag.dags:
                return bag.dags[dag]
            broken = f"; files that failed to import: {', '.join(sorted(bag.import_errors))}"
            raise UnknownDag(f"no DAG {dag!r} in the dags folder. Available: "
                             f"{', '.join(sorted(bag.dags)) or '(none)'}{broken if bag.import_errors else ''}")
        path = Path(dag.fileloc) if isinstance(dag, DAG) else Path(dag)
        if isinstance(dag, DAG) and (not path.is_file() or "ipykernel" in str(path)):
            raise ValueError(f"DAG {dag.dag_id!r} was not defined in a .py file; dag.test() needs its file in "
                             "the dags folder: write the cell with %%writefile and run that file's path")
        bag = self._bag(self.add_file(path))
        if bag.import_errors:
            raise DagImportError("\n".join(f"{p}: {text}" for p, text in sorted(bag.import_errors.items())))
        if isinstance(dag, DAG):
            if dag.dag_id not in bag.dags:
                raise UnknownDag(f"DAG {dag.dag_id!r} belongs to {path.name} (its fileloc) but importing {path.name}"
                                 " does not create it: Airflow only finds DAGs created when their file is imported")
            return dag
        if len(bag.dags) != 1:
            raise UnknownDag(f"{path.name} defines {len(bag.dags)} DAGs ({', '.join(sorted(bag.dags))}); "
                             "add_file() it and run one by dag_id")
        return next(iter(bag.dags.values()))

    def run(self, dag: Any, logical_date: dt.date | dt.datetime | str, conf: dict | None = None,
            expect: str | None = None, fast_retries: bool = True) -> RunSummary:
        """Run one DagRun with ``dag.test()`` and summarise it.

        ``dag``: a dag_id, the path of a DAG file (copied into the dags folder) or a DAG object (its file
        must be a real .py file; the object itself runs, so changes made to it in memory count).
        The run id is ``manual__<logical date>``: running the same date again replaces the earlier run.
        ``expect="success"`` (or ``"failed"``) raises RunFailed, carrying the summary, if the run ends
        otherwise. ``fast_retries`` zeroes every task's retry delay for this run (dag.test() would wait it
        out in real time); ``False`` keeps the DAG's own delays.
        """
        when = parse_logical_date(logical_date)
        self._sync()
        target = self._resolve(dag)
        capture = _TaskOutput(_log_stream)
        print(f"\n===== {target.dag_id} @ {when.isoformat()} =====", file=_log_stream)
        with _no_retry_wait(target, fast_retries), _capturing(capture), _no_running_loop():
            dagrun = target.test(logical_date=when, run_after=when, run_conf=conf)
        summary = _summarise(target, dagrun.run_id, capture, when, self.log_file)
        if expect is not None and summary.state != expect:
            raise RunFailed(summary, expect)
        return summary


@contextlib.contextmanager
def _no_running_loop() -> Iterator[None]:
    """Hide a Jupyter kernel's asyncio loop while dag.test() blocks this thread anyway: dag.test() runs
    the trigger of a deferred task with asyncio.run(), which refuses to start inside a running loop."""
    loop = asyncio._get_running_loop()
    if loop is None:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)
        asyncio.set_event_loop(loop)  # asyncio.run() leaves the thread with no current loop


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Parse-time prints and Airflow chatter go to the log file."""
    with contextlib.redirect_stdout(_log_stream), contextlib.redirect_stderr(_log_stream):
        yield


@contextlib.contextmanager
def _capturing(capture: _TaskOutput) -> Iterator[None]:
    _LISTENER.capture = capture
    try:
        with contextlib.redirect_stdout(capture), contextlib.redirect_stderr(_log_stream):
            yield
    finally:
        _LISTENER.capture = None


@contextlib.contextmanager
def _no_retry_wait(dag: Any, enabled: bool) -> Iterator[None]:
    saved = [(t, t.retry_delay, t.retry_exponential_backoff) for t in dag.tasks if enabled and t.retries]
    for task, _, _ in saved:
        task.retry_delay, task.retry_exponential_backoff = dt.timedelta(0), 0
    try:
        yield
    finally:
        for task, delay, backoff in saved:
            task.retry_delay, task.retry_exponential_backoff = delay, backoff


def _summarise(dag: Any, run_id: str, capture: _TaskOutput, when: dt.datetime, log_file: Path) -> RunSummary:
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        state = session.scalar(select(DagRun.state).where(DagRun.dag_id == dag.dag_id, DagRun.run_id == run_id))
        tis = session.scalars(select(TI).where(TI.dag_id == dag.dag_id, TI.run_id == run_id)).all()
        xcoms: dict[tuple[str, int], dict[str, Any]] = {}
        for row in sorted(session.scalars(XComModel.get_many(run_id=run_id, dag_ids=dag.dag_id)), key=lambda r: r.key):
            xcoms.setdefault((row.task_id, row.map_index), {})[row.key] = XComModel.deserialize_value(row)
        order = _levels(dag)
        tasks = tuple(
            TaskResult(task_id=ti.task_id, state=str(getattr(ti.state, "value", ti.state) or "none"),
                       tries=ti.try_number, xcoms=xcoms.get((ti.task_id, ti.map_index), {}),
                       output="".join(capture.printed.get((ti.task_id, ti.map_index), [])),
                       error=capture.failures.get((ti.task_id, ti.map_index)), map_index=ti.map_index)
            for ti in sorted(tis, key=lambda ti: (order.get(ti.task_id, 0), ti.task_id, ti.map_index))
        )
    is_midnight_utc = when.utcoffset() == dt.timedelta(0) and when.time() == dt.time(0)
    return RunSummary(dag_id=dag.dag_id, logical_date=when.date().isoformat() if is_midnight_utc else when.isoformat(),
                      state=str(getattr(state, "value", state)), tasks=tasks, log_file=log_file)


def _levels(dag: Any) -> dict[str, int]:
    """Each task's depth (longest path from a root): the table lists tasks level by level, then by id."""
    level: dict[str, int] = {}

    def depth(task_id: str) -> int:
        if task_id not in level:
            level[task_id] = 1 + max((depth(u) for u in dag.task_dict[task_id].upstream_task_ids), default=-1)
        return level[task_id]

    for task_id in dag.task_dict:
        depth(task_id)
    return level
