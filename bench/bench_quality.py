"""Data-quality checks on N appointments: the syllabus's one query per check vs the kit's checker.

The five checks of the syllabus's ``run_quality_checks`` (row count, null percentage, referential integrity,
date range, duplicate keys) on ``fct_appointments`` with injected defects, three ways:

* **syllabus**: ``DataQualityChecker`` unchanged (``bench/syllabus.py``), one query per check;
* **kit, one query per check**: ``solutions.quality.QualityChecker``'s ``check_*`` methods;
* **kit, one pass**: ``QualityChecker.scan`` answers row count, nulls and date range in one ``SELECT``, then
  referential integrity and duplicate keys (a join and a ``GROUP BY`` cannot share that pass).

All three must report the same counts (and the counts the defect manifest says were injected) before
anything is timed. Every run opens its own connection with the syllabus's connection parameters and closes
it, as each checker does. The date range is fixed (2020-01-01..2030-12-31) on all sides; the syllabus's
call site used ``datetime.now()``, which would make the benchmark depend on the day it runs.

On a columnar engine (DuckDB here, Snowflake in production) a row count or a null count reads one column and
costs little, while the duplicate-key ``GROUP BY`` over every id dominates: the per-check times printed with
the result say how much a one-pass scan can save at best.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from typing import Any

from bench.common import Row, median, require, seconds, spread

TABLE = "fct_appointments"
DEFECTS = {"null_client_id": 0.05, "orphan_client_id": 3, "duplicate_appointment_id": 2,
           "out_of_range_date": 2}
MIN_DATE, MAX_DATE = dt.date(2020, 1, 1), dt.date(2030, 12, 31)
CONNECTION = {  # the syllabus's own parameters (the sim accepts any)
    "user": "airflow", "password": "{{ var.value.snowflake_password }}", "account": "simplepractice",
    "warehouse": "ANALYTICS_WH", "database": "ANALYTICS", "schema": "MARTS",
}
TARGET = 2.0
CHECKS = ("row_count", "null_percentage", "referential_integrity", "date_range", "duplicate_keys")


class Clocked:
    """Seconds spent in each named step of one run."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = fn()
        self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start
        return value


def syllabus_run(clock: Clocked) -> dict[str, Any]:
    from bench.syllabus import DataQualityChecker

    checker = clock("connect", lambda: DataQualityChecker(CONNECTION))
    counts = {
        "row_count": clock("row_count", lambda: checker.check_row_count(TABLE, min_rows=1000)),
        "null_percentage": clock("null_percentage", lambda: checker.check_null_percentage(
            TABLE, "client_id", max_null_pct=0.1)),
        "referential_integrity": clock("referential_integrity", lambda: checker.check_referential_integrity(
            TABLE, "client_id", "dim_clients", "client_id")),
        "date_range": clock("date_range", lambda: checker.check_date_range(
            TABLE, "appointment_date", MIN_DATE.isoformat(), MAX_DATE.isoformat())),
        "duplicate_keys": clock("duplicate_keys", lambda: checker.check_duplicate_keys(
            TABLE, ["appointment_id"])),
    }
    report = clock("report", checker.get_report)
    return {**counts, "failures": report["failure_count"]}


def _connect() -> Any:
    import snowflake.connector

    return snowflake.connector.connect(**CONNECTION)


def kit_per_check_run(clock: Clocked) -> dict[str, Any]:
    from solutions.quality import QualityChecker

    with QualityChecker(_connect) as qc:
        results = [
            clock("row_count", lambda: qc.check_row_count(TABLE, 1000)),
            clock("null_percentage", lambda: qc.check_null_percentage(TABLE, "client_id", 0.1)),
            clock("referential_integrity", lambda: qc.check_referential_integrity(
                TABLE, "client_id", "dim_clients", "client_id")),
            clock("date_range", lambda: qc.check_date_range(TABLE, "appointment_date", MIN_DATE, MAX_DATE)),
            clock("duplicate_keys", lambda: qc.check_duplicate_keys(TABLE, ["appointment_id"])),
        ]
        report = qc.report()
        queries = qc.queries
    return {**dict(zip(CHECKS, (r.observed for r in results))), "failures": len(report.failures),
            "queries": queries}


def kit_scan_run(clock: Clocked) -> dict[str, Any]:
    from solutions.quality import DateRange, NullPercentage, QualityChecker, RowCount

    with QualityChecker(_connect) as qc:
        rows, nulls, dates = clock("one pass: row_count + null_percentage + date_range", lambda: qc.scan(
            TABLE, [RowCount(1000), NullPercentage("client_id", 0.1), DateRange("appointment_date", MIN_DATE,
                                                                                  MAX_DATE)]))
        orphans = clock("referential_integrity", lambda: qc.check_referential_integrity(
            TABLE, "client_id", "dim_clients", "client_id"))
        dupes = clock("duplicate_keys", lambda: qc.check_duplicate_keys(TABLE, ["appointment_id"]))
        report = qc.report()
        queries = qc.queries
    observed = {"row_count": rows.observed, "null_percentage": nulls.observed,
                "referential_integrity": orphans.observed, "date_range": dates.observed,
                "duplicate_keys": dupes.observed}
    return {**observed, "failures": len(report.failures), "queries": queries}


def same_counts(got: dict[str, Any], expected: dict[str, Any], what: str) -> None:
    """Raise ``Mismatch`` unless every check's count agrees (the null percentage to 1e-9 points)."""
    for check in (*CHECKS, "failures"):
        a, b = got[check], expected[check]
        equal = math.isclose(float(a), float(b), abs_tol=1e-9) if check == "null_percentage" else a == b
        require(equal, f"{what}: {check} is {a!r}, expected {b!r}")


