"""The no-show pre-aggregate (as-of window, contract types, checks, atomic publish) and the isolated read."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from snowflake.connector.errors import ProgrammingError

from solutions import customer_metrics as cm

END = dt.date(2025, 9, 30)


@pytest.fixture(scope="module")
def world(start_module_world):
    return start_module_world(start_date=dt.date(2024, 10, 1), days=365, appointments=20000)


@pytest.fixture
def built(world):
    cm.precompute_clinician_metrics(world.warehouse.connect, END)
    return world


def table_rows(world):
    return [tuple(r) for r in world.warehouse.query(f"SELECT * FROM {cm.TABLE} ORDER BY 1, 2")]


def truth(world, as_of):
    """The pre-aggregate, added up in Python from the appointments, rates rounded half up."""
    start, end = cm.window(as_of)
    counts = defaultdict(lambda: [0, 0])
    for clinician, day, no_show in world.warehouse.query(
            "SELECT CLINICIAN_ID, APPOINTMENT_DATE, IS_NO_SHOW FROM ANALYTICS.MARTS.FCT_APPOINTMENTS"):
        if start <= day <= end:
            counts[(clinician, day.replace(day=1))][0] += 1
            counts[(clinician, day.replace(day=1))][1] += no_show
    rate = lambda n, t: (Decimal(100 * n) / t).quantize(Decimal("0.01"), ROUND_HALF_UP)  # noqa: E731
    return sorted((c, m, t, n, rate(n, t)) for (c, m), (t, n) in counts.items())


# -- the window ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of, months, expected", [
    (dt.date(2025, 9, 30), 12, (dt.date(2024, 10, 1), dt.date(2025, 9, 30))),
    (dt.date(2025, 1, 15), 12, (dt.date(2024, 2, 1), dt.date(2025, 1, 15))),
    (dt.date(2025, 3, 31), 1, (dt.date(2025, 3, 1), dt.date(2025, 3, 31))),
    (dt.date(2025, 12, 1), 24, (dt.date(2024, 1, 1), dt.date(2025, 12, 1))),
])
def test_window_is_whole_calendar_months_up_to_the_as_of_date(as_of, months, expected):
    assert cm.window(as_of, months) == expected


@pytest.mark.parametrize("months", [0, 25, "12", True, 1.0])
def test_window_refuses_odd_month_counts(months):
    with pytest.raises(ValueError):
        cm.window(END, months)


def test_window_wants_a_date_not_a_timestamp():
    with pytest.raises(TypeError):
        cm.window(dt.datetime(2025, 9, 30, 12), 12)


# -- the rebuild ---------------------------------------------------------------------------------------------


def test_rebuild_matches_the_appointments(world):
    refresh = cm.precompute_clinician_metrics(world.warehouse.connect, END)
    assert table_rows(world) == truth(world, END)
    assert (refresh.rows, refresh.clinicians, refresh.appointments) == (1596, 133, 20000)
    assert (refresh.first_month, refresh.last_month) == (dt.date(2024, 10, 1), dt.date(2025, 9, 1))
    assert str(refresh) == ("published 1596 rows (133 clinicians, 20000 appointments) for 2024-10..2025-09, "
                            "as of 2025-09-30")


def test_the_table_has_the_contract_columns_and_types(built):
    described = [(name, kind) for name, kind, *_ in built.warehouse.query(f"DESCRIBE TABLE {cm.TABLE}")]
    assert described == [("CLINICIAN_ID", "NUMBER(38,0)"), ("MONTH", "DATE"),
                         ("TOTAL_APPOINTMENTS", "NUMBER(38,0)"), ("NO_SHOWS", "NUMBER(38,0)"),
                         ("NO_SHOW_RATE", "NUMBER(5,2)")]
    assert tuple(described) == cm.CONTRACT
    month, rate = built.warehouse.query(f"SELECT MONTH, NO_SHOW_RATE FROM {cm.TABLE} LIMIT 1")[0]
    assert type(month) is dt.date and isinstance(rate, Decimal)


def test_the_as_of_date_bounds_the_window(world):
    as_of = dt.date(2025, 6, 15)
    cm.precompute_clinician_metrics(world.warehouse.connect, as_of)
    rows = table_rows(world)
    assert rows == truth(world, as_of)
    assert max(r[1] for r in rows) == dt.date(2025, 6, 1)
    june = world.warehouse.query("SELECT COUNT(*) FROM FCT_APPOINTMENTS WHERE APPOINTMENT_DATE "
                                 "BETWEEN '2025-06-01' AND '2025-06-15'")[0][0]
    assert sum(r[2] for r in rows if r[1] == dt.date(2025, 6, 1)) == june


def test_rounding_is_half_up_even_on_the_sims_doubles(world):
    # 1 no-show in 32 is 3.125 %, 2111 in 20000 is 10.555 %: exact ties that DOUBLE rounding gets wrong
    with world.warehouse.cursor() as cur:
        cur.execute("SELECT (ROUND(1 * 10000 / 32) / 100)::NUMBER(5, 2), "
                    "(ROUND(2111 * 10000 / 20000) / 100)::NUMBER(5, 2), ROUND(2111 * 100 / 20000, 2)")
        exact_a, exact_b, naive = cur.fetchone()
    assert (exact_a, exact_b) == (Decimal("3.13"), Decimal("10.56"))
    assert naive == 10.55  # what ROUND(x, 2) of a DOUBLE gives: the reason for the basis-point rounding


def test_rebuild_is_idempotent(built):
    before = table_rows(built)
    cm.precompute_clinician_metrics(built.warehouse.connect, END)
    assert table_rows(built) == before


def test_an_empty_build_is_refused_and_the_live_table_kept(built):
    before = table_rows(built)
    with pytest.raises(cm.RefreshError, match="no appointments between 2023-02-01 and 2024-01-31"):
        cm.precompute_clinician_metrics(built.warehouse.connect, dt.date(2024, 1, 31))
    assert table_rows(built) == before
    assert not built.warehouse.query("SHOW TABLES LIKE '%NEXT' IN SCHEMA ANALYTICS.CUSTOMER_METRICS")


class Spy:
    """A connection whose cursor calls ``on(sql, params)`` before every statement."""

    def __init__(self, conn, on):
        self.conn, self.on = conn, on

    def cursor(self):
        spy, cur = self, self.conn.cursor()

        class Cursor:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                cur.close()

            def execute(self, sql, params=None):
                spy.on(sql, params)
                return cur.execute(sql, params)

            def __getattr__(self, name):
                return getattr(cur, name)

        return Cursor()

    def close(self):
        self.conn.close()


def test_readers_see_the_old_rows_while_the_new_ones_are_published(built):
    count = f"SELECT COUNT(*) FROM {cm.TABLE}"
    old = built.warehouse.query(count)[0][0]
    seen = []

    def on(sql, params):
        if sql.startswith(f"INSERT INTO {cm.TABLE} "):  # after the DELETE, inside the transaction
            seen.append(built.warehouse.query(count)[0][0])

    refresh = cm.precompute_clinician_metrics(Spy(built.warehouse.connect(), on), dt.date(2025, 6, 15))
    assert seen == [old] and old == 1596
    assert built.warehouse.query(count)[0][0] == refresh.rows == 1197


def test_a_failed_publish_rolls_back(built):
    before = table_rows(built)

    def on(sql, params):
        if sql.startswith(f"INSERT INTO {cm.TABLE} "):
            raise RuntimeError("warehouse went away")

    with pytest.raises(RuntimeError, match="went away"):
        cm.precompute_clinician_metrics(Spy(built.warehouse.connect(), on), dt.date(2025, 6, 15))
    assert table_rows(built) == before


def test_the_rebuild_never_asks_the_warehouse_for_today(built):
    sent = []
    spy = Spy(built.warehouse.connect(), lambda sql, params: sent.append(sql.upper()))
    cm.precompute_clinician_metrics(spy, END)
    spy.close()
    assert not [s for s in sent if "CURRENT_DATE" in s or "CURRENT_TIMESTAMP" in s or "SYSDATE" in s]


# -- who is asking -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["1 OR 1=1", "5001", True, 0, -5, 5001.0, None])
def test_a_session_holds_only_a_positive_integer_id(bad):
    with pytest.raises(ValueError):
        cm.ClinicianSession(bad)


def test_signed_tokens_cannot_be_altered():
    verifier = cm.SessionVerifier(b"k" * 32)
    token = verifier.issue(5001)
    assert verifier.verify(token) == cm.ClinicianSession(5001)
    payload, signature = token.split(".")
    for forged in [f"5002.{signature}", "5002", f"5001 OR 1=1.{signature}", "", f"{payload}.{'0' * 64}",
                   cm.SessionVerifier(b"x" * 32).issue(5001)]:
        with pytest.raises(PermissionError):
            verifier.verify(forged)
    with pytest.raises(ValueError):
        cm.SessionVerifier(b"short")


# -- serving -------------------------------------------------------------------------------------------------


def test_every_clinician_reads_only_their_own_rows(built):
    by_clinician = defaultdict(list)
    for row in table_rows(built):
        by_clinician[row[0]].append(row)
    ids = [r[0] for r in built.warehouse.query("SELECT DISTINCT CLINICIAN_ID FROM FCT_APPOINTMENTS "
                                               "ORDER BY 1")]
    assert sorted(by_clinician) == ids and len(ids) == 133
    with built.warehouse.connect() as conn:
        for clinician_id in ids:
            rows = cm.no_show_rates(cm.ClinicianSession(clinician_id), connection=conn)
            assert {r.clinician_id for r in rows} == {clinician_id}
            assert [tuple(r) for r in rows] == by_clinician[clinician_id]
    assert cm.no_show_rates(cm.ClinicianSession(999_999), connection=built.warehouse.connect) == []


def test_months_is_the_latest_calendar_months(built):
    rows = cm.no_show_rates(cm.ClinicianSession(5001), months=3, connection=built.warehouse.connect)
    assert [r.month for r in rows] == [dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)]
    assert all(isinstance(r.no_show_rate, Decimal) for r in rows)


@pytest.mark.parametrize("caller", ["1 OR 1=1", 5001, SimpleNamespace(clinician_id="5001 OR 1=1"),
                                    SimpleNamespace(clinician_id=5001), {"clinician_id": 5001}])
def test_anything_but_a_session_is_refused(built, caller):
    with pytest.raises(TypeError, match="ClinicianSession"):
        cm.no_show_rates(caller, connection=built.warehouse.connect)


@pytest.mark.parametrize("months", ["12 OR 1=1", 0, 25, True, 12.0])
def test_months_is_validated(built, months):
    with pytest.raises(ValueError):
        cm.no_show_rates(cm.ClinicianSession(5001), months=months, connection=built.warehouse.connect)


def test_the_id_is_bound_never_formatted_into_the_sql(built):
    sent = []
    conn = Spy(built.warehouse.connect(), lambda sql, params: sent.append((sql, params)))
    cm.no_show_rates(cm.ClinicianSession(5042), months=6, connection=conn)
    conn.close()
    (sql, params), = sent
    assert sql == cm.SERVE_SQL and "5042" not in sql and params == (5042, 6)


# -- what the sim cannot run, and the syllabus's snippet -----------------------------------------------------


def test_row_access_policies_and_swap_are_not_in_the_sim(built):
    statements = [s.strip() for s in cm.ROW_ACCESS_POLICY_SQL.split(";") if s.strip()]
    assert "CREATE ROW ACCESS POLICY" in statements[1] and "ADD ROW ACCESS POLICY" in statements[2]
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # it logs a parse fallback before fakesnow raises
    with built.warehouse.cursor() as cur:
        for statement in [statements[1], statements[2], cm.SWAP_SQL]:
            with pytest.raises(ProgrammingError):
                cur.execute(statement)
        cur.execute("SELECT CURRENT_ROLE()")
        assert cur.fetchone() == ("duckdb",)


SYLLABUS_SELECT = """SELECT
        clinician_id,
        date_trunc('month', appointment_date) as month,
        count(*) as total_appointments,
        sum(is_no_show) as no_shows,
        (sum(is_no_show) / count(*)) * 100 as no_show_rate
    FROM marts.fct_appointments
    WHERE appointment_date >= dateadd('month', -12, {since})
    GROUP BY 1, 2"""


def test_the_syllabus_snippet_publishes_nothing_with_timestamps_and_floats(built):
    with built.warehouse.cursor() as cur:
        cur.execute("CREATE OR REPLACE TABLE customer_metrics.syllabus_rate AS "
                    + SYLLABUS_SELECT.format(since="current_date()"))
        cur.execute("SELECT COUNT(*) FROM customer_metrics.syllabus_rate")
        assert cur.fetchone() == (0,)  # the data ends 2025-09-30; "12 months before today" is later
        cur.execute("CREATE OR REPLACE TABLE customer_metrics.syllabus_rate AS "
                    + SYLLABUS_SELECT.format(since="'2025-09-30'::DATE"))
        cur.execute("SELECT month, no_shows, no_show_rate FROM customer_metrics.syllabus_rate "
                    "ORDER BY 1 LIMIT 1")
        month, no_shows, rate = cur.fetchone()
        cur.execute("DROP TABLE customer_metrics.syllabus_rate")
    # SUM over the integer flag is an exact integer (as on Snowflake); the rate is a division, a DOUBLE in the
    # sim where Snowflake returns a NUMBER with a scale (README, "How faithful is the sim")
    assert type(month) is dt.datetime and type(no_shows) is int and type(rate) is float


def test_a_live_table_with_other_columns_is_refused_not_written(world):
    with world.warehouse.cursor() as cur:
        cur.execute(f"CREATE OR REPLACE TABLE {cm.TABLE} AS SELECT CLINICIAN_ID, "
                    "DATE_TRUNC('month', APPOINTMENT_DATE) AS MONTH, COUNT(*) AS TOTAL_APPOINTMENTS, "
                    "SUM(IS_NO_SHOW) AS NO_SHOWS, SUM(IS_NO_SHOW) / COUNT(*) * 100 AS NO_SHOW_RATE "
                    "FROM FCT_APPOINTMENTS GROUP BY 1, 2")
    with pytest.raises(cm.RefreshError, match="MONTH is TIMESTAMP_NTZ.*, expected DATE; NO_SHOW_RATE is FLOAT"):
        cm.precompute_clinician_metrics(world.warehouse.connect, END)
    world.warehouse.query(f"DROP TABLE {cm.TABLE}")
    cm.precompute_clinician_metrics(world.warehouse.connect, END)
    assert table_rows(world) == truth(world, END)
