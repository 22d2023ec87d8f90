"""Payloads an attacker (or a typo) could put where a table or column name goes.

One list for every test that proves identifiers are validated before they reach SQL (tests/solutions/test_sql.py,
test_landing.py, test_quality.py, test_reliability.py). A test imports it as ``from payloads import INJECTIONS``.
"""

INJECTIONS = [
    "fct_appointments; DROP TABLE dim_clients", "fct_appointments --", "x' OR '1'='1", '"q"', "a b", "", "1table",
    "t/*c*/", "t;", "dim_clients)", "(SELECT 1)", "t\nDROP", "t\x00", "t`", "t%s", "${x}", "t.*", "t,u", "-1", None,
    "a" * 300, "fct_appointments\n", "fct_appointments\r\n", "\nfct_appointments",
]
