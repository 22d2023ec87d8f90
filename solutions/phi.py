"""Protecting patient data (PHI): roles, masking, grants, deletion requests and an audit trail.

In Snowflake the warehouse enforces these rules (:data:`GOVERNANCE_SQL`): roles and grants decide who reaches a
table, masking policies (set on a tag, so every tagged column is covered) decide what a column shows to whom,
and row access policies decide which rows come back. The kit's simulated warehouse (fakesnow on DuckDB) has no
roles and no policies, so the serving layer applies the **same policy text** itself:

* :func:`bind_session` turns a masking policy body into an expression the sim can run, by replacing the context
  functions (``IS_ROLE_IN_SESSION``, ``CURRENT_ROLE``) with what the session's roles make them;
* :func:`masked_select` / :func:`read_as` read a table as a role, every PHI-tagged column through its policy,
  and record the read (:class:`AccessRecord`), the serving layer's own ``ACCESS_HISTORY``;
* :func:`parse_grants` / :func:`effective_grants` read ``GRANT`` statements and follow role grants, so a role
  design can be checked for least privilege;
* :func:`forget_client` runs a deletion request across the raw, staging and marts tables in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp

from solutions.connections import connected
from solutions.sql import quote_identifier, validate_identifier

MASK = "***MASKED***"
UNMASKING_ROLE = "PHI_READER"

#: Functional roles (what a person or a service is) hold access roles (what they may touch); access roles
#: hold the privileges. ``role -> roles granted to it``: what ``GRANT ROLE x TO ROLE y`` statements build.
ROLE_HIERARCHY: dict[str, tuple[str, ...]] = {
    "ANALYST": ("AR_MARTS_READ",),
    "CARE_OPS": ("AR_MARTS_READ", "PHI_READER"),
    "TRANSFORMER": ("AR_RAW_READ", "AR_ANALYTICS_WRITE", "PHI_READER"),
    "DASHBOARD_SERVICE": ("AR_CUSTOMER_METRICS_READ",),
    "AR_MARTS_READ": (),
    "AR_RAW_READ": (),
    "AR_ANALYTICS_WRITE": (),
    "AR_CUSTOMER_METRICS_READ": (),
    "PHI_READER": (),
}

#: One masking policy per data type, set on the ``PHI`` tag: a STRING shows the mask, a DATE keeps its year.
POLICY_BODIES: dict[str, str] = {
    "STRING": f"CASE WHEN IS_ROLE_IN_SESSION('{UNMASKING_ROLE}') THEN val ELSE '{MASK}' END",
    "DATE": f"CASE WHEN IS_ROLE_IN_SESSION('{UNMASKING_ROLE}') THEN val ELSE DATE_TRUNC('YEAR', val)::DATE END",
}

#: Columns tagged ``PHI`` (table -> column -> the column's policy data type): what
#: ``ALTER TABLE ... MODIFY COLUMN ... SET TAG PHI = '...'`` records in Snowflake.
PHI_COLUMNS: dict[str, dict[str, str]] = {
    "ANALYTICS.MARTS.DIM_CLIENTS": {"CLIENT_NAME": "STRING", "CREATED_DATE": "DATE"},
    "BACKEND.PUBLIC.CLIENTS": {"CLIENT_NAME": "STRING", "CREATED_DATE": "DATE"},
}

_NAME = re.compile(r"[A-Z_][A-Z0-9_$]*")  # fullmatch: "$" alone would let a final newline through


def _role(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name.upper()):
        raise ValueError(f"not a role name: {name!r}")
    return name.upper()


def roles_in_session(primary_role: str, hierarchy: Mapping[str, Iterable[str]] = ROLE_HIERARCHY) -> frozenset[str]:
    """The primary role and every role below it: the set ``IS_ROLE_IN_SESSION`` answers TRUE for."""
    seen: set[str] = set()
    todo = [_role(primary_role)]
    while todo:
        role = todo.pop()
        if role not in seen:
            seen.add(role)
            todo.extend(_role(r) for r in hierarchy.get(role, ()))
    return frozenset(seen)


def bind_session(body: str, primary_role: str, *, column: str = "val",
                 hierarchy: Mapping[str, Iterable[str]] = ROLE_HIERARCHY) -> str:
    """A masking policy body as an expression the sim can run for a session whose primary role is
    ``primary_role``: ``IS_ROLE_IN_SESSION('R')`` becomes TRUE/FALSE (role hierarchy included),
    ``CURRENT_ROLE()`` the primary role's name, and the argument ``val`` the column ``column``.
    A body that uses another context function is refused rather than guessed at."""
    roles = roles_in_session(primary_role, hierarchy)
    column = validate_identifier(column, "column name")
    try:
        tree = sqlglot.parse_one(body, read="snowflake")
    except sqlglot.errors.ParseError as error:
        raise ValueError(f"the policy body does not parse: {str(error).splitlines()[0]}") from None

    def bind(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.CurrentRole):
            return exp.Literal.string(_role(primary_role))
        if isinstance(node, exp.Anonymous) and node.name.upper() == "IS_ROLE_IN_SESSION":
            arg = node.expressions[0] if node.expressions else None
            if not isinstance(arg, exp.Literal) or not arg.is_string:
                raise ValueError("IS_ROLE_IN_SESSION takes a role name as a string literal here")
            return exp.Boolean(this=arg.this.upper() in roles)
        if isinstance(node, (exp.Anonymous, exp.Func)) and node.sql("snowflake").upper().startswith(
                ("INVOKER_ROLE", "CURRENT_USER", "CURRENT_ACCOUNT", "IS_DATABASE_ROLE_IN_SESSION",
                 "CURRENT_SECONDARY_ROLES")):
            raise ValueError(f"{node.sql('snowflake')}: a context function the sim cannot bind")
        if isinstance(node, exp.Column) and not node.table and node.name.lower() == "val":
            return exp.column(column, quoted=True)
        return node

    return tree.transform(bind).sql("snowflake")


def _table(name: str) -> str:
    parts = name.split(".") if isinstance(name, str) else []
    if len(parts) != 3:
        raise ValueError(f"invalid table name: expected DATABASE.SCHEMA.TABLE, got {name!r}")
    return ".".join(validate_identifier(p, "table name") for p in parts)


def masked_select(table: str, columns: Iterable[str], primary_role: str) -> str:
    """``SELECT`` of ``columns`` from ``table`` as ``primary_role`` would see them in Snowflake with the tag's
    policies in force: each PHI-tagged column through its data type's policy, the others as they are."""
    table = _table(table)
    tagged = PHI_COLUMNS.get(table, {})
    parts = []
    for name in columns:
        col = validate_identifier(name, "column name")
        if col in tagged:
            parts.append(f"{bind_session(POLICY_BODIES[tagged[col]], primary_role, column=col)} AS {quote_identifier(col)}")
        else:
            parts.append(quote_identifier(col))
    if not parts:
        raise ValueError("select at least one column")
    return f"SELECT {', '.join(parts)} FROM {table}"


