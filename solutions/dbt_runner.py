"""Run the kit's dbt project (solutions/dbt) from Python or Airflow: ``dbt run --select ...``, ``dbt test``.

The syllabus's DAG runs dbt with ``BashOperator(bash_command='cd /dbt && dbt run --models ...')``. That is the
right idea (dbt is a command-line program; the orchestrator only decides *when* and *which models*), with
four gaps this module closes:

* **Which day?** An incremental model must be told the interval it processes. Here every call passes
  ``--vars '{"day": "YYYY-MM-DD"}'`` from the run's logical date; the project refuses to build the
  incremental fact without it (``macros/run_day.sql``).
* **Where do the profile, target/ and logs/ live?** Not in the repository, and not in a shared ``~/.dbt``:
  :func:`write_profile` generates ``profiles.yml`` at run time in a work folder (under the state directory),
  and ``--target-path`` / ``--log-path`` point there too. The profile holds file paths only, no credentials.
* **Did it work, and what failed?** A non-zero exit code says little. :class:`DbtResult` reads
  ``run_results.json`` (written by every ``run``/``test``/``build``) and names each failing model or test,
  with the number of failing rows. :meth:`DbtResult.raise_for_status` distinguishes *data* failures
  (tests ran and found bad rows: :class:`DbtTestFailure`, retrying cannot help) from *dbt* errors (a model's
  SQL failed, the database was locked: :class:`DbtError`, worth a retry).
* **The warehouse files.** In the sim, dbt-duckdb builds the models directly in the DuckDB files that
  fakesnow serves as Snowflake (profile ``path`` = ``ANALYTICS.db``, the other databases ``attach``-ed).
  DuckDB lets one process at a time write a file, and fakesnow holds them open; ``release`` is a context
  manager that hands them over for the duration of the dbt call (``Warehouse.released``: DETACH, then
  ATTACH again, ~0.1 s). On real Snowflake, the team's profile would use dbt-snowflake and nothing needs
  releasing.

dbt runs as a **subprocess** (``python -m dbt.cli.main``, the same interpreter as the caller) by default:
it works the same from a notebook, ``dag.test()`` or a real Airflow worker, and when the process exits its
DuckDB handles are gone for sure. ``in_process=True`` uses dbt's programmatic ``dbtRunner`` instead: the same
command line without the ~3 s interpreter start, for notebooks and tests that run dbt many times.

    runner = DbtRunner(world.warehouse.path, world.run_dir / "dbt", release=world.warehouse.released)
    runner.invoke("run", "--select", "staging", "marts", day="2025-09-30").raise_for_status()
    result = runner.invoke("test", "--select", "marts", day="2025-09-30")
    result.failed          # ('not_null_fct_appointments_CLIENT_ID', ...)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solutions.days import iso_day

PROJECT_DIR = Path(__file__).resolve().parent / "dbt"
PROFILE = "kit_sim"
TARGET = "sim"
MAIN_DATABASE = "ANALYTICS"  # dbt writes here (profile path); the others are attached
ATTACHED = {"RAW": True, "BACKEND": True}  # database -> read only
#: what dbt needs in its environment to stay offline and quiet (usage stats are also off in dbt_project.yml)
DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1", "DBT_USE_COLORS": "false"}
FAILING = ("fail", "error", "runtime error")
RESULT_COMMANDS = ("run", "test", "build", "seed", "snapshot")  # commands whose results are per node
LEASE_WAIT = 300.0  # seconds to wait for a lender that answers 503 (busy) before giving up
_DBT_MAIN = "import sys; from dbt.cli.main import cli; sys.exit(cli())"  # the `dbt` script, any venv


class DbtError(RuntimeError):
    """dbt could not do its job: a model failed to build, the SQL did not compile, the database was busy.
    Retrying may help (an Airflow task lets it raise and retries)."""

    def __init__(self, message: str, result: DbtResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class DbtTestFailure(RuntimeError):
    """dbt tests ran and found bad rows. The data is wrong: a retry gives the same answer, so an Airflow task
    turns this into ``AirflowFailException`` (fail now, alert, no retries)."""

    def __init__(self, message: str, result: DbtResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class NodeResult:
    """One model or test as ``run_results.json`` reports it."""

    name: str  # the node's name: "fct_appointments", "not_null_fct_appointments_CLIENT_ID"
    resource_type: str  # "model", "test", "seed", ...
    status: str  # models: success / error / skipped; tests: pass / fail / warn / error / skipped
    failures: int | None = None  # tests: failing rows
    message: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in FAILING

    def describe(self) -> str:
        if self.resource_type == "test" and self.status == "fail":
            return f"{self.name} ({self.failures} failing row{'s' if self.failures != 1 else ''})"
        if self.failed:
            return f"{self.name} ({self.status}: {_reason(self.message)})"
        return self.name


@dataclass(frozen=True)
class DbtResult:
    """What one dbt command did. ``seconds`` is wall time (for measuring; never printed in notebooks)."""

    command: tuple[str, ...]  # "dbt" and its arguments, without the machine's paths
    returncode: int
    nodes: tuple[NodeResult, ...]
    output: str = field(repr=False, default="")  # dbt's console output (the log file has everything)
    seconds: float = field(repr=False, default=0.0)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not any(n.failed for n in self.nodes)

    @property
    def failed(self) -> tuple[str, ...]:
        """Names of the failing tests (``fail``), sorted."""
        return tuple(sorted(n.name for n in self.nodes if n.resource_type == "test" and n.status == "fail"))

    @property
    def errors(self) -> tuple[NodeResult, ...]:
        """Nodes that errored (a model whose SQL failed, a test that could not run)."""
        return tuple(n for n in self.nodes if n.status in ("error", "runtime error"))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for node in self.nodes:
            out[node.status] = out.get(node.status, 0) + 1
        return dict(sorted(out.items()))

    def summary(self) -> str:
        """One line for a log, an XCom or a Slack message; the failing nodes named."""
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items()) or "nothing ran"
        line = f"{' '.join(self.command)}: {'OK' if self.ok else 'FAILED'} ({counts})"
        bad = [n.describe() for n in sorted(self.nodes, key=lambda n: n.name) if n.failed]
        if not self.nodes and self.returncode:
            bad = [_last_error(self.output)]
        return line + "".join(f"\n  {b}" for b in bad)

    def raise_for_status(self) -> DbtResult:
        """Return self when everything passed; else raise :class:`DbtTestFailure` (only tests failed, on
        data) or :class:`DbtError` (anything else: a model error, a compile error, dbt crashed)."""
        if self.ok:
            return self
        if self.failed and not self.errors and self.nodes:
            raise DbtTestFailure(f"dbt tests failed: {', '.join(self.failed)}\n{self.summary()}", self)
        raise DbtError(self.summary(), self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON for XCom."""
        return {"command": " ".join(self.command), "ok": self.ok, "counts": self.counts(),
                "failed_tests": list(self.failed), "errors": [n.describe() for n in self.errors]}


