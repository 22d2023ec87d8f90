"""Where a drill's SQL runs: a private in-memory fakesnow with every dataset, and the rules that keep it safe.

* **Isolation.** ``Scratch`` is its own ``fakesnow.instance.FakeSnow`` (DuckDB in memory), not the sim's
  warehouse: nothing a candidate runs can touch the sim's world, and no ``snowflake.connector`` patch is
  needed. Each dataset is a database ``DRILL_<CASE>`` with one schema ``CLINIC``; a query's unqualified table
  names resolve there.
* **One read-only statement.** ``vet`` parses the text with sqlglot's Snowflake dialect (the parser fakesnow
  itself uses) and accepts exactly one ``SELECT`` (``WITH``, ``UNION`` ... included) with nothing inside that
  writes. A MERGE drill accepts exactly one ``MERGE INTO`` its target, run on a fresh copy of the dataset
  (plus the drill's setup) in a separate database, so the datasets never change.
* **No files, no network.** After the datasets are loaded, DuckDB's ``enable_external_access`` is switched
  off (it cannot be switched back on in a running database), so even a table function that reads files fails.
* **A time limit.** A timer thread calls DuckDB's ``interrupt()`` on the statement's connection.
* **Two fixes of fakesnow 0.12, while a drill runs.** ``SUM(DISTINCT x)`` runs (fakesnow's cast makes it a
  syntax error, see ``_distinct_aggregates``).
* **Division by zero fails, as in Snowflake.** DuckDB returns inf or NaN for ``x / 0``; a result holding one
  raises ``DivisionByZero`` (see ``no_division_by_zero``).
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import datasets

SCHEMA = "CLINIC"
WORK = "DRILL_WORK"  # where MERGE drills run, refilled from a template before each statement
TIME_LIMIT = 5.0  # seconds per statement; a drill's reference runs in milliseconds

_WRITES = (
    "Insert",
    "Update",
    "Delete",
    "Merge",
    "Create",
    "Drop",
    "Alter",
    "AlterTable",
    "TruncateTable",
    "Command",
    "Copy",
    "Into",
    "Set",
    "Use",
    "Transaction",
    "Commit",
    "Rollback",
    "Grant",
    "Put",
    "LoadData",
    "Pragma",
    "Attach",
    "Detach",
    "Install",
    "Export",
    "Cache",
    "Uncache",
    "Refresh",
)


class Refused(Exception):
    """The statement was not run: the message says why and what is accepted."""


class TimedOut(Exception):
    """The statement was interrupted at the time limit."""


class DivisionByZero(Exception):
    """What Snowflake raises for ``x / 0``; DuckDB returns inf or NaN instead, so a result holding one is
    reported as this error (see ``no_division_by_zero``)."""


def database(case: str) -> str:
    return f"DRILL_{case.upper()}"


def vet(sql: str, *, kind: str = "select", target: str | None = None) -> Any:
    """Parse ``sql`` as Snowflake SQL and return the one statement, or raise ``Refused``.

    ``kind="select"`` accepts one query that only reads; ``kind="merge"`` one ``MERGE INTO <target>``.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            statements = [s for s in sqlglot.parse(sql, read="snowflake") if s is not None]
    except ParseError as error:
        first = str(error).splitlines()[0] if str(error) else "syntax error"
        raise Refused(f"the SQL does not parse as Snowflake SQL: {first}") from None
    if not statements:
        raise Refused("there is no SQL statement to run")
    if len(statements) > 1:
        raise Refused(f"one statement only, please: found {len(statements)} (remove the extra ';' parts)")
    statement = statements[0]
    if kind == "merge":
        if not isinstance(statement, exp.Merge):
            raise Refused(f"this drill wants one MERGE INTO {target} statement, got {_what(statement)}")
        if target and statement.this.name.upper() != target.upper():
            raise Refused(f"this drill's MERGE must target {target}, not {statement.this.name}")
        inner = [
            n
            for n in statement.find_all(*_write_nodes(exp))  # the WHEN actions are the MERGE's own
            if n is not statement and not isinstance(n.parent, exp.When)
        ]
    else:
        if not isinstance(statement, exp.Query):
            raise Refused(
                f"read-only drills accept one SELECT (or WITH ... SELECT) query, got {_what(statement)}; "
                "nothing was run and no data changed"
            )
        inner = list(statement.find_all(*_write_nodes(exp)))
    if inner:
        raise Refused(
            f"the query contains {_what(inner[0])}, which would change data or settings; nothing was run"
        )
    _same_on_every_dataset(statement, exp)
    return statement


