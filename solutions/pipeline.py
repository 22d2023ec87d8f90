"""Scenario 1, the daily clinic-appointments pipeline: the task logic of the DAG clinic_appointments_pipeline.

    wait for the partner's "day closed" file in S3 -> extract the day from the partner API and land it
    -> dbt run -> (dbt test | Python quality checks) -> refresh the customer-facing pre-aggregate -> Slack

Every function takes the day it processes (the DAG passes the day before its logical date) and plain
arguments, so it runs the same in a test, a notebook or an Airflow task. :class:`PipelineConfig` collects
every endpoint from Airflow Variables / Connections (the sim sets them like a deployment would); pointing
the DAG at other endpoints (the sim in this process, served over loopback, or real systems) changes
configuration, not code.

Two kinds of failure, treated differently:

* **the data is wrong** (a dbt test fails, a quality check fails, the partner's count disagrees with what we
  extracted): :class:`DataProblem`. Retrying gives the same answer, so the DAG fails the task at once
  (``AirflowFailException``), alerts, and the customer-facing refresh does not run;
* **something is down** (an API, the warehouse, dbt crashed): an ordinary exception, which Airflow retries.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solutions import runtime
from solutions.days import as_date, iso_day
from solutions.dbt_runner import DbtRunner, DbtTestFailure, remote_release

DAG_ID = "clinic_appointments_pipeline"
READY_KEY = "partner/appointments/{day}/ready.json"
#: dbt selections, the way a team writes them on the command line
BUILD = ("staging", "marts")
CUSTOMER_FACING = ("customer_metrics",)

#: Airflow Variable -> default (the sim's endpoints, which stand for the real ones). Secrets have no default.
VARIABLES = {
    "partner_api_base_url": "https://api.partner.com/v1",
    "backend_api_base_url": "https://api.backend.com",
    "raw_bucket": "simplepractice-raw-data",
    "dbt_invocation_mode": "subprocess",  # or "dbt_runner": dbt's Python API in the task's process
    "dbt_warehouse_dir": None,  # no default: where the warehouse's DuckDB files are (the sim sets it)
    "dbt_work_dir": None,  # no default: where dbt keeps its profile, target/ and logs/ (the sim sets it)
    # the sim served by another process (python -m sim airflow) lends its DuckDB files to dbt over HTTP
    "warehouse_release_url": None,
}
SNOWFLAKE_CONN_ID = "snowflake_default"  # AIRFLOW_CONN_SNOWFLAKE_DEFAULT
AWS_CONN_ID = "aws_default"  # AIRFLOW_CONN_AWS_DEFAULT (endpoint_url in extra for an S3 other than AWS)


class DataProblem(RuntimeError):
    """The data is wrong, not the infrastructure: retrying cannot help. ``failures`` names each problem."""

    def __init__(self, message: str, failures: list[str]) -> None:
        super().__init__(message)
        self.failures = failures


# -- configuration -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineConfig:
    """Where everything is. ``from_airflow()`` reads Variables at task run time (never at DAG parse time)."""

    partner_api_base_url: str
    backend_api_base_url: str
    raw_bucket: str
    dbt_invocation_mode: str
    dbt_warehouse_dir: Path
    dbt_work_dir: Path
    warehouse_release_url: str | None = None

    @classmethod
    def from_airflow(cls) -> PipelineConfig:
        from airflow.sdk import Variable

        return cls.resolve({name: Variable.get(name, default=default) for name, default in VARIABLES.items()})

    @classmethod
    def resolve(cls, values: dict[str, Any]) -> PipelineConfig:
        """Fill what ``values`` leaves out from ``AIRFLOW_VAR_*`` (where Airflow reads Variables first; the sim
        sets them too), then the defaults; validate the invocation mode."""
        from_env = {name: os.environ.get(f"AIRFLOW_VAR_{name.upper()}") for name in VARIABLES}
        values = {**VARIABLES, **{k: v for k, v in from_env.items() if v is not None},
                  **{k: v for k, v in values.items() if v is not None}}
        for folder, what in (("dbt_warehouse_dir", "the folder of the warehouse's DuckDB files dbt builds into"),
                             ("dbt_work_dir", "the folder for dbt's profile, target/ and logs/")):
            if values[folder] is None:
                raise RuntimeError(f"set the {folder} Variable (AIRFLOW_VAR_{folder.upper()}): {what}")
        if values["dbt_invocation_mode"] not in ("subprocess", "dbt_runner"):
            raise ValueError(f"dbt_invocation_mode must be 'subprocess' or 'dbt_runner', "
                             f"got {values['dbt_invocation_mode']!r}")
        return cls(partner_api_base_url=values["partner_api_base_url"],
                   backend_api_base_url=values["backend_api_base_url"], raw_bucket=values["raw_bucket"],
                   dbt_invocation_mode=values["dbt_invocation_mode"],
                   dbt_warehouse_dir=Path(values["dbt_warehouse_dir"]),
                   dbt_work_dir=Path(values["dbt_work_dir"]),
                   warehouse_release_url=values["warehouse_release_url"])

    def dbt(self) -> DbtRunner:
        """The dbt runner for this configuration. Whoever holds the warehouse files lends them for each dbt
        call: this process (the sim in a notebook, a test, ``dag.test()``: :mod:`solutions.runtime`), or a
        process that serves them through ``warehouse_release_url``; with neither, nothing needs releasing."""
        release = runtime.warehouse_release(self.dbt_warehouse_dir)
        if release is None and self.warehouse_release_url:
            release = functools.partial(remote_release, self.warehouse_release_url)
        return DbtRunner(self.dbt_warehouse_dir, self.dbt_work_dir, release=release,
                         in_process=self.dbt_invocation_mode == "dbt_runner")


def partner_clock() -> Any:
    """The clock the partner API's rate limit runs on: the one this process lends (the sim's: real time, plus
    whatever is skipped by sleeping on it), else real time."""
    return runtime.clock()


# -- 1. the partner's "day closed" file ----------------------------------------------------------------------


def ready_key(day: dt.date | str) -> str:
    """The S3 key the partner writes when ``day`` is complete: ``{"day": ..., "appointments": n}``."""
    return READY_KEY.format(day=iso_day(day))


def ready_marker(day: dt.date | str, appointments: int) -> tuple[str, str]:
    """(key, body) of the partner's marker, for whoever plays the partner (a test, a notebook)."""
    return ready_key(day), json.dumps({"day": iso_day(day), "appointments": int(appointments)})


