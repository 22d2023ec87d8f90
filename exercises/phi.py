"""Exercises of notebook 28 (protecting patient data): the graders, and reference answers to read after trying.

* ``client_name_policy()`` returns the body of a masking policy for a STRING column ``val``: the name for PHI
  readers, its initial and ``***`` for roles that read the marts without PHI, the mask for everyone else. The
  grader binds it to sessions of several roles (``solutions.phi.bind_session``: the role hierarchy decides what
  ``IS_ROLE_IN_SESSION`` answers) and evaluates it on the sim's warehouse, against names it knows.
* ``dashboard_grants()`` returns the ``GRANT`` statements that let the dashboard's service role read the
  customer-facing table, and nothing more. The grader reads them (``solutions.phi.parse_grants``), follows role
  grants, and compares what ``DASHBOARD_SERVICE`` can reach with what it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from solutions.phi import MASK, Grant, bind_session, effective_grants, parse_grants
from exercises.grading import Grade, Mismatch, cursor, grade

# -- reference answers ---------------------------------------------------------------------------------------


def client_name_policy() -> str:
    """PHI readers see the name; roles that read the marts without PHI_READER see the initial; others the mask.

    The order of the branches matters: CARE_OPS reads the marts *and* PHI, so the PHI branch comes first."""
    return (f"CASE WHEN IS_ROLE_IN_SESSION('PHI_READER') THEN val "
            f"WHEN IS_ROLE_IN_SESSION('AR_MARTS_READ') THEN LEFT(val, 1) || '***' "
            f"ELSE '{MASK}' END")


def dashboard_grants() -> list[str]:
    """The customer-facing service: its warehouse, the way to its table, and SELECT on that table only."""
    return ["GRANT USAGE ON WAREHOUSE DASHBOARD_WH TO ROLE DASHBOARD_SERVICE",
            "GRANT USAGE ON DATABASE ANALYTICS TO ROLE DASHBOARD_SERVICE",
            "GRANT USAGE ON SCHEMA ANALYTICS.CUSTOMER_METRICS TO ROLE DASHBOARD_SERVICE",
            "GRANT SELECT ON TABLE ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE TO ROLE DASHBOARD_SERVICE"]


# -- client_name_policy --------------------------------------------------------------------------------------

NAMES = ("Client 1", "Ana O'Neil", "Zoë Smith")
FULL, INITIAL, MASKED = list(NAMES), [n[0] + "***" for n in NAMES], [MASK] * len(NAMES)
#: (primary role, what it must see, why): CARE_OPS and TRANSFORMER inherit PHI_READER without being it
SESSIONS = (("PHI_READER", FULL, "PHI_READER itself"),
            ("CARE_OPS", FULL, "inherits PHI_READER (and AR_MARTS_READ: the PHI branch must come first)"),
            ("TRANSFORMER", FULL, "inherits PHI_READER"),
            ("ANALYST", INITIAL, "inherits AR_MARTS_READ, not PHI_READER"),
            ("DASHBOARD_SERVICE", MASKED, "inherits neither"))


def _evaluate(body: str, role: str) -> list[Any]:
    bound = bind_session(body, role, column="VAL")
    values = " UNION ALL ".join("SELECT %s AS VAL" for _ in NAMES)
    with cursor() as cur:
        cur.execute(f"SELECT {bound} FROM ({values})", NAMES)
        return [row[0] for row in cur.fetchall()]


def _text(fn: Any) -> str:
    body = fn()
    if not isinstance(body, str) or not body.strip():
        raise Mismatch(f"return the policy body as SQL text, got {body!r}")
    return body


def _sees(expected: list[str], hint: Callable[[list[Any]], str]) -> Callable[[Any], None]:
    def check(fn: Any) -> None:
        body = _text(fn)
        for role, wanted, why in SESSIONS:
            if wanted is expected:
                got = _evaluate(body, role)
                if got != wanted:
                    raise Mismatch(f"a session as {role} ({why}) got {got!r}, expected {wanted!r}.{hint(got)}")
    return check


def _full_hint(got: list[Any]) -> str:
    if got == INITIAL:
        return " The AR_MARTS_READ branch came first: CASE takes the first branch that is true."
    return (" CURRENT_ROLE() is the one primary role in use; IS_ROLE_IN_SESSION('PHI_READER') is also TRUE for "
            "the roles that inherit it")


def _other_hint(got: list[Any]) -> str:
    return " NULL reads as 'no name on file': return the mask." if None in got else ""


def _policy_checks() -> list[tuple[str, Callable[[Any], None]]]:
    return [("PHI readers see the name (role hierarchy included)", _sees(FULL, _full_hint)),
            ("marts readers without PHI see the initial", _sees(INITIAL, _other_hint)),
            ("every other role sees the mask", _sees(MASKED, _other_hint))]


def grade_client_name_policy(fn: Any, *, show: bool = True) -> Grade:
    return grade("client_name_policy", fn, _policy_checks(), show=show)


# -- dashboard_grants ----------------------------------------------------------------------------------------

ROLE = "DASHBOARD_SERVICE"
NEEDED = {("USAGE", "WAREHOUSE", "DASHBOARD_WH"), ("USAGE", "DATABASE", "ANALYTICS"),
          ("USAGE", "SCHEMA", "ANALYTICS.CUSTOMER_METRICS"),
          ("SELECT", "TABLE", "ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE")}
WHY = {"WAREHOUSE": "no warehouse, no query", "DATABASE": "without USAGE on the database nothing in it resolves",
       "SCHEMA": "SELECT on a table is useless without USAGE on its schema",
       "TABLE": "the table itself"}


def _reach(fn: Any) -> set[tuple[str, str, str]]:
    grants = parse_grants(fn())  # a list of statements, or one string with ";" between them
    to_users = [g for g in grants if g.grantee_kind == "USER"]
    if to_users:
        raise Mismatch(f"{_show(to_users[0])}: privileges go to roles, and roles to users (a grant to a user "
                       "is invisible to role design and to every review of it)")
    reach = effective_grants(grants, ROLE)
    passing_on = [g for g in reach if g.grant_option]
    if passing_on:
        raise Mismatch(f"{_show(passing_on[0])} WITH GRANT OPTION: the service could hand the privilege to any "
                       "role it likes; grants are made by the security admin, not passed on")
    return {(g.privilege, g.object_type, g.object_name) for g in reach}


def _show(g: Grant) -> str:
    return f"{g.privilege} ON {g.object_type} {g.object_name} TO {g.grantee_kind} {g.grantee}"


def _grant_checks() -> list[tuple[str, Callable[[Any], None]]]:
    def enough(fn: Any) -> None:
        missing = NEEDED - _reach(fn)
        if missing:
            priv, kind, name = sorted(missing)[0]
            raise Mismatch(f"{ROLE} cannot read the table yet: missing {priv} ON {kind} {name} ({WHY[kind]})")

    def no_more(fn: Any) -> None:
        extra = sorted(_reach(fn) - NEEDED)
        if extra:
            priv, kind, name = extra[0]
            if priv in ("ALL", "ALL PRIVILEGES", "OWNERSHIP"):
                why = "it can change or drop the object, not just read it"
            elif kind.endswith("IN SCHEMA"):
                why = ("every table of the schema, now and later; CUSTOMER_METRICS also holds the "
                       "CLINICIAN_ACCESS mapping")
            elif name.startswith(("ANALYTICS.MARTS", "RAW", "BACKEND")):
                why = "the marts and raw tables hold patient data the dashboard never needs"
            else:
                why = "the service never needs it"
            raise Mismatch(f"more than the dashboard needs: {priv} ON {kind} {name} ({why})")

    return [("the service role reaches its table", enough), ("and nothing else", no_more)]


def grade_dashboard_grants(fn: Any, *, show: bool = True) -> Grade:
    return grade("dashboard_grants", fn, _grant_checks(), show=show)
