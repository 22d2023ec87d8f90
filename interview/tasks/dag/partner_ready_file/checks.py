"""Hidden checks of partner_ready_load: the sensor's settings, then runs where the ready file lands late,
never lands, or announces more appointments than the API serves. The sensor's poke interval and timeout are
cut to seconds for the runs (``dag.test()`` waits for real)."""

from __future__ import annotations

import datetime as dt

from interview.dag_checks import (
    DagGrading, Mismatch, expect, expect_edges, expect_states, landed, served, task_of,
)
from solutions.pipeline import ready_marker

LATE, NEVER, SHORT = "2025-09-08", "2025-09-15", "2025-09-24"  # days processed; the run is the day after


def next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()




def check(solution):
    grading = DagGrading(solution, file="partner_ready.py")  # first: it points Airflow at the runner's home
    from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

    with grading.world() as world:
        dag = grading.load("partner_ready_load")

        def sensor():
            found = task_of(dag, "wait_for_ready_file")
            if not isinstance(found, S3KeySensor):
                raise Mismatch(f"wait_for_ready_file is a {type(found).__name__}, not the amazon provider's "
                               "S3KeySensor")
            return found

        @grading.check("wait_for_ready_file >> load_day")
        def _():
            expect_edges(dag, {("wait_for_ready_file", "load_day")})

        @grading.check("the sensor frees its worker slot between pokes")
        def _():
            if getattr(sensor(), "deferrable", False):
                raise Mismatch("deferrable=True frees the slot too, on a real deployment with a triggerer; the "
                               "sim's S3 (moto, in process) does not serve the async client it uses, so this "
                               "task asks for mode='reschedule'")
            if sensor().mode != "reschedule":
                raise Mismatch(f"mode={sensor().mode!r}: a poking sensor holds a worker slot (and a pool "
                               "slot) for the whole wait, asleep; mode='reschedule' releases it between "
                               "pokes")

        @grading.check("the sensor gives up within 6 hours")
        def _():
            limit = dt.timedelta(hours=6).total_seconds()
            if not 0 < sensor().timeout <= limit:
                raise Mismatch(f"timeout={sensor().timeout:.0f} s: the default is 7 days; a partner file "
                               "that is hours late is an incident to alert on, not a week-long wait")

        def run(day: str, timeout: float = 5):
            """Pokes every second; gives up after ``timeout`` seconds (dag.test() waits for real). A file that
            lands after the first poke is found by the second, about a second in; the timeout is checked after
            each poke that misses, so 5 s leave room for a slow first poke on a loaded machine (2 s did not). A
            file there already is found by the first poke, whatever the timeout."""
            tight = sensor()
            saved = tight.poke_interval, tight.timeout
            tight.poke_interval, tight.timeout = 1, timeout
            try:
                return grading.run(dag, next_day(day))
            finally:
                tight.poke_interval, tight.timeout = saved

        @grading.check("the file lands after the first poke: the day loads whole")
        def _():
            key, body = ready_marker(LATE, served(world, LATE))
            with world.s3.landing_after_first_poke(key, body):
                summary = run(LATE)
            expect_states(summary, {"wait_for_ready_file": "success", "load_day": "success"}, run="success")
            expect(landed(world, LATE), served(world, LATE), f"rows landed for {LATE}")

        @grading.check("the file never lands: the sensor times out and nothing loads")
        def _():
            summary = run(NEVER, timeout=1)
            expect_states(summary, {"wait_for_ready_file": "failed", "load_day": "upstream_failed"},
                          run="failed")
            expect(landed(world, NEVER), 0, f"rows landed for {NEVER}")

        @grading.check("the file announces more appointments than the API serves: load_day fails")
        def _():
            world.s3.put(*ready_marker(SHORT, served(world, SHORT)))
            world.damage_partner_feed(SHORT, missing_records=3)
            summary = run(SHORT, timeout=1)
            expect_states(summary, {"wait_for_ready_file": "success", "load_day": "failed"}, run="failed")

    return grading.results()