def _same_on_every_dataset(statement: Any, exp: Any) -> None:
    """Refuse what would let a query see which dataset it runs on (or read another one directly):
    database- or schema-qualified table names and the CURRENT_DATABASE-style functions."""
    for table in statement.find_all(exp.Table):
        if table.args.get("db") or table.args.get("catalog"):
            qualified = ".".join(part for part in (table.catalog, table.db, table.name) if part)
            raise Refused(
                f"use the drill's table names unqualified (APPOINTMENTS, not {qualified.upper()}): "
                "the same query runs on every dataset"
            )
    peek = (exp.CurrentDatabase, exp.CurrentSchema, exp.CurrentSchemas, exp.CurrentCatalog)
    found = next(statement.find_all(*peek), None)
    if found is not None:
        raise Refused(
            f"{found.sql(dialect='snowflake')} is not available in drills: the query must not depend "
            "on which dataset it runs on"
        )


def _write_nodes(exp: Any) -> tuple[type, ...]:
    return tuple(getattr(exp, name) for name in _WRITES if hasattr(exp, name))


def _what(node: Any) -> str:
    name = type(node).__name__
    return (
        "a statement sqlglot cannot parse (Command)" if name == "Command" else f"a {name.upper()} statement"
    )


@dataclass(frozen=True)
class Outcome:
    columns: tuple[str, ...]
    rows: list[tuple]


class Scratch:
    """Every dataset of ``datasets.CASES`` loaded once into a private fakesnow; runs vetted statements."""

    def __init__(self) -> None:
        from fakesnow.instance import FakeSnow

        with _quiet():
            self._fs = FakeSnow()
            self._conns: dict[str, Any] = {}
            self._lock = threading.Lock()
            self._templates: dict[tuple[str, str], str] = {}
            self._keep: list[Any] = []
            self._work_conn: Any = None
            for case in datasets.CASES:
                self._conns[case] = self._load(case, database(case), datasets.build(case))
            self._fs.duck_conn.execute("SET enable_external_access = false")

    def _load(self, case: str, db: str, data: datasets.Dataset) -> Any:
        conn = self._fs.connect(database=db, schema=SCHEMA)
        with conn.cursor() as cur:
            for table, columns in datasets.COLUMNS.items():
                cur.execute(f"CREATE OR REPLACE TABLE {table} {columns}")
        duck = conn._duck_conn
        for table, rows in data.items():
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                duck.executemany(f'INSERT INTO "{db}"."{SCHEMA}"."{table}" VALUES ({marks})', rows)
        return conn

    def query(self, case: str, sql: str, *, time_limit: float = TIME_LIMIT) -> Outcome:
        """Run one vetted query on dataset ``case``; ``TimedOut`` after ``time_limit`` seconds."""
        vet(sql)
        return self._run(self._conns[case], sql, time_limit)

    def merge(
        self, case: str, sql: str, *, setup: str, target: str, time_limit: float = TIME_LIMIT
    ) -> Outcome:
        """Run one vetted MERGE on a fresh copy of dataset ``case`` plus the drill's ``setup``; return the
        target's rows as the MERGE left them. The dataset itself is never touched."""
        vet(sql, kind="merge", target=target)
        with self._lock:
            template = self._template(case, setup)
            work = self._work()
            duck = work._duck_conn
            for (table,) in duck.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?",
                [template, SCHEMA],
            ).fetchall():
                duck.execute(
                    f'CREATE OR REPLACE TABLE "{WORK}"."{SCHEMA}"."{table}" AS '
                    f'SELECT * FROM "{template}"."{SCHEMA}"."{table}"'
                )
            self._run(work, sql, time_limit)
            return self._run(work, f"SELECT * FROM {target}", time_limit)

    def _template(self, case: str, setup: str) -> str:
        """A database with ``case``'s tables and ``setup`` applied, built once per (case, setup)."""
        key = (case, setup)
        if key not in self._templates:
            name = f"DRILL_TEMPLATE_{len(self._templates) + 1}"
            with _quiet():
                conn = self._fs.connect(database=name, schema=SCHEMA)
                duck = conn._duck_conn
                for table in datasets.TABLES:
                    duck.execute(
                        f'CREATE TABLE "{name}"."{SCHEMA}"."{table}" AS '
                        f'SELECT * FROM "{database(case)}"."{SCHEMA}"."{table}"'
                    )
                with conn.cursor() as cur:
                    for statement in _split(setup):
                        cur.execute(statement)
            self._templates[key] = name
            self._keep.append(conn)
        return self._templates[key]

    def _work(self) -> Any:
        """The one connection MERGE drills run in: database ``WORK``, refilled before every MERGE."""
        if self._work_conn is None:
            with _quiet():
                self._work_conn = self._fs.connect(database=WORK, schema=SCHEMA)
        return self._work_conn

    def _run(self, conn: Any, sql: str, time_limit: float) -> Outcome:
        duck = conn._duck_conn
        fired = threading.Event()

        def stop() -> None:
            fired.set()
            duck.interrupt()

        timer = threading.Timer(time_limit, stop)
        timer.daemon = True
        with conn.cursor() as cur, _quiet(), _distinct_aggregates():
            timer.start()
            try:
                cur.execute(sql)
                described = cur.description  # fakesnow runs a DESCRIBE of the query at each read of it: once
                rows = cur.fetchall() if described else []
            except Exception:
                if fired.is_set():
                    raise TimedOut(f"stopped after {time_limit:g} s") from None
                raise
            finally:
                timer.cancel()
            columns = tuple(d.name for d in described or ())
            self._fs.results_cache.pop(cur.sfqid, None)  # fakesnow keeps every result by query id otherwise
        no_division_by_zero(rows)
        return Outcome(columns, [tuple(r) for r in rows])


