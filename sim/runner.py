"""Run a DAG for real on Airflow 3 with ``dag.test()``, in this process, and summarise what happened.

    runner = AirflowRunner(state_dir() / "airflow")      # before anything imports airflow
    summary = runner.run("daily_revenue", "2024-01-02")  # a dag_id, a DAG file's path or a DAG object
    summary                                             # a small table; FAILED first if it failed

In-process on purpose: tasks run in this interpreter, so the fakesnow, moto and responses patches active in
the caller apply to them. What ``dag.test()`` needs, and this module provides:

* an isolated ``AIRFLOW_HOME`` set *before* ``airflow`` is first imported: Airflow reads its configuration
  once, at import, so a kernel that already imported it with another home must restart;
* a migrated metadata DB: ``airflow db migrate`` runs once per Airflow version into a template under
  ``.state/cache/``; a new home gets a file copy of it;
* the DAG's file inside the configured dags folder (else "the dag is not serialized"): the kit's DAG
  folder is linked in as ``dags/kit``, any other file is copied in. The linked folder is a DAG bundle of its
  own (``kit``) and ``dags-folder`` leaves it out, because ``dag.test()`` re-parses its DAG's whole bundle.

Output: Airflow's log flood goes to ``runner.log_file``; what a task ``print()``s is captured per task
(an Airflow listener says which task is running; ``sys.stdout`` routes text to that task's buffer).
``logging`` calls inside tasks go to the log file like Airflow's own lines.
Retries: ``dag.test()`` waits out ``retry_delay`` in real time (it polls every second until the retry is
due; the 5-minute default would stall a notebook), so ``run`` zeroes the delays of the run's tasks unless
``fast_retries=False``. Every try still really runs: states, tries, errors and printed text are real.
Sensors wait for real too: a poking sensor sleeps ``poke_interval`` inside the task and a rescheduled one
is polled every second, so DAGs run from notebooks want short intervals. Deferred tasks run their trigger
inline, also inside a Jupyter kernel.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

from pluggy import HookimplMarker

from sim.paths import DAGS_DIR, KIT_ROOT, state_dir
from sim.runner_summary import RunFailed, RunSummary, TaskResult, summarise

__all__ = ["AirflowRunner", "DagImportError", "RunFailed", "RunSummary", "TaskResult", "UnknownDag",
           "bundle_of", "configure", "configured_home", "ensure_template", "parse_logical_date", "prepare_home",
           "use_bundles"]

CACHE_DIR = KIT_ROOT / ".state" / "cache"  # shared by every home, so test sessions migrate only once
hookimpl = HookimplMarker("airflow")  # what airflow.listeners.hookimpl is, without importing airflow yet
_home: Path | None = None  # set by prepare_home()
_log_stream: TextIO | None = None  # the open log file, once configure() has run
_shared: AirflowRunner | None = None


class DagImportError(RuntimeError):
    """A DAG file failed to import; the message is Airflow's import error text."""


class UnknownDag(LookupError):
    """No such DAG; the message lists the DAG ids there are."""

    def __str__(self) -> str:
        return str(self.args[0])


def _airflow_env(home: Path) -> dict[str, str]:
    """A quiet, fast, isolated Airflow: environment variables beat any airflow.cfg."""
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
    """The AIRFLOW_HOME that ``prepare_home`` or ``configure`` set up in this process, if any."""
    return _home


