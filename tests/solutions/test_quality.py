"""solutions.quality end to end against the sim: every check passes on good data, fails on the injected
defects with exactly the manifest's counts and ids, one pass equals one query per check, empty tables,
connections closed on every path, and no identifier payload ever reaches the warehouse."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from solutions.quality import (
    APPOINTMENT_SCHEMA,
    STATUSES,
    AcceptedValues,
    DateRange,
    Freshness,
    NullPercentage,
    QualityCheckFailed,
    QualityChecker,
    Report,
    RowCount,
    Where,
    run_quality_checks,
)
from payloads import INJECTIONS

DEFECTS = {"null_client_id": 0.05, "orphan_client_id": 3, "duplicate_appointment_id": 2, "out_of_range_date": 2,
           "missing_day": True}
DAY, CLEAN_DAY, MISSING_DAY = dt.date(2025, 9, 30), dt.date(2025, 9, 29), dt.date(2025, 9, 15)
FA = "fct_appointments"
KEYS = {FA: "appointment_id"}


@pytest.fixture(scope="module")
def dq(start_module_world):
    return start_module_world(defects=DEFECTS)


@pytest.fixture
def qc(dq):
    with QualityChecker(dq.warehouse.connect, keys=KEYS) as checker:
        yield checker


def ids(dq, name):
    return dq.manifest.ids(name)


def total_rows(dq, where=""):
    return dq.warehouse.query(f"SELECT COUNT(*) FROM {FA} {where}")[0][0]


class Spy:
    """A connection that records every statement and whether it was closed."""

    def __init__(self, conn):
        self.conn, self.statements, self.closed = conn, [], False

    def cursor(self):
        spy, cur = self, self.conn.cursor()

        class Cursor:
            def execute(self, sql, params=None):
                spy.statements.append((sql, params))
                return cur.execute(sql, params)

            def __getattr__(self, name):
                return getattr(cur, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                cur.close()

        return Cursor()

    def close(self):
        self.closed = True
        self.conn.close()


@pytest.fixture
def spies(dq):
    made = []

    def factory():
        made.append(Spy(dq.warehouse.connect()))
        return made[-1]

    factory.made = made
    return factory


# -- the syllabus's five checks ----------------------------------------------------------------------------------


def test_row_count(qc, dq):
    n = total_rows(dq)
    ok = qc.check_row_count(FA, min_rows=1000)
    assert (ok.passed, ok.observed, ok.message) == (True, n, f"{FA}: {n} rows")
    low = qc.check_row_count(FA, min_rows=n + 1)
    assert (low.passed, low.message) == (False, f"{FA}: Only {n} rows, expected >= {n + 1}")
    high = qc.check_row_count(FA, min_rows=1, max_rows=n - 1)
    assert (high.passed, high.message) == (False, f"{FA}: {n} rows exceeds max {n - 1}")
    gone = qc.check_row_count(FA, 1, where=("appointment_date", MISSING_DAY))
    assert (gone.passed, gone.observed) == (False, 0)
    assert gone.message == f"{FA} [appointment_date = {MISSING_DAY}]: Only 0 rows, expected >= 1"


def test_null_percentage_matches_the_manifest(qc, dq):
    nulls = ids(dq, "null_client_id")
    n, on_day = total_rows(dq), total_rows(dq, f"WHERE appointment_date = '{DAY}'")
    whole = qc.check_null_percentage(FA, "client_id", 0.1)
    assert (whole.passed, whole.observed, whole.sample) == (False, len(nulls) / n * 100, nulls)
    assert whole.message == f"{FA}.client_id: {len(nulls) / n * 100:.1f}% nulls, max allowed 0.1%"
    day = qc.check_null_percentage(FA, "client_id", 0.1, where=Where("appointment_date", DAY))
    assert day.observed == len(nulls) / on_day * 100 and day.sample == nulls
    clean = qc.check_null_percentage(FA, "client_id", 0.1, where=("appointment_date", CLEAN_DAY))
    assert (clean.passed, clean.observed, clean.sample) == (True, 0.0, ())


def test_null_percentage_on_zero_rows_passes_with_a_note(qc):
    r = qc.check_null_percentage(FA, "client_id", 0.1, where=("appointment_date", MISSING_DAY))
    assert (r.passed, r.observed, r.detail) == (True, None, {"rows": 0, "nulls": 0})
    assert r.note.startswith("no rows") and "not measured" in r.message


def test_referential_integrity_names_the_orphans(qc, dq):
    r = qc.check_referential_integrity(FA, "client_id", "dim_clients", "client_id")
    assert (r.passed, r.observed, r.sample) == (False, 3, ids(dq, "orphan_client_id"))
    assert r.message == f"{FA}.client_id: 3 orphaned records"
    assert qc.check_referential_integrity(FA, "client_id", "dim_clients", "client_id",
                                          where=("appointment_date", CLEAN_DAY)).passed
    # NULL keys are not orphans: the null check owns them
    assert qc.check_referential_integrity(FA, "clinician_id", "dim_clinicians", "clinician_id").observed == 0


def test_date_range(qc, dq):
    r = qc.check_date_range(FA, "appointment_date", dt.date(2020, 1, 1), DAY)
    assert (r.passed, r.observed, r.sample) == (False, 2, ids(dq, "out_of_range_date"))
    assert r.message == f"{FA}.appointment_date: 2 dates outside 2020-01-01 to {DAY}"
    wide = qc.check_date_range(FA, "appointment_date", dt.date(2019, 1, 1), dt.date(2100, 1, 1))
    assert (wide.passed, wide.observed) == (True, 0)
    with pytest.raises(ValueError, match="after max_date"):
        qc.check_date_range(FA, "appointment_date", DAY, CLEAN_DAY)


def test_duplicate_keys(qc, dq):
    r = qc.check_duplicate_keys(FA, ["appointment_id"])
    dupes = ids(dq, "duplicate_appointment_id")
    assert (r.passed, r.observed, r.sample) == (False, 2, dupes)
    assert r.message == f"{FA}: 2 duplicate key combinations (appointment_id)"
    two = qc.check_duplicate_keys(FA, ["appointment_id", "appointment_date"], where=("appointment_date", DAY))
    assert two.observed == 2 and two.sample == tuple((i, DAY) for i in dupes)
    assert qc.check_duplicate_keys(FA, ["appointment_id"], where=("appointment_date", CLEAN_DAY)).passed
    with pytest.raises(ValueError, match="non-empty list"):
        qc.check_duplicate_keys(FA, "appointment_id")


def test_a_scoped_duplicate_check_counts_the_days_keys_over_the_whole_table(dq):
    """A key loaded today that already exists on another day is a duplicate too (the usual one: a re-delivered
    record whose date changed). Scoping must narrow which keys are checked, not what they are checked against."""
    day1, day2 = dt.date(2025, 9, 1), dt.date(2025, 9, 2)
    rows = [(1, day1), (1, day2), (2, day2), (2, day2), (3, day2), (4, day1), (4, day1), (None, day2), (None, day2)]
    dq.warehouse.query("CREATE OR REPLACE TABLE DUP_SCRATCH (ID INT, D DATE)")
    try:
        dq.warehouse.query("INSERT INTO DUP_SCRATCH VALUES " + ", ".join(["(%s, %s)"] * len(rows)),
                           [v for row in rows for v in row])
        with QualityChecker(dq.warehouse.connect) as qc:
            today = qc.check_duplicate_keys("dup_scratch", ["id"], where=("d", day2))
            yesterday = qc.check_duplicate_keys("dup_scratch", ["id"], where=("d", day1))
            whole = qc.check_duplicate_keys("dup_scratch", ["id"])
            per_day = qc.check_duplicate_keys("dup_scratch", ["id", "d"], where=("d", day2))
        assert (today.observed, today.sample) == (2, (1, 2))  # 1 collides with day1, 2 within the day
        assert (yesterday.observed, yesterday.sample) == (2, (1, 4))
        assert (whole.observed, whole.sample) == (3, (1, 2, 4))  # NULL ids are the null check's job
        assert (per_day.observed, per_day.sample) == (1, ((2, day2),))
    finally:
        dq.warehouse.query("DROP TABLE DUP_SCRATCH")


def test_a_duplicated_parent_key_does_not_inflate_the_orphan_count(dq):
    dq.warehouse.query("CREATE OR REPLACE TABLE RI_PARENT (ID INT)")
    dq.warehouse.query("CREATE OR REPLACE TABLE RI_CHILD (ID INT, PARENT_ID INT)")
    try:
        dq.warehouse.query("INSERT INTO RI_PARENT VALUES (1), (1), (2)")
        dq.warehouse.query("INSERT INTO RI_CHILD VALUES (10, 1), (11, 2), (12, 3), (13, 3), (14, NULL)")
        with QualityChecker(dq.warehouse.connect, keys={"ri_child": "id"}) as qc:
            r = qc.check_referential_integrity("ri_child", "parent_id", "ri_parent", "id")
        assert (r.passed, r.observed, r.sample) == (False, 2, (12, 13))
    finally:
        dq.warehouse.query("DROP TABLE RI_CHILD")
        dq.warehouse.query("DROP TABLE RI_PARENT")

def test_duplicate_sample_is_capped_but_the_count_is_not(dq):
    with QualityChecker(dq.warehouse.connect, sample_size=1) as qc:
        r = qc.check_duplicate_keys(FA, ["appointment_id"])
    assert r.observed == 2 and r.sample == ids(dq, "duplicate_appointment_id")[:1]


# -- the kit's four --------------------------------------------------------------------------------------------


def test_accepted_values(qc, dq):
    assert qc.check_accepted_values(FA, "status", STATUSES).passed
    cancelled = dq.warehouse.query(f"SELECT COUNT(*) FROM {FA} WHERE status = 'cancelled'")[0][0]
    r = qc.check_accepted_values(FA, "status", ["completed", "no_show"])
    assert (r.passed, r.observed, len(r.sample)) == (False, cancelled, 5)
    assert r.message == f"{FA}.status: {cancelled} values outside the accepted set ['completed', 'no_show']"
    with pytest.raises(ValueError, match="must not be empty"):
        qc.check_accepted_values(FA, "status", [])


def test_accepted_values_are_bound_not_formatted(qc, dq):
    dq.warehouse.query("CREATE OR REPLACE TABLE ACCEPTED_SCRATCH (ID INT, V VARCHAR)")
    dq.warehouse.query("INSERT INTO ACCEPTED_SCRATCH VALUES (1, 'o''brien'), (2, 'x'), (3, NULL), (4, 'O''BRIEN')")
    try:
        with QualityChecker(dq.warehouse.connect, keys={"accepted_scratch": "id"}) as checker:
            r = checker.check_accepted_values("accepted_scratch", "v", ["o'brien", "x') OR ('1'='1"])
        assert (r.observed, r.sample) == (2, (2, 4))  # NULL is not a violation; the quote is data
    finally:
        dq.warehouse.query("DROP TABLE ACCEPTED_SCRATCH")


def test_freshness_uses_the_as_of_passed_in(qc):
    latest = dt.datetime(2025, 9, 30, 16, 0)
    fresh = qc.check_freshness(FA, "appointment_ts", dt.datetime(2025, 10, 1), dt.timedelta(days=1))
    assert (fresh.passed, fresh.observed, fresh.threshold) == (True, latest, dt.datetime(2025, 9, 30))
    assert fresh.detail == {"age": dt.timedelta(hours=8)}
    edge = qc.check_freshness(FA, "appointment_ts", latest + dt.timedelta(days=1), dt.timedelta(days=1))
    assert edge.passed
    stale = qc.check_freshness(FA, "appointment_ts", dt.datetime(2025, 10, 5), dt.timedelta(days=1))
    assert not stale.passed and "is older than 2025-10-04 00:00:00" in stale.message
    aware = dt.datetime(2025, 10, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # = 2025-10-01 00:00 UTC
    assert qc.check_freshness(FA, "appointment_ts", aware, dt.timedelta(hours=8)).passed
    assert not qc.check_freshness(FA, "appointment_ts", aware, dt.timedelta(hours=7, minutes=59)).passed
    on_date = qc.check_freshness(FA, "appointment_date", dt.datetime(2025, 10, 1), dt.timedelta(days=1))
    assert on_date.passed  # a DATE is its midnight: 2025-09-30 00:00 >= 2025-09-30 00:00
    with pytest.raises(TypeError, match="datetime"):
        qc.check_freshness(FA, "appointment_ts", dt.date(2025, 10, 1), dt.timedelta(days=1))


def test_freshness_with_no_rows_fails(qc):
    r = qc.check_freshness(FA, "appointment_ts", dt.datetime(2025, 9, 16), dt.timedelta(days=1),
                           where=("appointment_date", MISSING_DAY))
    assert (r.passed, r.observed, r.note) == (False, None, "no rows")


def test_schema(qc):
    assert qc.check_schema(FA, APPOINTMENT_SCHEMA, exact=True).passed
    assert qc.check_schema("analytics.marts.fct_payments", {"payment_id": "string", "payment_amount": "number(12,2)",
                                                            "payment_date": "date"}).passed
    r = qc.check_schema("marts.fct_payments", {"payment_amount": "NUMBER(10,2)", "refund_id": "VARCHAR",
                                               "client_id": "INTEGER"}, exact=True)
    assert not r.passed
    assert r.detail["missing"] == ["REFUND_ID"]
    assert r.detail["wrong_type"] == {"PAYMENT_AMOUNT": ("NUMBER(12,2)", "NUMBER(10,2)")}
    assert r.detail["unexpected"] == ["PAYMENT_ID", "APPOINTMENT_ID", "PAYMENT_DATE", "PAYMENT_METHOD"]
    assert r.message.startswith("marts.fct_payments: schema differs: missing REFUND_ID; PAYMENT_AMOUNT is "
                                "NUMBER(12,2), expected NUMBER(10,2); unexpected PAYMENT_ID")
    gone = qc.check_schema("no_such_table", {"a": "int"})
    assert not gone.passed and gone.message == "no_such_table: schema differs: table not found"


def test_volume_anomaly_flags_the_missing_day(qc):
    r = qc.check_volume_anomaly(FA, "appointment_date", MISSING_DAY, severity="error")
    assert (r.passed, r.observed, r.severity) == (False, 0, "error")
    assert r.detail["z"] < -3 and r.detail["history_days"] == 14
    normal = qc.check_volume_anomaly(FA, "appointment_date", "2025-09-29")
    assert normal.passed and normal.severity == "warn" and normal.detail["empty_days"] == 1  # the 15th
    early = qc.check_volume_anomaly(FA, "appointment_date", dt.date(2025, 9, 3))
    assert early.passed and early.note == "only 2 days of history (need 7)"


def test_volume_history_query_is_bound_by_dates(spies):
    with QualityChecker(spies) as qc:
        qc.check_volume_anomaly(FA, "appointment_date", DAY, history_days=10)
    [(sql, params)] = spies.made[0].statements
    assert "BETWEEN %s AND %s" in sql and params == (dt.date(2025, 9, 20), DAY)


# -- one pass ------------------------------------------------------------------------------------------------


RULES = [RowCount(1000), NullPercentage("client_id", 0.1), NullPercentage("clinician_id", 0.0),
         DateRange("appointment_date", dt.date(2020, 1, 1), DAY), AcceptedValues("status", STATUSES),
         AcceptedValues("status", ("completed",), severity="warn"),
         Freshness("appointment_ts", dt.datetime(2025, 10, 1), dt.timedelta(days=1))]


@pytest.mark.parametrize("where", [None, Where("appointment_date", DAY), Where("appointment_date", MISSING_DAY)])
def test_one_pass_equals_one_query_per_check(dq, spies, where):
    with QualityChecker(spies, keys=KEYS) as each:
        per_check = [each.scan(FA, [rule], where=where)[0] for rule in RULES]
    with QualityChecker(spies, keys=KEYS) as one:
        one_pass = one.scan(FA, RULES, where=where)
    assert one_pass == per_check
    scans = [s for s, _ in spies.made[1].statements if "ORDER BY" not in s]  # samples are the ORDER BY ... LIMITs
    assert len(scans) == 1 and len([s for s, _ in spies.made[0].statements if "ORDER BY" not in s]) == len(RULES)
    assert scans[0].count("COUNT(*)") == 1  # shared aggregates are computed once


def test_one_pass_matches_the_named_methods(qc, dq):
    per_method = [
        qc.check_row_count(FA, 1000), qc.check_null_percentage(FA, "client_id", 0.1),
        qc.check_date_range(FA, "appointment_date", dt.date(2020, 1, 1), DAY),
        qc.check_accepted_values(FA, "status", STATUSES),
        qc.check_freshness(FA, "appointment_ts", dt.datetime(2025, 10, 1), dt.timedelta(days=1)),
    ]
    assert qc.scan(FA, [RULES[i] for i in (0, 1, 3, 4, 6)]) == per_method


def test_scan_sql_is_the_statement_scan_sends(spies):
    with QualityChecker(spies, sample_size=0) as qc:
        sql, params = qc.scan_sql(FA, RULES[:2], where=("appointment_date", DAY))
        qc.scan(FA, RULES[:2], where=("appointment_date", DAY))
    assert spies.made[0].statements == [(sql, tuple(params))]
    assert sql == ('SELECT COUNT(*), COUNT(CASE WHEN "CLIENT_ID" IS NULL THEN 1 END) FROM "FCT_APPOINTMENTS" '
                   'WHERE "APPOINTMENT_DATE" = %s') and params == [DAY]


def test_one_pass_without_samples_is_exactly_one_query(spies):
    with QualityChecker(spies, keys=KEYS, sample_size=0) as qc:
        results = qc.scan(FA, RULES)
    assert qc.queries == 1 and len(spies.made[0].statements) == 1
    assert [r.passed for r in results] == [True, False, True, False, True, False, True]
    assert all(r.sample == () for r in results)


def test_severity_is_warn_or_error(qc):
    with pytest.raises(ValueError, match="severity"):
        qc.scan(FA, [RowCount(1, severity="fatal")])
    with pytest.raises(ValueError, match="severity"):
        qc.check_row_count(FA, 1, severity="critical")
    assert qc.queries == 0


# -- zero rows -------------------------------------------------------------------------------------------------


def test_an_empty_table(dq):
    dq.warehouse.query("CREATE OR REPLACE TABLE EMPTY_SCRATCH (ID INT, PARENT_ID INT, D DATE, TS TIMESTAMP_NTZ, "
                       "STATUS VARCHAR)")
    try:
        with QualityChecker(dq.warehouse.connect, keys={"empty_scratch": "id"}) as qc:
            results = qc.scan("empty_scratch", [RowCount(1), NullPercentage("parent_id", 0.0),
                                                DateRange("d", dt.date(2020, 1, 1), DAY),
                                                AcceptedValues("status", STATUSES),
                                                Freshness("ts", dt.datetime(2025, 10, 1), dt.timedelta(days=1))])
            results += [qc.check_referential_integrity("empty_scratch", "parent_id", FA, "appointment_id"),
                        qc.check_duplicate_keys("empty_scratch", ["id"]),
                        qc.check_volume_anomaly("empty_scratch", "d", DAY)]
        got = [(r.check, r.passed, r.observed) for r in results]
        assert got == [("row_count", False, 0), ("null_percentage", True, None), ("date_range", True, 0),
                       ("accepted_values", True, 0), ("freshness", False, None),
                       ("referential_integrity", True, 0), ("duplicate_keys", True, 0),
                       ("volume_anomaly", True, 0)]
        assert Report(tuple(results)).to_dict()["failures"] == [
            "empty_scratch: Only 0 rows, expected >= 1", "empty_scratch.ts: no rows, nothing is fresh"]
    finally:
        dq.warehouse.query("DROP TABLE EMPTY_SCRATCH")


# -- report --------------------------------------------------------------------------------------------------


def test_report_keeps_the_syllabus_shape_and_warnings_do_not_fail_it(qc):
    qc.check_row_count(FA, 1000)
    qc.check_volume_anomaly(FA, "appointment_date", MISSING_DAY)  # a warning
    report = qc.report()
    assert (report.status, report.failures, len(report.warnings)) == ("PASSED", [], 1)
    qc.check_duplicate_keys(FA, ["appointment_id"])
    d = qc.report().to_dict()
    assert (d["status"], d["failure_count"], d["failures"]) == (
        "FAILED", 1, [f"{FA}: 2 duplicate key combinations (appointment_id)"])
    assert json.loads(json.dumps(d))["results"][0]["check"] == "row_count"


def test_the_daily_suite(dq):
    with pytest.raises(QualityCheckFailed) as failed:
        run_quality_checks(dq.warehouse.connect, DAY)
    on = f"[appointment_date = {DAY}]"
    pct = len(ids(dq, "null_client_id")) / total_rows(dq, f"WHERE appointment_date = '{DAY}'") * 100
    assert failed.value.report.failures == [
        f"{FA}.client_id {on}: {pct:.1f}% nulls, max allowed 0.1%",
        f"{FA}.client_id {on}: 3 orphaned records",
        f"{FA} {on}: 2 duplicate key combinations (appointment_id)",
        f"{FA}.appointment_date: 2 dates outside 2020-01-01 to 2026-10-01",
    ]
    assert str(failed.value).startswith("Data quality checks failed:\n")
    report = run_quality_checks(dq.warehouse.connect, "2025-09-15", raise_on_failure=False)
    assert report["status"] == "FAILED" and len(report["warnings"]) == 1
    assert f"{FA} [appointment_date = 2025-09-15]: Only 0 rows, expected >= 1" in report["failures"]


# -- connections -----------------------------------------------------------------------------------------------


def test_a_factory_connection_is_closed_after_the_block(spies):
    with QualityChecker(spies) as qc:
        qc.check_row_count(FA, 1)
        qc.check_row_count(FA, 1)
    assert len(spies.made) == 1 and spies.made[0].closed


def test_a_failing_query_still_closes_the_connection(spies):
    with pytest.raises(Exception, match="NO_SUCH_COLUMN"):
        with QualityChecker(spies) as qc:
            qc.check_null_percentage(FA, "no_such_column", 1.0)
    assert spies.made[0].closed


def test_a_failing_check_outside_a_block_is_closed_by_close(spies):
    qc = QualityChecker(spies)
    try:
        with pytest.raises(Exception, match="NO_SUCH_TABLE"):
            qc.check_row_count("no_such_table", 1)
    finally:
        qc.close()
    assert spies.made[0].closed
    qc.close()  # idempotent


def test_no_check_no_connection(spies):
    with QualityChecker(spies):
        pass
    assert spies.made == []


def test_a_borrowed_connection_is_left_open(dq):
    conn = Spy(dq.warehouse.connect())
    with QualityChecker(conn) as qc:
        qc.check_row_count(FA, 1)
    assert not conn.closed
    conn.close()
    with pytest.raises(TypeError):
        QualityChecker("not a connection")


# -- injection -------------------------------------------------------------------------------------------------

CALLS = {
    "row_count.table": lambda qc, x: qc.check_row_count(x, 1),
    "null.table": lambda qc, x: qc.check_null_percentage(x, "client_id", 1),
    "null.column": lambda qc, x: qc.check_null_percentage(FA, x, 1),
    "ri.child_table": lambda qc, x: qc.check_referential_integrity(x, "client_id", "dim_clients", "client_id"),
    "ri.child_key": lambda qc, x: qc.check_referential_integrity(FA, x, "dim_clients", "client_id"),
    "ri.parent_table": lambda qc, x: qc.check_referential_integrity(FA, "client_id", x, "client_id"),
    "ri.parent_key": lambda qc, x: qc.check_referential_integrity(FA, "client_id", "dim_clients", x),
    "date_range.table": lambda qc, x: qc.check_date_range(x, "appointment_date", DAY, DAY),
    "date_range.column": lambda qc, x: qc.check_date_range(FA, x, DAY, DAY),
    "dupes.table": lambda qc, x: qc.check_duplicate_keys(x, ["appointment_id"]),
    "dupes.key_columns": lambda qc, x: qc.check_duplicate_keys(FA, ["appointment_id", x]),
    "accepted.table": lambda qc, x: qc.check_accepted_values(x, "status", STATUSES),
    "accepted.column": lambda qc, x: qc.check_accepted_values(FA, x, STATUSES),
    "freshness.table": lambda qc, x: qc.check_freshness(x, "appointment_ts", dt.datetime(2025, 10, 1),
                                                        dt.timedelta(1)),
    "freshness.column": lambda qc, x: qc.check_freshness(FA, x, dt.datetime(2025, 10, 1), dt.timedelta(1)),
    "schema.table": lambda qc, x: qc.check_schema(x, {"client_id": "NUMBER"}),
    "schema.column": lambda qc, x: qc.check_schema(FA, {x: "NUMBER"}),
    "volume.table": lambda qc, x: qc.check_volume_anomaly(x, "appointment_date", DAY),
    "volume.date_column": lambda qc, x: qc.check_volume_anomaly(FA, x, DAY),
    "where.column": lambda qc, x: qc.check_row_count(FA, 1, where=(x, DAY)),
    "scan.table": lambda qc, x: qc.scan(x, [RowCount(1)]),
    "scan.rule_column": lambda qc, x: qc.scan(FA, [NullPercentage(x, 1)]),
    "keys.table": lambda qc, x: QualityChecker(lambda: None, keys={x: "appointment_id"}),
    "keys.column": lambda qc, x: QualityChecker(lambda: None, keys={FA: x}),
}


def count_tables(dq):
    return sum(dq.warehouse.query(f"SELECT COUNT(*) FROM {db}.INFORMATION_SCHEMA.TABLES")[0][0]
               for db in ("ANALYTICS", "RAW", "BACKEND"))


def test_there_are_enough_payloads():
    assert len(INJECTIONS) >= 20


@pytest.mark.parametrize("parameter", sorted(CALLS))
def test_no_identifier_payload_reaches_the_warehouse(dq, spies, parameter):
    dq.warehouse.query("CREATE OR REPLACE TABLE dim_clients_backup AS SELECT * FROM dim_clients")
    before = count_tables(dq)
    try:
        for payload in INJECTIONS:
            with QualityChecker(spies) as qc:
                with pytest.raises(ValueError, match="invalid"):
                    CALLS[parameter](qc, payload)
        assert spies.made == []  # not even a connection was opened: validation comes first
        assert count_tables(dq) == before
        assert dq.warehouse.query("SELECT COUNT(*) FROM dim_clients")[0][0] > 0
    finally:
        dq.warehouse.query("DROP TABLE dim_clients_backup")


def test_the_same_payloads_as_values_are_only_data(dq, spies):
    before = count_tables(dq)
    with QualityChecker(spies) as qc:
        for payload in [p for p in INJECTIONS if isinstance(p, str)]:
            assert qc.check_accepted_values(FA, "status", [payload]).observed == total_rows(dq)
            assert qc.check_row_count(FA, 0, where=("status", payload)).observed == 0
    assert count_tables(dq) == before
    assert all(isinstance(params, tuple) and params for _, params in spies.made[0].statements)


# Last in the file: starting another world stops the module's one.
def test_the_daily_suite_passes_on_a_clean_world(start_world):
    world = start_world()
    report = run_quality_checks(world.warehouse.connect, CLEAN_DAY)
    assert (report["status"], report["failures"], report["warnings"]) == ("PASSED", [], [])
    assert [r["check"] for r in report["results"]] == [
        "schema", "row_count", "null_percentage", "accepted_values", "freshness", "referential_integrity",
        "duplicate_keys", "date_range", "volume_anomaly"]
