"""A production data-quality checker for the warehouse: the syllabus's five checks, done safely, plus four.

The syllabus's ``DataQualityChecker`` builds every query with f-strings: ``check_row_count(table)`` runs
``f"SELECT COUNT(*) FROM {table}"``, so a table name such as ``"fct_appointments; DROP TABLE dim_clients"``
is executed, and ``check_date_range`` pastes dates inside quotes. That code is injectable. Here every
table and column name is validated and quoted (``solutions.sql``) before any SQL exists, and every value
(dates, thresholds, accepted values, the logical date) is a bound ``%s`` parameter.

Checks (each returns a :class:`CheckResult` and is kept for :meth:`QualityChecker.report`):

* the syllabus's five: row count range, null percentage, referential integrity, date range, duplicate keys;
* freshness (newest timestamp vs an ``as_of`` you pass in: never the wall clock inside a check),
  schema (expected columns and types from ``INFORMATION_SCHEMA``), accepted values, and a volume anomaly
  check (the day's row count vs the previous days' mean, as a z-score).

Row-level checks on one table can share **one pass**: :meth:`QualityChecker.scan` sends a single ``SELECT``
with every check's conditional aggregates, instead of one query (one table scan) per check.

Every check takes an optional ``where=Where(date_column, day)`` so a DAG can check just its logical date.
For referential integrity and duplicate keys that means the day's rows checked against the WHOLE table (every
parent, every other key): the same answer as a whole-table check when earlier days passed, at a fraction of the
cost, because the join and the ``GROUP BY`` over every row are what a columnar warehouse pays for.
The checker owns the connection when you give it a factory (``with QualityChecker(factory) as qc:`` closes
it on every path, also when a query raises); a connection you pass in stays yours to close.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from solutions.days import as_date
from solutions.quality_rules import (
    AcceptedValues,
    CheckResult,
    DateRange,
    Fragment,
    Freshness,
    NullPercentage,
    RowCount,
    RowRule,
    Severity,
    Where,
    check_severity,
    normalise_type,
    same_type,
    type_name,
)
from solutions.sql import quote_identifier, quote_table, validate_identifier

__all__ = [
    "AcceptedValues", "CheckResult", "DateRange", "Freshness", "NullPercentage", "QualityChecker",
    "QualityCheckFailed", "Report", "RowCount", "Where", "run_quality_checks",
]


@dataclass(frozen=True)
class Report:
    """All results of a run. ``status`` is FAILED when an ``error`` check failed; warnings never fail it."""

    results: tuple[CheckResult, ...]

    @property
    def failures(self) -> list[str]:
        return [r.message for r in self.results if not r.passed and r.severity == "error"]

    @property
    def warnings(self) -> list[str]:
        return [r.message for r in self.results if not r.passed and r.severity == "warn"]

    @property
    def status(self) -> str:
        return "FAILED" if self.failures else "PASSED"

    def to_dict(self) -> dict[str, Any]:
        """The syllabus's shape (status, failure_count, failures) plus warnings and plain-JSON results."""
        return {"status": self.status, "failure_count": len(self.failures), "failures": self.failures,
                "warnings": self.warnings, "results": [_plain(asdict(r)) for r in self.results]}


class QualityCheckFailed(Exception):
    """Raised by :func:`run_quality_checks` when an error-severity check failed; ``report`` has the details."""

    def __init__(self, report: Report) -> None:
        super().__init__("Data quality checks failed:\n" + "\n".join(report.failures))
        self.report = report