@dataclass(frozen=True)
class AccessRecord:
    """One read through the serving layer: who, as which role, which columns, which of them came back masked."""

    user: str
    role: str
    table: str
    columns: tuple[str, ...]
    masked: tuple[str, ...]


def read_as(connection: Any, *, user: str, role: str, table: str, columns: Iterable[str],
            where: str = "", params: tuple = (), audit: list[AccessRecord] | None = None) -> list[tuple]:
    """Read ``table`` as ``role`` through the masking policies, and append the read to ``audit``.

    ``where`` is a fixed condition written by the service (values bound through ``params``), never request text.
    """
    columns = tuple(validate_identifier(c, "column name") for c in columns)
    sql = masked_select(table, columns, role)
    if where:
        sql += f" WHERE {where}"
    with connected(connection) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if audit is not None:
        unmasked = UNMASKING_ROLE in roles_in_session(role)
        tagged = PHI_COLUMNS.get(_table(table), {})
        audit.append(AccessRecord(user, _role(role), _table(table), columns,
                                  () if unmasked else tuple(c for c in columns if c in tagged)))
    return rows


# -- grants: what a role can reach ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """One privilege on one object (``object_type`` TABLE, SCHEMA, ..., or ``FUTURE TABLES IN SCHEMA`` /
    ``ALL TABLES IN SCHEMA``), granted to ``grantee`` (``grantee_kind`` ROLE or USER); a role grant has
    ``privilege`` ``ROLE`` and the granted role as ``object_name``. ``grant_option``: the grantee may pass the
    privilege on."""

    privilege: str
    object_type: str
    object_name: str
    grantee_kind: str
    grantee: str
    grant_option: bool = False


_IDENT = r'(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QNAME = rf"{_IDENT}(?:\.{_IDENT})*"
_GRANT_ROLE = re.compile(rf"^GRANT\s+ROLE\s+(?P<role>{_IDENT})\s+TO\s+(?P<kind>ROLE|USER)\s+(?P<to>{_IDENT})$",
                         re.IGNORECASE)
_GRANT = re.compile(
    rf"^GRANT\s+(?P<privs>.+?)\s+ON\s+(?:(?P<bulk>FUTURE|ALL)\s+(?P<bulktype>TABLES|VIEWS)\s+IN\s+SCHEMA"
    rf"|(?P<type>WAREHOUSE|DATABASE|SCHEMA|TABLE|VIEW))\s+(?P<name>{_QNAME})"
    rf"\s+TO\s+(?P<kind>ROLE|USER)\s+(?P<to>{_IDENT})(?P<option>\s+WITH\s+GRANT\s+OPTION)?$", re.IGNORECASE)


def _name(text: str) -> str:
    """Snowflake's identifier rule: unquoted parts fold to upper case, quoted parts keep theirs."""
    return ".".join(p[1:-1] if p.startswith('"') else p.upper() for p in re.findall(_IDENT, text))


