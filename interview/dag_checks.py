"""Grading a DAG file as production treats it: parsed as the scheduler parses it, then run on hidden days.

A DAG task's ``checks.py`` builds one :class:`DagGrading` and declares its checks in order:

    grading = DagGrading(solution, file="partner_daily.py")
    dag = grading.load("partner_daily_load")    # records "loads like the scheduler", "no work at parse time"

    @grading.check("runs daily at 02:00 UTC, no catch-up")
    def _():
        expect_runs(dag, after="2025-10-01", times=["2025-10-01 02:00", "2025-10-02 02:00"])

    with grading.world(defects=...) as world:            # a fresh sim; stopped afterwards
        @grading.check("a clean day lands every appointment")
        def _():
            summary = grading.run(dag, "2025-09-11")
            ...
    return grading.results()

Loading. The file is copied into the runner's dags folder (``dags/interview/<file>``) and parsed by a
``DagBag``, what the DAG processor runs: an import error is reported with the line of the candidate's file it
came from; a warning raised by the file (an Airflow 2 import path that still works, deprecated) fails the load
too: a later Airflow removes what it warns about. The parse happens while a world is running, so a file that
reads a Variable at import *works*, as it would in a deployment, and :func:`observe_parse_work` records it: a
Variable or Connection lookup, a Snowflake connection, an HTTP or S3 call, a metadata-DB query, a socket, or
the clock read at module level (``datetime.now()`` in a DAG argument). The DAG processor parses every file
again and again (``[dag_processor] min_file_process_interval``, 30 s by default): such a value moves, and the
work is paid at every parse.

Running. ``grading.run`` hands the parsed DAG object to the kit's runner (``dag.test()`` in this process, so
the sim's fakes apply); a check may tighten it first (e.g. a sensor's timeout): the object itself runs.
A check never raises: a failed expectation or a crash in the candidate's code is a failed ``Check`` whose
detail says why; a check that cannot run because the file did not load says so.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import re
import shutil
import socket
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from interview.tasks import Check

LOADS = "loads like the scheduler"
NO_PARSE_WORK = "no work at parse time"
CLOCK_READS = {"now", "utcnow", "today", "days_ago"}  # module-level calls that read the wall clock
TASK_BUDGET = 10.0  # seconds per task try while grading (the child's own limit, GRADE_TIMEOUT, is the backstop)


class Mismatch(AssertionError):
    """What a check expected did not happen; the message says what was expected and what came back."""


def expect(actual: Any, expected: Any, what: str) -> None:
    """Raise ``Mismatch`` unless ``actual == expected``."""
    if actual != expected:
        raise Mismatch(f"{what}: expected {expected!r}, got {actual!r}")


# -- loading like the scheduler ------------------------------------------------------------------------------


@dataclass
class ParseWork:
    """What importing a DAG file did besides defining DAGs (each entry says what, and with what)."""

    found: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        if what not in self.found:
            self.found.append(what)


@contextlib.contextmanager
def observe_parse_work() -> Iterator[ParseWork]:
    """Record the work a file does while it is imported, letting it happen (the running world answers), except
    a real socket, which is refused: nothing a DAG file parses may leave the machine."""
    import botocore.client
    import requests
    import snowflake.connector
    from airflow.sdk import Connection, Variable
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    work = ParseWork()

    def observed(what: str, real: Callable[..., Any], describe: Callable[..., str]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            work.add(f"{what} {describe(*args, **kwargs)}".strip())
            return real(*args, **kwargs)
        return call

    def refuse_socket(sock: socket.socket, address: Any) -> None:
        work.add(f"a socket connection to {address}")
        raise ConnectionRefusedError(f"no network while a DAG file is parsed ({address})")

    def on_query(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        work.add(f"a metadata-DB query ({' '.join(statement.split())[:60]})")

    def name(key: Any, *args: Any, **kwargs: Any) -> str:
        return repr(key)

    def http_request(session: Any, request: Any, **kwargs: Any) -> str:
        return f"{request.method} {request.url.split('?')[0]}"

    event.listen(Engine, "before_cursor_execute", on_query)
    try:
        with mock.patch.object(Variable, "get", staticmethod(observed("Variable.get", Variable.get, name))), \
                mock.patch.object(Connection, "get",
                                  staticmethod(observed("Connection.get", Connection.get, name))), \
                mock.patch.object(snowflake.connector, "connect",
                                  observed("snowflake.connector.connect()", snowflake.connector.connect,
                                           lambda *a, **k: "")), \
                mock.patch.object(requests.Session, "send",
                                  observed("an HTTP request", requests.Session.send, http_request)), \
                mock.patch.object(botocore.client.BaseClient, "_make_api_call",
                                  observed("an AWS call", botocore.client.BaseClient._make_api_call,
                                           lambda client, operation, params: operation)), \
                mock.patch.object(socket.socket, "connect", refuse_socket):
            yield work
    finally:
        event.remove(Engine, "before_cursor_execute", on_query)


def clock_reads(source: str) -> list[str]:
    """Calls that read the wall clock in code that runs at import (outside any function body), by line:
    ``datetime.now()``, ``pendulum.today()``, ``days_ago(1)``..."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    inside_functions = {id(node) for fn in ast.walk(tree)
                        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                        for node in ast.walk(fn) if node is not fn}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in inside_functions:
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in CLOCK_READS:
                found.append(f"the clock read at import: {ast.unparse(node.func)}() on line {node.lineno}")
    return found


