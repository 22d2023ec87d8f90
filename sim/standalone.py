"""A real Airflow (``airflow standalone``: scheduler, dag-processor, triggerer, api-server) against the sim
served on loopback.

    with serve() as services, Standalone(home, services.airflow_env()) as airflow:
        airflow.wait_healthy(240)
        print(airflow.url, airflow.credentials())

What it sets up, all through environment variables (they beat any ``airflow.cfg``):

* an ``AIRFLOW_HOME`` of its own with a copy of the migrated metadata DB template (``sim.runner``), examples
  off, the kit's DAG folder (``solutions/dags``) as the dags folder;
* the api-server (UI and REST API) on ``127.0.0.1`` only, on the given port; the log servers of the scheduler
  and the triggerer on free ports (Airflow binds those on every interface and has no setting for the host;
  they only serve this home's task logs to holders of a token signed with this run's secret);
* one api-server worker, a small parallelism, no scheduled runs and DAGs unpaused at creation, so a run
  triggered in the UI or through the REST API starts at once;
* with ``end_date``, a cluster policy (``AIRFLOW_HOME/config/airflow_local_settings.py``) that ends every
  scheduled DAG there, so the UI shows no "Next Run" (nothing will be scheduled); a run triggered for a later
  logical date does not start. The scheduler then creates runs (``use_job_schedule = True``): none on the
  clock (every schedule has ended) and those that asset events ask for (a DAG scheduled on an asset starts
  when its producer records an event). Airflow creates both kinds in one step
  (``SchedulerJobRunner._create_dagruns_for_dags``), so ``use_job_schedule = False`` would stop both. Without
  ``end_date`` (the kit's DAGs have schedules, and a real scheduler would start today's runs, far outside the
  sim's dates) the scheduler creates no runs at all;
* JWT keys of the length HS512 asks for (64 bytes), so no ``InsecureKeyLengthWarning``;
* the Connections and Variables it is given (``Services.airflow_env()``): the DAG files are the production
  code, only the connections point at loopback.

Everything runs in one process group of its own; ``stop()`` interrupts the group (standalone shuts its
components down), then terminates and finally kills whatever is left, and waits until no process of the group
or of this ``AIRFLOW_HOME`` remains.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.paths import DAGS_DIR
from sim.services import HOST, free_port

GENERATED_LOGIN_FILE = "simple_auth_manager_passwords.json.generated"  # written by standalone
USERNAME = "admin"
HEALTHY = ("metadatabase", "scheduler", "dag_processor", "triggerer")
KEY_BYTES = 64

LOCAL_SETTINGS = '''"""Cluster policy of the kit's `make airflow` (written by sim.standalone).

