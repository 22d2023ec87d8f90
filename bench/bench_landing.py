"""Landing N partner-API records in a Snowflake VARIANT staging table: row by row vs in bulk.

Baseline: the syllabus's ``load_to_snowflake``, unchanged (``syllabus/extractor.py``): one
``INSERT INTO staging.api_appointments (raw_data) SELECT PARSE_JSON(%s)`` per record.
Kit: ``solutions.landing.land_day``: one NDJSON file, ``PUT`` to a temporary stage, one ``COPY INTO``, one
``INSERT ... SELECT`` in a transaction.

Row by row costs about the same per record at any size (one statement each), so by default it is timed on a
sample, at two sizes to show the cost per record holds, and extrapolated to N; ``full_slow_path=True`` also
runs it once over all N records (minutes) and quotes that instead. The kit's path always runs over all N.
Before anything is timed, both tables must hold exactly the same JSON documents, and the kit's table at N
exactly the input records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

from bench.common import Row, interleaved, median, require, seconds, spread, timed

DAY = "2025-09-01"  # the load date land_day files the records under (a label: records span the month)
KIT_TABLE = "RAW.STAGING.BENCH_PARTNER_APPOINTMENTS"
SYLLABUS_TABLE = "api_appointments"  # the name the syllabus's extract_and_load uses, in RAW.STAGING
TARGET = 100.0


def records_from_the_partner_api(world: Any, n: int) -> list[dict[str, Any]]:
    """The first ``n`` records the partner API serves for the sim's month (its source, without HTTP: the
    extraction is not what this benchmark measures)."""
    manifest = world.manifest
    start = dt.date.fromisoformat(manifest.start)
    records = world.partner.records(start, dt.date.fromisoformat(manifest.end))
    require(len(records) >= n, f"the sim serves {len(records)} records, fewer than the {n} asked for")
    return records[:n]


def documents(conn: Any, sql: str) -> list[str]:
    """Every JSON document a query returns, canonical (keys sorted) and sorted: a multiset to compare."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
        return sorted(canonical(json.loads(raw)) for (raw,) in cur.fetchall())
    finally:
        cur.close()


def canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def same_documents(got: list[str], expected: list[str], what: str) -> None:
    """Raise ``Mismatch`` unless the two multisets of documents are identical (says where they differ)."""
    require(len(got) == len(expected), f"{what}: {len(got)} documents, expected {len(expected)}")
    first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), None)
    require(first is None, f"{what}: document {first} differs: {got[first] if first is not None else ''} "
                           f"vs {expected[first] if first is not None else ''}")


class Paths:
    """The two loaders on one connection, each starting from an empty table (the drop is untimed)."""

    def __init__(self, conn: Any) -> None:
        from syllabus.extractor import SimplePracticeAPIExtractor

        self.conn = conn
        self.syllabus = SimplePracticeAPIExtractor(api_key=None, snowflake_conn=conn)

    def reset(self) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute(f"DROP TABLE IF EXISTS RAW.STAGING.{SYLLABUS_TABLE}")
            cur.execute(f"DROP TABLE IF EXISTS {KIT_TABLE}")
        finally:
            cur.close()

    def row_by_row(self, records: list[dict[str, Any]]) -> Callable[[], None]:
        def load() -> None:
            with contextlib.redirect_stdout(io.StringIO()):  # its "✓ Loaded N records" line
                self.syllabus.load_to_snowflake(records, SYLLABUS_TABLE)
        return load

    def bulk(self, records: list[dict[str, Any]]) -> Callable[[], Any]:
        from solutions.landing import land_day

        return lambda: land_day(self.conn, DAY, records, table=KIT_TABLE)

    def syllabus_documents(self) -> list[str]:
        return documents(self.conn, f"SELECT raw_data FROM RAW.STAGING.{SYLLABUS_TABLE}")

    def kit_documents(self) -> list[str]:
        return documents(self.conn, f"SELECT RAW_DATA FROM {KIT_TABLE}")


