"""Every DAG file in solutions/dags loads the way a real scheduler's DAG processor would load it, cleanly.

As Apache Airflow tests its own example DAGs: each file is parsed by a ``DagBag`` and must have no import
error, no warning (deprecated imports, removed arguments), and do no work at parse time: no metadata-DB
query, no socket connection, no Snowflake connection, no Variable or Connection lookup (secrets are read when
a task runs, never while the file is parsed). Every DAG carries an owner, retries and tags, and a fixed,
timezone-aware start date. Parse time per file is measured and reported (``pytest -rP`` shows the table).

No sim here: nothing patches the Snowflake connector or the network, so a file that reached for either at
parse time would hit the guards below.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from sim.paths import DAGS_DIR, KIT_ROOT

# Every .py file under solutions/dags is a DAG file: helpers live elsewhere in solutions/ (a real DAG processor
# would import a helper in the DAG folder as a DAG file too).
DAG_FILES = sorted(p for p in DAGS_DIR.rglob("*.py")
                   if p.name != "__init__.py" and "__pycache__" not in p.parts)
NAMES = [str(p.relative_to(DAGS_DIR)) for p in DAG_FILES]
PARSE_BUDGET_S = 2.0  # per file, shared imports already loaded; the DAG processor's own timeout is 30 s
DEFAULT_OWNER = "airflow"  # what Airflow fills in when nobody set an owner


@dataclass
class ParseWork:
    """What happened while a file was parsed."""

    db_queries: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)
    snowflake: int = 0
    secrets: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        if self.db_queries:
            found.append(f"{len(self.db_queries)} metadata-DB queries, first: {self.db_queries[0][:80]}")
        if self.sockets:
            found.append(f"socket connections to {self.sockets}")
        if self.snowflake:
            found.append(f"{self.snowflake} snowflake.connector.connect call(s)")
        if self.secrets:
            found.append(f"secrets read at parse time: {self.secrets}")
        return found


@contextlib.contextmanager
def parse_guards() -> Iterator[ParseWork]:
    """Record (and refuse) DB, network, Snowflake and secret access while a DAG file is parsed."""
    import snowflake.connector
    from airflow.sdk import Connection, Variable
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    work = ParseWork()

    def on_query(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        work.db_queries.append(statement)

    def refuse_socket(sock: socket.socket, address: Any) -> None:
        work.sockets.append(str(address))
        raise ConnectionRefusedError(f"no network while a DAG file is parsed ({address})")

    def refuse_snowflake(*args: Any, **kwargs: Any) -> None:
        work.snowflake += 1
        raise RuntimeError("no Snowflake connection while a DAG file is parsed")

    def refuse_secret(kind: str) -> Any:
        def lookup(key: str, *args: Any, **kwargs: Any) -> None:
            work.secrets.append(f"{kind} {key}")
            raise RuntimeError(f"{kind} {key!r} read while a DAG file is parsed")
        return lookup

    event.listen(Engine, "before_cursor_execute", on_query)
    try:
        with mock.patch.object(socket.socket, "connect", refuse_socket), \
                mock.patch.object(snowflake.connector, "connect", refuse_snowflake), \
                mock.patch.object(Variable, "get", staticmethod(refuse_secret("Variable"))), \
                mock.patch.object(Connection, "get", staticmethod(refuse_secret("Connection"))):
            yield work
    finally:
        event.remove(Engine, "before_cursor_execute", on_query)


def parse(path: Path) -> tuple[Any, ParseWork, float]:
    from airflow.dag_processing.dagbag import DagBag

    with parse_guards() as work:
        started = time.perf_counter()
        bag = DagBag(dag_folder=path, bundle_path=DAGS_DIR, safe_mode=False)
        elapsed = time.perf_counter() - started
    return bag, work, elapsed


@pytest.fixture(scope="module")
def parsed() -> dict[str, tuple[Any, ParseWork, float]]:
    # Warm the imports every DAG file shares, so each file's time is its own cost.
    import airflow.providers.standard.operators.python  # noqa: F401
    import airflow.sdk  # noqa: F401

    return {name: parse(path) for name, path in zip(NAMES, DAG_FILES)}


def test_there_are_dag_files() -> None:
    assert len(DAG_FILES) >= 4, DAG_FILES


@pytest.mark.parametrize("name", NAMES)
def test_file_imports_cleanly(parsed, name: str) -> None:
    bag, _, _ = parsed[name]
    assert bag.import_errors == {}, bag.import_errors
    assert bag.dags, f"{name} defines no DAG (a DAG must be created when the file is imported)"
    assert own_warnings(bag) == [], f"warnings raised by kit code while parsing {name}"


def own_warnings(bag: Any, root: Path = KIT_ROOT) -> list[str]:
    """Warnings attributed to the kit's code (the DAG file or a kit module it imports). A warning that a
    library raises about its own internals (a provider importing a deprecated Airflow helper) is the
    library's to fix, and is left out."""
    return [text for texts in bag.captured_warnings.values() for text in texts
            if text.startswith(str(root)) and "site-packages" not in text.split(":", 1)[0]]


