"""The simulated world in one object: warehouse + data, S3, partner API, backend API, Slack, Airflow runner.

    import sim
    world = sim.start()                 # or: with sim.running(defects={...}) as world: ...
    world.warehouse.query("SELECT COUNT(*) FROM fct_appointments")
    world.run_dag("daily_appointments_pipeline", "2025-10-01")
    sim.stop()

While a world is running, in this process:

* ``snowflake.connector.connect(...)`` with any arguments reaches the simulated warehouse (fakesnow);
* boto3 (and so Airflow's S3 hook and sensor) reaches moto's S3, bucket ``simplepractice-raw-data``;
* ``requests`` to ``https://api.partner.com/v1``, ``https://api.backend.com`` and the Slack webhook reach the
  fakes; any other URL fails fast instead of leaving the machine;
* secrets exist only as environment variables, the way Airflow reads them: ``AIRFLOW_VAR_PARTNER_API_KEY``,
  ``AIRFLOW_VAR_SNOWFLAKE_PASSWORD``, ``AIRFLOW_VAR_SLACK_WEBHOOK_URL``, ``AIRFLOW_CONN_SNOWFLAKE_DEFAULT``.
  They are random per run and never printed;
* the settings the kit's DAGs read as Variables say where this world keeps things
  (``AIRFLOW_VAR_DBT_WAREHOUSE_DIR``, ``AIRFLOW_VAR_DBT_WORK_DIR``), and the world lends the production
  code its clock and its warehouse files (``solutions.runtime``).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from sim import data
from sim.backend_api import BackendRevenueAPI
from sim.clock import WorldClock
from sim.fivetran import fivetran_env
from sim.partner_api import PartnerSchedulingAPI
from sim.paths import reap_stale, state_dir
from sim.s3 import S3
from sim.slack import SlackWebhook
from sim.systems import Systems, build
from sim.warehouse import Warehouse
from solutions import runtime
from solutions.clock import Clock

_current: World | None = None


@dataclass
class World(Systems):
    """Handles on every simulated system (``Systems``: warehouse, manifest, partner, backend, slack, clock),
    plus S3, the run folder and the Airflow runner. Create it with ``sim.start()``."""

    run_dir: Path
    s3: S3
    _stack: ExitStack = field(repr=False)
    _runner: Any = field(default=None, repr=False)
    #: the ``responses`` mock every fake is mounted on (``add_passthru`` lets a loopback URL through)
    http_mock: Any = field(default=None, repr=False)

    @property
    def airflow(self) -> Any:
        """The Airflow runner (imported on first use: Airflow takes a few seconds to import)."""
        if self._runner is None:
            from sim.runner import AirflowRunner

            self._runner = AirflowRunner.shared()
        return self._runner

    def run_dag(self, dag: Any, logical_date: Any, **kwargs: Any) -> Any:
        """Run a DAG (id, file or object) for one logical date with ``dag.test()``; returns a ``RunSummary``."""
        return self.airflow.run(dag, logical_date, **kwargs)

    def stop(self) -> None:
        """Stop this world and delete its folder (only its own: another world's is never touched)."""
        global _current
        secrets = [os.environ.get(name, "") for name in _SECRET_NAMES]
        self._stack.close()
        if "sim.runner" in sys.modules:  # Airflow ran in this process: its log keeps no secret of this world
            sys.modules["sim.runner"].scrub_logs(secrets)
        if _current is self:
            _current = None


def start(
    *,
    seed: int = 7,
    appointments: int = data.APPOINTMENTS,
    defects: dict[str, Any] | None = None,
    defect_day: dt.date | str | None = None,
    start_date: dt.date | str = data.START,
    days: int = data.DAYS,
    requests_per_second: float = 5.0,
    clock: Clock | None = None,
    state: str | os.PathLike | None = None,
    history: bool | dict[str, float] | None = None,
) -> World:
    """Start the whole sim (stopping a world this process started before) and return it.

    The warehouse lives in a fresh folder per world under the state directory, so two notebooks can run
    at once, and is deleted by ``stop()`` (or at interpreter exit). ``clock``: what the fakes tell time by;
    default a ``WorldClock`` (real time, plus anything skipped with ``world.clock.sleep``/``advance``), or
    ``FakeClock()`` for time that moves only when something sleeps on it (reproducible to the digit).
    Dates may be ``date`` objects or ISO strings; a bad argument is a ``ValueError`` naming it.
    ``history``: True (default rates) or ``{kind: rate}`` gives the source a change history after the fact
    (``sim.history``: ``world.history``, ``UPDATED_AT`` columns, the partner's ``updated_since`` feed); off by
    default, so the source is exactly what ``sim.data`` generates.
    """
    global _current
    if history:
        from sim.history import validate_rates

        validate_rates(None if history is True else history)
    seed, start_date, defect_day, defects = data.validate_knobs(
        seed=seed, appointments=appointments, start=start_date, days=days, defects=defects,
        defect_day=defect_day)
    if _current is not None:
        _current.stop()
    reap_stale(state_dir(state), "run-*", "airflow-*")
    # a folder of its own per world (run-<pid>-<random>): a stale handle's stop() cannot delete a newer world
    run_dir = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=state_dir(state)))
    clock = clock or WorldClock()
    stack = ExitStack()
    stack.callback(shutil.rmtree, run_dir, ignore_errors=True)  # runs last: a failed start leaves nothing
    try:
        systems = build(run_dir, stack, clock=clock, slack_url=_webhook_url(),
                        requests_per_second=requests_per_second, seed=seed, appointments=appointments,
                        defects=defects, defect_day=defect_day, start=start_date, days=days, history=history)
        s3 = S3()
        stack.callback(s3.stop)
        s3.start()
        http_mock = _mount_http(stack, systems.partner, systems.backend, systems.slack, systems.fivetran)
        stack.enter_context(mock.patch.dict(os.environ, {**_secrets_env(systems.partner, systems.slack),
                                                         **_settings_env(systems.warehouse, run_dir),
                                                         **fivetran_env(systems.fivetran)}))
        runtime.lend(clock=clock, warehouse_dir=systems.warehouse.path, release=systems.warehouse.released)
        stack.callback(runtime.take_back, systems.warehouse.path)
    except BaseException:
        stack.close()
        raise
    _current = World(**vars(systems), run_dir=run_dir, s3=s3, _stack=stack, http_mock=http_mock)
    return _current