def parse_grants(statements: str | Iterable[str]) -> list[Grant]:
    """``GRANT`` statements (one string with ``;`` between them, or a list) as :class:`Grant` rows.

    A statement this reader does not know raises ``ValueError`` naming it: a grant set is checked, not guessed.
    """
    if isinstance(statements, str):
        statements = statements.split(";")
    grants = []
    for raw in statements:
        text = " ".join(re.sub(r"--[^\n]*", "", raw).split()).rstrip(";")
        if not text:
            continue
        if m := _GRANT_ROLE.match(text):
            grants.append(Grant("ROLE", "ROLE", _name(m["role"]), m["kind"].upper(), _name(m["to"])))
        elif m := _GRANT.match(text):
            kind = f"{m['bulk']} {m['bulktype']} IN SCHEMA".upper() if m["bulk"] else m["type"].upper()
            for priv in m["privs"].split(","):
                grants.append(Grant(" ".join(priv.upper().split()), kind, _name(m["name"]), m["kind"].upper(),
                                    _name(m["to"]), bool(m["option"])))
        else:
            raise ValueError(f"not a GRANT statement this checker reads: {text[:80]!r}")
    return grants


def effective_grants(grants: Iterable[Grant], role: str) -> set[Grant]:
    """The privileges ``role`` holds: its own and those of every role granted to it (transitively)."""
    grants = list(grants)
    below = {g.grantee: set() for g in grants}
    for g in grants:
        if g.privilege == "ROLE" and g.grantee_kind == "ROLE":
            below[g.grantee].add(g.object_name)
    roles = roles_in_session(role, below)
    return {g for g in grants if g.grantee_kind == "ROLE" and g.grantee in roles and g.privilege != "ROLE"}


# -- deletion requests ----------------------------------------------------------------------------------------

#: Every table that holds a client's rows, the source first, each with the expression of its client id.
#: The backend is the application's database: deleting there (the application's job in production) is what
#: stops the next load from bringing the client back.
DELETION_TARGETS: tuple[tuple[str, str], ...] = (
    ("BACKEND.PUBLIC.PAYMENTS", "CLIENT_ID"),
    ("BACKEND.PUBLIC.APPOINTMENTS", "CLIENT_ID"),
    ("BACKEND.PUBLIC.CLIENTS", "CLIENT_ID"),
    ("RAW.STAGING.RAW_APPOINTMENTS", "RAW_DATA:client_id::NUMBER"),
    ("ANALYTICS.STAGING.APPOINTMENTS", "CLIENT_ID"),
    ("ANALYTICS.MARTS.FCT_PAYMENTS", "CLIENT_ID"),
    ("ANALYTICS.MARTS.FCT_APPOINTMENTS", "CLIENT_ID"),
    ("ANALYTICS.MARTS.DIM_CLIENTS", "CLIENT_ID"),
)


def client_rows(connection: Any, client_id: int) -> dict[str, int]:
    """How many rows each deletion target holds for ``client_id``."""
    _client(client_id)
    with connected(connection) as conn, conn.cursor() as cur:
        counts = {}
        for table, key in DELETION_TARGETS:
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE {key} = %s", (client_id,))
            counts[table] = int(cur.fetchone()[0])
        return counts


def forget_client(connection: Any, client_id: int) -> dict[str, int]:
    """Delete one client's rows from every target; returns rows deleted per table.

    One transaction per database, the source first. Snowflake could take all of it in one transaction; the
    sim's DuckDB lets a transaction write to one attached database only. The request is idempotent, so a run
    that stopped half-way is finished by running it again (and :func:`client_rows` proves it done).
    """
    _client(client_id)
    deleted: dict[str, int] = {}
    databases = list(dict.fromkeys(table.split(".")[0] for table, _ in DELETION_TARGETS))
    with connected(connection) as conn, conn.cursor() as cur:
        for database in databases:
            cur.execute("BEGIN")
            try:
                for table, key in DELETION_TARGETS:
                    if table.startswith(f"{database}."):
                        cur.execute(f"DELETE FROM {table} WHERE {key} = %s", (client_id,))
                        deleted[table] = int(cur.fetchone()[0])
            except Exception:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
    return deleted


def _client(client_id: Any) -> None:
    if type(client_id) is not int or client_id <= 0:
        raise ValueError(f"client_id must be a positive integer, got {client_id!r}")


