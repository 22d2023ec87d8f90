"""Keep ``SUM``/``AVG`` over ``NUMBER`` columns exact in the sim, as Snowflake does.

fakesnow wraps the argument of every numeric aggregate in ``TRY_CAST(... AS DOUBLE)`` (its
``numeric_agg_implicit_cast`` transform) to imitate Snowflake's implicit cast of text: ``SUM(amount_text)``
works in Snowflake and DuckDB would refuse it. The cast also turns ``SUM`` over a ``NUMBER(12,2)`` or an
integer column into a float, where Snowflake returns an exact ``NUMBER`` (a ``Decimal``/``int`` in Python):
code that subtracts a ``Decimal`` from such a total runs in the sim and raises ``TypeError`` on Snowflake.

:func:`patched` narrows the cast with the warehouse's own column types: when the argument of ``SUM`` or
``AVG`` is a plain column of a table whose type is already exact (``DECIMAL`` or an integer), it stays as it
is. ``SUM`` then returns DuckDB's exact ``DECIMAL`` sum (an integer sum as ``BIGINT``, an ``int`` in Python as
from Snowflake; a sum beyond 2**63 fails loudly in the sim where Snowflake's 38 digits would hold it).
DuckDB's ``AVG`` is always a ``DOUBLE``; Snowflake's ``AVG`` over a ``NUMBER(p, s)`` is a ``NUMBER`` with six
more decimals, at most 12 (its division rule: ``AVG`` of 1, 2, 2 is ``1.666667``), so the sim casts it to
that ``DECIMAL``: the type Snowflake returns, the value rounded from a double.
Everything else (text columns, expressions, columns of subqueries and CTEs, windows, the other aggregates)
keeps fakesnow's behaviour.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlglot import exp

_EXACT = re.compile(r"(DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)|(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$")
# (duck connection, current database, current schema) of the statement being transformed
_where: contextvars.ContextVar[tuple[Any, str | None, str | None] | None] = contextvars.ContextVar(
    "exact_aggregates_where", default=None)


@contextmanager
def patched() -> Iterator[None]:
    """While active, fakesnow cursors keep ``SUM``/``AVG`` over numeric columns exact (see the module doc)."""
    from unittest import mock

    import fakesnow.cursor
    from fakesnow import transforms

    original_cast = transforms.numeric_agg_implicit_cast
    original_transform = fakesnow.cursor.FakeSnowflakeCursor._transform

    def transform(self: Any, expression: Any, params: Any) -> Any:
        token = _where.set((self._duck_conn, self._conn.database, self._conn.schema))
        try:
            return original_transform(self, expression, params)
        finally:
            _where.reset(token)

    def cast_unless_exact(expression: Any) -> Any:
        if isinstance(expression, (exp.Sum, exp.Avg)) and not isinstance(expression.parent, exp.Window):
            scale = _numeric_scale(expression.this)
            if scale is not None:
                return _keep_exact(expression, scale, transforms)
        return original_cast(expression)

    with mock.patch.object(transforms, "numeric_agg_implicit_cast", cast_unless_exact), \
            mock.patch.object(fakesnow.cursor.FakeSnowflakeCursor, "_transform", transform):
        yield


def _keep_exact(agg: Any, scale: int, transforms: Any) -> Any:
    """The aggregate without fakesnow's cast, named as Snowflake names it (``SUM(AMOUNT)``)."""
    from fakesnow.transforms.transforms import _numeric_agg_col_name

    parent = agg.parent
    name = None if isinstance(parent, exp.Alias) else _numeric_agg_col_name(agg, agg.this)
    result = agg
    if isinstance(agg, exp.Avg):  # Snowflake's division rule: 6 more decimals, at most 12 unless already more
        decimal = exp.DataType.build(f"DECIMAL(38, {max(scale, min(scale + 6, 12))})")
        result = exp.Cast(this=agg.copy(), to=decimal)
    elif scale == 0:  # DuckDB sums integers as HUGEINT (a Decimal in Python); Snowflake's NUMBER(38,0): int
        result = exp.Cast(this=agg.copy(), to=exp.DataType.build("BIGINT"))
    if name and isinstance(parent, exp.Select):
        return exp.alias_(result, name, quoted=True)
    return result


def _numeric_scale(arg: Any) -> int | None:
    """The scale of ``arg`` when it is a column of a real table with an exact numeric type, else ``None``."""
    where = _where.get()
    if where is None or not isinstance(arg, exp.Column) or not isinstance(arg.this, exp.Identifier):
        return None
    select = arg.find_ancestor(exp.Select)
    if select is None:
        return None
    tables = _tables(select, arg.table)
    if not tables:
        return None
    duck, database, schema = where
    types = []
    cursor = duck.cursor()
    try:
        for catalog, db, name in tables:
            rows = cursor.execute(
                "SELECT data_type FROM duckdb_columns() WHERE upper(table_name) = ? "
                "AND upper(column_name) = ? AND (upper(database_name) = ? OR database_name = 'temp') "
                "AND upper(schema_name) = ?",
                [name, arg.name.upper(), (catalog or database or "").upper(), (db or schema or "").upper()],
            ).fetchall()
            types += [t for (t,) in rows]
    finally:
        cursor.close()
    scales = [_scale(t) for t in types]
    if not scales or None in scales or (len(tables) > 1 and len(scales) != 1):
        return None  # unknown, not exact, or ambiguous across joined tables: leave it to fakesnow
    return scales[0]


def _scale(duck_type: str) -> int | None:
    match = _EXACT.match(duck_type.upper())
    if match is None:
        return None
    return int(match.group(3)) if match.group(1) else 0


def _tables(select: Any, qualifier: str) -> list[tuple[str, str, str]]:
    """(catalog, db, name) of the real tables the column can come from: all of the FROM and JOINs, or the one
    its qualifier names. Empty when any candidate is a subquery or a CTE (no stored type to read)."""
    sources = [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]
    ctes = {cte.alias_or_name.upper() for w in _withs(select) for cte in w.expressions}
    found = []
    for source in filter(None, sources):
        table = source.this
        if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
            if not qualifier:
                return []
            continue
        if table.name.upper() in ctes and not table.db:
            if not qualifier or qualifier.upper() == table.alias_or_name.upper():
                return []
            continue
        if qualifier and qualifier.upper() not in {table.alias_or_name.upper(), table.name.upper()}:
            continue
        found.append((table.catalog, table.db, table.name.upper()))
    return found


def _withs(node: Any) -> Iterator[Any]:
    while node is not None:
        if node.args.get("with"):
            yield node.args["with"]
        node = node.parent
