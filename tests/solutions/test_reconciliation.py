"""solutions.reconciliation end to end: exact Decimal totals, the manifest's payment ids found through the
paged /payments listing, retries and clear failures on API faults, and the Slack alert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests

from solutions.alerting import AlertError, post_alert
from solutions.reconciliation import (
    BackendClient,
    BackendError,
    Reconciliation,
    WrongAmount,
    compare_payments,
    reconcile,
    run_reconciliation,
    warehouse_payments,
    warehouse_revenue,
)

DEFECTS = {"missing_payment": 2, "duplicate_payment": 1, "misamounted_payment": 2}
DAY, CLEAN_DAY = dt.date(2025, 9, 30), dt.date(2025, 9, 29)


@pytest.fixture(scope="module")
def rw(start_module_world):
    return start_module_world(defects=DEFECTS)


@pytest.fixture(autouse=True)
def fresh_fakes(rw):
    """Each test starts with no pending faults, an empty request log and no Slack messages."""
    rw.backend.faults.clear()
    rw.backend.log.clear()
    rw.slack.faults.clear()
    rw.slack.messages.clear()
    rw.slack.log.clear()


def truth(rw, day):
    """The backend's own rows for the day, as exact Decimals."""
    return {p: Decimal(a) for p, a in rw.warehouse.query(
        "SELECT PAYMENT_ID, PAYMENT_AMOUNT FROM BACKEND.PUBLIC.PAYMENTS WHERE PAYMENT_DATE = %s", (day,))}


def expected_warehouse_total(rw):
    """What the marts must sum to on the defect day, from the manifest alone."""
    m, rows = rw.manifest.defects, truth(rw, DAY)
    total = sum(rows.values(), Decimal(0))
    total -= sum(Decimal(a) for a in m["missing_payment"].detail["amounts"])
    total += sum(Decimal(a) for a in m["duplicate_payment"].detail["amounts"])
    detail = m["misamounted_payment"].detail
    total += sum(Decimal(b) - Decimal(a) for a, b in zip(detail["truth"], detail["loaded"]))
    return total


# -- exact totals --------------------------------------------------------------------------------------------


def test_warehouse_total_is_an_exact_decimal(rw):
    total, count = warehouse_revenue(rw.warehouse.connect, DAY)
    assert isinstance(total, Decimal) and total == expected_warehouse_total(rw)
    assert count == len(truth(rw, DAY)) - 2 + 1
    assert warehouse_revenue(rw.warehouse.connect, dt.date(2025, 8, 1)) == (Decimal("0.00"), 0)


def test_the_sum_is_exact_with_or_without_the_cast(rw):
    """SUM over NUMBER(12,2) is an exact Decimal (as in Snowflake); the cast inside keeps it exact even when
    the column is a FLOAT, where a bare SUM is a float."""
    [(raw, cast)] = rw.warehouse.query(
        "SELECT SUM(PAYMENT_AMOUNT), SUM(PAYMENT_AMOUNT::NUMBER(12, 2)) FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s",
        (DAY,))
    assert isinstance(raw, Decimal) and raw == cast == expected_warehouse_total(rw)
    [(raw, cast)] = rw.warehouse.query(
        "SELECT SUM(a), SUM(a::NUMBER(12, 2)) FROM (SELECT PAYMENT_AMOUNT::FLOAT AS a FROM FCT_PAYMENTS "
        "WHERE PAYMENT_DATE = %s)", (DAY,))
    assert isinstance(raw, float) and cast == expected_warehouse_total(rw)


def test_warehouse_rows_keep_duplicates(rw):
    rows = warehouse_payments(rw.warehouse.connect, DAY)
    dup = rw.manifest.ids("duplicate_payment")[0]
    assert [p for p, _ in rows].count(dup) == 2 and all(isinstance(a, Decimal) for _, a in rows)


def test_source_total_is_parsed_as_decimal(rw):
    source = BackendClient().revenue(DAY)
    assert isinstance(source.total, Decimal) and source.total == sum(truth(rw, DAY).values(), Decimal(0))
    assert (source.payment_count, source.currency) == (len(truth(rw, DAY)), "USD")


# -- reconcile -----------------------------------------------------------------------------------------------