def run(records: int = 100_000, sample: int = 2_000, repeats: int = 3, full_slow_path: bool = False,
        progress: Callable[[str], None] = print) -> list[Row]:
    import sim

    sample = min(sample, records)
    small = max(1, sample // 4)
    progress(f"landing: generating {records:,} appointments")
    world = sim.start(appointments=records)
    try:
        data = records_from_the_partner_api(world, records)
        conn = world.warehouse.connect(database="RAW", schema="STAGING")
        paths = Paths(conn)
        try:
            # Same contents first: on the sample, both tables hold the same documents as the input.
            progress(f"landing: checking both paths load identical contents ({sample:,} records)")
            expected = sorted(canonical(r) for r in data[:sample])
            paths.reset()
            paths.row_by_row(data[:sample])()
            paths.bulk(data[:sample])()
            same_documents(paths.syllabus_documents(), expected, "row-by-row table vs input")
            same_documents(paths.kit_documents(), paths.syllabus_documents(),
                           "bulk table vs row-by-row table")

            progress(f"landing: row by row vs bulk on {small:,} and {sample:,} records, "
                     f"{repeats} run(s) each")
            slow_small, _ = interleaved(paths.row_by_row(data[:small]), paths.bulk(data[:small]), repeats,
                                        setup=paths.reset)
            slow_sample, fast_sample = interleaved(paths.row_by_row(data[:sample]), paths.bulk(data[:sample]),
                                                   repeats, setup=paths.reset)
            per_record = median(slow_sample) / sample
            per_record_small = median(slow_small) / small

            progress(f"landing: bulk path on all {records:,} records, {repeats} run(s)")
            fast_full = []
            for _ in range(repeats):
                paths.reset()
                elapsed, result = timed(paths.bulk(data))
                fast_full.append(elapsed)
            require(result.copied == result.inserted == records,
                    f"land_day copied {result.copied} and inserted {result.inserted} of {records} records")
            same_documents(paths.kit_documents(), sorted(canonical(r) for r in data), "bulk table vs input")

            slow_full = None
            if full_slow_path and records > sample:
                progress(f"landing: row by row on all {records:,} records, once (minutes)")
                paths.reset()
                slow_full, _ = timed(paths.row_by_row(data))
                paths.bulk(data)()
                same_documents(paths.syllabus_documents(), paths.kit_documents(), "row-by-row vs bulk at N")
        finally:
            conn.close()
    finally:
        sim.stop()

    extrapolated = per_record * records
    if slow_full is not None:
        slow = slow_full
    else:
        slow = median(slow_sample) if records == sample else extrapolated
    measured_fully = slow_full is not None or records == sample
    fast = median(fast_full)
    ratio = slow / fast
    details = [
        f"records: {records:,} partner-API appointments (JSON objects of 8 fields), load date {DAY}",
        f"identical contents checked: the row-by-row and bulk tables hold the same {sample:,} JSON documents "
        f"as the input; the bulk table at {records:,} holds exactly the {records:,} input records"
        + (" and the same documents as the full row-by-row table" if slow_full is not None else ""),
        f"row by row, {small:,} records: {spread(slow_small, seconds)} = "
        f"{per_record_small * 1000:.2f} ms per record",
        f"row by row, {sample:,} records: {spread(slow_sample, seconds)} = "
        f"{per_record * 1000:.2f} ms per record",
        f"bulk, {sample:,} records: {spread(fast_sample, seconds)} "
        f"({median(slow_sample) / median(fast_sample):.0f}x faster at that size)",
        f"bulk, {records:,} records: {spread(fast_full, seconds)}",
    ]
    if slow_full is not None:
        details.append(f"row by row, all {records:,} records, measured once: {seconds(slow_full)} "
                       f"(the sample extrapolated to {seconds(extrapolated)})")
    elif records > sample:
        details.append(f"row by row, {records:,} records: NOT run; extrapolated linearly from the "
                       f"{sample:,}-record median ({per_record * 1000:.2f} ms x {records:,} = "
                       f"{seconds(extrapolated)}); the per-record cost at {small:,} and {sample:,} records "
                       f"differs by {abs(per_record / per_record_small - 1) * 100:.0f}% "
                       "(run bench/run.py --full-slow-path to measure it)")
    baseline = f"syllabus, INSERT ... PARSE_JSON per row: {seconds(slow)}" + (
        "" if measured_fully else " (extrapolated from a sample)")
    return [Row(
        benchmark=f"Landing {records:,} partner-API records into staging",
        baseline=baseline,
        kit=f"kit land_day (PUT + COPY INTO): {seconds(fast)}",
        ratio=ratio,
        ratio_text=f"{ratio:,.0f}x faster",
        target=f">= {TARGET:.0f}x at 100,000 records",
        met=ratio >= TARGET if records >= 100_000 else None,
        details=details,
    )]