def read_marker(body: str | bytes, day: dt.date | str) -> int:
    """The partner's count from the marker; a marker for another day or without a count is a DataProblem."""
    try:
        marker = json.loads(body)
        count = int(marker["appointments"])
        same_day = marker["day"] == iso_day(day)
    except (ValueError, KeyError, TypeError) as error:
        raise DataProblem(f"{iso_day(day)}: unreadable ready marker ({error})",
                          ["ready marker unreadable"]) from None
    if not same_day:
        raise DataProblem(f"{iso_day(day)}: the ready marker is for {marker['day']}",
                          ["ready marker for another day"])
    return count


# -- 2. extract and land -------------------------------------------------------------------------------------


def extract_and_land(day: dt.date | str, *, token: str, connect: Callable[[], Any],
                     expected: int | None = None, base_url: str = VARIABLES["partner_api_base_url"],
                     clock: Any = None) -> dict[str, Any]:
    """Extract ``day`` from the partner API (paged, throttled, retried, de-duplicated) and replace that day in
    ``RAW.STAGING.PARTNER_APPOINTMENTS`` (bulk, idempotent). ``expected``: the count the partner declared in
    its marker; extracting a different number of unique appointments is a DataProblem (a contract check)."""
    from solutions.extraction import PartnerExtractor, RetryPolicy
    from solutions.landing import land_day

    day = iso_day(day)
    extractor = PartnerExtractor(token, base_url=base_url, clock=clock or partner_clock(),
                                 policy=RetryPolicy(seed=0))
    extraction = extractor.extract(day, day)
    records = extraction.records
    if expected is not None and len(records) != expected:
        problem = f"partner declared {expected} appointments, the API served {len(records)} unique ones"
        raise DataProblem(f"{day}: {problem}", [problem])
    if not records:
        raise DataProblem(f"{day}: the partner API returned no appointments", ["no appointments"])
    with closing(connect()) as conn:
        landed = land_day(conn, day, records)
    metrics = extraction.metrics
    return {"day": day, "records": len(records), "duplicates_dropped": metrics.duplicates_dropped,
            "pages": metrics.pages, "retries": metrics.retries, "landed": landed.inserted,
            "replaced": landed.replaced}


# -- 3. dbt --------------------------------------------------------------------------------------------------


def dbt_run(day: dt.date | str, runner: DbtRunner) -> dict[str, Any]:
    """``dbt run --select staging marts --vars '{"day": ...}'``: staging views, dimensions, the fact's day."""
    result = runner.invoke("run", "--select", *BUILD, day=iso_day(day))
    print(result.summary())
    return result.raise_for_status().to_dict()


def dbt_test(day: dt.date | str, runner: DbtRunner) -> dict[str, Any]:
    """``dbt test --select staging marts``: failing tests are a DataProblem naming them."""
    result = runner.invoke("test", "--select", *BUILD, day=iso_day(day))
    print(result.summary())
    try:
        result.raise_for_status()
    except DbtTestFailure:
        failures = [n.describe() for n in result.nodes if n.failed]
        raise DataProblem(f"{iso_day(day)}: dbt tests failed: {', '.join(failures)}", failures) from None
    return result.to_dict()