def test_reconcile_names_exactly_the_manifest_ids(rw):
    r = reconcile(DAY, connection=rw.warehouse.connect)
    m = rw.manifest
    assert not r.passed and r.investigated
    assert r.missing == m.ids("missing_payment")
    assert r.duplicated == m.ids("duplicate_payment")
    detail = m.defects["misamounted_payment"].detail
    assert r.misamounted == tuple(WrongAmount(p, Decimal(b), Decimal(a))
                                  for p, a, b in zip(m.ids("misamounted_payment"), detail["truth"], detail["loaded"]))
    assert r.unexpected == ()
    assert r.warehouse_total == expected_warehouse_total(rw)
    assert r.source_total == sum(truth(rw, DAY).values(), Decimal(0))
    assert r.explained == r.difference != 0


def test_the_alert_text(rw):
    r = reconcile("2025-09-30", connection=rw.warehouse.connect)
    m = rw.manifest
    missing, (dup,), wrong = m.ids("missing_payment"), m.ids("duplicate_payment"), r.misamounted
    assert r.message() == "\n".join([
        f"Revenue reconciliation FAILED for {DAY}",
        f"warehouse {r.warehouse_total} ({r.warehouse_count} payments) vs backend {r.source_total} "
        f"({r.source_count} payments): difference {r.difference:+} USD (tolerance 0.01)",
        f"missing from the warehouse (2): {missing[0]}, {missing[1]}",
        f"loaded more than once (1): {dup}",
        f"wrong amount (2): {wrong[0].payment_id} {wrong[0].warehouse} vs {wrong[0].source}, "
        f"{wrong[1].payment_id} {wrong[1].warehouse} vs {wrong[1].source}",
        "these payments account for the whole difference",
    ])


def test_a_clean_day_passes_without_listing_payments(rw):
    r = reconcile(CLEAN_DAY, connection=rw.warehouse.connect)
    assert r.passed and not r.investigated and r.difference == 0
    assert [e.path for e in rw.backend.log] == ["/revenue"]
    always = reconcile(CLEAN_DAY, connection=rw.warehouse.connect, investigate=True)
    assert always.passed and always.investigated
    never = reconcile(DAY, connection=rw.warehouse.connect, investigate=False)
    assert not never.passed and not never.investigated and never.missing == ()


def test_tolerance_is_decimal_and_inclusive(rw):
    with pytest.raises(TypeError, match="Decimal"):
        reconcile(DAY, connection=rw.warehouse.connect, tolerance=0.01)
    base = Reconciliation(DAY, Decimal("100.01"), Decimal("100.00"), 3, 3)
    assert base.passed and not Reconciliation(DAY, Decimal("100.02"), Decimal("100.00"), 3, 3).passed


def test_offsetting_errors_hide_in_the_total_but_not_in_the_ids():
    """A missing 10.00 and a duplicated 10.00 cancel out: same total, same count, still two wrong rows."""
    source = [{"payment_id": "a", "amount": Decimal("10.00")}, {"payment_id": "b", "amount": Decimal("10.00")}]
    loaded = [("a", Decimal("10.00")), ("a", Decimal("10.00"))]
    found = compare_payments(loaded, source)
    assert (found["missing"], found["duplicated"], found["explained"]) == (("b",), ("a",), Decimal("0.00"))
    r = Reconciliation(DAY, Decimal("20.00"), Decimal("20.00"), 2, 2, investigated=True, **found)
    assert r.totals_match and not r.passed


def test_unknown_payments_are_named():
    found = compare_payments([("x", Decimal("5.00"))], [])
    assert (found["unexpected"], found["explained"]) == (("x",), Decimal("5.00"))


def test_a_connection_you_pass_stays_open_and_a_factory_is_closed(rw):
    conn = rw.warehouse.connect()
    reconcile(DAY, connection=conn)
    assert not conn.is_closed()
    conn.close()
    made = []

    def factory():
        made.append(rw.warehouse.connect())
        return made[-1]

    reconcile(DAY, connection=factory)
    assert len(made) == 1 and made[0].is_closed()