Nothing is scheduled on the clock here, yet Airflow would show each DAG's "Next Run" and start today's runs,
far outside the sim's data. Ending every scheduled DAG where the sim's data ends makes the UI say what will
happen: no next run. Runs you trigger for a logical date up to that end run as usual, and so do the runs
asset events start (an asset-triggered run has no logical date).
"""

import os
import sys

import pendulum


def dag_policy(dag):
    end = os.environ.get("KIT_DAGS_END_DATE")
    if end and dag.timetable.can_be_scheduled:
        last = pendulum.parse(end)
        if dag.end_date is None or dag.end_date > last:
            dag.end_date = last


class _FivetranOnLoopback:
    """The Fivetran provider builds every URL from FivetranHook.api_protocol/api_host (https://api.fivetran.com),
    not from the connection. When its hooks module is imported, in any Airflow process (worker, triggerer),
    point them at the sim's Fivetran (KIT_FIVETRAN_HOST). Production sets nothing and is not touched."""

    def find_spec(self, name, path=None, target=None):
        if name != "fivetran_provider_async.hooks" or not os.environ.get("KIT_FIVETRAN_HOST"):
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            module.FivetranHook.api_protocol = "http"
            module.FivetranHook.api_host = os.environ["KIT_FIVETRAN_HOST"]

        spec.loader.exec_module = exec_module
        return spec


if not any(type(finder).__name__ == "_FivetranOnLoopback" for finder in sys.meta_path):
    sys.meta_path.insert(0, _FivetranOnLoopback())
'''


class StandaloneError(RuntimeError):
    """Airflow did not come up (or died); the message ends with the tail of its log."""


class Standalone:
    """``airflow standalone`` in ``home`` as a child process group. ``port=None``: 8080 if free, else any."""

    def __init__(self, home: str | os.PathLike, env: Mapping[str, str] | None = None, *,
                 port: int | None = None, dags_folder: str | os.PathLike = DAGS_DIR,
                 parallelism: int = 4, end_date: str | None = None) -> None:
        self.home = Path(home).resolve()
        self.extra_env = dict(env or {})
        self.port = port or (8080 if _free(8080) else free_port())
        self.dags_folder = Path(dags_folder).resolve()
        self.parallelism = parallelism
        self.end_date = end_date
        self.log_file = self.home / "standalone.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # -- start

    def environment(self) -> dict[str, str]:
        """The child's environment: this process's, without any Airflow setting, plus the kit's."""
        from sim.runner import _airflow_env

        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        bin_dir = str(Path(sys.executable).parent)  # standalone starts its components as `airflow ...`
        return {
            **base,
            **_airflow_env(self.home),
            "PATH": os.pathsep.join([bin_dir, base.get("PATH", "")]),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True" if self.end_date else "False",
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            # HS512 (Airflow's algorithm for a jwt_secret) wants a key of at least 64 bytes (RFC 7518 3.2);
            # PyJWT warns on every token otherwise (InsecureKeyLengthWarning)
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(KEY_BYTES),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(KEY_BYTES),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "PYTHONUNBUFFERED": "1",
            # Airflow imports fastapi's TestClient, and starlette (a UserWarning subclass) then warns in every
            # component that httpx is deprecated there: a version matter of Airflow's, not the kit's to fix
            "PYTHONWARNINGS": "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning",
            **({"KIT_DAGS_END_DATE": self.end_date} if self.end_date else {}),
            "NO_COLOR": "1",
            **self.extra_env,
        }

    def prepare(self) -> None:
        """A fresh home: folders and a copy of the migrated metadata DB template (migrated if missing)."""
        from sim.runner import ensure_template

        shutil.rmtree(self.home, ignore_errors=True)
        for sub in ("plugins", "logs", "config"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        # Airflow puts AIRFLOW_HOME/config on sys.path and imports airflow_local_settings from it
        (self.home / "config" / "airflow_local_settings.py").write_text(LOCAL_SETTINGS)
        shutil.copyfile(ensure_template()[0], self.home / "airflow.db")

    def start(self) -> Standalone:
        if self.process is not None:
            return self
        if not _free(self.port):
            raise StandaloneError(f"port {self.port} on {HOST} is taken: choose another (PORT=...)")
        self.prepare()
        log = open(self.log_file, "ab")  # noqa: SIM115 (the child writes it; closed in stop)
        self._log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "airflow", "standalone"], env=self.environment(), cwd=self.home,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent)
        return self

    # -- health, login

    def wait_healthy(self, timeout: float = 240.0) -> float:
        """Block until every component reports healthy and the password file exists; returns the seconds
        it took. Raises :class:`StandaloneError` (with the log's tail) on timeout or if Airflow exits."""
        import requests

        started = time.monotonic()
        deadline = started + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = self.process and self.process.returncode
                raise StandaloneError(f"airflow standalone exited ({code})\n{self.log_tail()}")
            try:
                health = requests.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
                states = {name: (health.get(name) or {}).get("status") for name in HEALTHY}
                last = ", ".join(f"{k}={v}" for k, v in states.items())
                if all(v == "healthy" for v in states.values()) and self.password_file.exists():
                    return time.monotonic() - started
            except (requests.RequestException, ValueError) as error:
                last = type(error).__name__
            time.sleep(2)
        raise StandaloneError(f"Airflow not healthy after {timeout:.0f} s ({last})\n{self.log_tail()}")

    @property
    def password_file(self) -> Path:
        return self.home / GENERATED_LOGIN_FILE

    def credentials(self) -> tuple[str, str]:
        """The generated admin login (standalone writes it into ``AIRFLOW_HOME``)."""
        passwords = json.loads(self.password_file.read_text())
        return USERNAME, passwords[USERNAME]

    def token(self) -> str:
        """A JWT for the REST API (``Authorization: Bearer <token>``)."""
        import requests

        username, password = self.credentials()
        answer = requests.post(f"{self.url}/auth/token", json={"username": username, "password": password},
                               timeout=30)
        answer.raise_for_status()
        return answer.json()["access_token"]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- stop

    def stop(self, timeout: float = 60.0) -> None:
        """Interrupt the process group (standalone's own shutdown), then terminate, then kill what is left:
        the scheduler's LocalExecutor workers may ignore the first two, and every state here is disposable.
        Returns when no process of the group or of this ``AIRFLOW_HOME`` is alive (or ``timeout`` passed)."""
        if self.process is None:
            return
        group = self.process.pid
        deadline = time.monotonic() + timeout
        for sig, grace in ((signal.SIGINT, 6.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, timeout)):
            _signal_group(group, sig)
            for pid in self.leftovers():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            step_end = min(deadline, time.monotonic() + grace)
            while time.monotonic() < step_end and (self.process.poll() is None or self.leftovers()):
                time.sleep(0.2)
            if self.process.poll() is not None and not self.leftovers():
                break
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self._log.close()
        self.process = None

    def leftovers(self) -> list[int]:
        """Processes still alive from this Airflow: in its process group or with its ``AIRFLOW_HOME``."""
        group = self.process.pid if self.process is not None else None
        return processes_of(self.home, group)

    def __enter__(self) -> Standalone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def processes_of(home: Path, group: int | None = None) -> list[int]:
    """Live (not zombie) pids in process group ``group`` or whose environment has ``AIRFLOW_HOME=home``."""
    marker = f"AIRFLOW_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            state, pgid = fields[0], int(fields[2])
            if state in ("Z", "X"):
                continue
            in_group = group is not None and pgid == group
            if in_group or marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return sorted(found)


def _signal_group(group: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


def _free(port: int) -> bool:
    from sim.services import port_is_free

    return port not in (8793, 8794) and port_is_free(port)


def _die_with_parent() -> None:
    """In the child, before exec: default SIGINT handling (a parent started in the background may ignore it,
    and ignored signals are inherited), and SIGINT (standalone's clean shutdown) if the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG


def describe(services: Any, airflow: Standalone) -> dict[str, Any]:
    """What a client (a test, a script) needs to find and log into this Airflow, as plain JSON."""
    username, _ = airflow.credentials()
    return {"url": airflow.url, "username": username, "password_file": str(airflow.password_file),
            "home": str(airflow.home), "pid": os.getpid(), "airflow_pgid": airflow.process.pid,
            "log_file": str(airflow.log_file), "days": [services.manifest.start, services.manifest.end],
            "slack_channel": getattr(services, "slack_channel_url", None),
            "landing": str(services.landing_dir) if hasattr(services, "landing_dir") else None}
