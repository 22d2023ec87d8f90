"""`python -m sim prepare`: create the state directory and the migrated Airflow metadata DB template, so the
first notebook does not pay for `airflow db migrate`. Run by `make lab` and `make test`; idempotent.

`python -m sim airflow [--port N]`: a real Airflow (`airflow standalone`) with the kit's DAGs against the sim
served on loopback (`sim.services`, `sim.standalone`); prints the UI address and the login, runs until Ctrl-C.
Run by `make airflow`. This launcher is where the sim meets the kit's pipeline: it plays the partner with the
pipeline's own "day closed" marker (``solutions.pipeline.ready_marker``)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

#: the day the partner's feed is damaged in `python -m sim airflow`: the run for the day after fails dbt tests
DEFECTIVE_DAY = "2025-09-20"
DEFECTIVE_FEED = {"orphan_client_id": 3}


def prepare() -> None:
    from sim.paths import state_dir
    from sim.runner import CACHE_DIR, ensure_template

    state = state_dir()
    started = time.perf_counter()
    template, created = ensure_template()
    what = f"migrated in {time.perf_counter() - started:.0f} s" if created else "ready"
    print(f"Sim state in {state.name}/; Airflow metadata DB template {what} ({template.relative_to(CACHE_DIR.parent)}).")


def airflow(port: int | None = None, timeout: float = 300.0, state: str | None = None) -> int:
    """Serve the sim, start Airflow against it, print how to use it, wait for Ctrl-C, stop everything."""
    from sim.paths import state_dir
    from sim.services import serve
    from sim.standalone import Standalone, StandaloneError, describe
    from solutions.pipeline import ready_marker  # the partner's side of the kit pipeline's contract

    stopping: list[int] = []

    def interrupted(signum: int, frame: object) -> None:
        if stopping:  # a second Ctrl-C must not cut the clean-up short
            print("Still stopping (everything is stopped within a minute) ...", flush=True)
            return
        stopping.append(signum)
        print("\nStopping Airflow and the sim ...", flush=True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)  # also when started in the background, where SIGINT is ignored
    started = time.perf_counter()
    home = state_dir(state) / "airflow-standalone"
    ready_file = home / "kit-standalone.json"
    running = _already_running(ready_file)
    if running:
        print(f"An Airflow of this kit already runs at {running['url']} (process {running['pid']}): stop it "
              "first (Ctrl-C in its terminal), or give this one another state directory (--state).",
              file=sys.stderr)
        return 1
    print("Starting the sim on 127.0.0.1: warehouse (fakesnow server), S3 (moto server), partner API, "
          "backend API, Slack ...", flush=True)
    try:
        with serve(state) as services:
            services.close_days(ready_marker)  # the partner closes every day of the data
            try:
                damaged = services.damage_partner_feed(DEFECTIVE_DAY, **DEFECTIVE_FEED)
            except ImportError:  # a sim without partner-feed defects: every day is healthy
                damaged = None
            print(f"  sim ready in {time.perf_counter() - started:.0f} s; data {services.manifest.start} .. "
                  f"{services.manifest.end}", flush=True)
            services.slack_channel.listeners.append(_echo_slack)
            print("Starting Airflow (airflow standalone; about a minute) ...", flush=True)
            last_day = f"{_next_day(services.manifest.end)}T23:59:59+00:00"  # the last logical date with data
            with Standalone(home, services.airflow_env(), port=port, end_date=last_day) as af:
                try:
                    af.wait_healthy(timeout)
                except StandaloneError as error:
                    print(f"Airflow did not start:\n{error}", file=sys.stderr)
                    return 1
                ready_file.write_text(json.dumps(describe(services, af), indent=2))
                username, password = af.credentials()
                print(_banner(af.url, username, password, str(af.log_file), services.manifest, damaged,
                              time.perf_counter() - started, services.slack_channel_url,
                              str(services.landing_dir)), flush=True)
                while af.process is not None and af.process.poll() is None:
                    time.sleep(1)
                print(f"airflow standalone exited; its log: {af.log_file}", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        return 0
    finally:
        ready_file.unlink(missing_ok=True)
        print("Stopped.", flush=True)


def _echo_slack(payload: dict) -> None:
    """A message the fake Slack accepted, shown in the terminal as it arrives."""
    text = str(payload.get("text") or json.dumps(payload))
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] Slack message:\n" + "\n".join(f"    {line}" for line in text.splitlines()), flush=True)


def _banner(url: str, username: str, password: str, log: str, manifest, damaged, seconds: float,
            slack: str = "", landing: str = "") -> str:
    first, last = _next_day(manifest.start), _next_day(manifest.end)
    green = _next_day("2025-09-10")
    defective = ""
    if damaged:
        ids = ", ".join(str(i) for i in damaged["orphan_client_id"].ids)
        red = _next_day(DEFECTIVE_DAY)
        defective = "".join((
            f"\n  Red:   logical date {red} processes {DEFECTIVE_DAY}: the partner serves appointments {ids}",
            "\n         with client ids unknown to the backend: dbt_test and quality_checks both fail,",
            "\n         the run goes red, and each failure posts an alert to the fake Slack (two messages)."))
    return f"""
Airflow is ready ({seconds:.0f} s): {url}
  login: {username} / {password}   (generated for this run)
  DAGs:  the kit's solutions/dags; every task runs in its own process against the sim on 127.0.0.1.
         The sim's data is {manifest.start} .. {manifest.end}: nothing runs on a schedule, and every DAG
         ends on {last} (so no "Next Run"; a run for a later date has no tasks and does nothing).
  Try:   clinic_appointments_pipeline -> Trigger -> Single Run -> Logical Date: a day from {first}
         to {last}, time 00:00 (e.g. {green} 00:00: green). A run processes the day before its logical
         date. Run ids come from the moment you press Trigger: to tell runs apart, type one under
         Advanced Options -> Run ID (e.g. {green}).{defective}
  Slack: every message appears here and at {slack or "(not served)"}
  Wait:  sensor_modes waits three ways (poke, reschedule, deferrable) for appointments_<ds>.ready in
         {landing or "(no landing folder)"}: trigger it, watch, then create that file.
  Log:   {log}
Stop with Ctrl-C: it stops Airflow and the sim, and nothing keeps running.
"""


def _already_running(ready_file) -> dict | None:
    import os

    try:
        info = json.loads(ready_file.read_text())
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info


def _next_day(day: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim", description="The kit's simulated world.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help="create the state directory and the migrated Airflow DB template")
    run = commands.add_parser("airflow", help="a real Airflow (standalone) against the sim on loopback")
    run.add_argument("--port", type=int, default=None,
                     help="UI/API port on 127.0.0.1 (default 8080, or a free one)")
    run.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for Airflow to be healthy")
    run.add_argument("--state", default=None, help="state directory (default: KIT_STATE_DIR or .state/)")
    args = parser.parse_args(argv[1:])
    if args.command == "prepare":
        prepare()
        return 0
    return airflow(args.port, args.timeout, args.state)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
