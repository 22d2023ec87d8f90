"""Row-level quality rules: each one is a few SQL aggregates plus a judgement on their values.

A rule never runs SQL itself. It says which aggregates it needs (``COUNT(*)``, ``COUNT(CASE WHEN ... END)``,
``MAX(...)``) and how to turn their values into a :class:`~solutions.quality.CheckResult`. That is what lets
:class:`~solutions.quality.QualityChecker` run a rule alone (one query per check) or many rules over the same
table in **one pass** (one ``SELECT`` with every rule's aggregates side by side): same SQL fragments, same
judgement, so both modes give identical results.

Identifiers are validated and quoted when a rule is built (``solutions.sql``), values are always bound
(``%s``): nothing a caller passes is ever formatted into SQL as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from solutions.sql import quote_identifier

Severity = Literal["warn", "error"]
SEVERITIES = ("warn", "error")
Fragment = tuple[str, tuple[Any, ...]]  # SQL text with %s placeholders, and the values they bind


def check_severity(severity: str) -> Severity:
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be 'warn' or 'error', got {severity!r}")
    return severity  # type: ignore[return-value]


@dataclass(frozen=True)
class CheckResult:
    """What one check saw. ``observed`` and ``threshold`` are in the check's own unit (rows, %, a date...).

    ``sample`` holds up to a few ids of failing rows (the table's key, when the checker knows it);
    ``note`` explains an edge case in words (no rows, not enough history); ``detail`` carries the numbers
    behind the verdict (mean and z-score, schema differences).
    """

    check: str
    table: str
    column: str | None
    observed: Any
    threshold: Any
    severity: Severity
    passed: bool
    message: str
    sample: tuple[Any, ...] = ()
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Where:
    """Restrict checks to one logical date: ``"<column>" = %s`` with ``value`` bound, never formatted."""

    column: str
    value: Any

    def __post_init__(self) -> None:
        quote_identifier(self.column, "where column")

    def fragment(self) -> Fragment:
        return f"{quote_identifier(self.column, 'where column')} = %s", (self.value,)

    def __str__(self) -> str:
        return f"{self.column} = {self.value}"


def _scope(table: str, where: Where | None) -> str:
    return f"{table} [{where}]" if where else table


@dataclass(frozen=True)
class RowCount:
    """Row count within ``[min_rows, max_rows]`` (``max_rows=None``: no upper bound)."""

    min_rows: int
    max_rows: int | None = None
    severity: Severity = "error"
    name = "row_count"
    column = None

    def aggregates(self) -> list[Fragment]:
        return [("COUNT(*)", ())]

    def failing(self) -> Fragment | None:
        return None  # a count has no failing rows to sample

    def judge(self, table: str, where: Where | None, values: Sequence[Any]) -> CheckResult:
        (count,) = (int(v) for v in values)
        too_few, too_many = count < self.min_rows, self.max_rows is not None and count > self.max_rows
        where_ = _scope(table, where)
        message = (f"{where_}: Only {count} rows, expected >= {self.min_rows}" if too_few else
                   f"{where_}: {count} rows exceeds max {self.max_rows}" if too_many else
                   f"{where_}: {count} rows")
        return CheckResult(self.name, table, None, count, (self.min_rows, self.max_rows), self.severity,
                           not (too_few or too_many), message)


@dataclass(frozen=True)
class NullPercentage:
    """Share of NULLs in ``column``, in percent, at most ``max_null_pct``.

    Zero rows: there is nothing to measure, so the check passes with ``observed=None`` and a note saying
    so. Emptiness is the row-count check's job; a null check that fails on an empty day would page
    someone twice for one problem, and one that reports 0% would claim a measurement it never made.
    """

    column: str
    max_null_pct: float
    severity: Severity = "error"
    name = "null_percentage"

    def __post_init__(self) -> None:
        quote_identifier(self.column, "column")

    def aggregates(self) -> list[Fragment]:
        col = quote_identifier(self.column, "column")
        return [("COUNT(*)", ()), (f"COUNT(CASE WHEN {col} IS NULL THEN 1 END)", ())]

    def failing(self) -> Fragment | None:
        return f"{quote_identifier(self.column, 'column')} IS NULL", ()

    def judge(self, table: str, where: Where | None, values: Sequence[Any]) -> CheckResult:
        total, nulls = (int(v) for v in values)
        where_ = f"{table}.{self.column}" + (f" [{where}]" if where else "")
        if total == 0:
            return CheckResult(self.name, table, self.column, None, self.max_null_pct, self.severity, True,
                               f"{where_}: no rows, null percentage not measured",
                               note="no rows: nothing to measure (the row-count check covers emptiness)",
                               detail={"rows": 0, "nulls": 0})
        pct = nulls / total * 100
        passed = pct <= self.max_null_pct
        message = (f"{where_}: {pct:.1f}% nulls, max allowed {self.max_null_pct}%" if not passed else
                   f"{where_}: {pct:.1f}% nulls")
        return CheckResult(self.name, table, self.column, pct, self.max_null_pct, self.severity, passed,
                           message, detail={"rows": total, "nulls": nulls})


class _RowPredicate:
    """A rule judged by one row predicate (``_predicate``): the pass counts the rows it matches, and the
    same predicate selects the failing rows for the sample."""

    def _predicate(self) -> Fragment:
        raise NotImplementedError

    def aggregates(self) -> list[Fragment]:
        sql, params = self._predicate()
        return [(f"COUNT(CASE WHEN {sql} THEN 1 END)", params)]

    def failing(self) -> Fragment | None:
        return self._predicate()


@dataclass(frozen=True)
class DateRange(_RowPredicate):
    """No value of ``column`` before ``min_date`` or after ``max_date`` (NULLs are the null check's job)."""

    column: str
    min_date: dt.date
    max_date: dt.date
    severity: Severity = "error"
    name = "date_range"

    def __post_init__(self) -> None:
        quote_identifier(self.column, "date column")
        if self.min_date > self.max_date:
            raise ValueError(f"min_date {self.min_date} is after max_date {self.max_date}")

    def _predicate(self) -> Fragment:
        col = quote_identifier(self.column, "date column")
        return f"({col} < %s OR {col} > %s)", (self.min_date, self.max_date)

    def judge(self, table: str, where: Where | None, values: Sequence[Any]) -> CheckResult:
        (bad,) = (int(v) for v in values)
        where_ = f"{table}.{self.column}" + (f" [{where}]" if where else "")
        message = f"{where_}: {bad} dates outside {self.min_date} to {self.max_date}"
        return CheckResult(self.name, table, self.column, bad, (self.min_date, self.max_date), self.severity,
                           bad == 0, message)


@dataclass(frozen=True)
class AcceptedValues(_RowPredicate):
    """Every non-NULL value of ``column`` is one of ``accepted`` (bound as parameters, one ``%s`` each)."""

    column: str
    accepted: tuple[Any, ...]
    severity: Severity = "error"
    name = "accepted_values"

    def __post_init__(self) -> None:
        quote_identifier(self.column, "column")
        object.__setattr__(self, "accepted", tuple(self.accepted))
        if not self.accepted:
            raise ValueError("accepted values must not be empty")

    def _predicate(self) -> Fragment:
        col = quote_identifier(self.column, "column")
        marks = ", ".join(["%s"] * len(self.accepted))
        return f"({col} IS NOT NULL AND {col} NOT IN ({marks}))", self.accepted

    def judge(self, table: str, where: Where | None, values: Sequence[Any]) -> CheckResult:
        (bad,) = (int(v) for v in values)
        where_ = f"{table}.{self.column}" + (f" [{where}]" if where else "")
        message = f"{where_}: {bad} values outside the accepted set {list(self.accepted)}"
        return CheckResult(self.name, table, self.column, bad, self.accepted, self.severity, bad == 0, message)


@dataclass(frozen=True)
class Freshness:
    """The newest ``column`` value is at least ``as_of - max_age``.

    ``as_of`` is passed in (a DAG passes its data interval end), never read from the wall clock inside the
    check: the same run gives the same verdict tomorrow, and a backfill judges each day by its own date.
    A DATE counts as its midnight. A timezone-aware ``as_of`` is compared in UTC with the warehouse's
    naive ``TIMESTAMP_NTZ`` values (the usual convention: NTZ columns hold UTC).
    """

    column: str
    as_of: dt.datetime
    max_age: dt.timedelta
    severity: Severity = "error"
    name = "freshness"

    def __post_init__(self) -> None:
        quote_identifier(self.column, "timestamp column")
        if not isinstance(self.as_of, dt.datetime):
            raise TypeError("as_of must be a datetime (pass the run's logical time, not the wall clock)")

    def aggregates(self) -> list[Fragment]:
        return [(f"MAX({quote_identifier(self.column, 'timestamp column')})", ())]

    def failing(self) -> Fragment | None:
        return None

    def oldest_allowed(self) -> dt.datetime:
        return _naive_utc(self.as_of) - self.max_age

    def judge(self, table: str, where: Where | None, values: Sequence[Any]) -> CheckResult:
        (latest,) = values
        limit = self.oldest_allowed()
        where_ = f"{table}.{self.column}" + (f" [{where}]" if where else "")
        if latest is None:
            return CheckResult(self.name, table, self.column, None, limit, self.severity, False,
                               f"{where_}: no rows, nothing is fresh", note="no rows")
        moment = _naive_utc(latest if isinstance(latest, dt.datetime) else dt.datetime.combine(latest, dt.time()))
        passed = moment >= limit
        message = (f"{where_}: latest {latest} is older than {limit} (max age {self.max_age})" if not passed
                   else f"{where_}: latest {latest}")
        return CheckResult(self.name, table, self.column, latest, limit, self.severity, passed, message,
                           detail={"age": _naive_utc(self.as_of) - moment})


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


# -- schema types ----------------------------------------------------------------------------------------

_FAMILIES = {
    "VARCHAR": "TEXT", "STRING": "TEXT", "TEXT": "TEXT", "CHAR": "TEXT", "CHARACTER": "TEXT",
    "NUMBER": "NUMBER", "DECIMAL": "NUMBER", "NUMERIC": "NUMBER",
    "INT": "NUMBER(38,0)", "INTEGER": "NUMBER(38,0)", "BIGINT": "NUMBER(38,0)", "SMALLINT": "NUMBER(38,0)",
    "TINYINT": "NUMBER(38,0)", "BYTEINT": "NUMBER(38,0)",
    "FLOAT": "FLOAT", "FLOAT4": "FLOAT", "FLOAT8": "FLOAT", "DOUBLE": "FLOAT", "REAL": "FLOAT",
    "DOUBLE PRECISION": "FLOAT", "DATETIME": "TIMESTAMP_NTZ", "TIMESTAMP": "TIMESTAMP_NTZ",
}


def normalise_type(name: str) -> str:
    """``varchar(100)`` -> ``TEXT``, ``int`` -> ``NUMBER(38,0)``, ``number(12, 2)`` -> ``NUMBER(12,2)``."""
    base, _, args = str(name).upper().replace(" ", "").partition("(")
    family = _FAMILIES.get(base, base)
    if family == "NUMBER" and args:
        return f"NUMBER({args.rstrip(')')})"
    return family


def type_name(data_type: str, precision: Any, scale: Any) -> str:
    if data_type == "NUMBER" and precision is not None:
        return f"NUMBER({int(precision)},{int(scale or 0)})"
    return normalise_type(data_type)


def same_type(actual: str, expected: str) -> bool:
    return actual == expected or (expected == "NUMBER" and actual.startswith("NUMBER("))


RowRule = RowCount | NullPercentage | DateRange | AcceptedValues | Freshness
