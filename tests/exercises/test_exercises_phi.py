"""The notebook 28 graders accept correct policies and grant sets written other ways, and reject the usual
mistakes, each for its own reason."""

from __future__ import annotations

import datetime as dt

import pytest

from exercises import phi as ex
from exercises.grading import failed_exactly
from solutions.phi import MASK


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world(start_date=dt.date(2025, 9, 1), days=30, appointments=2000)


def not_attempted():
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_client_name_policy, ex.grade_dashboard_grants])
def test_not_attempted_is_reported_calmly(grader):
    g = grader(not_attempted, show=False)
    assert g.status == "not attempted" and "Not attempted yet" in g.lines[0]


# -- client_name_policy --------------------------------------------------------------------------------------


def body(text):
    return lambda: text


def test_the_reference_policy_passes():
    assert ex.grade_client_name_policy(ex.client_name_policy, show=False).passed


PHI = "IS_ROLE_IN_SESSION('PHI_READER')"
MARTS = "IS_ROLE_IN_SESSION('AR_MARTS_READ')"


@pytest.mark.parametrize("text", [
    f"IFF({PHI}, val, IFF({MARTS}, SUBSTR(val, 1, 1) || '***', '{MASK}'))",
    f"case when not {PHI} and not {MARTS} then '{MASK}' when not {PHI} then concat(left(val, 1), '***') "
    f"else val end",
    f"CASE WHEN {PHI} = TRUE THEN VAL WHEN {MARTS} AND NOT {PHI} THEN LEFT(VAL, 1) || '***' ELSE '{MASK}' END",
])
def test_correct_alternative_policies_pass(text):
    g = ex.grade_client_name_policy(body(text), show=False)
    assert g.passed, g.lines


def test_current_role_misses_the_role_hierarchy():
    g = ex.grade_client_name_policy(body(
        f"CASE WHEN CURRENT_ROLE() = 'PHI_READER' THEN val WHEN CURRENT_ROLE() = 'ANALYST' THEN LEFT(val, 1) || '***' "
        f"ELSE '{MASK}' END"), show=False)
    assert failed_exactly(g, "PHI readers see the name")
    assert "CARE_OPS" in g.lines[0] and "IS_ROLE_IN_SESSION" in g.lines[0]


def test_the_marts_branch_first_hides_names_from_care_ops():
    g = ex.grade_client_name_policy(body(
        f"CASE WHEN {MARTS} THEN LEFT(val, 1) || '***' WHEN {PHI} THEN val ELSE '{MASK}' END"), show=False)
    assert failed_exactly(g, "PHI readers see the name") and "CASE takes the first branch" in g.lines[0]


def test_null_instead_of_the_mask_is_rejected():
    g = ex.grade_client_name_policy(body(f"CASE WHEN {PHI} THEN val WHEN {MARTS} THEN LEFT(val, 1) || '***' END"),
                                    show=False)
    assert failed_exactly(g, "every other role sees the mask") and "NULL" in g.lines[2]


def test_the_initial_for_everyone_without_phi_is_rejected():
    g = ex.grade_client_name_policy(body(f"IFF({PHI}, val, LEFT(val, 1) || '***')"), show=False)
    assert failed_exactly(g, "every other role sees the mask") and "DASHBOARD_SERVICE" in g.lines[2]


def test_the_whole_mask_for_analysts_is_rejected():
    g = ex.grade_client_name_policy(body(f"IFF({PHI}, val, '{MASK}')"), show=False)
    assert failed_exactly(g, "marts readers without PHI see the initial") and "ANALYST" in g.lines[1]


def test_a_hash_for_everyone_is_rejected():
    g = ex.grade_client_name_policy(body("SHA2(val)"), show=False)
    assert failed_exactly(g, "PHI readers see the name", "marts readers", "every other role sees the mask")


def test_a_body_that_does_not_parse_is_reported():
    g = ex.grade_client_name_policy(body("CASE WHEN THEN"), show=False)
    assert g.status == "failed" and "does not parse" in g.lines[0]


# -- dashboard_grants ----------------------------------------------------------------------------------------


