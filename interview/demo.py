"""A demo progress store: five weeks of a candidate's practice, for notebook 38 and the report's tests.

Fixed dates and a seeded random generator, so the report built from it is the same on every run. Everything is
written through the same classes the kit's programs use (``flashcards.store.Store``, ``drills.progress``,
``interview.progress``), so the demo store is exactly what real practice would leave behind.

The story: flashcards studied four days a week, recall on the Airflow and SQL cards climbing while the
incremental-model ones lag; notebooks 01-04, 06-08 and 15 worked through with a few exercises still failing; SQL
drills where window functions and JSON are the trouble; three mock interviews, the SQL, Python and DAG sections
improving, the design section not.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 2, 2, 19, 0, tzinfo=UTC)  # a Monday evening
NOW = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # "today" for the report

# card -> chance of recalling it in week 1 and in week 5 (linear in between)
CARDS = {
    "airflow-xcom-purpose": (0.5, 0.95),
    "airflow-xcom-return-value-key": (0.5, 0.9),
    "airflow-sensor-what": (0.6, 0.95),
    "airflow-sensor-default-timeout": (0.4, 0.9),
    "af3-schedule-interval-raises": (0.6, 0.95),
    "af3-catchup-default": (0.5, 0.9),
    "inc-append-double-counts": (0.4, 0.6),
    "inc-merge-misses-deletes": (0.3, 0.5),
    "inc-watermark-inclusive": (0.4, 0.55),
    "sql-not-in-null": (0.6, 0.9),
    "sql-desc-nulls-first": (0.5, 0.85),
    "sql-rank-dense-row": (0.5, 0.9),
}

# (notebook, exercise, attempts: pass/fail in order)
EXERCISES = [
    ("01_dag_basics", "build_daily_dag", (False, True)),
    ("01_dag_basics", "alert_on_failure", (True,)),
    ("02_dependencies", "wire_pipeline", (True,)),
    ("03_python_operator_and_context", "day_for_run", (False, True)),
    ("04_xcom", "check_appointment_threshold", (True,)),
    ("04_xcom", "money_for_xcom", (False,)),
    ("06_sensors", "appointments_file_ready", (True,)),
    ("07_data_quality", "check_freshness", (False, True)),
    ("07_data_quality", "null_percentage", (False, False)),
    ("08_api_extraction", "collect_cursor_pages", (True,)),
    ("08_api_extraction", "extract_with_resume", (False,)),
    ("15_incremental_models", "apply_changes", (False,)),
]

# (drill, attempts: pass/fail in order)
DRILLS = [
    ("revenue-per-clinician", (True,)),
    ("clients-never-booked", (False, True)),
    ("top-clinician-per-specialty", (False, False)),
    ("running-revenue-by-month", (False,)),
    ("latest-visit-per-client", (True,)),
    ("partner-service-units", (False,)),
    ("partner-clients-by-state", (False, True)),
    ("no-show-rate", (True,)),
    ("merge-client-upserts", (False, True)),
]

# one session per entry: (days after START, [(section, item_id, score, what teaches it)])
SESSIONS = [
    (7, [("sql", "clients-never-booked", 0.0, ()),
         ("sql", "top-clinician-per-specialty", 0.5, ()),
         ("python", "demo-cursor-extract", 0.4, ("notebooks/08_api_extraction.ipynb",)),
         ("dag", "demo-daily-load", 0.5, ("notebooks/01_dag_basics.ipynb",)),
         ("design", "demo-cdc-hipaa", 0.5, ("notebooks/17_cdc_and_snowflake_change_features.ipynb",)),
         ("concepts", "inc-append-double-counts,sql-not-in-null", 0.2, ())]),
    (21, [("sql", "latest-visit-per-client", 1.0, ()),
          ("sql", "running-revenue-by-month", 0.5, ()),
          ("python", "demo-rate-limited-extract", 0.6, ("notebooks/09_rate_limiting.ipynb",)),
          ("dag", "demo-sensor-then-load", 0.75, ("notebooks/06_sensors.ipynb",)),
          ("design", "demo-late-partner-data", 0.33, ("notebooks/15_incremental_models.ipynb",)),
          ("concepts", "airflow-xcom-purpose,inc-merge-misses-deletes", 0.6, ())]),
    (33, [("sql", "no-show-rate", 1.0, ()),
          ("sql", "partner-service-units", 0.5, ()),
          ("python", "demo-paged-reconciliation", 0.8, ("notebooks/10_revenue_reconciliation.ipynb",)),
          ("dag", "demo-backfill-safe", 1.0, ("notebooks/18_backfills_done_right.ipynb",)),
          ("design", "demo-dashboard-10x", 0.5, ("notebooks/13_scenario_customer_facing.ipynb",)),
          ("concepts", "af3-catchup-default,inc-watermark-inclusive", 0.6, ())]),
]


def seed(path: Path) -> Path:
    """Write the demo store at ``path`` (a new file) and return ``path``."""
    from drills.progress import DrillProgress
    from flashcards.scheduler import Scheduler
    from flashcards.store import Store

    from .progress import InterviewProgress, Result

    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; the demo store is written to a new file")
    rng = random.Random(38)
    scheduler = Scheduler(fuzz=False)
    with Store(path) as store:
        memory: dict[str, object] = {}
        for day in range(35):
            if day % 7 in (1, 3, 5):  # three evenings off a week
                continue
            when = START + timedelta(days=day)
            for n, (card, (first, last)) in enumerate(CARDS.items()):
                chance = first + (last - first) * day / 34
                rating = 3 if rng.random() < chance else 1
                after = scheduler.review(card, memory.get(card), rating, when + timedelta(minutes=n))
                store.record_review(card, rating, when + timedelta(minutes=n), memory.get(card), after)
                memory[card] = after

    with DrillProgress(path) as drills:
        for n, (drill, attempts) in enumerate(DRILLS):
            for k, passed in enumerate(attempts):
                when = START + timedelta(days=2 + 3 * n + 2 * k, hours=1)
                drills.record(drill, passed, "passed" if passed else "hidden", None if passed else "nulls", when)

    with InterviewProgress(path) as interview:
        for n, (notebook, exercise, attempts) in enumerate(EXERCISES):
            for k, passed in enumerate(attempts):
                interview.record_exercise(exercise, notebook, passed, START + timedelta(days=n * 2 + k, hours=2))
        for number, (day, items) in enumerate(SESSIONS, 1):
            session_id = f"demo-{number}"
            began = START + timedelta(days=day, hours=-1)
            plan = [{"section": s, "item_id": i, "minutes": 10} for s, i, _, _ in items]
            interview.start(session_id, plan, path.parent / session_id, began)
            for seq, (section, item_id, score, teaches) in enumerate(items):
                interview.record(Result(session_id, seq, section, item_id, began + timedelta(minutes=10 * (seq + 1)),
                                        540.0, score, {"failed": [], "teaches": list(teaches), "over_time": False}))
            interview.finish(session_id, began + timedelta(minutes=70))
    return path
