from __future__ import annotations

import pytest

from solutions.sql import quote_identifier, quote_table, validate_identifier

# Payloads an attacker (or a typo) could put where a table or column name goes.
INJECTIONS = [
    "fct_appointments; DROP TABLE dim_clients", "fct_appointments --", "x' OR '1'='1", '"q"', "a b", "", "1table",
    "t/*c*/", "t;", "dim_clients)", "(SELECT 1)", "t\nDROP", "t\x00", "t`", "t%s", "${x}", "t.*", "t,u", "-1", None,
    "a" * 300, "fct_appointments\n", "fct_appointments\r\n", "\nfct_appointments",
]


@pytest.mark.parametrize("name", ["fct_appointments", "CLIENT_ID", "_tmp$1"])
def test_plain_identifiers_pass(name):
    assert validate_identifier(name) == name.upper()
    assert quote_identifier(name) == f'"{name.upper()}"'


@pytest.mark.parametrize("name", INJECTIONS)
def test_anything_else_is_rejected(name):
    with pytest.raises(ValueError, match="invalid"):
        validate_identifier(name)
    with pytest.raises(ValueError, match="invalid"):
        quote_table(name)


def test_qualified_names():
    assert quote_table("analytics.marts.fct_appointments") == '"ANALYTICS"."MARTS"."FCT_APPOINTMENTS"'
    with pytest.raises(ValueError, match="invalid table name"):
        quote_table("a.b.c.d")
