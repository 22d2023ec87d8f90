"""The simulated Snowflake: fakesnow over DuckDB files.

While a ``Warehouse`` is started, every ``snowflake.connector.connect(...)`` in the process, whatever
account, user, password, warehouse, database or schema it names (the syllabus's code, verbatim), gets a
fakesnow connection to the same DuckDB files, so all connections see the same data.

Layout (databases and schemas the syllabus uses)::

    RAW.STAGING          landing tables for extracts (raw API JSON as VARIANT)
    ANALYTICS.STAGING    typed staging tables
    ANALYTICS.MARTS      dim_clients, dim_clinicians, fct_appointments, fct_payments
    ANALYTICS.CUSTOMER_METRICS   customer-facing pre-aggregates
    BACKEND.PUBLIC       the source system's own tables: the truth reconciliation compares against

Real mode: with ``KIT_SNOWFLAKE_MODE=real`` and ``SNOWFLAKE_ACCOUNT``/``SNOWFLAKE_USER``/``SNOWFLAKE_PASSWORD``
(optionally ``SNOWFLAKE_WAREHOUSE``/``SNOWFLAKE_ROLE``) set, ``Warehouse.connect`` talks to a real account
instead and nothing is patched. Credentials only ever come from the environment.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

LAYOUT: dict[str, tuple[str, ...]] = {
    "RAW": ("STAGING",),
    "ANALYTICS": ("STAGING", "MARTS", "CUSTOMER_METRICS"),
    "BACKEND": ("PUBLIC",),
}

def real_mode() -> bool:
    return os.environ.get("KIT_SNOWFLAKE_MODE", "sim").lower() == "real"


class Warehouse:
    """fakesnow over the DuckDB files in ``path`` (one ``<DATABASE>.db`` file per database)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._stack: ExitStack | None = None
        self._keepers: list[Any] = []

    @property
    def started(self) -> bool:
        return self._stack is not None

    def start(self) -> Warehouse:
        """Patch the Snowflake connector and create the databases and schemas of ``LAYOUT``."""
        if self.started:
            return self
        if real_mode():
            self._stack = ExitStack()
            return self
        import fakesnow

        from sim import exact_aggregates

        self.path.mkdir(parents=True, exist_ok=True)
        stack = ExitStack()
        # fakesnow materialises results through Arrow; its copy warning is noise for the reader.
        stack.enter_context(warnings.catch_warnings())
        warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
        stack.enter_context(fakesnow.patch(db_path=self.path))
        stack.enter_context(_stages_in(self.path / "stages"))  # PUT's files go away with the warehouse
        stack.enter_context(exact_aggregates.patched())  # SUM/AVG over NUMBER stay exact, as in Snowflake
        self._stack = stack
        # One open connection per database keeps its file attached for the whole run, so a connection
        # made with database=RAW can still read ANALYTICS.MARTS.* (as in Snowflake).
        for database, schemas in LAYOUT.items():
            keeper = self.connect(database=database, schema=schemas[0])
            for schema in schemas[1:]:
                keeper.cursor().execute(f"CREATE SCHEMA IF NOT EXISTS {database}.{schema}")
            self._keepers.append(keeper)
        return self

    def stop(self) -> None:
        for conn in self._keepers:
            conn.close()
        self._keepers.clear()
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    def connect(self, database: str = "ANALYTICS", schema: str = "MARTS", **kwargs: Any) -> Any:
        """A Snowflake connection (simulated unless real mode). Same call the syllabus makes."""
        import snowflake.connector

        if not self.started:
            raise RuntimeError("the warehouse is not started: call sim.start() first")
        if real_mode():
            kwargs = {**_real_credentials(), **kwargs}
        return snowflake.connector.connect(database=database, schema=schema, **kwargs)

    @contextmanager
    def cursor(self, database: str = "ANALYTICS", schema: str = "MARTS") -> Iterator[Any]:
        """A cursor on a fresh connection, both closed on exit (also when the body raises)."""
        conn = self.connect(database=database, schema=schema)
        try:
            with conn.cursor() as cur:
                yield cur
        finally:
            conn.close()

    def query(self, sql: str, params: Sequence[Any] | None = None, **where: str) -> list[tuple]:
        """Run one statement with bound parameters and return all rows."""
        with self.cursor(**where) as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def df(self, sql: str, params: Sequence[Any] | None = None, **where: str):
        """Run one query and return a pandas DataFrame (column names as Snowflake reports them)."""
        import pandas as pd

        with self.cursor(**where) as cur:
            cur.execute(sql, params)
            return pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description])

    def duckdb(self) -> Any:
        """The DuckDB connection underneath fakesnow, for bulk generation in DuckDB SQL (sim only)."""
        if real_mode() or not self._keepers:
            raise RuntimeError("DuckDB access only exists in sim mode, after start()")
        return self._keepers[0]._duck_conn

    @contextmanager
    def released(self, databases: Sequence[str] | None = None) -> Iterator[dict[str, Path]]:
        """Let another DuckDB open the database files (dbt-duckdb, here or in a subprocess), then take them back.

        fakesnow keeps every ``<DATABASE>.db`` ATTACHed, and DuckDB allows one open of a file per process (and
        one writing process): a second DuckDB would fail with a lock or "file handle conflict" error. Inside
        the block the files are DETACHed (committed data is checkpointed into them first); on exit they are
        ATTACHed again under the same names, and every open connection works as before. Yields
        ``{database: file path}``. Nothing in this process may use the warehouse inside the block.
        """
        if real_mode() or not self._keepers:
            raise RuntimeError("released() only exists in sim mode, after start()")
        names = [d.upper() for d in (databases or LAYOUT)]
        duck = self.duckdb().cursor()  # a fresh DuckDB connection: its default database is not one of ours
        files: dict[str, Path] = {}
        try:
            for name in names:
                row = duck.execute("SELECT path FROM duckdb_databases() WHERE database_name = ?", [name]).fetchone()
                if row is None or not row[0]:
                    raise ValueError(f"no database file attached as {name}")
                duck.execute(f'CHECKPOINT "{name}"')
                duck.execute(f'DETACH "{name}"')
                files[name] = Path(row[0])
            yield dict(files)
        finally:
            try:
                for name, path in files.items():  # a connect() inside the block may have attached it already
                    duck.execute(f"ATTACH IF NOT EXISTS '{path.as_posix()}' AS \"{name}\"")
            finally:
                duck.close()

    def __enter__(self) -> Warehouse:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def _stages_in(folder: Path) -> Iterator[None]:
    """Keep fakesnow's stages (the files ``PUT`` uploads) in ``folder`` instead of the ``fakesnow_bucket_*``
    folder it makes in the temp directory at import and never removes; that one is removed at exit."""
    from unittest import mock

    from fakesnow.transforms import stage

    if Path(stage.LOCAL_BUCKET_PATH).name.startswith("fakesnow_bucket_"):
        _remove_at_exit(stage.LOCAL_BUCKET_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    with mock.patch.object(stage, "LOCAL_BUCKET_PATH", str(folder)):
        yield


@functools.cache
def _remove_at_exit(path: str) -> None:
    atexit.register(shutil.rmtree, path, ignore_errors=True)


def _real_credentials() -> dict[str, str]:
    missing = [v for v in ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PASSWORD") if not os.environ.get(v)]
    if missing:
        raise RuntimeError(f"real mode needs these environment variables: {', '.join(missing)}")
    names = ("account", "user", "password", "warehouse", "role")
    return {n: os.environ[f"SNOWFLAKE_{n.upper()}"] for n in names if os.environ.get(f"SNOWFLAKE_{n.upper()}")}