def profile_yaml(warehouse_dir: str | os.PathLike, *, threads: int = 1) -> str:
    """The ``profiles.yml`` text for the sim: dbt-duckdb on ``<dir>/ANALYTICS.db``, RAW and BACKEND attached
    read-only (dbt never writes the raw layer). Paths only: there is no credential to leak."""
    folder = Path(warehouse_dir).resolve()
    attach = "".join(
        f"        - path: {json.dumps((folder / f'{db}.db').as_posix())}\n"
        f"          alias: {db}\n"
        f"          read_only: {'true' if read_only else 'false'}\n"
        for db, read_only in ATTACHED.items())
    return (f"# generated by solutions/dbt_runner.py for one run of the sim; do not edit\n"
            f"{PROFILE}:\n"
            f"  target: {TARGET}\n"
            f"  outputs:\n"
            f"    {TARGET}:\n"
            f"      type: duckdb\n"
            f"      path: {json.dumps((folder / f'{MAIN_DATABASE}.db').as_posix())}\n"
            f"      schema: MARTS\n"
            f"      threads: {int(threads)}\n"
            f"      attach:\n{attach}")


def write_profile(profiles_dir: str | os.PathLike, warehouse_dir: str | os.PathLike, *,
                  threads: int = 1) -> Path:
    """Write ``profiles.yml`` into ``profiles_dir`` (created) and return its path."""
    folder = Path(profiles_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.yml"
    text = profile_yaml(warehouse_dir, threads=threads)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


class DbtRunner:
    """Runs dbt commands on the project in ``project_dir`` against the DuckDB files in ``warehouse_dir``.

    ``work_dir`` holds the generated profile, ``target/`` and ``logs/``. ``release``: a zero-argument
    callable returning a context manager that frees the warehouse files while dbt runs (the sim's
    ``world.warehouse.released``); ``None`` when nothing holds them. ``in_process``: dbtRunner instead of a
    subprocess. ``timeout``: seconds before a subprocess is killed.
    """

    def __init__(self, warehouse_dir: str | os.PathLike, work_dir: str | os.PathLike, *,
                 project_dir: str | os.PathLike = PROJECT_DIR,
                 release: Callable[[], AbstractContextManager[Any]] | None = None,
                 in_process: bool = False, threads: int = 1, timeout: float = 600.0) -> None:
        self.warehouse_dir = Path(warehouse_dir).resolve()
        self.work_dir = Path(work_dir).resolve()
        self.project_dir = Path(project_dir).resolve()
        self.release = release
        self.in_process = in_process
        self.threads = threads
        self.timeout = timeout

    def __repr__(self) -> str:
        mode = "in-process" if self.in_process else "subprocess"
        return f"DbtRunner(project={self.project_dir.name}, {mode})"

    @property
    def target_path(self) -> Path:
        return self.work_dir / "target"

    @property
    def log_path(self) -> Path:
        return self.work_dir / "logs"

    def command_line(self, command: str, *args: str,
                     day: dt.date | str | None = None) -> tuple[list[str], list[str]]:
        """(what is shown, what is run): the dbt arguments without and with the folder flags."""
        shown = [command, *args]
        if day is not None:
            shown += ["--vars", json.dumps({"day": iso_day(day)})]
        folders = ["--project-dir", str(self.project_dir), "--profiles-dir", str(self.work_dir),
                   "--target-path", str(self.target_path), "--log-path", str(self.log_path)]
        return shown, [*shown, *folders]

    def invoke(self, command: str, *args: str, day: dt.date | str | None = None) -> DbtResult:
        """Run ``dbt <command> <args> [--vars {"day": ...}]`` and return what happened (never raises for a
        failing model or test: call ``raise_for_status()``)."""
        write_profile(self.work_dir, self.warehouse_dir, threads=self.threads)
        shown, argv = self.command_line(command, *args, day=day)
        results_file = self.target_path / "run_results.json"
        results_file.unlink(missing_ok=True)  # a crash must not leave the previous run's results to read
        started = time.perf_counter()
        nodes: tuple[NodeResult, ...] | None = None
        with self.release() if self.release else contextlib.nullcontext():
            if self.in_process:
                returncode, output, nodes = self._in_process(argv)
            else:
                returncode, output = self._subprocess(argv)
        seconds = time.perf_counter() - started
        if nodes is None:
            nodes = _read_results(results_file)
        return DbtResult(("dbt", *shown), returncode, nodes, output, seconds)

    def _subprocess(self, argv: list[str]) -> tuple[int, str]:
        env = {**os.environ, **DBT_ENV}
        try:
            done = subprocess.run([sys.executable, "-c", _DBT_MAIN, *argv], capture_output=True, text=True,
                                  env=env, timeout=self.timeout, check=False, cwd=self.work_dir)
        except subprocess.TimeoutExpired as error:
            raise DbtError(f"dbt {argv[0]} did not finish within {self.timeout:.0f} s") from error
        return done.returncode, done.stdout + done.stderr

    def _in_process(self, argv: list[str]) -> tuple[int, str, tuple[NodeResult, ...] | None]:
        """dbtRunner in this process. For commands that build or test, the results come back as objects, so
        dbt is told not to write manifest.json and run_results.json (a fifth of a small command's time)."""
        from dbt.cli.main import dbtRunner

        saved = {k: os.environ.get(k) for k in DBT_ENV}
        os.environ.update(DBT_ENV)
        lines: list[str] = []
        try:
            # nothing on this process's stdout (a notebook cell, a task log): warnings and errors reach
            # ``output`` through the callback, everything else the log file under ``log_path``
            quiet = ["--log-level", "none", "--log-level-file", "debug"]
            in_memory = ["--no-write-json"] if argv[0] in RESULT_COMMANDS else []
            outcome = dbtRunner(callbacks=[lambda event: lines.append(_event_text(event))]).invoke(
                [*argv, *quiet, *in_memory])
        finally:
            _close_duckdb_handles()
            for key, value in saved.items():
                os.environ.pop(key) if value is None else os.environ.update({key: value})
        output = "\n".join(line for line in lines if line)
        if outcome.exception is not None:
            output += f"\n{type(outcome.exception).__name__}: {outcome.exception}"
        nodes = _node_results(outcome.result) if argv[0] in RESULT_COMMANDS else None
        return (0 if outcome.success else (2 if outcome.exception else 1)), output, nodes


@contextmanager
def remote_release(control_url: str, *, timeout: float = LEASE_WAIT) -> Iterator[dict[str, Path]]:
    """The warehouse's DuckDB files, lent by the process that holds them over HTTP, for the duration of the
    block (a dbt call): ``POST /release`` (retried while it answers 503), then ``POST /attach`` to give them
    back. Shaped like ``Warehouse.released``, so ``DbtRunner(..., release=functools.partial(remote_release,
    url))`` works under a real Airflow worker; the sim's ``python -m sim airflow`` serves the other side.
    """
    import requests

    deadline = time.monotonic() + timeout
    while True:
        answer = requests.post(f"{control_url.rstrip('/')}/release", timeout=(3.05, timeout))
        if answer.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(float(answer.headers.get("Retry-After", 1)))
    answer.raise_for_status()
    lease = answer.json()
    try:
        yield {name: Path(path) for name, path in lease["files"].items()}
    finally:
        requests.post(f"{control_url.rstrip('/')}/attach", json={"lease": lease["lease"]}, timeout=(3.05, 60))


def _close_duckdb_handles() -> None:
    """dbt-duckdb keeps its DuckDB environment in a class attribute; close it so the files are free again."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency of the kit
        return
    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def _event_text(event: Any) -> str:
    info = getattr(event, "info", None)
    return info.msg if info is not None and info.level in ("warn", "error") else ""


def _node_results(result: Any) -> tuple[NodeResult, ...]:
    """The same :class:`NodeResult` rows from dbtRunner's result objects as from ``run_results.json``."""
    nodes = []
    for r in getattr(result, "results", None) or ():
        kind = getattr(r.node.resource_type, "value", str(r.node.resource_type))
        status = getattr(r.status, "value", str(r.status))
        nodes.append(NodeResult(name=r.node.name, resource_type=kind, status=status, failures=r.failures,
                                message=r.message))
    return tuple(sorted(nodes, key=lambda n: (n.resource_type, n.name)))


def _read_results(path: Path) -> tuple[NodeResult, ...]:
    if not path.exists():
        return ()
    data = json.loads(path.read_text())
    nodes = []
    for r in data.get("results", []):
        kind, _, rest = r["unique_id"].partition(".")
        name = rest.split(".")[1] if "." in rest else rest
        nodes.append(NodeResult(name=name, resource_type=kind, status=r["status"], failures=r.get("failures"),
                                message=r.get("message")))
    return tuple(sorted(nodes, key=lambda n: (n.resource_type, n.name)))


def _reason(message: str | None) -> str:
    """dbt's error message, shortened: the header ("Compilation Error in model x (path)") says little, the
    next line says why."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if len(lines) > 1 and " Error in " in lines[0]:
        lines = lines[1:]
    return (lines or ["no message"])[0][:200]


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["dbt failed without output"])[-1][:300]