def where_it_broke(trace: str, path: Path) -> str:
    """An import error told short: the last line of ``path`` in the traceback, and the error itself."""
    lines = [line for line in trace.strip().splitlines() if line.strip()]
    frames = re.findall(rf'File "{re.escape(str(path))}", line (\d+)', trace)
    error = lines[-1].strip() if lines else "unknown error"
    return f"{path.name}, line {frames[-1]}: {error}" if frames else f"{path.name}: {error}"


# -- the grading of one file ---------------------------------------------------------------------------------


class DagGrading:
    """The checks of one candidate file, in the order they are declared (see the module docstring)."""

    def __init__(self, solution: Path, *, file: str) -> None:
        from sim.runner import AirflowRunner

        self.solution = Path(solution)
        self.runner = AirflowRunner.shared()  # configures Airflow before anything imports it
        self.path = self.runner.dags_folder / "interview" / file  # where the scheduler would find it
        shutil.rmtree(self.path.parent, ignore_errors=True)  # what a grading cut short left behind
        self.dags: dict[str, Any] = {}
        self.broken: str | None = None  # why nothing after the load can be checked
        self._results: list[Check] = []
        self._world: Any = None

    # -- declaring checks --

    def check(self, name: str) -> Callable[[Callable[[], Any]], None]:
        """Decorator: run the function now as the check ``name``; it passes unless it raises."""
        def run(body: Callable[[], Any]) -> None:
            if self.broken:
                self._results.append(Check(name, False, f"not checked: {self.broken}"))
                return
            try:
                body()
            except Mismatch as mismatch:
                self._results.append(Check(name, False, str(mismatch)))
            except Exception as error:  # noqa: BLE001 - the candidate's crash is a failed check, never ours
                self._results.append(Check(name, False, f"crashed: {type(error).__name__}: {error}"))
            else:
                self._results.append(Check(name, True))
        return run

    def results(self) -> list[Check]:
        """The checks, once grading is over. The candidate's copy leaves the runner's dags folder: every later
        run in this process parses that folder, and a file that reads a secret at parse time would go on
        reading the next world's (and teach Airflow's masker to hide it from that world's logs)."""
        self.path.unlink(missing_ok=True)
        return list(self._results)

    # -- loading --

    def load(self, *dag_ids: str) -> Any:
        """Parse the file as the DAG processor does and record the two load checks; return the first of
        ``dag_ids`` (``grading.dags`` holds them all), or None when the file did not give them."""
        if self._world is None:
            with self.world():
                return self.load(*dag_ids)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.solution, self.path)
        from airflow.dag_processing.dagbag import DagBag

        # quiet: the file's prints are dropped, its warnings kept in bag.captured_warnings (not re-emitted)
        with observe_parse_work() as work, warnings.catch_warnings(record=True), \
                contextlib.redirect_stdout(None), contextlib.redirect_stderr(None):
            bag = DagBag(dag_folder=self.path, bundle_path=self.runner.dags_folder)
        source = self.solution.read_text(encoding="utf-8", errors="replace")
        warned = [text.split(": ", 1)[-1] for text in bag.captured_warnings.get(str(self.path), ())
                  if text.startswith(str(self.path))]
        missing = [dag_id for dag_id in dag_ids if dag_id not in bag.dags]
        if bag.import_errors:
            self.broken = f"{self.path.name} did not load"
            detail = "; ".join(where_it_broke(trace, self.path) for trace in bag.import_errors.values())
            self._results.append(Check(LOADS, False, f"import error: {detail}"))
        elif missing:
            self.broken = f"{self.path.name} did not define {', '.join(missing)}"
            found = ", ".join(sorted(bag.dags)) or "no DAG (a DAG must be created when the file is imported)"
            wanted = ", ".join(map(repr, missing))
            self._results.append(Check(LOADS, False, f"no DAG {wanted}; found {found}"))
        elif warned:
            self._results.append(Check(LOADS, False, f"loads with a warning: {warned[0]} (a deprecated name "
                                                     "or argument stops working in a later Airflow)"))
        else:
            self._results.append(Check(LOADS, True))
        problems = work.found + clock_reads(source)
        if problems:
            self._results.append(Check(NO_PARSE_WORK, False, (
                f"while the file was parsed: {'; '.join(problems)}. The DAG processor parses every file "
                "every 30 s by default: read settings and call systems inside tasks")))
        else:
            self._results.append(Check(NO_PARSE_WORK, not self.broken,
                                       f"not checked: {self.broken}" if self.broken else ""))
        self.dags = {dag_id: bag.dags[dag_id] for dag_id in dag_ids if dag_id in bag.dags}
        return self.dags.get(dag_ids[0]) if dag_ids else None

    # -- running --

    @contextlib.contextmanager
    def world(self, **knobs: Any) -> Iterator[Any]:
        """A fresh sim world (``sim.start``'s knobs) for the checks inside; stopped afterwards."""
        import sim

        self._world = sim.start(**knobs)
        try:
            yield self._world
        finally:
            self._world.stop()
            self._world = None

    def run(self, dag: Any, day: str, *, budget: float = TASK_BUDGET, **kwargs: Any) -> Any:
        """Run ``dag`` (the parsed object) for logical date ``day`` on the current world: a ``RunSummary``.

        Each task try gets at most ``budget`` seconds (its ``execution_timeout``, if it has none shorter): a task
        that loops forever fails with ``AirflowTaskTimeout``, named in the check's detail, instead of stalling
        the whole grading."""
        if self._world is None:
            raise RuntimeError("grading.run needs a world: call it inside `with grading.world():`")
        limit = dt.timedelta(seconds=budget)
        saved = [(task, task.execution_timeout) for task in dag.tasks
                 if task.execution_timeout is None or task.execution_timeout > limit]
        for task, _ in saved:
            task.execution_timeout = limit
        try:
            return self._world.run_dag(dag, day, **kwargs)
        finally:
            for task, timeout in saved:
                task.execution_timeout = timeout