def refresh_customer_metrics(day: dt.date | str, runner: DbtRunner) -> dict[str, Any]:
    """``dbt build --select customer_metrics``: rebuild the customer-facing pre-aggregate and test it."""
    result = runner.invoke("build", "--select", *CUSTOMER_FACING, day=iso_day(day))
    print(result.summary())
    try:
        return result.raise_for_status().to_dict()
    except DbtTestFailure:
        failures = [n.describe() for n in result.nodes if n.failed]
        raise DataProblem(f"{iso_day(day)}: customer metrics failed their tests: {', '.join(failures)}",
                          failures) from None


# -- 4. Python quality checks --------------------------------------------------------------------------------


def quality_checks(day: dt.date | str, *, connect: Callable[[], Any],
                   backend_base_url: str = VARIABLES["backend_api_base_url"]) -> dict[str, Any]:
    """The checks dbt cannot express, next to the ones it can (``solutions.quality.run_quality_checks``):

    * a volume anomaly (the day's row count against the previous two weeks; a warning, see the checker);
    * a cross-system check: the day's completed appointments in the warehouse against the number of
      payments the backend's billing API reports for the day (one payment per completed appointment).

    Returns the report (plain JSON); raises :class:`DataProblem` naming every failure.
    """
    from solutions.quality import run_quality_checks
    from solutions.reconciliation import BackendClient

    day_date = as_date(day)
    with closing(connect()) as conn:
        report = run_quality_checks(conn, day_date, raise_on_failure=False)
        with closing(conn.cursor()) as cur:
            cur.execute("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS "
                        "WHERE APPOINTMENT_DATE = %s AND STATUS = 'completed'", (day_date,))
            completed = int(cur.fetchone()[0])
    payments = BackendClient(backend_base_url).revenue(day_date).payment_count
    cross = {"check": "completed_vs_backend_payments", "warehouse_completed": completed,
             "backend_payments": payments, "passed": completed == payments}
    report["cross_system"] = cross
    failures = list(report["failures"])
    if not cross["passed"]:
        failures.append(f"fct_appointments [{day_date}]: {completed} completed appointments, "
                        f"the backend billed {payments}")
    warnings = report["warnings"]
    print(f"{len(report['results']) + 1} checks, {len(failures)} failed, {len(warnings)} "
          f"warning{'' if len(warnings) == 1 else 's'}")
    for line in failures:
        print(f"  failed: {line}")
    for line in warnings:
        print(f"  warning: {line}")
    if failures:
        raise DataProblem(f"{day_date}: quality checks failed:\n" + "\n".join(failures), failures)
    return {"day": day_date.isoformat(), "checks": len(report["results"]) + 1, "warnings": report["warnings"],
            "cross_system": cross}


# -- 5. the message ------------------------------------------------------------------------------------------


def success_text(day: dt.date | str, extract: dict[str, Any], build: dict[str, Any], tests: dict[str, Any],
                 checks: dict[str, Any], refresh: dict[str, Any]) -> str:
    def n(counts: dict[str, int], *keys: str) -> int:
        return sum(counts.get(k, 0) for k in keys)

    return (f"{DAG_ID} {iso_day(day)}: OK. {extract['records']} appointments landed; dbt built "
            f"{n(build['counts'], 'success')} models, {n(tests['counts'], 'pass')} tests passed; "
            f"{checks['checks']} quality checks passed ({len(checks['warnings'])} warnings); "
            f"customer metrics refreshed ({n(refresh['counts'], 'pass')} tests passed).")


def deadline_missed(context: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Airflow 3's answer to SLAs (removed in 3.0): a Deadline Alert callback, called when a run is not
    finished by its deadline (the DAG's ``deadline=DeadlineAlert(...)``). Posts who is late and since when."""
    from airflow.sdk import Variable

    from solutions.alerting import post_alert

    run = (context or {}).get("dag_run") or {}
    deadline = (context or {}).get("deadline") or {}
    text = (f"LATE {run.get('dag_id', DAG_ID)} {run.get('run_id', '')}: not finished by its deadline "
            f"({deadline.get('deadline_time', 'unknown')}); "
            "the customer-facing numbers are not refreshed yet")
    post_alert(text, Variable.get("slack_webhook_url"))


# -- helpers -------------------------------------------------------------------------------------------------



def marts_fingerprint(connect: Callable[[], Any], tables: tuple[str, ...] = (
        "ANALYTICS.MARTS.DIM_CLIENTS", "ANALYTICS.MARTS.DIM_CLINICIANS", "ANALYTICS.MARTS.FCT_APPOINTMENTS",
        "ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE")) -> dict[str, tuple[int, str]]:
    """(rows, content hash) per table: equal fingerprints after two runs of a day = the run is idempotent.

    The hash is over the rows sorted, so it ignores physical order; it changes if any value changes.
    """
    import hashlib

    from solutions.sql import quote_table

    out: dict[str, tuple[int, str]] = {}
    with closing(connect()) as conn, closing(conn.cursor()) as cur:
        for table in tables:
            cur.execute(f"SELECT * FROM {quote_table(table)}")
            rows = sorted(repr(row) for row in cur.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
            out[table] = (len(rows), digest)
    return out
