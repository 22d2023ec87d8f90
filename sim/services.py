"""The sim served on loopback: one fake, two transports.

``sim.start()`` reaches its fakes through in-process patches (fakesnow's patch, moto's mock, ``responses``).
Those cannot reach a real Airflow, whose scheduler runs every task in a process of its own; and DuckDB lets
one process at a time write a database file. So for a real Airflow, *one* process owns the sim and serves it:

* **Snowflake**: fakesnow's server (its Starlette app, under uvicorn) over TLS on ``127.0.0.1``, sharing the
  DuckDB connection of this process's warehouse, so its files have exactly one writer. TLS because Airflow's
  ``SnowflakeHook`` passes ``host`` and ``port`` from the connection but no ``protocol``: the connector always
  speaks https. The certificate is made at start-up for ``127.0.0.1`` only and trusted through
  ``REQUESTS_CA_BUNDLE`` (a copy of certifi's bundle plus this certificate), as a company trusts its own CA.
* **S3**: moto's ``ThreadedMotoServer`` (needs ``moto[server]``'s flask and flask-cors), bucket created.
* **Partner API, backend API, Slack webhook**: the very same service objects the in-process sim mounts with
  ``responses`` (``handle(FakeRequest) -> FakeResponse``), behind a small WSGI app served by werkzeug in a
  thread per service. Each service answers one request at a time (its limiter, faults and log are not
  thread-safe), and the partner's rate limit runs on real time (``SystemClock``). The Slack webhook's port
  also shows its channel (``slack_channel_url``: a page, and ``/messages.json``), since nobody can open Slack.
* **Warehouse control** (``/release``, ``/attach``): dbt-duckdb opens the DuckDB files itself, so a dbt call
  in an Airflow task asks this process to let go of them first, as ``Warehouse.released`` does in-process.
  While they are released every warehouse request (Snowflake queries, API calls that read the warehouse)
  waits at a gate; see :func:`solutions.dbt_runner.remote_release`.

Timeouts over HTTP: a ``timeout`` fault holds the request for ``timeout_hold`` seconds (default 35, longer
than every kit client's read timeout: the extractor's 30 s, Slack's 10 s), so the client sees a real
``requests.exceptions.ReadTimeout``; a client without a timeout gets ``504`` at the end of the hold instead of
hanging forever. Stopping the services ends every hold at once.

    with serve(appointments=1500) as services:       # everything on 127.0.0.1, free ports
        services.partner_url                         # http://127.0.0.1:<port>/v1
        services.airflow_env()                       # AIRFLOW_CONN_* / AIRFLOW_VAR_* for these endpoints
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http
import ipaddress
import json
import logging
import os
import secrets
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sim import data
from sim.fivetran import fivetran_env
from sim.http import FakeRequest, FakeResponse, Service, to_fake_request
from sim.paths import reap_stale, state_dir
from sim.s3 import BUCKET, REGION, S3
from sim.slack import SlackChannel
from sim.systems import build
from sim.warehouse import Warehouse
from solutions.clock import SystemClock

HOST = "127.0.0.1"
TIMEOUT_HOLD = 35.0  # seconds a "timeout" fault holds a request: past every kit client's read timeout
GATE_WAIT = 300.0  # seconds a warehouse request waits for released files to come back before a 503
MAX_LEASE = 900.0  # seconds a release may last before the files are taken back anyway
AWS_TEST_CREDENTIALS = {"login": "testing", "password": "testing"}  # moto's convention: obviously fake
SNOWFLAKE_SESSION = {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False}  # nothing leaves the machine

log = logging.getLogger(__name__)


# -- the gate: warehouse requests wait while dbt holds the files -------------------------------------------


class Gate:
    """Many requests pass at once; ``close`` waits for them to leave and keeps new ones out until ``open``."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._closed = False

    def enter(self, timeout: float = GATE_WAIT) -> bool:
        with self._cond:
            if not self._cond.wait_for(lambda: not self._closed, timeout):
                return False
            self._active += 1
            return True

    def leave(self) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    def close(self, timeout: float = GATE_WAIT) -> bool:
        """Exclusive: wait for the gate to be open (another holder), shut it, wait for requests to drain."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if not self._cond.wait_for(lambda: not self._closed, timeout):
                return False
            self._closed = True
            if not self._cond.wait_for(lambda: self._active == 0, max(0.0, deadline - time.monotonic())):
                self._closed = False
                self._cond.notify_all()
                return False
            return True

    def open(self) -> None:
        with self._cond:
            self._closed = False
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


class WarehouseControl:
    """``POST /release`` hands the DuckDB files to another process (answers ``{"lease", "files"}``);
    ``POST /attach`` with ``{"lease": ...}`` takes them back; ``GET /status``. A lease not returned within
    ``max_lease`` seconds is taken back anyway (a task killed mid-dbt must not stop the warehouse for
    good)."""

    def __init__(self, warehouse: Warehouse, gate: Gate, *, max_lease: float = MAX_LEASE) -> None:
        self.warehouse = warehouse
        self.gate = gate
        self.max_lease = max_lease
        self._lock = threading.Lock()
        self._lease: tuple[str, contextlib.AbstractContextManager, threading.Timer] | None = None

    def handle(self, request: FakeRequest) -> FakeResponse:
        path = request.path.rstrip("/")
        if path == "/status" and request.method == "GET":
            return FakeResponse.with_json(200, {"released": self._lease is not None})
        if request.method != "POST" or path not in ("/release", "/attach"):
            return FakeResponse.with_json(404, {"error": "not_found", "message": "POST /release or /attach"})
        if path == "/release":
            return self._release()
        try:
            lease = json.loads(request.body or b"{}").get("lease")
        except (ValueError, AttributeError):
            lease = None
        return FakeResponse.with_json(200, {"attached": self.attach(lease)})

    def _release(self) -> FakeResponse:
        if not self.gate.close():
            return FakeResponse.with_json(503, {"error": "busy", "message": "the warehouse stayed busy"},
                                          {"Retry-After": "1"})
        try:
            released = self.warehouse.released()
            files = released.__enter__()
        except Exception as error:  # e.g. an open transaction blocks the checkpoint: let the client retry
            self.gate.open()
            return FakeResponse.with_json(503, {"error": "busy", "message": str(error)}, {"Retry-After": "1"})
        lease = uuid.uuid4().hex
        timer = threading.Timer(self.max_lease, self.attach, args=(lease,))
        timer.daemon = True
        with self._lock:
            self._lease = (lease, released, timer)
        timer.start()
        return FakeResponse.with_json(200, {"lease": lease, "files": {k: str(v) for k, v in files.items()}})

    def attach(self, lease: str | None = None) -> bool:
        """Take the files back (``lease=None``: whatever lease is out). False when that lease is not out."""
        with self._lock:
            if self._lease is None or (lease is not None and lease != self._lease[0]):
                return False
            _, released, timer = self._lease
            self._lease = None
        timer.cancel()
        try:
            released.__exit__(None, None, None)
        finally:
            self.gate.open()
        return True


# -- HTTP transport for the fakes ----------------------------------------------------------------------------


class HttpTransport:
    """A WSGI app around ``service.handle``: the loopback twin of :func:`sim.http.mount`."""

    def __init__(self, service: Service, *, base_path: str = "", gate: Gate | None = None,
                 timeout_hold: float = TIMEOUT_HOLD, stopping: threading.Event | None = None) -> None:
        self.service = service
        self.base_path = base_path.rstrip("/")
        self.gate = gate
        self.timeout_hold = timeout_hold
        self.stopping = stopping or threading.Event()
        self._lock = threading.Lock()  # one request at a time per service, as in-process

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query = environ.get("QUERY_STRING", "")
        url = f"http://{HOST}{environ.get('PATH_INFO') or '/'}" + (f"?{query}" if query else "")
        request = to_fake_request(environ["REQUEST_METHOD"], url, headers, body, self.base_path)
        answer = self._answer(request)
        if answer.timeout:  # hold past the client's read timeout; then 504 for a client that has none
            self.stopping.wait(self.timeout_hold)
            answer = FakeResponse.with_json(504, {"error": "timeout", "message": "simulated timeout"})
        start_response(f"{answer.status} {_reason(answer.status)}", list(answer.headers.items()))
        return [answer.body]

    def _answer(self, request: FakeRequest) -> FakeResponse:
        if self.gate is not None and not self.gate.enter():
            return FakeResponse.with_json(503, {"error": "busy", "message": "warehouse files are released"},
                                          {"Retry-After": "5"})
        try:
            with self._lock:
                return self.service.handle(request)
        finally:
            if self.gate is not None:
                self.gate.leave()


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _quiet_handler() -> type:
    """werkzeug's request handler without its one-line-per-request log."""
    from werkzeug.serving import WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    return QuietHandler