class QualityChecker:
    """Runs checks over one connection and keeps their results.

    ``connection`` is a connection (yours to close) or a zero-argument factory such as
    ``functools.partial(snowflake.connector.connect, database="ANALYTICS", schema="MARTS")`` (the checker
    opens it on first use and closes it in ``close()`` / at the end of a ``with`` block).
    ``keys`` names each table's id column (``{"fct_appointments": "appointment_id"}``): failing checks then
    carry up to ``sample_size`` ids of failing rows, fetched by one extra small query (0 turns that off).
    """

    def __init__(self, connection: Any, *, keys: Mapping[str, str] | None = None, sample_size: int = 5) -> None:
        if hasattr(connection, "cursor"):
            self._conn, self._factory = connection, None
        elif callable(connection):
            self._conn, self._factory = None, connection
        else:
            raise TypeError("connection must be a DB-API connection or a function returning one")
        if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 0:
            raise ValueError(f"sample_size must be a non-negative integer, got {sample_size!r}")
        self.keys = {_table_key(quote_table(t)): validate_identifier(c, "key column") for t, c in (keys or {}).items()}
        self.sample_size = sample_size
        self.results: list[CheckResult] = []
        self.queries = 0  # statements executed, for tests and benchmarks

    # -- connection ---------------------------------------------------------------------------------------

    def __enter__(self) -> QualityChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection if the checker opened it (a borrowed connection is left to its owner)."""
        if self._factory is not None and self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        if self._conn is None:
            self._conn = self._factory()  # type: ignore[misc]
        with self._conn.cursor() as cur:
            self.queries += 1
            cur.execute(sql, tuple(params))
            return cur.fetchall()

    def _keep(self, results: list[CheckResult]) -> list[CheckResult]:
        self.results.extend(results)
        return results

    # -- row-level checks (one query each, or many in one pass) ---------------------------------------------

    def check_row_count(self, table: str, min_rows: int, max_rows: int | None = None, *,
                        where: Where | tuple[str, Any] | None = None, severity: Severity = "error") -> CheckResult:
        return self.scan(table, [RowCount(min_rows, max_rows, check_severity(severity))], where=where)[0]

    def check_null_percentage(self, table: str, column: str, max_null_pct: float, *,
                              where: Where | tuple[str, Any] | None = None,
                              severity: Severity = "error") -> CheckResult:
        return self.scan(table, [NullPercentage(column, max_null_pct, check_severity(severity))], where=where)[0]

    def check_date_range(self, table: str, date_column: str, min_date: dt.date, max_date: dt.date, *,
                         where: Where | tuple[str, Any] | None = None, severity: Severity = "error") -> CheckResult:
        rule = DateRange(date_column, min_date, max_date, check_severity(severity))
        return self.scan(table, [rule], where=where)[0]

    def check_accepted_values(self, table: str, column: str, accepted: Iterable[Any], *,
                              where: Where | tuple[str, Any] | None = None,
                              severity: Severity = "error") -> CheckResult:
        rule = AcceptedValues(column, tuple(accepted), check_severity(severity))
        return self.scan(table, [rule], where=where)[0]

    def check_freshness(self, table: str, column: str, as_of: dt.datetime, max_age: dt.timedelta, *,
                        where: Where | tuple[str, Any] | None = None, severity: Severity = "error") -> CheckResult:
        return self.scan(table, [Freshness(column, as_of, max_age, check_severity(severity))], where=where)[0]

    def scan(self, table: str, rules: Sequence[RowRule], *,
             where: Where | tuple[str, Any] | None = None) -> list[CheckResult]:
        """Answer every rule with ONE ``SELECT`` over ``table``: each rule adds its conditional aggregates.

        ``SELECT COUNT(*), COUNT(CASE WHEN "CLIENT_ID" IS NULL THEN 1 END), COUNT(CASE WHEN ... END), MAX(...)
        FROM t WHERE "APPOINTMENT_DATE" = %s``: one read of the table instead of one per check. Identical
        aggregates (``COUNT(*)``) are computed once. Samples of failing rows, if any, cost one small query
        per failing check.
        """
        if not rules:
            return []
        for rule in rules:
            check_severity(rule.severity)
        source, scope = quote_table(table), _where(where)
        sql, params, slots = _one_pass(source, rules, scope)
        (row,) = self._fetch(sql, params)
        results = []
        for rule, slot in zip(rules, slots):
            result = rule.judge(table, scope, [row[i] for i in slot])
            failing = rule.failing()
            if not result.passed and failing is not None:
                result = replace(result, sample=self._sample(source, failing, scope))
            results.append(result)
        return self._keep(results)

    def scan_sql(self, table: str, rules: Sequence[RowRule], *,
                 where: Where | tuple[str, Any] | None = None) -> tuple[str, list[Any]]:
        """The single statement :meth:`scan` sends, and its bound values (to read, log or ``EXPLAIN``)."""
        sql, params, _ = _one_pass(quote_table(table), rules, _where(where))
        return sql, params

    def _sample(self, source: str, failing: Fragment, scope: Where | None, *, from_sql: str | None = None,
                alias: str = "") -> tuple[Any, ...]:
        """Up to ``sample_size`` ids (``source``'s key column) of the rows ``failing`` selects, smallest first."""
        key = self.keys.get(_table_key(source))
        if key is None or self.sample_size == 0:
            return ()
        clause, params = failing
        if scope:
            where_sql, bound = scope.fragment()
            clause, params = f"{clause} AND {alias}{where_sql}", (*params, *bound)
        column = f"{alias}{quote_identifier(key)}"
        rows = self._fetch(f"SELECT {column} FROM {from_sql or source} WHERE {clause} "
                           f"ORDER BY {column} LIMIT {int(self.sample_size)}", params)
        return tuple(r[0] for r in rows)

    # -- checks that need a join, a GROUP BY or the catalog --------------------------------------------------

    def check_referential_integrity(self, child_table: str, child_key: str, parent_table: str, parent_key: str,
                                    *, where: Where | tuple[str, Any] | None = None,
                                    severity: Severity = "error") -> CheckResult:
        """Child rows whose (non-NULL) key has no parent row, by an anti-join: ``LEFT JOIN ... WHERE p.key IS
        NULL``. That cannot over-count when a parent key is duplicated: duplicates multiply only the matched
        rows, and the filter drops those. (``NOT EXISTS`` gives the same answer; DuckDB ran it slower.)

        With ``where``, only the child rows in scope are checked, against every parent row."""
        child, parent, scope = quote_table(child_table), quote_table(parent_table), _where(where)
        ck, pk = quote_identifier(child_key, "child key"), quote_identifier(parent_key, "parent key")
        joined = f"{child} c LEFT JOIN {parent} p ON p.{pk} = c.{ck}"
        orphan = f"c.{ck} IS NOT NULL AND p.{pk} IS NULL"
        sql, params = f"SELECT COUNT(*) FROM {joined} WHERE {orphan}", []
        if scope:
            clause, bound = scope.fragment()
            sql, params = f"{sql} AND c.{clause}", list(bound)
        count = int(self._fetch(sql, params)[0][0])
        label = f"{child_table}.{child_key}" + (f" [{scope}]" if scope else "")
        result = CheckResult("referential_integrity", child_table, child_key, count, 0, check_severity(severity),
                             count == 0, f"{label}: {count} orphaned records", detail={"parent": parent_table})
        if count:
            result = replace(result, sample=self._sample(child, (orphan, ()), scope, from_sql=joined, alias="c."))
        return self._keep([result])[0]

    def check_duplicate_keys(self, table: str, key_columns: Sequence[str], *,
                             where: Where | tuple[str, Any] | None = None,
                             severity: Severity = "error") -> CheckResult:
        """Key values that occur more than once; the sample is those key values. Rows with a NULL key part
        are left out (as dbt's ``unique`` test does): NULLs are the null check's job.

        With ``where``, the keys of the rows in scope are counted over the WHOLE table, so a key loaded
        today that already exists on another day is caught; the expensive ``GROUP BY`` then covers only the
        day's keys (a hash join probes the rest) instead of every key in the table.
        """
        if isinstance(key_columns, str) or not key_columns:
            raise ValueError("key_columns must be a non-empty list of column names")
        source, scope = quote_table(table), _where(where)
        cols = [quote_identifier(k, "key column") for k in key_columns]
        keys, grouped = ", ".join(cols), ", ".join(f"t.{c}" for c in cols)
        params: list[Any] = []
        if scope:  # the day's distinct keys, joined back to every row (NULL never equals: NULL keys drop out)
            clause, bound = scope.fragment()
            day_keys = f"SELECT DISTINCT {keys} FROM {source} WHERE {clause}"
            rows_sql = f"{source} t JOIN ({day_keys}) s ON " + " AND ".join(f"t.{c} = s.{c}" for c in cols)
            params += bound
        else:
            rows_sql = f"{source} t WHERE " + " AND ".join(f"t.{c} IS NOT NULL" for c in cols)
        # d is read twice (its size, its first keys); DuckDB and Snowflake compute a CTE used twice once
        rows = self._fetch(
            f"WITH d AS (SELECT {grouped} FROM {rows_sql} GROUP BY {grouped} HAVING COUNT(*) > 1) "
            f"SELECT {keys}, (SELECT COUNT(*) FROM d) FROM d ORDER BY {keys} LIMIT {max(self.sample_size, 1)}",
            params)
        count = int(rows[0][-1]) if rows else 0
        sample = tuple(r[0] if len(key_columns) == 1 else tuple(r[:-1]) for r in rows[: self.sample_size])
        label = table + (f" [{scope}]" if scope else "")
        return self._keep([CheckResult(
            "duplicate_keys", table, ", ".join(key_columns), count, 0, check_severity(severity), count == 0,
            f"{label}: {count} duplicate key combinations ({', '.join(key_columns)})", sample)])[0]

    def check_schema(self, table: str, expected: Mapping[str, str], *, exact: bool = False,
                     severity: Severity = "error") -> CheckResult:
        """Columns and types as ``INFORMATION_SCHEMA.COLUMNS`` reports them, against ``expected``.

        Types compare by family (``VARCHAR``/``STRING``/``TEXT`` are one type, ``INT`` is ``NUMBER(38,0)``);
        ``NUMBER(12,2)`` also checks precision and scale. ``exact=True`` also fails on unexpected columns.
        """
        quote_table(table)  # the same validation every other check applies, before any SQL
        wanted = {validate_identifier(c, "column"): normalise_type(t) for c, t in expected.items()}
        parts = [validate_identifier(p, "table name") for p in table.split(".")]
        database, schema, name = [None] * (3 - len(parts)) + parts
        catalog = f"{quote_identifier(database)}.INFORMATION_SCHEMA.COLUMNS" if database else "INFORMATION_SCHEMA.COLUMNS"
        rows = self._fetch(
            f"SELECT COLUMN_NAME, DATA_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE FROM {catalog} "
            f"WHERE TABLE_SCHEMA = COALESCE(%s, CURRENT_SCHEMA()) AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
            (schema, name))
        actual = {c: type_name(t, p, s) for c, t, p, s in rows}
        missing = [c for c in wanted if c not in actual]
        wrong = {c: (actual[c], t) for c, t in wanted.items() if c in actual and not same_type(actual[c], t)}
        extra = [c for c in actual if c not in wanted] if exact else []
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + \
                   [f"{c} is {a}, expected {e}" for c, (a, e) in wrong.items()] + \
                   ([f"unexpected {', '.join(extra)}"] if extra else [])
        if not rows:
            problems = ["table not found"]
        passed = not problems
        return self._keep([CheckResult(
            "schema", table, None, actual, wanted, check_severity(severity), passed,
            f"{table}: schema " + ("as expected" if passed else "differs: " + "; ".join(problems)),
            tuple(missing) + tuple(wrong) + tuple(extra),
            detail={"missing": missing, "wrong_type": wrong, "unexpected": extra})])[0]

    def check_volume_anomaly(self, table: str, date_column: str, day: dt.date | str, *, history_days: int = 14,
                             max_z: float = 3.0, min_history: int = 7, severity: Severity = "warn") -> CheckResult:
        """The day's row count against the previous ``history_days`` days, as a z-score.

        One query, bound by dates: ``COUNT(*) ... WHERE d BETWEEN day - history_days AND day GROUP BY d``.
        Days of the history with no rows are left out of the baseline (an empty day is an incident, not
        normal volume) and counted in ``detail``. With fewer than ``min_history`` days the check passes
        with a note: too little history to judge.
        """
        day = as_date(day)
        source, col = quote_table(table), quote_identifier(date_column, "date column")
        first = day - dt.timedelta(days=history_days)
        rows = self._fetch(f"SELECT {col}, COUNT(*) FROM {source} WHERE {col} BETWEEN %s AND %s GROUP BY {col}",
                           (first, day))
        counts = {d: int(n) for d, n in rows}
        today = counts.get(day, 0)
        history = [counts[d] for d in (first + dt.timedelta(days=i) for i in range(history_days)) if d in counts]
        detail: dict[str, Any] = {"history_days": len(history), "empty_days": history_days - len(history)}
        label = f"{table}.{date_column} = {day}"
        if len(history) < min_history:
            return self._keep([CheckResult(
                "volume_anomaly", table, date_column, today, max_z, check_severity(severity), True,
                f"{label}: {today} rows, not judged", note=f"only {len(history)} days of history "
                f"(need {min_history})", detail=detail)])[0]
        mean, sd = statistics.fmean(history), statistics.stdev(history)
        z = (today - mean) / sd if sd else (0.0 if today == mean else math.copysign(math.inf, today - mean))
        detail.update(mean=round(mean, 2), stdev=round(sd, 2), z=round(z, 2))
        passed = abs(z) <= max_z
        return self._keep([CheckResult(
            "volume_anomaly", table, date_column, today, max_z, check_severity(severity), passed,
            f"{label}: {today} rows, z-score {z:.1f} vs the previous {len(history)} days "
            f"(mean {mean:.1f}, max |z| {max_z})", detail=detail)])[0]

    def report(self) -> Report:
        return Report(tuple(self.results))


# -- the daily suite a DAG runs ------------------------------------------------------------------------------

APPOINTMENT_SCHEMA = {
    "appointment_id": "NUMBER(38,0)", "client_id": "NUMBER(38,0)", "clinician_id": "NUMBER(38,0)",
    "appointment_date": "DATE", "appointment_ts": "TIMESTAMP_NTZ", "status": "VARCHAR", "is_no_show": "NUMBER",
    "duration_minutes": "NUMBER", "fee_amount": "NUMBER(10,2)",
}
STATUSES = ("completed", "no_show", "cancelled")


def run_quality_checks(connection: Any, day: dt.date | str, *, raise_on_failure: bool = True,
                       earliest: dt.date = dt.date(2020, 1, 1),
                       horizon: dt.timedelta = dt.timedelta(days=366)) -> dict[str, Any]:
    """The syllabus's Airflow task, corrected: checks ``fct_appointments`` for one logical date.

    Dates must fall between ``earliest`` and the logical ``day`` plus a booking ``horizon`` (the syllabus
    used ``datetime.now()``: the verdict then depends on when the task happens to run). Freshness is judged
    at the end of the logical day. Returns the report as plain JSON (fit for XCom); raises
    :class:`QualityCheckFailed` after an error-severity failure.
    """
    day = as_date(day)
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    table, on_day = "fct_appointments", Where("appointment_date", day)
    with QualityChecker(connection, keys={table: "appointment_id"}) as qc:
        qc.check_schema(table, APPOINTMENT_SCHEMA)
        qc.scan(table, [RowCount(1), NullPercentage("client_id", 0.1), AcceptedValues("status", STATUSES),
                        Freshness("appointment_ts", end_of_day, dt.timedelta(days=1))], where=on_day)
        qc.check_referential_integrity(table, "client_id", "dim_clients", "client_id", where=on_day)
        qc.check_duplicate_keys(table, ["appointment_id"], where=on_day)
        # whole table: a row moved to 2099 has left its day, so a per-day filter would never see it
        qc.check_date_range(table, "appointment_date", earliest, day + horizon)
        qc.check_volume_anomaly(table, "appointment_date", day)
        report = qc.report()
    if raise_on_failure and report.failures:
        raise QualityCheckFailed(report)
    return report.to_dict()


# -- helpers -----------------------------------------------------------------------------------------------


def _one_pass(source: str, rules: Sequence[RowRule], scope: Where | None) -> tuple[str, list[Any], list[list[int]]]:
    """One SELECT holding every rule's aggregates (each distinct one once) and, per rule, where its values sit."""
    columns: list[Fragment] = []
    slots: list[list[int]] = []
    for rule in rules:
        slot = []
        for fragment in rule.aggregates():
            if fragment not in columns:
                columns.append(fragment)
            slot.append(columns.index(fragment))
        slots.append(slot)
    sql = f"SELECT {', '.join(s for s, _ in columns)} FROM {source}"
    params = [p for _, ps in columns for p in ps]
    if scope:
        clause, bound = scope.fragment()
        sql, params = f"{sql} WHERE {clause}", params + list(bound)
    return sql, params, slots


def _where(where: Where | tuple[str, Any] | None) -> Where | None:
    if where is None or isinstance(where, Where):
        return where
    if isinstance(where, tuple) and len(where) == 2:
        return Where(*where)
    raise TypeError("where must be Where(column, value) or a (column, value) tuple")


def _table_key(quoted: str) -> str:
    """The bare table name of a quoted ``"DB"."SCHEMA"."TABLE"``, for looking up its key column."""
    return quoted.rsplit(".", 1)[-1].strip('"')


def _plain(value: Any) -> Any:
    """Dates, timedeltas and Decimals as strings, tuples as lists: JSON (and XCom) ready."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dt.timedelta, Decimal)):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value