def grants(*statements):
    return lambda: list(statements)


BASE = ex.dashboard_grants()


def test_the_reference_grants_pass():
    assert ex.grade_dashboard_grants(ex.dashboard_grants, show=False).passed


@pytest.mark.parametrize("answer", [
    grants(*reversed(BASE)),
    lambda: ";\n".join(s.lower() for s in BASE) + ";",
    grants('GRANT USAGE ON WAREHOUSE "DASHBOARD_WH" TO ROLE DASHBOARD_SERVICE',
           'GRANT USAGE ON DATABASE "ANALYTICS" TO ROLE dashboard_service',
           'GRANT USAGE ON SCHEMA "ANALYTICS"."CUSTOMER_METRICS" TO ROLE DASHBOARD_SERVICE',
           'GRANT SELECT ON TABLE analytics."CUSTOMER_METRICS".clinician_no_show_rate TO ROLE DASHBOARD_SERVICE'),
    # an access role holds the table privileges, the functional role holds the access role
    grants("GRANT USAGE ON WAREHOUSE DASHBOARD_WH TO ROLE DASHBOARD_SERVICE",
           *(s.replace("TO ROLE DASHBOARD_SERVICE", "TO ROLE AR_CUSTOMER_METRICS_READ") for s in BASE[1:]),
           "GRANT ROLE AR_CUSTOMER_METRICS_READ TO ROLE DASHBOARD_SERVICE"),
])
def test_correct_alternative_grant_sets_pass(answer):
    g = ex.grade_dashboard_grants(answer, show=False)
    assert g.passed, g.lines


def test_select_without_schema_usage_is_not_enough():
    g = ex.grade_dashboard_grants(grants(*(s for s in BASE if "ON SCHEMA" not in s)), show=False)
    assert failed_exactly(g, "the service role reaches") and "USAGE ON SCHEMA" in g.lines[0]


def test_future_tables_in_the_schema_is_too_much():
    answer = grants(*BASE[:3], "GRANT SELECT ON FUTURE TABLES IN SCHEMA ANALYTICS.CUSTOMER_METRICS "
                               "TO ROLE DASHBOARD_SERVICE")
    g = ex.grade_dashboard_grants(answer, show=False)
    assert failed_exactly(g, "the service role reaches", "and nothing else") and "CLINICIAN_ACCESS" in g.lines[1]


def test_reading_the_marts_is_too_much():
    answer = grants(*BASE, "GRANT USAGE ON SCHEMA ANALYTICS.MARTS TO ROLE DASHBOARD_SERVICE",
                    "GRANT SELECT ON ALL TABLES IN SCHEMA ANALYTICS.MARTS TO ROLE DASHBOARD_SERVICE")
    g = ex.grade_dashboard_grants(answer, show=False)
    assert failed_exactly(g, "and nothing else") and ("patient data" in g.lines[1] or "every table" in g.lines[1])


def test_ownership_is_too_much():
    answer = grants(*BASE, "GRANT OWNERSHIP ON TABLE ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE "
                           "TO ROLE DASHBOARD_SERVICE")
    g = ex.grade_dashboard_grants(answer, show=False)
    assert failed_exactly(g, "and nothing else") and "drop" in g.lines[1]


def test_a_grant_to_a_user_is_rejected():
    answer = grants(*BASE[:3], "GRANT SELECT ON TABLE ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE "
                               "TO USER DASHBOARD_API")
    g = ex.grade_dashboard_grants(answer, show=False)
    assert g.status == "failed" and all("roles to users" in line for line in g.lines)


def test_a_grant_option_is_rejected():
    answer = grants(*BASE[:3], BASE[3] + " WITH GRANT OPTION")
    g = ex.grade_dashboard_grants(answer, show=False)
    assert g.status == "failed" and all("WITH GRANT OPTION" in line for line in g.lines)


def test_a_statement_that_is_not_a_grant_is_named():
    g = ex.grade_dashboard_grants(grants(*BASE, "REVOKE SELECT ON TABLE X FROM ROLE Y"), show=False)
    assert g.status == "failed" and "REVOKE SELECT" in g.lines[0]