class WsgiServer:
    """A threaded werkzeug server on ``host`` in a background thread (port 0: a free port)."""

    def __init__(self, app: Callable[..., Any], host: str = HOST, port: int = 0) -> None:
        from werkzeug.serving import make_server

        self.server = make_server(host, port, app, threaded=True, request_handler=_quiet_handler())
        self.server.daemon_threads = True
        self.host, self.port = host, self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"sim http :{self.port}",
                                       daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


# -- fakesnow over TLS -------------------------------------------------------------------------------------


def make_certificate(folder: Path, host: str = HOST) -> tuple[Path, Path, Path]:
    """A self-signed certificate for ``host`` (a few days valid), its key, and a CA bundle that trusts it
    besides the usual public roots: (cert, key, bundle)."""
    import certifi
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kit sim warehouse on loopback")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "warehouse-cert.pem", folder / "warehouse-key.pem"
    bundle = folder / "ca-bundle.pem"
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file.write_bytes(pem)
    key_file.touch(mode=0o600)
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    bundle.write_bytes(Path(certifi.where()).read_bytes().rstrip(b"\n") + b"\n" + pem)
    return cert_file, key_file, bundle


class FakesnowServer:
    """fakesnow's server app under uvicorn (TLS), sharing ``warehouse``'s DuckDB; requests pass ``gate``."""

    def __init__(self, warehouse: Warehouse, gate: Gate, cert: Path, key: Path, host: str = HOST) -> None:
        import anyio.to_thread
        import snowflake.connector
        import uvicorn

        import fakesnow.server

        # fakesnow.patch made one FakeSnow over the warehouse files; serve that one, so the files keep a
        # single DuckDB (and a single writing process). Sessions without FAKESNOW_DB_PATH share it.
        fakesnow.server.shared_fs = snowflake.connector.connect.side_effect.__self__
        logging.getLogger("fakesnow.server").setLevel(logging.WARNING)
        inner = fakesnow.server.app

        async def app(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] != "http":
                return await inner(scope, receive, send)
            if not await anyio.to_thread.run_sync(gate.enter):
                body = b'{"data": null, "code": "000503", "message": "warehouse busy", "success": false}'
                await send({"type": "http.response.start", "status": 503,
                            "headers": [(b"content-type", b"application/json")]})
                return await send({"type": "http.response.body", "body": body})
            try:
                await inner(scope, receive, send)
            finally:
                gate.leave()

        config = uvicorn.Config(app, host=host, port=0, log_level="warning", access_log=False,
                                ssl_certfile=str(cert), ssl_keyfile=str(key), lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="fakesnow server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fakesnow's server did not start")
            time.sleep(0.05)
        self.host = host
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