@pytest.mark.parametrize("name", NAMES)
def test_no_work_at_parse_time(parsed, name: str) -> None:
    _, work, elapsed = parsed[name]
    assert work.problems() == [], f"{name} at parse time: {'; '.join(work.problems())}"
    assert elapsed < PARSE_BUDGET_S, f"{name} took {elapsed:.2f} s to parse"


@pytest.mark.parametrize("name", NAMES)
def test_owner_retries_tags_start_date(parsed, name: str) -> None:
    bag, _, _ = parsed[name]
    for dag in bag.dags.values():
        assert dag.tags, f"{dag.dag_id}: no tags"
        assert dag.start_date is not None and dag.start_date.tzinfo is not None, \
            f"{dag.dag_id}: start_date must be a fixed, timezone-aware datetime"
        for task in dag.tasks:
            assert task.owner and task.owner != DEFAULT_OWNER, f"{dag.dag_id}.{task.task_id}: owner not set"
            assert task.retries and task.retries >= 1, f"{dag.dag_id}.{task.task_id}: retries not set"


def test_folder_parses_as_one_with_unique_ids_and_stable_start_dates(parsed, capsys) -> None:
    """The whole folder, as the DAG processor sees it: ids unique across files; a second parse gives the same
    start dates (a start_date computed from the clock would move)."""
    from airflow.dag_processing.dagbag import DagBag

    with parse_guards() as work:
        bag = DagBag(dag_folder=DAGS_DIR, bundle_path=DAGS_DIR, safe_mode=False)
    assert bag.import_errors == {}, bag.import_errors
    assert work.problems() == []
    per_file = {dag_id: dag for file_bag, _, _ in parsed.values() for dag_id, dag in file_bag.dags.items()}
    assert sorted(bag.dags) == sorted(per_file)
    assert sum(len(b.dags) for b, _, _ in parsed.values()) == len(per_file), "a dag_id is used twice"
    for dag_id, dag in bag.dags.items():
        assert dag.start_date == per_file[dag_id].start_date, f"{dag_id}: start_date differs between parses"

    with capsys.disabled():
        print("\nDAG file parse times (shared imports warmed):")
        for name, (file_bag, _, elapsed) in parsed.items():
            print(f"  {name:40s} {elapsed * 1000:7.1f} ms  {', '.join(sorted(file_bag.dags))}")


def test_guards_catch_parse_time_work(tmp_path: Path) -> None:
    """The guards are not vacuous: a DAG file that connects, reads a Variable and uses a deprecated import
    path at parse time is caught on each count."""
    bad = tmp_path / "bad_dag.py"
    bad.write_text(
        "import datetime as dt\n"
        "import snowflake.connector\n"
        "from airflow.sdk import DAG, Variable\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "from airflow.operators.bash import BashOperator\n"
        "try:\n"
        "    snowflake.connector.connect(account='x', user='u', password=Variable.get('snowflake_password'))\n"
        "except Exception:\n"
        "    pass\n"
        "try:\n"
        "    snowflake.connector.connect(account='x', user='u', password='p')\n"
        "except Exception:\n"
        "    pass\n"
        "with DAG('bad_dag', schedule=None, start_date=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)):\n"
        "    EmptyOperator(task_id='t')\n")
    from airflow.dag_processing.dagbag import DagBag

    with parse_guards() as work:
        bag = DagBag(dag_folder=bad, bundle_path=tmp_path, safe_mode=False)
    assert bag.import_errors == {} and list(bag.dags) == ["bad_dag"]
    assert any("airflow.operators.bash.BashOperator" in text for text in own_warnings(bag, tmp_path))
    assert work.secrets == ["Variable snowflake_password"]
    assert work.snowflake == 1
