"""The serving layer enforces what Snowflake's policies would: masked PHI for every role without PHI_READER,
grants read with role inheritance, and a deletion request that leaves no row behind."""

from __future__ import annotations

import datetime as dt

import pytest

from solutions import phi


@pytest.fixture(scope="module")
def world(start_module_world):
    return start_module_world(start_date=dt.date(2025, 9, 1), days=30, appointments=2000)


CLIENTS = "ANALYTICS.MARTS.DIM_CLIENTS"


def test_roles_in_session_follow_the_hierarchy():
    assert phi.roles_in_session("CARE_OPS") == {"CARE_OPS", "AR_MARTS_READ", "PHI_READER"}
    assert "PHI_READER" not in phi.roles_in_session("ANALYST")
    with pytest.raises(ValueError, match="not a role name"):
        phi.roles_in_session("ANALYST; DROP")


@pytest.mark.parametrize("role", ["ANALYST", "DASHBOARD_SERVICE", "SOMEONE_NEW"])
def test_no_role_without_phi_reader_ever_sees_a_name_or_a_full_date(world, role):
    truth = world.warehouse.query(f"SELECT CLIENT_NAME, CREATED_DATE FROM {CLIENTS} ORDER BY CLIENT_ID")
    audit: list[phi.AccessRecord] = []
    rows = phi.read_as(world.warehouse.connect, user="u", role=role, table=CLIENTS,
                       columns=["CLIENT_NAME", "CREATED_DATE"], audit=audit)
    assert len(rows) == len(truth) > 0
    assert {name for name, _ in rows} == {phi.MASK}
    assert all(d == dt.date(t.year, 1, 1) for (_, d), (_, t) in zip(rows, truth))
    assert audit == [phi.AccessRecord("u", role, CLIENTS, ("CLIENT_NAME", "CREATED_DATE"),
                                      ("CLIENT_NAME", "CREATED_DATE"))]


def test_an_inherited_phi_reader_sees_the_data_and_the_audit_says_unmasked(world):
    truth = world.warehouse.query(f"SELECT CLIENT_NAME, STATE FROM {CLIENTS} ORDER BY CLIENT_ID")
    audit: list[phi.AccessRecord] = []
    rows = phi.read_as(world.warehouse.connect, user="u", role="care_ops", table=CLIENTS.lower(),
                       columns=["client_name", "state"], audit=audit)
    assert sorted(rows) == sorted(truth)
    assert audit[0].masked == () and audit[0].role == "CARE_OPS"


@pytest.mark.parametrize("bad, message", [
    (dict(table="DIM_CLIENTS"), "DATABASE.SCHEMA.TABLE"),
    (dict(columns=["CLIENT_NAME; --"]), "invalid column name"),
    (dict(columns=[]), "at least one column"),
])
def test_bad_requests_are_refused_by_name(bad, message):
    args = dict(table=CLIENTS, columns=["CLIENT_NAME"], primary_role="ANALYST") | bad
    with pytest.raises(ValueError, match=message):
        phi.masked_select(**args)


class _Spy:
    """A connection that executes nothing and remembers every statement."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def cursor(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, params=()):
        self.statements.append(sql)

    def fetchall(self):
        return []

    def close(self):
        pass


#: the injection corpus through every identifier parameter of solutions.phi (tests/project/test_reliability.py points here)
CALLS = {
    "masked_select.table": lambda x: phi.masked_select(x, ["CLIENT_NAME"], "ANALYST"),
    "masked_select.columns": lambda x: phi.masked_select(CLIENTS, [x], "ANALYST"),
    "read_as.table": lambda x: phi.read_as(_Spy(), user="u", role="ANALYST", table=x, columns=["CLIENT_NAME"]),
    "read_as.columns": lambda x: phi.read_as(_Spy(), user="u", role="ANALYST", table=CLIENTS, columns=[x]),
    "bind_session.column": lambda x: phi.bind_session("CASE WHEN TRUE THEN val END", "ANALYST", column=x),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_every_identifier_refuses_every_injection(call):
    from payloads import INJECTIONS

    for payload in INJECTIONS:
        dotted = call.endswith(".table") and isinstance(payload, str)
        for bad in ([payload, f"ANALYTICS.MARTS.{payload}"] if dotted else [payload]):
            with pytest.raises((ValueError, TypeError), match="invalid|expected|must be"):
                CALLS[call](bad)
    CALLS[call]("ANALYTICS.MARTS.DIM_CLIENTS" if call.endswith(".table") else "CLIENT_NAME")  # a valid name passes


def test_bind_session_refuses_what_it_cannot_bind():
    with pytest.raises(ValueError, match="cannot bind"):
        phi.bind_session("CASE WHEN INVOKER_ROLE() = 'X' THEN val END", "ANALYST")
    with pytest.raises(ValueError, match="does not parse"):
        phi.bind_session("CASE WHEN", "ANALYST")


def test_grants_follow_role_grants_and_unknown_statements_are_named():
    grants = phi.parse_grants(phi.GOVERNANCE_SQL.split(";")[2:7])
    reach = {(g.privilege, g.object_type, g.object_name) for g in phi.effective_grants(grants, "ANALYST")}
    assert ("SELECT", "FUTURE TABLES IN SCHEMA", "ANALYTICS.MARTS") in reach
    assert phi.effective_grants(grants, "DASHBOARD_SERVICE") == set()
    with pytest.raises(ValueError, match="REVOKE"):
        phi.parse_grants(["REVOKE SELECT ON TABLE T FROM ROLE R"])


def test_a_deletion_request_removes_the_client_everywhere_and_can_run_again(world):
    client = int(world.warehouse.query("SELECT CLIENT_ID FROM ANALYTICS.STAGING.APPOINTMENTS LIMIT 1")[0][0])
    before = phi.client_rows(world.warehouse.connect, client)
    assert all(before[t] > 0 for t in ("RAW.STAGING.RAW_APPOINTMENTS", "ANALYTICS.MARTS.DIM_CLIENTS",
                                       "ANALYTICS.MARTS.FCT_APPOINTMENTS", "BACKEND.PUBLIC.CLIENTS"))
    others = world.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS")[0][0]
    assert phi.forget_client(world.warehouse.connect, client) == before
    assert set(phi.client_rows(world.warehouse.connect, client).values()) == {0}
    after = world.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS")[0][0]
    assert after == others - before["ANALYTICS.MARTS.FCT_APPOINTMENTS"]
    assert set(phi.forget_client(world.warehouse.connect, client).values()) == {0}
    with pytest.raises(ValueError, match="positive integer"):
        phi.forget_client(world.warehouse.connect, "1 OR 1=1")