def stop() -> None:
    """Stop the world ``start()`` returned (no-op when none is running)."""
    if _current is not None:
        _current.stop()


def current() -> World:
    if _current is None:
        raise RuntimeError("no sim is running: call sim.start() first")
    return _current


@contextmanager
def running(**kwargs: Any) -> Iterator[World]:
    """``with sim.running(...) as world:`` starts the sim and always stops it."""
    world = start(**kwargs)
    try:
        yield world
    finally:
        world.stop()


atexit.register(stop)


def _mount_http(stack: ExitStack, partner: PartnerSchedulingAPI, backend: BackendRevenueAPI,
                slack: SlackWebhook, fivetran: Any) -> Any:
    import responses

    from sim.http import mount

    rsps = responses.RequestsMock(assert_all_requests_are_fired=False)
    stack.enter_context(rsps)
    mount(rsps, partner.BASE_URL, partner)
    mount(rsps, backend.BASE_URL, backend)
    mount(rsps, slack.base_url, slack)
    mount(rsps, fivetran.BASE_URL, fivetran)
    return rsps


def _webhook_url() -> str:
    """A Slack incoming-webhook URL in Slack's shape (team, bot, token), random per run: it is a secret."""
    services = SlackWebhook.DEFAULT_URL.split("/T")[0]  # https://hooks.slack.com/services
    team, bot = secrets.token_hex(5).upper(), secrets.token_hex(5).upper()
    return f"{services}/T{team}/B{bot}/{secrets.token_urlsafe(18)}"


_SECRET_NAMES = (
    "AIRFLOW_VAR_PARTNER_API_KEY",
    "AIRFLOW_VAR_SNOWFLAKE_PASSWORD",
    "AIRFLOW_VAR_SLACK_WEBHOOK_URL",
)


def _secrets_env(partner: PartnerSchedulingAPI, slack: SlackWebhook) -> dict[str, str]:
    password = secrets.token_urlsafe(24)
    snowflake = {
        "conn_type": "snowflake", "login": "airflow_user", "password": password, "schema": "MARTS",
        "extra": {"account": "simplepractice", "warehouse": "ANALYTICS_WH", "database": "ANALYTICS"},
    }
    return {
        "AIRFLOW_VAR_PARTNER_API_KEY": partner.token,
        "AIRFLOW_VAR_SNOWFLAKE_PASSWORD": password,
        "AIRFLOW_VAR_SLACK_WEBHOOK_URL": slack.url,
        "AIRFLOW_CONN_SNOWFLAKE_DEFAULT": json.dumps(snowflake),
    }


def _settings_env(warehouse: Warehouse, run_dir: Path) -> dict[str, str]:
    """The Variables that say where this world keeps what the kit's DAGs need (``solutions.pipeline``)."""
    return {
        "AIRFLOW_VAR_DBT_WAREHOUSE_DIR": str(warehouse.path),
        "AIRFLOW_VAR_DBT_WORK_DIR": str(run_dir / "dbt"),
    }
