"""Safe SQL building: identifiers are validated and quoted, values are always bound parameters.

Table and column names cannot be bound (``%s`` binds values only), so code that takes them as arguments must
refuse anything that is not a plain identifier before it reaches an f-string. The syllabus's checker formats
``table`` and ``column`` straight into SQL: ``check_row_count("fct_appointments; DROP TABLE dim_clients")``
would be executed. Here it raises ``ValueError`` instead.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,254}")  # fullmatch: "$" alone would allow a final \n


def validate_identifier(name: str, what: str = "identifier") -> str:
    """Return ``name`` upper-cased (Snowflake's unquoted identifiers are upper case) or raise ``ValueError``."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"invalid {what}: {name!r} (letters, digits, _ and $ only, not starting with a digit)")
    return name.upper()


def quote_identifier(name: str, what: str = "identifier") -> str:
    """Validated and double-quoted: ``fct_appointments`` -> ``"FCT_APPOINTMENTS"``."""
    return f'"{validate_identifier(name, what)}"'


def quote_table(name: str) -> str:
    """A table name of one to three dotted parts (``table``, ``schema.table``, ``db.schema.table``), quoted."""
    parts = name.split(".") if isinstance(name, str) else [name]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"invalid table name: {name!r} (expected table, schema.table or database.schema.table)")
    return ".".join(quote_identifier(p, "table name") for p in parts)