# -- what Snowflake runs (not the sim: it has no roles and no policies) ---------------------------------------

#: The role design and the policies, in Snowflake's SQL. Run by a security admin role, not by the pipeline.
GOVERNANCE_SQL = f"""-- functional roles (people and services) and access roles (privileges on objects)
CREATE ROLE IF NOT EXISTS ANALYST;
CREATE ROLE IF NOT EXISTS AR_MARTS_READ;
GRANT USAGE ON DATABASE ANALYTICS TO ROLE AR_MARTS_READ;
GRANT USAGE ON SCHEMA ANALYTICS.MARTS TO ROLE AR_MARTS_READ;
GRANT SELECT ON ALL TABLES IN SCHEMA ANALYTICS.MARTS TO ROLE AR_MARTS_READ;
GRANT SELECT ON FUTURE TABLES IN SCHEMA ANALYTICS.MARTS TO ROLE AR_MARTS_READ;
GRANT ROLE AR_MARTS_READ TO ROLE ANALYST;
-- the PHI tag, with one masking policy per data type
CREATE TAG IF NOT EXISTS ANALYTICS.GOVERNANCE.PHI ALLOWED_VALUES 'name', 'date';
CREATE MASKING POLICY IF NOT EXISTS ANALYTICS.GOVERNANCE.PHI_STRING AS (val STRING) RETURNS STRING ->
  {POLICY_BODIES['STRING']};
CREATE MASKING POLICY IF NOT EXISTS ANALYTICS.GOVERNANCE.PHI_DATE AS (val DATE) RETURNS DATE ->
  {POLICY_BODIES['DATE']};
ALTER TAG ANALYTICS.GOVERNANCE.PHI SET MASKING POLICY ANALYTICS.GOVERNANCE.PHI_STRING,
  MASKING POLICY ANALYTICS.GOVERNANCE.PHI_DATE;
ALTER TABLE ANALYTICS.MARTS.DIM_CLIENTS MODIFY COLUMN CLIENT_NAME SET TAG ANALYTICS.GOVERNANCE.PHI = 'name';
ALTER TABLE ANALYTICS.MARTS.DIM_CLIENTS MODIFY COLUMN CREATED_DATE SET TAG ANALYTICS.GOVERNANCE.PHI = 'date';
-- or a policy straight on one column (a column's own policy wins over the tag's)
ALTER TABLE ANALYTICS.MARTS.DIM_CLIENTS MODIFY COLUMN CLIENT_NAME
  SET MASKING POLICY ANALYTICS.GOVERNANCE.PHI_STRING;
-- the customer-facing table: each clinician's own rows (notebook 13)
CREATE ROW ACCESS POLICY IF NOT EXISTS ANALYTICS.CUSTOMER_METRICS.CLINICIAN_ROWS
  AS (ROW_CLINICIAN_ID NUMBER) RETURNS BOOLEAN ->
    IS_ROLE_IN_SESSION('TRANSFORMER')
    OR EXISTS (SELECT 1 FROM ANALYTICS.CUSTOMER_METRICS.CLINICIAN_ACCESS a
               WHERE a.USER_NAME = CURRENT_USER() AND a.CLINICIAN_ID = ROW_CLINICIAN_ID);
ALTER TABLE ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE
  ADD ROW ACCESS POLICY ANALYTICS.CUSTOMER_METRICS.CLINICIAN_ROWS ON (CLINICIAN_ID);
-- a secure view: its definition hidden from non-owners, no optimisation that could leak filtered rows
CREATE SECURE VIEW IF NOT EXISTS ANALYTICS.CUSTOMER_METRICS.CLINICIAN_RATES AS
  SELECT CLINICIAN_ID, MONTH, NO_SHOW_RATE FROM ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE;
-- keep changed and deleted PHI rows in Time Travel for 1 day, not up to 90
ALTER TABLE ANALYTICS.MARTS.DIM_CLIENTS SET DATA_RETENTION_TIME_IN_DAYS = 1"""

#: Who read the clients' names in the last 30 days (Enterprise Edition; Account Usage views lag behind).
ACCESS_HISTORY_SQL = """SELECT ah.QUERY_START_TIME, ah.USER_NAME, obj.value:objectName::STRING AS OBJECT_NAME
FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY ah,
     LATERAL FLATTEN(input => ah.BASE_OBJECTS_ACCESSED) obj,
     LATERAL FLATTEN(input => obj.value:columns) col
WHERE obj.value:objectName::STRING = 'ANALYTICS.MARTS.DIM_CLIENTS'
  AND col.value:columnName::STRING = 'CLIENT_NAME'
  AND ah.QUERY_START_TIME >= DATEADD('day', -30, CURRENT_TIMESTAMP())
ORDER BY ah.QUERY_START_TIME DESC"""