def prepare_home(home: Path) -> Path:
    """Create ``home`` (dags, plugins, logs, a migrated DB) and point the environment at it, without importing
    airflow: the pytest plugin calls this before collection, so test modules may import airflow freely."""
    global _home
    home = Path(home).resolve()
    for sub in ("dags", "plugins", "logs"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    os.environ.update(_airflow_env(home))
    _install_db(home)
    _home = home
    return home


def configure(home: Path) -> Path:
    """Point this process's Airflow at ``home`` (idempotent); call it before the first ``import airflow``."""
    global _log_stream
    home = Path(home).resolve()
    if "airflow" in sys.modules:
        from airflow.configuration import conf

        wanted = _airflow_env(home)
        loaded = (conf.get("core", "dags_folder"), conf.get("database", "sql_alchemy_conn"))
        if loaded != (wanted["AIRFLOW__CORE__DAGS_FOLDER"], wanted["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]):
            raise RuntimeError(
                f"Airflow is already loaded in this process (dags folder {loaded[0]}). It reads its "
                f"configuration once, at import, so it cannot switch to {home}. Restart the kernel (or the "
                "Python process) and create the runner before anything imports airflow.")
        if _log_stream is not None:
            return home
    prepare_home(home)
    log = open(home / "logs" / "runner.log", "a", encoding="utf-8", buffering=1)  # noqa: SIM115
    _log_stream = _Redacting(log)
    with _quiet():
        showwarning, no_color = warnings.showwarning, os.environ.get("NO_COLOR")
        import airflow.sdk.log
        from airflow.sdk.listener import get_listener_manager

        # Airflow bound its loggers to the console at import: send stdlib and structlog output to the file
        # (without colours: Jupyter sets FORCE_COLOR), and give Python warnings back to the caller.
        os.environ["NO_COLOR"] = "1"
        airflow.sdk.log.configure_logging(output=_log_stream, colored_console_log=False)
        os.environ.pop("NO_COLOR") if no_color is None else os.environ.update(NO_COLOR=no_color)
        warnings.showwarning = showwarning
        get_listener_manager().add_listener(_WATCH)
        logging.getLogger("airflow.sdk.definitions.dag").addHandler(_WATCH)
    return home


def ensure_template() -> tuple[Path, bool]:
    """This Airflow version's migrated metadata DB template, migrated now if missing: (path, created)."""
    template = CACHE_DIR / f"airflow-{version('apache-airflow')}.db"
    if template.exists():
        return template, False
    scratch = CACHE_DIR / f"migrate-{os.getpid()}"  # a scratch home, then an atomic rename
    (scratch / "dags").mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True,
                              text=True, env={**os.environ, **_airflow_env(scratch)}, check=False)
        if done.returncode:
            raise RuntimeError(f"airflow db migrate failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        os.replace(scratch / "airflow.db", template)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return template, True


def _install_db(home: Path) -> None:
    """Give ``home`` a migrated metadata DB: a copy of this Airflow version's template (made if missing)."""
    db, stamp, airflow_version = home / "airflow.db", home / "airflow.db.version", version("apache-airflow")
    if db.exists() and stamp.exists() and stamp.read_text() == airflow_version:
        return
    shutil.copyfile(ensure_template()[0], db)
    stamp.write_text(airflow_version)


def parse_logical_date(value: dt.date | dt.datetime | str) -> dt.datetime:
    """``date``, ``datetime`` or ISO string (``'2024-01-02'``) -> aware datetime; naive means UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"logical_date {value!r} is not 'YYYY-MM-DD' or an ISO datetime") from None
    if not isinstance(value, dt.date):
        raise TypeError(f"logical_date must be a date, datetime or 'YYYY-MM-DD', not {type(value).__name__}")
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _redact(text: str) -> str:
    """``text`` with every secret Airflow's masker knows replaced by ``***``: what its task logs show.

    A task registers a secret by reading it the Airflow way: ``Variable.get`` of a sensitive key
    (``password``, ``api_key``, ``token``, ``secret``...) and every ``Connection``'s password and extra.
    A secret read from ``os.environ`` directly is not masked, in Airflow or here.
    """
    from airflow.sdk._shared.secrets_masker import redact

    return redact(text) if text else text


class _Redacting(io.TextIOBase):
    """The runner's log file, written through Airflow's secrets masker."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    encoding = "utf-8"

    def write(self, text: str) -> int:
        self.stream.write(_redact(text) if "airflow.sdk" in sys.modules else text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()


def scrub_logs(secrets: list[str]) -> None:
    """Replace each of ``secrets`` with ``***`` in the runner's log files (the sim calls this when a world
    stops, so no secret of the run outlives it on disk, even one a task printed from ``os.environ``)."""
    if _home is None:
        return
    wanted = [s for s in secrets if s]
    for path in (_home / "logs").rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        cleaned = text
        for secret in wanted:
            cleaned = cleaned.replace(secret, "***")
        if cleaned != text:
            with open(path, "r+", encoding="utf-8", errors="surrogateescape") as f:
                f.write(cleaned)
                f.truncate()


class _TaskOutput(io.TextIOBase):
    """``sys.stdout`` during a run: text goes to the running task's buffer, anything else to the log."""

    def __init__(self) -> None:
        self.current: tuple[str, int] | None = None
        self.printed: dict[tuple[str, int], list[str]] = {}
        self.failures: dict[tuple[str, int], str] = {}  # (task_id, map_index) -> last error line

    encoding = "utf-8"

    def write(self, text: str) -> int:
        if self.current is None:
            return _log_stream.write(text)
        self.printed.setdefault(self.current, []).append(text)
        return len(text)

    def flush(self) -> None:
        _log_stream.flush()


class _Watch(logging.Handler):
    """Watches a run: an Airflow listener (task started / ended / failed with this error) and a log handler
    for errors ``dag.test()`` catches around a task rather than in it (e.g. in a deferred task's trigger)."""

    output: _TaskOutput | None = None

    @hookimpl
    def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
        if self.output is not None:
            self.output.current = (task_instance.task_id, task_instance.map_index)

    @hookimpl
    def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
        if self.output is not None:
            self.output.current = None

    on_task_instance_skipped = on_task_instance_success

    @hookimpl
    def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
        self._failed(task_instance, error)

    def emit(self, record: logging.LogRecord) -> None:
        ti = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if record.exc_info and hasattr(ti, "task_id"):
            self._failed(ti, record.exc_info[1])

    def _failed(self, ti: Any, error: Any) -> None:
        if self.output is not None:
            text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
            self.output.failures[(ti.task_id, ti.map_index)] = (text.strip().splitlines() or ["?"])[0]
            self.output.current = None


_WATCH = _Watch(logging.ERROR)


class AirflowRunner:
    """Runs the DAGs of ``<home>/dags`` (``dags_dir`` linked in, plus the files added) with ``dag.test()``."""

    def __init__(self, home: Path, dags_dir: Path | None = DAGS_DIR) -> None:
        self.home = configure(home)
        self.dags_folder = self.home / "dags"
        self.dags_dir = Path(dags_dir).resolve() if dags_dir else None
        is_kit = self.dags_dir == DAGS_DIR.resolve()
        self._link = self.dags_folder / ("kit" if is_kit or not self.dags_dir else self.dags_dir.name)
        self._sync()

    @classmethod
    def shared(cls, home: Path | None = None) -> AirflowRunner:
        """This process's runner for the kit's DAGs: in the home configured already, else in ``home``,
        else in ``<state dir>/airflow-<pid>`` (one per process: two kernels never share a metadata DB)."""
        global _shared
        if _shared is None or (home is not None and Path(home).resolve() != _shared.home):
            _shared = cls(home or configured_home() or state_dir() / f"airflow-{os.getpid()}")
        return _shared

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "runner.log"

    def _sync(self) -> None:
        """Link ``dags_dir`` in (where symlinks are not allowed, copy it, again each run, to stay in sync) and
        declare the bundles again (``use_bundles``)."""
        if self.dags_dir is not None:
            if not (self._link.is_symlink() and self._link.resolve() == self.dags_dir):
                if self._link.is_symlink():
                    self._link.unlink()
                try:
                    self._link.symlink_to(self.dags_dir, target_is_directory=True)
                except OSError:
                    shutil.copytree(self.dags_dir, self._link, dirs_exist_ok=True)
            _declare_bundle(self.dags_folder, self._link)
        use_bundles(self.dags_folder)

    def add_file(self, path: str | os.PathLike) -> Path:
        """Copy a DAG file into the dags folder (unless it is in already); return its path there."""
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
        """The DagBag of one file, or (no ``path``) of every bundle: the files added and each linked folder."""
        from airflow.dag_processing.dagbag import DagBag

        folders = [self.dags_folder, *_BUNDLES.values()]
        with _quiet():
            if path is not None:
                bundle = max((f for f in folders if path.is_relative_to(f)), key=lambda f: len(f.parts))
                return DagBag(path, bundle_path=bundle)
            bag, *others = (DagBag(folder, bundle_path=folder) for folder in folders)
        for folder, other in zip(folders[1:], others, strict=True):
            bag.dags.update(other.dags)
            bag.import_errors.update({f"{folder.name}/{file}": text for file, text in other.import_errors.items()})
        return bag

    def dag_ids(self) -> list[str]:
        self._sync()
        return sorted(self._bag().dags)

    def _resolve(self, dag: Any) -> Any:
        """A dag_id, a DAG file's path or a DAG object -> a DAG object whose file is in the dags folder."""
        from airflow.sdk import DAG

        if isinstance(dag, str) and not dag.endswith(".py"):
            bag = self._bag()
            if dag in bag.dags:
                return bag.dags[dag]
            broken = f"; files that failed to import: {', '.join(sorted(bag.import_errors))}"
            raise UnknownDag(f"no DAG {dag!r} in the dags folder. Available: {', '.join(sorted(bag.dags))}"
                             f"{broken if bag.import_errors else ''}")
        path = Path(dag.fileloc) if isinstance(dag, DAG) else Path(dag)
        if isinstance(dag, DAG) and (not path.is_file() or "ipykernel" in str(path)):
            raise ValueError(f"DAG {dag.dag_id!r} was not defined in a .py file; dag.test() needs its file "
                             "in the dags folder: write the cell with %%writefile and run that file's path")
        bag = self._bag(self.add_file(path))
        if bag.import_errors:
            raise DagImportError("\n".join(f"{p}: {text}" for p, text in sorted(bag.import_errors.items())))
        if isinstance(dag, DAG):
            if dag.dag_id not in bag.dags:
                raise UnknownDag(f"DAG {dag.dag_id!r} belongs to {path.name} (its fileloc) but importing "
                                 f"{path.name} does not create it: Airflow only finds DAGs made at import")
            return dag
        if len(bag.dags) != 1:
            raise UnknownDag(f"{path.name} defines {len(bag.dags)} DAGs ({', '.join(sorted(bag.dags))}); "
                             "add_file() it and run one by dag_id")
        return next(iter(bag.dags.values()))

    def run(self, dag: Any, logical_date: dt.date | dt.datetime | str, conf: dict | None = None,
            expect: str | None = None, fast_retries: bool = True) -> RunSummary:
        """Run one DagRun with ``dag.test()`` and summarise it.

        ``dag``: a dag_id, a DAG file's path (copied into the dags folder) or a DAG object (made at import
        of a .py file; the object itself runs, so in-memory changes to it count).
        The run id is ``manual__<logical date>``; running a date again replaces that date's run.
        ``expect="success"`` (or ``"failed"``) raises RunFailed, which carries the summary, otherwise.
        ``fast_retries=False`` keeps the DAG's retry delays (dag.test() then waits them out for real).
        """
        when = parse_logical_date(logical_date)
        self._sync()
        target = self._resolve(dag)
        print(f"\n===== {target.dag_id} @ {when.isoformat()} =====", file=_log_stream)
        with _watching() as output, _no_retry_wait(target, fast_retries), _no_running_loop():
            dagrun = target.test(logical_date=when, run_after=when, run_conf=conf)
        # what Airflow's task logs would show: secrets the run registered with its masker are "***"
        printed = {key: [_redact("".join(parts))] for key, parts in output.printed.items()}
        failures = {key: _redact(text) for key, text in output.failures.items()}
        summary = summarise(target, dagrun.run_id, when, printed, failures, self.log_file)
        if expect is not None and summary.state != expect:
            raise RunFailed(summary, expect)
        return summary


_BUNDLES: dict[str, Path] = {}  # linked folder name -> its path: the DAG bundles besides "dags-folder"
_LOCAL_BUNDLE = "airflow.dag_processing.bundles.local.LocalDagBundle"


def _declare_bundle(dags_folder: Path, linked: Path) -> None:
    """Make the linked folder a DAG bundle of its own, left out of ``dags-folder`` (the files added).

    ``dag.test()`` parses every file of the bundle that holds the DAG it runs and writes each DAG to the
    metadata DB, on every call. With the whole dags folder as one bundle, a one-file DAG paid for the kit's
    nineteen files on each run; now it pays for the files added beside it."""
    if _BUNDLES.get(linked.name) != linked:
        _BUNDLES[linked.name] = linked
        (dags_folder / ".airflowignore").write_text("".join(f"{name}/\n" for name in sorted(_BUNDLES)))


def use_bundles(dags_folder: Path | None = None) -> None:
    """Tell Airflow the bundles (it reads the list at each use; an environment variable beats airflow.cfg).
    Said again before each use: a ``mock.patch.dict(os.environ)`` that was open when it was last said (a
    world's S3 credentials, a test's) takes it back when it closes."""
    folder = dags_folder or configured_home() / "dags"
    bundles = [{"name": "dags-folder", "classpath": _LOCAL_BUNDLE, "kwargs": {"path": str(folder)}}]
    bundles += [{"name": name, "classpath": _LOCAL_BUNDLE, "kwargs": {"path": str(path)}}
                for name, path in sorted(_BUNDLES.items())]
    os.environ["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = json.dumps(bundles)


def bundle_of(fileloc: str | os.PathLike) -> str:
    """The name of the DAG bundle that holds a DAG file: its linked folder's ("kit" for the kit's DAGs), else
    ``dags-folder``. Code that writes a DAG to the metadata DB itself must use it: ``dag.test()`` re-parses only
    the bundle the DB names, and a DAG recorded under another bundle is then "not serialized"."""
    path = Path(fileloc).resolve()
    return next((name for name, folder in _BUNDLES.items() if path.is_relative_to(folder.resolve())), "dags-folder")


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Prints at DAG-parse time and Airflow's chatter go to the log file."""
    with contextlib.redirect_stdout(_log_stream), contextlib.redirect_stderr(_log_stream):
        yield


@contextlib.contextmanager
def _watching() -> Iterator[_TaskOutput]:
    _WATCH.output = output = _TaskOutput()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(_log_stream):
            yield output
    finally:
        _WATCH.output = None


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


@contextlib.contextmanager
def _no_running_loop() -> Iterator[None]:
    """Hide a Jupyter kernel's asyncio loop while dag.test() blocks this thread anyway: dag.test() runs a
    deferred task's trigger with asyncio.run(), which refuses to start inside a running loop."""
    loop = asyncio._get_running_loop()
    if loop is None:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)
        asyncio.set_event_loop(loop)  # asyncio.run() leaves the thread without a current loop