# -- what checks compare -------------------------------------------------------------------------------------


def expect_runs(dag: Any, *, after: str, times: list[str]) -> None:
    """The scheduler's next runs (``run_after``, UTC, 'YYYY-MM-DD HH:MM') from ``after`` are ``times``."""
    from solutions.dag_inspect import next_runs

    runs = next_runs(dag, after, len(times))
    if not runs:
        raise Mismatch("the scheduler would never run it: its schedule is None (is schedule_interval hiding "
                       "in default_args? Airflow 3 ignores it there)")
    got = [run.run_after.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M") for run in runs]
    expect(got, times, f"the next {len(times)} runs after {after} (UTC)")


def expect_edges(dag: Any, wanted: Iterable[tuple[str, str]], *, more_allowed: bool = False) -> None:
    """The DAG's dependencies are exactly ``wanted`` (upstream, downstream) task-id pairs; with
    ``more_allowed``, at least those (a spec that leaves room for tasks of the candidate's own)."""
    from solutions.dag_inspect import edges

    got, wanted = edges(dag), set(wanted)
    absent = sorted({task for edge in wanted for task in edge} - set(dag.task_dict))
    if absent:
        raise Mismatch(f"no task {', '.join(map(repr, absent))}; tasks are {sorted(dag.task_dict)}")
    missing = sorted(f"{a} >> {b}" for a, b in wanted - got)
    extra = [] if more_allowed else sorted(f"{a} >> {b}" for a, b in got - wanted)
    parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
        ([f"unexpected {', '.join(extra)}"] if extra else [])
    if parts:
        raise Mismatch("; ".join(parts))


def landed(world: Any, day: str) -> int:
    """Rows landed for ``day`` in ``RAW.STAGING.PARTNER_APPOINTMENTS`` (0 when no run created the table)."""
    try:
        return int(world.warehouse.query(
            "SELECT COUNT(*) FROM RAW.STAGING.PARTNER_APPOINTMENTS WHERE LOAD_DATE = %s", (day,))[0][0])
    except Exception as error:
        if "does not exist" in str(error):
            return 0
        raise


def served(world: Any, day: str) -> int:
    """How many appointments the partner's source holds for ``day`` (the truth the feed serves)."""
    return int(world.warehouse.query(
        "SELECT COUNT(*) FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE = %s", (day,))[0][0])


def task_of(dag: Any, task_id: str) -> Any:
    if task_id not in dag.task_dict:
        raise Mismatch(f"no task {task_id!r}; tasks are {sorted(dag.task_dict)}")
    return dag.task_dict[task_id]


def expect_states(summary: Any, wanted: dict[str, str], run: str | None = None) -> None:
    """Task states (a partial map by label, ``task[0]`` for a mapped instance) and the run's state."""
    wrong = [f"{task}: {summary.states.get(task, 'did not run')} (expected {state})"
             for task, state in wanted.items() if summary.states.get(task) != state]
    if run is not None and summary.state != run:
        wrong.insert(0, f"the run ended {summary.state} (expected {run})")
    if wrong:
        failed = [f"{t.label}: {t.error}" for t in summary.failed if t.error]
        raise Mismatch("; ".join(wrong) + (f". Failed: {'; '.join(failed[:2])}" if failed else ""))
