"""The reliability matrix: where each property is proven, and the injection corpus across all of solutions/.

Most of the matrix lives next to the code it tests; :data:`MATRIX` points at those tests and
``test_the_matrix_points_at_real_tests`` keeps the pointers honest. What is only here is cross-cutting:

**Every identifier parameter in solutions/ refuses every injection payload.** Table and column names cannot be
bound parameters, so any public function that takes one (``table``, ``column``, ``key_columns``,
``date_column``, ``schema``...) must validate it before it reaches an f-string. The functions are found by
introspection of signatures, not by a list someone keeps: a new function with such a parameter fails
``test_every_identifier_parameter_is_accounted_for`` until :data:`COVERAGE` says how it is covered:

* ``Elsewhere(test)``: a test in its module's own test file runs the corpus (``tests/solutions/test_sql.py``'s
  ``INJECTIONS``) through it; the reference is checked to exist;
* ``Here(call, valid)``: run here, every payload, against a connection that records statements: each must
  raise ``ValueError("invalid ...")`` before a single statement is executed; the same call with a valid name
  must get as far as SQL (so the refusal comes from validation, not from some other error);
* ``NotSQL(why)``: the parameter is not an SQL identifier (a dictionary key, an S3 key, a label in a result).
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import importlib.util
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from payloads import INJECTIONS

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2025, 9, 30)

# -- the matrix ----------------------------------------------------------------------------------------------

MATRIX = {
    "re-running the pipeline for the same logical date leaves identical marts":
        ["tests/solutions/test_pipeline_dag.py::test_rerunning_the_clean_day_leaves_the_marts_identical"],
    "the extractor loses and duplicates nothing: every fault kind x first/middle/last page x both modes":
        ["tests/solutions/test_extraction_reliability.py::test_no_record_lost_or_duplicated"],
    "re-landing a day leaves exactly one copy of each record, a failed load rolls back":
        ["tests/solutions/test_landing.py::test_a_rerun_leaves_exactly_one_copy_per_appointment",
         "tests/solutions/test_landing.py::test_a_failed_load_rolls_back_and_keeps_the_previous_copy"],
    "no identifier payload reaches the warehouse, in any function of solutions/":
        ["tests/solutions/test_sql.py::test_anything_else_is_rejected",
         "tests/solutions/test_quality.py::test_no_identifier_payload_reaches_the_warehouse",
         "tests/solutions/test_landing.py::test_table_names_cannot_inject_sql",
         "tests/project/test_reliability.py::test_every_identifier_parameter_is_accounted_for",
         "tests/project/test_reliability.py::test_identifier_payloads_are_refused_before_any_sql"],
    "no credential literal in any tracked file":
        ["tests/project/test_secret_scan.py::test_no_tracked_file_holds_a_credential"],
    "kill -9 of a quiz mid-session loses no answered review":
        ["tests/flashcards/test_flashcards_cli.py::test_killed_process_loses_nothing_already_answered"],
}


def _names_in(path: Path) -> set[str]:
    """Top-level function names and the keys of top-level dict literals (``CALLS = {...}``) of a test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    keys = [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
                    names |= {f"{target.id}[{key}]" for key in keys}
    return names


def _exists(reference: str) -> bool:
    path, _, name = reference.partition("::")
    return (ROOT / path).is_file() and name in _names_in(ROOT / path)


def test_the_matrix_points_at_real_tests():
    missing = [ref for refs in MATRIX.values() for ref in refs if not _exists(ref)]
    assert not missing, f"the reliability matrix points at tests that do not exist: {missing}"


# -- finding every identifier parameter ----------------------------------------------------------------------

#: table, column, schema, database, key, identifier, optionally with a prefix (child_key, date_column), a
#: plural or a _name/_columns suffix (table_name, key_columns). Plain ``name`` is too general to mean one.
IDENTIFIER = re.compile(r"^(?:\w+_)?(?:table|column|schema|database|key|identifier)s?(?:_names?|_columns?)?$")


def _public_callables(module: Any) -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                member = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
                if inspect.isfunction(member) and (attr == "__init__" or not attr.startswith("_")):
                    found.append((f"{name}.{attr}", member))
    return found


def discover() -> set[str]:
    """``module:qualname(parameter)`` for every identifier-like parameter of every public function and method
    (constructors included) defined in a module of the ``solutions`` package or of ``exercises`` (whose
    reference answers take table and column names too)."""
    import exercises
    import solutions

    found = set()
    modules = [*pkgutil.walk_packages(solutions.__path__, "solutions."),
               *pkgutil.walk_packages(exercises.__path__, "exercises.")]
    for info in modules:
        module = importlib.import_module(info.name)
        for qualname, fn in _public_callables(module):
            for parameter in inspect.signature(fn).parameters:
                if IDENTIFIER.match(parameter):
                    found.add(f"{info.name}:{qualname}({parameter})")
    return found


# -- how each one is covered ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Elsewhere:
    test: str  # "tests/test_x.py::test_name" or "tests/test_x.py::CALLS[key]"


@dataclass(frozen=True)
class Here:
    call: Callable[[Any, Any], Any]  # (spy connection, the identifier under test) -> call the function
    valid: Any = "fct_appointments"


@dataclass(frozen=True)
class NotSQL:
    why: str


class SpyCursor:
    def __init__(self, statements: list[str]) -> None:
        self.statements = statements
        self.description = None

    def execute(self, sql: str, params: Any = None) -> SpyCursor:
        self.statements.append(sql)
        return self

    def fetchone(self) -> tuple[Any, ...]:
        return (Decimal("0"), 0)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return []

    def close(self) -> None:
        pass

    def __enter__(self) -> SpyCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class Spy:
    """A DB-API connection that executes nothing and remembers every statement it was given."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def cursor(self) -> SpyCursor:
        return SpyCursor(self.statements)

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


class StubBackend:
    """The backend API's answers for ``reconcile`` (it asks for the source total before the warehouse)."""

    def revenue(self, day: dt.date) -> Any:
        from solutions.reconciliation import SourceRevenue

        return SourceRevenue(day, Decimal("0"), 0, "USD")

    def payments(self, day: dt.date) -> list[Any]:
        return []


def _landing() -> Any:
    import solutions.landing as landing

    return landing


def _quality() -> Any:
    import solutions.quality as quality

    return quality


def _recon() -> Any:
    import solutions.reconciliation as recon

    return recon


def _exercises() -> Any:
    import exercises.quality as exercises

    return exercises


class SpyWarehouse:
    """``sim``'s warehouse as the notebook helpers use it (``warehouse.duckdb().execute(sql, params)``), recording
    statements in a ``Spy`` and answering each with one row of zeros."""

    def __init__(self, spy: Spy) -> None:
        self.statements = spy.statements

    def duckdb(self) -> SpyWarehouse:
        return self

    def execute(self, sql: str, params: Any = None) -> SpyWarehouse:
        self.statements.append(sql)
        return self

    def fetchall(self) -> list[tuple]:
        return [(0, 0, 0, 0, 0, 0)]


def _changing_data_call(name: str, param: str) -> Callable[[Any, Any], Any]:
    """Call ``exercises.changing_data.<name>`` with ``param`` (table or schema) under test, the other valid."""
    def call(spy: Any, x: Any) -> Any:
        fn = getattr(importlib.import_module("exercises.changing_data"), name)
        names = {"table": "fct_appointments", "schema": "incremental", param: x}
        extra = ("run-1",) if name == "rows_written" else ()
        return fn(SpyWarehouse(spy), names["table"], *extra, schema=names["schema"])
    return call


AS_OF, MAX_AGE = dt.datetime(2025, 10, 1), dt.timedelta(days=1)
CALLS = "tests/solutions/test_quality.py::CALLS"
QC = "solutions.quality:QualityChecker."
RESULT_LABEL = "the table's name as a label in a check's result message (its SQL was validated before)"

COVERAGE: dict[str, Elsewhere | Here | NotSQL] = {
    # -- solutions.quality: the checker's own corpus test (tests/solutions/test_quality.py, CALLS x INJECTIONS) --
    f"{QC}__init__(keys)": Elsewhere(f"{CALLS}[keys.table]"),
    f"{QC}check_row_count(table)": Elsewhere(f"{CALLS}[row_count.table]"),
    f"{QC}check_null_percentage(table)": Elsewhere(f"{CALLS}[null.table]"),
    f"{QC}check_null_percentage(column)": Elsewhere(f"{CALLS}[null.column]"),
    f"{QC}check_date_range(table)": Elsewhere(f"{CALLS}[date_range.table]"),
    f"{QC}check_date_range(date_column)": Elsewhere(f"{CALLS}[date_range.column]"),
    f"{QC}check_accepted_values(table)": Elsewhere(f"{CALLS}[accepted.table]"),
    f"{QC}check_accepted_values(column)": Elsewhere(f"{CALLS}[accepted.column]"),
    f"{QC}check_freshness(table)": Elsewhere(f"{CALLS}[freshness.table]"),
    f"{QC}check_freshness(column)": Elsewhere(f"{CALLS}[freshness.column]"),
    f"{QC}scan(table)": Elsewhere(f"{CALLS}[scan.table]"),
    f"{QC}check_referential_integrity(child_table)": Elsewhere(f"{CALLS}[ri.child_table]"),
    f"{QC}check_referential_integrity(child_key)": Elsewhere(f"{CALLS}[ri.child_key]"),
    f"{QC}check_referential_integrity(parent_table)": Elsewhere(f"{CALLS}[ri.parent_table]"),
    f"{QC}check_referential_integrity(parent_key)": Elsewhere(f"{CALLS}[ri.parent_key]"),
    f"{QC}check_duplicate_keys(table)": Elsewhere(f"{CALLS}[dupes.table]"),
    f"{QC}check_duplicate_keys(key_columns)": Elsewhere(f"{CALLS}[dupes.key_columns]"),
    f"{QC}check_schema(table)": Elsewhere(f"{CALLS}[schema.table]"),
    f"{QC}check_volume_anomaly(table)": Elsewhere(f"{CALLS}[volume.table]"),
    f"{QC}check_volume_anomaly(date_column)": Elsewhere(f"{CALLS}[volume.date_column]"),
    f"{QC}scan_sql(table)": Here(
        lambda spy, x: _quality().QualityChecker(spy).scan_sql(x, [_quality().RowCount(1)])),
    # -- solutions.quality_rules: rules validate their column when built; the checks that build them run it --
    "solutions.quality_rules:Where.__init__(column)": Elsewhere(f"{CALLS}[where.column]"),
    "solutions.quality_rules:NullPercentage.__init__(column)": Elsewhere(f"{CALLS}[scan.rule_column]"),
    "solutions.quality_rules:DateRange.__init__(column)": Elsewhere(f"{CALLS}[date_range.column]"),
    "solutions.quality_rules:AcceptedValues.__init__(column)": Elsewhere(f"{CALLS}[accepted.column]"),
    "solutions.quality_rules:Freshness.__init__(column)": Elsewhere(f"{CALLS}[freshness.column]"),
    "solutions.quality_rules:CheckResult.__init__(table)": NotSQL("a label in a check's result"),
    "solutions.quality_rules:CheckResult.__init__(column)": NotSQL("a label in a check's result"),
    "solutions.quality_rules:RowCount.judge(table)": NotSQL(RESULT_LABEL),
    "solutions.quality_rules:NullPercentage.judge(table)": NotSQL(RESULT_LABEL),
    "solutions.quality_rules:DateRange.judge(table)": NotSQL(RESULT_LABEL),
    "solutions.quality_rules:AcceptedValues.judge(table)": NotSQL(RESULT_LABEL),
    "solutions.quality_rules:Freshness.judge(table)": NotSQL(RESULT_LABEL),
    # -- solutions.landing --
    "solutions.landing:land_day(table)": Elsewhere(
        "tests/solutions/test_landing.py::test_table_names_cannot_inject_sql"),
    "solutions.landing:create_table_sql(table)": Here(lambda spy, x: _landing().create_table_sql(x)),
    "solutions.landing:day_counts(table)": Here(lambda spy, x: _landing().day_counts(spy, x)),
    "solutions.landing:LandingResult.__init__(table)": NotSQL("the landed table's quoted name, reported"),
    # -- solutions.reconciliation --
    "solutions.reconciliation:warehouse_revenue(table)": Here(
        lambda spy, x: _recon().warehouse_revenue(spy, DAY, table=x)),
    "solutions.reconciliation:warehouse_payments(table)": Here(
        lambda spy, x: _recon().warehouse_payments(spy, DAY, table=x)),
    "solutions.reconciliation:reconcile(table)": Here(
        lambda spy, x: _recon().reconcile(DAY, connection=spy, client=StubBackend(), table=x)),
    # -- solutions.validation --
    "solutions.validation:validate_appointments(table)": Here(
        lambda spy, x: importlib.import_module("solutions.validation").validate_appointments(
            DAY, lambda: spy, table=x)),
    # -- solutions.pipeline --
    "solutions.pipeline:marts_fingerprint(tables)": Here(
        lambda spy, x: importlib.import_module("solutions.pipeline").marts_fingerprint(lambda: spy, (x,))),
    "exercises.grading:run_on_duckdb(tables)": Elsewhere("tests/exercises/test_grading.py::test_table_names_cannot_inject_sql"),
    # -- the exercises' reference answers (their graders try one payload each; the corpus runs here) --
    "exercises.quality:check_freshness(table)": Here(
        lambda spy, x: _exercises().check_freshness(spy.cursor(), x, "appointment_ts", AS_OF, MAX_AGE)),
    "exercises.quality:check_freshness(column)": Here(
        lambda spy, x: _exercises().check_freshness(spy.cursor(), "fct_appointments", x, AS_OF, MAX_AGE),
        "appointment_ts"),
    "exercises.quality:count_unaccepted(table)": Here(
        lambda spy, x: _exercises().count_unaccepted(spy.cursor(), x, "status", ["completed"])),
    "exercises.quality:count_unaccepted(column)": Here(
        lambda spy, x: _exercises().count_unaccepted(spy.cursor(), "fct_appointments", x, ["completed"]),
        "status"),
    "exercises.quality:null_percentage(table)": Here(
        lambda spy, x: _exercises().null_percentage(spy.cursor(), x, "client_id", "appointment_date", DAY)),
    "exercises.quality:null_percentage(column)": Here(
        lambda spy, x: _exercises().null_percentage(spy.cursor(), "fct_appointments", x, "appointment_date",
                                                    DAY),
        "client_id"),
    "exercises.quality:null_percentage(date_column)": Here(
        lambda spy, x: _exercises().null_percentage(spy.cursor(), "fct_appointments", "client_id", x, DAY),
        "appointment_date"),
    "exercises.pipeline:day_fingerprint(table)": Here(
        lambda spy, x: importlib.import_module("exercises.pipeline").day_fingerprint(
            spy.cursor(), x, "appointment_date", DAY)),
    "exercises.pipeline:day_fingerprint(date_column)": Here(
        lambda spy, x: importlib.import_module("exercises.pipeline").day_fingerprint(
            spy.cursor(), "fct_appointments", x, DAY), "appointment_date"),
    "exercises.cdc:restore_sql(table)": Here(
        lambda spy, x: importlib.import_module("exercises.cdc").restore_sql(x, "01bd2f6e-0000-7a1c-0000-0001")),
    "solutions.cdc:ChangeStream.__init__(table)": Here(
        lambda spy, x: importlib.import_module("solutions.cdc").ChangeStream("feed", x).pending(spy.cursor())),
    **{f"exercises.changing_data:{name}({param})": Here(_changing_data_call(name, param))
       for name in ("score", "rows_written", "content_hash") for param in ("table", "schema")},
    "solutions.phi:masked_select(table)": Elsewhere("tests/solutions/test_phi.py::CALLS[masked_select.table]"),
    "solutions.phi:masked_select(columns)": Elsewhere("tests/solutions/test_phi.py::CALLS[masked_select.columns]"),
    "solutions.phi:read_as(table)": Elsewhere("tests/solutions/test_phi.py::CALLS[read_as.table]"),
    "solutions.phi:read_as(columns)": Elsewhere("tests/solutions/test_phi.py::CALLS[read_as.columns]"),
    "solutions.phi:bind_session(column)": Elsewhere("tests/solutions/test_phi.py::CALLS[bind_session.column]"),
    "solutions.phi:AccessRecord.__init__(table)": NotSQL("a label in the audit record (read_as validated it first)"),
    "solutions.phi:AccessRecord.__init__(columns)": NotSQL("labels in the audit record (read_as validated them)"),
    # -- parameters named like identifiers that never reach SQL --
    "exercises.incremental:apply_changes(table)": NotSQL("the replica as a dictionary of records by key"),
    "solutions.extraction:dedupe(key)": NotSQL("the dictionary key records are deduplicated by"),
    "solutions.dags.wait_for_appointments_file:process_appointments(key)": NotSQL("an S3 object key"),
    "solutions.customer_metrics:SessionVerifier.__init__(key)": NotSQL("the HMAC signing key (bytes)"),
    "solutions.customer_serving:RatesCache.get(key)": NotSQL("an in-memory cache key"),
    "solutions.customer_serving:RatesCache.put(key)": NotSQL("an in-memory cache key"),
    "exercises.xcom:FakeTaskInstance.xcom_pull(key)": NotSQL("an XCom key"),
    "exercises.xcom:FakeTaskInstance.xcom_push(key)": NotSQL("an XCom key"),
}


@pytest.fixture(scope="module")
def discovered():
    return discover()


def test_every_identifier_parameter_is_accounted_for(discovered):
    missing = sorted(discovered - set(COVERAGE))
    assert not missing, (
        "public functions in solutions/ take an identifier-like parameter that no injection test covers; add "
        "each to COVERAGE in tests/project/test_reliability.py (Here: run the corpus; Elsewhere: point at the test "
        "that does; NotSQL: say why it never reaches SQL):\n  " + "\n  ".join(missing))


def test_coverage_lists_only_parameters_that_exist(discovered):
    assert len(discovered) >= 40  # discovery works (it found the checker's parameters, the landing's...)
    stale = sorted(key for key in COVERAGE if key not in discovered and _module_exists(key.split(":")[0]))
    assert not stale, f"COVERAGE names parameters that no longer exist: {stale}"


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def test_elsewhere_references_exist():
    missing = [f"{key} -> {c.test}" for key, c in COVERAGE.items()
               if isinstance(c, Elsewhere) and not _exists(c.test)]
    assert not missing, f"these injection tests do not exist: {missing}"
    assert all(c.why for c in COVERAGE.values() if isinstance(c, NotSQL))


HERE = sorted(key for key, c in COVERAGE.items() if isinstance(c, Here))


def test_there_are_enough_payloads():
    assert len(INJECTIONS) >= 20


def problems(entry: Here, label: str) -> list[str]:
    """What is wrong with how ``entry`` handles identifiers: [] when every payload is refused before any SQL
    and a valid name gets as far as SQL naming it."""
    found = []
    control = Spy()  # a valid name gets as far as SQL: the refusals below come from validation
    result = None
    try:
        result = entry.call(control, entry.valid)
    except ValueError as error:
        if "invalid" in str(error):
            found.append(f"{label}: the valid name {entry.valid!r} was refused: {error}")
    except Exception:  # noqa: BLE001, S110 - the spy's dummy rows may upset what comes after the SQL
        pass
    quoted = f'"{entry.valid.upper()}"'
    if not (any(quoted in sql for sql in control.statements) or quoted in str(result)):
        found.append(f"{label}: no SQL naming {quoted} for a valid name")
    for payload in INJECTIONS:
        spy = Spy()
        try:
            entry.call(spy, payload)
        except ValueError as error:
            if "invalid" not in str(error):
                found.append(f"{label}: {payload!r} raised ValueError without saying it is invalid: {error}")
        except Exception as error:  # noqa: BLE001 - reported
            found.append(f"{label}: {payload!r} raised {type(error).__name__} instead of ValueError: {error}")
        else:
            found.append(f"{label}: {payload!r} was accepted")
        if spy.statements:
            found.append(f"{label}: {payload!r} reached the connection: {spy.statements}")
    return found


@pytest.mark.parametrize("key", HERE)
def test_identifier_payloads_are_refused_before_any_sql(key):
    if not _module_exists(key.split(":")[0]):
        pytest.skip(f"{key.split(':')[0]} is not in this checkout")
    entry = COVERAGE[key]
    assert isinstance(entry, Here)
    assert problems(entry, key) == []


# -- the harness itself catches what it is for ---------------------------------------------------------------


def test_an_unsafe_function_fails_the_harness():
    def syllabus_row_count(conn, table):  # the syllabus's check_row_count, reduced to its SQL
        conn.cursor().execute(f"SELECT COUNT(*) FROM {table}")

    def late_validation(conn, table):  # validates, but only after a statement already ran
        from solutions.sql import quote_table

        conn.cursor().execute("USE SCHEMA ANALYTICS.MARTS")
        conn.cursor().execute(f"SELECT COUNT(*) FROM {quote_table(table)}")

    unsafe = problems(Here(syllabus_row_count), "syllabus")
    assert any("was accepted" in p for p in unsafe) and any("reached the connection" in p for p in unsafe)
    assert any("reached the connection" in p for p in problems(Here(late_validation), "late"))


def test_discovery_finds_identifier_parameters_by_signature():
    import types

    module = types.ModuleType("solutions.example")
    exec(  # noqa: S102 - a fixed snippet standing in for a future module
        "def load(conn, table_name): ...\n"
        "def columns_of(conn, schema, key_columns=()): ...\n"
        "def greet(name): ...\n"
        "class Exporter:\n"
        "    def __init__(self, target_table): ...\n"
        "    def export(self, date_column, day): ...\n"
        "    def _private(self, table): ...\n",
        module.__dict__)
    found = {f"{q}({p})" for q, fn in _public_callables(module) for p in inspect.signature(fn).parameters
             if IDENTIFIER.match(p)}
    assert found == {"load(table_name)", "columns_of(schema)", "columns_of(key_columns)",
                     "Exporter.__init__(target_table)", "Exporter.export(date_column)"}