def test_a_failing_query_still_closes_the_factory_connection(rw):
    made = []

    def factory():
        made.append(rw.warehouse.connect())
        return made[-1]

    with pytest.raises(Exception, match="NO_SUCH_PAYMENTS"):
        reconcile(DAY, connection=factory, table="no_such_payments")
    assert made[0].is_closed()


# -- the backend API -----------------------------------------------------------------------------------------


def test_payments_follow_every_cursor(rw):
    rows = BackendClient().payments(DAY, limit=7)
    assert sorted(p["payment_id"] for p in rows) == sorted(truth(rw, DAY))
    pages = [e for e in rw.backend.log if e.path == "/payments"]
    assert len(pages) == -(-len(rows) // 7) and "cursor" in pages[1].params
    assert all(isinstance(p["amount"], Decimal) for p in rows)


def test_server_errors_are_retried_until_the_api_recovers(rw):
    rw.backend.inject("server_error", path="/revenue", times=2)
    rw.backend.inject("server_error", path="/payments", page=1, times=1, status=503)
    r = reconcile(DAY, connection=rw.warehouse.connect)
    assert r.missing == rw.manifest.ids("missing_payment")
    assert rw.backend.log.statuses() == [500, 500, 200, 503, 200]


def test_a_server_that_stays_down_fails_clearly(rw):
    rw.backend.inject("server_error", path="/revenue", times=10)
    with pytest.raises(BackendError, match=r"GET /revenue answered 500: .*simulated server error"):
        reconcile(DAY, connection=rw.warehouse.connect)
    assert len(rw.backend.log) == 4  # the first try and three retries


def test_malformed_json_fails_clearly(rw):
    rw.backend.inject("malformed_json", path="/revenue")
    with pytest.raises(BackendError, match="GET /revenue returned malformed JSON"):
        reconcile(DAY, connection=rw.warehouse.connect)
    rw.backend.inject("malformed_json", path="/payments", page=1)
    with pytest.raises(BackendError, match="GET /payments returned malformed JSON"):
        reconcile(DAY, connection=rw.warehouse.connect)


def test_a_timeout_fails_clearly(rw):
    rw.backend.inject("timeout", path="/revenue")
    with pytest.raises(BackendError, match="GET /revenue failed: ReadTimeout"):
        BackendClient().revenue(DAY)


# -- the alert -----------------------------------------------------------------------------------------------


def test_run_reconciliation_alerts_on_a_mismatch_only(rw):
    out = run_reconciliation(DAY, connection=rw.warehouse.connect)
    assert out["passed"] is False and out["missing"] == list(rw.manifest.ids("missing_payment"))
    assert out["difference"] == str(reconcile(DAY, connection=rw.warehouse.connect).difference)
    assert rw.slack.texts == [reconcile(DAY, connection=rw.warehouse.connect).message()]
    rw.slack.messages.clear()
    assert run_reconciliation(CLEAN_DAY, connection=rw.warehouse.connect)["passed"] is True
    assert rw.slack.messages == []
    with pytest.raises(ValueError, match="Revenue reconciliation FAILED"):
        run_reconciliation(DAY, connection=rw.warehouse.connect, raise_on_mismatch=True)


def test_slack_errors_are_not_swallowed_and_never_show_the_url(rw, monkeypatch):
    url = rw.slack.url
    rw.slack.inject("server_error")
    with pytest.raises(AlertError, match="answered 500: internal_error") as failed:
        post_alert("revenue is off")
    assert url not in str(failed.value)
    with pytest.raises(AlertError, match="answered 400: no_text"):
        post_alert("")  # requests.post returned a 400 without raising: the status check caught it
    rw.slack.inject("timeout")
    with pytest.raises(AlertError, match="unreachable: ReadTimeout") as failed:
        post_alert("revenue is off")
    assert url not in str(failed.value) and failed.value.__cause__ is None
    with pytest.raises(AlertError, match="answered 404: no_service"):
        post_alert("revenue is off", url + "x")
    monkeypatch.delenv("AIRFLOW_VAR_SLACK_WEBHOOK_URL")
    with pytest.raises(AlertError, match="no Slack webhook configured"):
        post_alert("revenue is off")
    assert rw.slack.messages == []


def test_post_alert_uses_the_session_given(rw):
    session = requests.Session()
    post_alert("hello", session=session)
    assert rw.slack.texts == ["hello"]


# -- garbage in: a clear error naming the payment and the field ----------------------------------------------


@pytest.mark.parametrize(("amount", "says"), [
    (True, r"True \(bool\)"), ("abc", "'abc', not a number"), ("sNaN", "not a finite amount"),
    ("NaN", "not a finite amount"), (Decimal("Infinity"), "not a finite amount"),
    (None, r"None \(NoneType\)"),
    (12.5, r"12.5 \(float\)"),
])
def test_a_bad_source_amount_names_the_payment_and_field(amount, says):
    source = [{"payment_id": "p1", "amount": Decimal("1.00")}, {"payment_id": "p2", "amount": amount}]
    with pytest.raises(BackendError, match=rf"backend payment p2: amount is .*{says}"):
        compare_payments([("p1", Decimal("1.00"))], source)


def test_a_missing_amount_or_id_is_named():
    with pytest.raises(BackendError, match="backend payment p2: no 'amount' field"):
        compare_payments([], [{"payment_id": "p2"}])
    with pytest.raises(BackendError, match="backend payment #1: no payment_id"):
        compare_payments([], [{"amount": "1.00"}])


def test_numeric_text_and_integers_are_money():
    found = compare_payments([("a", Decimal("10.00")), ("b", Decimal("3"))],
                             [{"payment_id": "a", "amount": "10.00"}, {"payment_id": "b", "amount": 3}])
    assert found["misamounted"] == () and found["explained"] == 0


class _Canned:
    """A session answering every GET with one JSON body."""

    def __init__(self, text):
        self.text = text

    def get(self, url, **kwargs):
        response = requests.Response()
        response.status_code, response._content = 200, self.text.encode()
        return response


@pytest.mark.parametrize(("body", "says"), [
    ('{"total_revenue": true, "payment_count": 3}', "total_revenue is True"),
    ('{"total_revenue": NaN, "payment_count": 3}', "total_revenue is nan"),
    ('{"total_revenue": "12.50", "payment_count": 3}', "total_revenue is '12.50'"),
    ('{"total_revenue": 12.50, "payment_count": 2.7}', r"payment_count is Decimal\('2.7'\)"),
    ('{"total_revenue": 12.50, "payment_count": true}', "payment_count is True"),
    ('{"total_revenue": 12.50, "payment_count": -1}', "payment_count is -1"),
    ('{"payment_count": 3}', "no 'total_revenue' field"),
])
def test_a_bad_revenue_body_fails_clearly(body, says):
    with pytest.raises(BackendError, match=f"GET /revenue: .*{says}"):
        BackendClient(session=_Canned(body)).revenue(DAY)


@pytest.mark.parametrize("tolerance", [Decimal("Infinity"), Decimal("NaN"), Decimal("-0.01")])
def test_a_tolerance_that_passes_anything_is_refused(rw, tolerance):
    with pytest.raises(ValueError, match="tolerance must be a finite amount"):
        reconcile(DAY, connection=rw.warehouse.connect, tolerance=tolerance)
    with pytest.raises(ValueError, match="tolerance must be a finite amount"):
        Reconciliation(DAY, Decimal("112.38"), Decimal("100.00"), 3, 3, tolerance)


def test_a_float_amount_column_does_not_flag_correct_payments(rw):
    """A FLOAT column's 19.99 is 19.989999...: cast in SQL, so each amount compares equal to the source's."""
    conn = rw.warehouse.connect()
    try:
        conn.cursor().execute("CREATE OR REPLACE TEMPORARY TABLE FLOAT_PAYMENTS AS SELECT PAYMENT_ID, "
                              "PAYMENT_DATE, PAYMENT_AMOUNT::FLOAT AS PAYMENT_AMOUNT FROM FCT_PAYMENTS")
        rows = warehouse_payments(conn, CLEAN_DAY, table="FLOAT_PAYMENTS")
        source = [{"payment_id": p, "amount": a} for p, a in truth(rw, CLEAN_DAY).items()]
        assert compare_payments(rows, source)["misamounted"] == ()
    finally:
        conn.close()
