"""Connections a function is given: one you own, or a way to open one that the function closes.

Functions that query the warehouse take ``connection``: an open DB-API connection (it stays yours: nothing here
closes it), a zero-argument factory such as ``functools.partial(snowflake.connector.connect, ...)``, or an
Airflow hook (``SnowflakeHook``: anything with ``get_conn()``). What the function opens, it closes on every path.

    with connected(connection) as conn, conn.cursor() as cur:
        cur.execute(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def open_connection(connect: Any) -> Any:
    """A new DB-API connection from a hook (anything with ``get_conn()``) or a zero-argument factory."""
    if hasattr(connect, "get_conn"):
        return connect.get_conn()
    if callable(connect):
        return connect()
    raise TypeError(f"connect must be a hook with get_conn() or a function returning a connection, "
                    f"got {type(connect).__name__}")


@contextmanager
def connected(connection: Any) -> Iterator[Any]:
    """A connection you pass stays yours; one opened from a factory or a hook is closed on every path."""
    if hasattr(connection, "cursor"):
        yield connection
        return
    conn = open_connection(connection)
    try:
        yield conn
    finally:
        conn.close()