@contextmanager
def _distinct_aggregates() -> Iterator[None]:
    """Let ``SUM(DISTINCT x)`` (and AVG, MEDIAN ... with DISTINCT) run, as it does in Snowflake.

    fakesnow 0.12 wraps a numeric aggregate's argument in ``TRY_CAST(... AS DOUBLE)``; when the argument is
    ``DISTINCT x`` the result, ``SUM(TRY_CAST(DISTINCT x AS DOUBLE))``, is a syntax error in DuckDB. While
    a drill's statement runs, the cast goes inside the DISTINCT instead: ``SUM(DISTINCT TRY_CAST(x AS
    DOUBLE))``, the same values."""
    from unittest import mock

    from fakesnow import transforms
    from fakesnow.transforms.transforms import _NUMERIC_ONLY_AGGS
    from sqlglot import exp

    original = transforms.numeric_agg_implicit_cast

    def cast(expression: Any) -> Any:
        if isinstance(expression, _NUMERIC_ONLY_AGGS) and isinstance(expression.this, exp.Distinct):
            for value in expression.this.expressions:
                if not isinstance(value, (exp.Cast, exp.TryCast)):
                    value.replace(exp.TryCast(this=value.copy(), to=exp.DataType.build("DOUBLE")))
            return expression
        return original(expression)

    with mock.patch.object(transforms, "numeric_agg_implicit_cast", cast):
        yield


def no_division_by_zero(rows: list) -> None:
    """Snowflake fails a query that divides by zero ("Division by zero"; DIV0 and NULLIF are the ways
    around it); DuckDB returns inf (x / 0) or NaN (0 / 0). No drill's answer is infinite, so an inf or NaN in
    a result is taken as the error Snowflake would have raised. A division by zero whose result never reaches
    the output (inside a filter, say) goes unnoticed on the sim."""
    for row in rows:
        for value in row:
            if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
                raise DivisionByZero(
                    "Division by zero (Snowflake raises this error; use DIV0(a, b) or NULLIF(b, 0))"
                )


@contextmanager
def _quiet() -> Iterator[None]:
    """fakesnow materialises results through Arrow and warns about the copy: noise for the candidate."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
        yield


def _split(setup: str) -> list[str]:
    """A drill's own setup script, statement by statement (trusted text from the bank)."""
    return [s.strip() for s in setup.split(";") if s.strip()]


_scratch: Scratch | None = None
_scratch_lock = threading.Lock()


def scratch() -> Scratch:
    """The process's one ``Scratch`` (built on first use, about a second)."""
    global _scratch
    with _scratch_lock:
        if _scratch is None:
            _scratch = Scratch()
        return _scratch


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` and its wall time in seconds (for the benchmark)."""
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start