# -- everything together -----------------------------------------------------------------------------------


class Services:
    """The sim's systems in this process, served on loopback. Build it with :func:`serve`.

    Attributes: ``warehouse``, ``manifest``, ``partner``, ``backend``, ``slack``, ``s3`` (a ``sim.s3.S3``
    whose client talks to the moto server), the URLs, and ``world``-like helpers: ``damage_partner_feed``.
    """

    def __init__(self, run_dir: Path, *, timeout_hold: float = TIMEOUT_HOLD, host: str = HOST) -> None:
        self.run_dir = run_dir
        self.host = host
        self.timeout_hold = timeout_hold
        self.gate = Gate()
        self.stopping = threading.Event()
        self._stack = ExitStack()
        self.warehouse: Warehouse | None = None
        self.manifest: data.Manifest | None = None

    # -- start / stop

    def start(self, *, seed: int = 7, appointments: int = data.APPOINTMENTS,
              defects: dict[str, Any] | None = None, defect_day: dt.date | str | None = None,
              start_date: dt.date = data.START, days: int = data.DAYS,
              requests_per_second: float = 5.0, history: bool | dict[str, float] | None = None) -> Services:
        stack = self._stack
        try:
            clock = SystemClock()  # Fivetran's timestamps: real UTC times on that clock
            epoch = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=clock.monotonic())
            self.systems = build(self.run_dir, stack, clock=clock, requests_per_second=requests_per_second,
                                 seed=seed, appointments=appointments, defects=defects, defect_day=defect_day,
                                 start=start_date, days=days, history=history, fivetran_epoch=epoch)
            self.warehouse, self.manifest, self.clock = self.systems.warehouse, self.systems.manifest, self.systems.clock
            #: the source's change history (``sim.history``) when asked for, else None
            self.history = self.systems.history
            self.partner, self.backend, self.slack = self.systems.partner, self.systems.backend, self.systems.slack
            self.fivetran = self.systems.fivetran  # lands synced rows in the warehouse
            self.slack_channel = SlackChannel(self.slack)  # the webhook, plus a page showing what it got
            self.control = WarehouseControl(self.warehouse, self.gate)
            stack.callback(self.control.attach)  # a lease still out at stop: take the files back first

            cert, key, self.ca_bundle = make_certificate(self.run_dir / "tls", self.host)
            self.fakesnow = FakesnowServer(self.warehouse, self.gate, cert, key, self.host)
            stack.callback(self.fakesnow.stop)

            self.s3 = self._start_s3()

            # the partner and backend read the warehouse: they wait at the gate while dbt holds the files
            self._partner_http = self._serve_http(self.partner, "/v1", gated=True)
            self._backend_http = self._serve_http(self.backend, gated=True)
            self._slack_http = self._serve_http(self.slack_channel)
            self._control_http = self._serve_http(self.control)
            self._fivetran_http = self._serve_http(self.fivetran, "/v1", gated=True)
        except BaseException:
            self.stop()
            raise
        return self

    def _serve_http(self, service: Service, base_path: str = "", gated: bool = False) -> WsgiServer:
        app = HttpTransport(service, base_path=base_path, gate=self.gate if gated else None,
                            timeout_hold=self.timeout_hold, stopping=self.stopping)
        server = WsgiServer(app, self.host)
        self._stack.callback(server.stop)
        return server

    def _start_s3(self) -> S3:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as error:
            raise RuntimeError("S3 over loopback needs moto's server extra (flask, flask-cors): "
                               "pip install 'moto[server]'") from error
        import boto3

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's handler logs every request
        moto = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        moto.start()
        self._stack.callback(moto.stop)
        self.s3_url = "http://{}:{}".format(*moto.get_host_and_port())
        s3 = S3(BUCKET)
        s3.client = boto3.client("s3", endpoint_url=self.s3_url, region_name=REGION,
                                 aws_access_key_id=AWS_TEST_CREDENTIALS["login"],
                                 aws_secret_access_key=AWS_TEST_CREDENTIALS["password"])
        s3.client.create_bucket(Bucket=BUCKET)
        self._stack.callback(s3.stop)
        return s3

    def stop(self) -> None:
        self.stopping.set()
        self._stack.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- where things are

    @property
    def partner_url(self) -> str:
        return self._partner_http.url + "/v1"

    @property
    def backend_url(self) -> str:
        return self._backend_http.url

    @property
    def slack_url(self) -> str:
        return self._slack_http.url + self.slack.path

    @property
    def slack_channel_url(self) -> str:
        """A page listing every message the webhook accepted (``.../messages.json``: the same as JSON)."""
        return self._slack_http.url + SlackChannel.PAGE

    @property
    def fivetran_url(self) -> str:
        """Fivetran's API on loopback (``<url>/connectors/backend_postgres``)."""
        return self._fivetran_http.url + "/v1"

    @property
    def control_url(self) -> str:
        return self._control_http.url

    @property
    def landing_dir(self) -> Path:
        """A local folder files are dropped into (``sensor_modes`` waits for one): the ``landing`` connection."""
        folder = self.run_dir / "landing"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def snowflake_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """``snowflake.connector.connect(**kwargs)`` for the served warehouse (set ``REQUESTS_CA_BUNDLE`` to
        ``ca_bundle`` first, or the connector will not trust the certificate)."""
        return {"account": "simplepractice", "user": "airflow_user", "password": "sim", "host": self.host,
                "port": self.fakesnow.port, "protocol": "https", "insecure_mode": True,
                "warehouse": "ANALYTICS_WH", "database": "ANALYTICS", "schema": "MARTS",
                "session_parameters": dict(SNOWFLAKE_SESSION), **overrides}

    def airflow_env(self) -> dict[str, str]:
        """Airflow Connections and Variables, as environment variables, pointing at these services."""
        password = secrets.token_urlsafe(24)
        snowflake = {
            "conn_type": "snowflake", "login": "airflow_user", "password": password, "schema": "MARTS",
            "extra": {"account": "simplepractice", "warehouse": "ANALYTICS_WH", "database": "ANALYTICS",
                      "host": self.host, "port": self.fakesnow.port, "insecure_mode": True,
                      "session_parameters": dict(SNOWFLAKE_SESSION)},
        }
        aws = {"conn_type": "aws", **AWS_TEST_CREDENTIALS,
               "extra": {"endpoint_url": self.s3_url, "region_name": REGION}}
        return {
            "AIRFLOW_CONN_SNOWFLAKE_DEFAULT": json.dumps(snowflake),
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(aws),
            "AIRFLOW_CONN_LANDING": json.dumps({"conn_type": "fs", "extra": {"path": str(self.landing_dir)}}),
            "AIRFLOW_VAR_PARTNER_API_KEY": self.partner.token,
            "AIRFLOW_VAR_SLACK_WEBHOOK_URL": self.slack_url,
            "AIRFLOW_VAR_SNOWFLAKE_PASSWORD": password,
            "AIRFLOW_VAR_PARTNER_API_BASE_URL": self.partner_url,
            "AIRFLOW_VAR_BACKEND_API_BASE_URL": self.backend_url,
            "AIRFLOW_VAR_RAW_BUCKET": self.s3.bucket,
            "AIRFLOW_VAR_DBT_WAREHOUSE_DIR": str(self.warehouse.path),
            "AIRFLOW_VAR_DBT_WORK_DIR": str(self.run_dir / "dbt"),
            "AIRFLOW_VAR_WAREHOUSE_RELEASE_URL": self.control_url,
            "REQUESTS_CA_BUNDLE": str(self.ca_bundle),
            **fivetran_env(self.fivetran),
            # the Fivetran provider hard-codes https://api.fivetran.com; the local settings of `make airflow`
            # point it here in every Airflow process (sim.standalone.LOCAL_SETTINGS)
            "KIT_FIVETRAN_HOST": f"{self._fivetran_http.host}:{self._fivetran_http.port}",
        }

    # -- playing the partner

    def close_days(self, marker: Callable[[dt.date, int], tuple[str, str]]) -> list[str]:
        """Play the partner after each day of the data: write ``marker(day, count)``, its "day closed" file
        (key, body) with the day's appointment count, to S3. The key and body are the pipeline's contract,
        so whoever starts the sim for the kit's DAGs passes ``solutions.pipeline.ready_marker``."""
        rows = self.warehouse.query(
            """SELECT APPOINTMENT_DATE, COUNT(*) FROM BACKEND.PUBLIC.APPOINTMENTS
               WHERE APPOINTMENT_DATE BETWEEN %s AND %s GROUP BY 1 ORDER BY 1""",
            (self.manifest.start, self.manifest.end))
        for day, count in rows:
            self.s3.put(*marker(day, int(count)))
        return [day.isoformat() for day, _ in rows]

    def damage_partner_feed(self, day: dt.date | str, **defects: Any) -> dict[str, data.Injected]:
        """Serve ``day`` with defects from the partner API (``Systems.damage_partner_feed``)."""
        return self.systems.damage_partner_feed(day, **defects)