def truth(world: Any) -> dict[str, Any]:
    """What a correct checker reports, from the manifest (and one count of the table)."""
    m = world.manifest
    rows = world.warehouse.query(f"SELECT COUNT(*) FROM {TABLE}")[0][0]
    nulls = len(m.ids("null_client_id"))
    return {"row_count": rows, "null_percentage": nulls / rows * 100,
            "referential_integrity": len(m.ids("orphan_client_id")),
            "date_range": len(m.ids("out_of_range_date")),
            "duplicate_keys": len(m.ids("duplicate_appointment_id")),
            "failures": 4}  # nulls over 0.1%, orphans, dates, duplicates; the row count passes


def run(appointments: int = 10_000_000, repeats: int = 5,
        progress: Callable[[str], None] = print) -> list[Row]:
    import sim

    runs = {"syllabus": syllabus_run, "kit_per_check": kit_per_check_run, "kit_scan": kit_scan_run}
    progress(f"quality: generating {appointments:,} appointments with defects {DEFECTS}")
    world = sim.start(appointments=appointments, defects=DEFECTS)
    try:
        expected = truth(world)
        progress("quality: checking all three report the injected counts (also the warm-up)")
        queries = {}
        for name, fn in runs.items():
            counts = fn(Clocked())
            same_counts(counts, expected, name)
            queries[name] = counts.get("queries", 5)
        progress(f"quality: timing, {repeats} run(s) each, order rotated")
        times: dict[str, list[float]] = {name: [] for name in runs}
        steps: dict[str, list[dict[str, float]]] = {name: [] for name in runs}
        names = list(runs)
        for i in range(repeats):
            for name in names[i % len(names):] + names[: i % len(names)]:
                clock = Clocked()
                start = time.perf_counter()
                same_counts(runs[name](clock), expected, name)
                times[name].append(time.perf_counter() - start)
                steps[name].append(clock.steps)
    finally:
        sim.stop()

    base, per_check, scan = (median(times[n]) for n in ("syllabus", "kit_per_check", "kit_scan"))
    ratio = base / scan

    def step(name: str, key: str) -> float:
        return median([s[key] for s in steps[name]])

    merged = sum(step("syllabus", k) for k in ("row_count", "null_percentage", "date_range"))
    one_pass = step("kit_scan", "one pass: row_count + null_percentage + date_range")
    pairs = [("row count + nulls + date range", merged, one_pass, "3 queries vs one pass"),
             ("referential integrity", step("syllabus", "referential_integrity"),
              step("kit_scan", "referential_integrity"), "LEFT JOIN ... IS NULL vs NOT EXISTS"),
             ("duplicate keys", step("syllabus", "duplicate_keys"), step("kit_scan", "duplicate_keys"),
              "GROUP BY + COUNT vs GROUP BY + COUNT(*) OVER () + ORDER BY/LIMIT for the sample")]
    slower = [what for what, a, b, _ in pairs if b > a * 1.1]
    unshared = median([(s["referential_integrity"] + s["duplicate_keys"]) / t  # per run: shares of one run
                       for s, t in zip(steps["syllabus"], times["syllabus"])])
    details = [
        f"table: {expected['row_count']:,} rows of {TABLE}; defects {DEFECTS}",
        f"identical counts checked on every run: rows {expected['row_count']:,}, null client_id "
        f"{expected['null_percentage']:.4f}%, orphans {expected['referential_integrity']}, dates out of "
        f"range {expected['date_range']}, duplicate keys {expected['duplicate_keys']}, "
        f"{expected['failures']} failing checks: the same for the syllabus, both kit variants and the defect "
        "manifest",
        f"syllabus, {queries['syllabus']} queries: {spread(times['syllabus'], seconds)}",
        f"kit, one query per check ({queries['kit_per_check']} queries): "
        f"{spread(times['kit_per_check'], seconds)} = {base / per_check:.2f}x the syllabus's speed",
        f"kit, one pass + 2 ({queries['kit_scan']} queries): {spread(times['kit_scan'], seconds)} "
        f"= {ratio:.2f}x the syllabus's speed",
        "check by check, syllabus vs kit (medians): " + "; ".join(
            f"{what} {seconds(a)} vs {seconds(b)} ({how})" for what, a, b, how in pairs),
        f"why: the one-pass scan replaces three queries costing {seconds(merged)} with one costing "
        f"{seconds(one_pass)}: on a columnar table each of those checks reads one or two columns, so merging "
        f"them saves little. Referential integrity and duplicate keys (a join and a GROUP BY over every id, "
        f"which no pass can share) are {unshared:.0%} of the syllabus's time and every variant runs "
        "them"
        + (f"; the kit's {' and '.join(slower)} {'query is' if len(slower) == 1 else 'queries are'} slower "
           "than the syllabus's here" if slower else "")
        + ". The kit's checker is built for safety (validated identifiers, bound values), per-day scoping "
        "and failing-row samples, not for speed: "
        + (f"it does not reach the {TARGET:.0f}x target, and this benchmark does not pretend it does."
           if ratio < TARGET else f"it reaches the {TARGET:.0f}x target here."),
    ]
    return [Row(
        benchmark=f"Data-quality checks on {appointments:,} appointments (5 checks)",
        baseline=f"syllabus, one query per check: {seconds(base)}",
        kit=f"kit QualityChecker, one pass + 2: {seconds(scan)}",
        ratio=ratio,
        ratio_text=f"{ratio:.2f}x faster" if ratio >= 1 else f"{1 / ratio:.2f}x slower",
        target=f">= {TARGET:.0f}x",
        met=ratio >= TARGET,
        details=details,
    )]