@contextmanager
def serve(state: str | os.PathLike | None = None, *, timeout_hold: float = TIMEOUT_HOLD,
          **knobs: Any) -> Iterator[Services]:
    """Start the sim's systems in this process and serve them on loopback; stop everything on exit.

    ``knobs``: the data knobs of ``sim.start`` (seed, appointments, defects, defect_day, start_date, days,
    requests_per_second, history). State goes to ``<state dir>/services-<pid>`` (deleted on exit).
    """
    reap_stale(state_dir(state), "services-*")  # left by a process that was killed
    run_dir = state_dir(state) / f"services-{os.getpid()}"
    shutil.rmtree(run_dir, ignore_errors=True)
    services = Services(run_dir, timeout_hold=timeout_hold)
    services.start(**knobs)
    try:
        yield services
    finally:
        services.stop()


def free_port(host: str = HOST, avoid: tuple[int, ...] = (8793, 8794)) -> int:
    """A TCP port free on ``host`` right now (never one of ``avoid``: Airflow's own log servers)."""
    while True:
        with contextlib.closing(socket.socket()) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in avoid:
            return port


def port_is_free(port: int, host: str = HOST) -> bool:
    """Could a server listen on ``port`` now? (As servers do, ignoring connections in TIME_WAIT.)"""
    with contextlib.closing(socket.socket()) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


__all__ = ["Gate", "HttpTransport", "Services", "WarehouseControl", "free_port", "make_certificate",
           "port_is_free", "serve"]
