"""Look at a DAG the way the scheduler does: its next runs, computed from its timetable, and its graph.

    next_runs(dag, after="2025-10-01", n=3)   # the next runs the scheduler would create: ds, intervals
    edges(dag)                                # {("extract", "transform"), ...}
    mermaid(dag)                              # a ```mermaid diagram JupyterLab (and GitHub) draw
    topological_order(dag)                    # task ids, every task after its upstream tasks
    backfill_plan(dag, "airflow backfill create --dag-id d --from-date 2025-09-02 --to-date 2025-09-11")
                                              # the runs that command would create, as Airflow plans them

The scheduler never runs the DAG objects of a DAG file: the DAG processor parses the file, serializes each DAG
to JSON, and the scheduler works from that serialized copy (its timetable included). ``next_runs`` does the
same round trip, then asks the timetable for run after run, exactly as the scheduler's ``next_dagrun_info``
does, so what it prints is what Airflow 3.3 would do with the file.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class PlannedRun:
    """One run the scheduler would create: when it starts, its logical date (``ds``) and data interval."""

    run_after: dt.datetime  # the earliest moment the scheduler starts the run
    logical_date: dt.datetime
    data_interval_start: dt.datetime
    data_interval_end: dt.datetime

    @property
    def ds(self) -> str:
        return self.logical_date.strftime("%Y-%m-%d")

    def as_row(self) -> dict[str, str]:
        def text(value: dt.datetime) -> str:
            return value.strftime("%Y-%m-%d %H:%M")

        return {"run starts (run_after)": text(self.run_after), "logical_date": text(self.logical_date),
                "ds": self.ds, "data_interval_start": text(self.data_interval_start),
                "data_interval_end": text(self.data_interval_end)}


def scheduler_view(dag: Any) -> Any:
    """The serialized DAG the scheduler works from (what ``dag.test()`` builds too)."""
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))


def _aware(value: dt.date | dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def next_runs(dag: Any, after: dt.date | dt.datetime | str, n: int = 3) -> list[PlannedRun]:
    """The next ``n`` runs the scheduler would start at or after ``after`` (naive means UTC).

    Empty for a DAG that is never scheduled (``schedule=None``: a ``NullTimetable``). Runs are counted from
    the DAG's ``start_date`` as with ``catchup=True``: ``catchup=False`` only changes what happens when the
    scheduler is *behind* (it then creates the latest due run and skips the missed ones).
    """
    moment = _aware(after)
    view = scheduler_view(dag)
    if not view.timetable.can_be_scheduled:
        return []
    start = view.start_date or moment
    planned: list[PlannedRun] = []
    for info in view.iter_dagrun_infos_between(start, FAR_FUTURE):
        if info.run_after < moment:
            continue
        interval = info.data_interval
        planned.append(PlannedRun(info.run_after, info.logical_date, interval.start, interval.end))
        if len(planned) == n:
            break
    return planned


BACKFILL_DEFAULT_MAX_ACTIVE_RUNS = 10  # airflow.models.backfill.Backfill.max_active_runs's column default


@dataclass(frozen=True)
class BackfillPlan:
    """What ``airflow backfill create ...`` asks for, as Airflow 3.3 reads it, and the runs it creates."""

    dag_id: str
    from_date: dt.datetime  # as the CLI parsed it: a bare date is midnight in the default timezone (UTC)
    to_date: dt.datetime
    max_active_runs: int  # the backfill's own limit; the DAG's max_active_runs does not apply to its runs
    reprocess_behavior: str  # "none": a logical date that already has a finished run is not run again
    run_backwards: bool
    logical_dates: list[dt.datetime]  # in the order the backfill creates them (and, one at a time, runs them)


def parse_backfill_command(command: str | Sequence[str]) -> Any:
    """``airflow backfill create ...`` parsed with the command's own arguments from Airflow's CLI definition
    (``airflow.cli.cli_config.BACKFILL_COMMANDS``: the same flags, defaults and date parser ``airflow`` uses),
    as an ``argparse.Namespace``. Raises ``ValueError`` for another command or arguments Airflow would refuse.
    """
    import argparse

    from airflow.cli.cli_config import BACKFILL_COMMANDS

    argv = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    if argv[:1] == ["airflow"]:
        argv = argv[1:]
    if argv[:2] != ["backfill", "create"]:
        raise ValueError(f"not an `airflow backfill create` command: {shlex.join(argv)!r}")
    create = next(c for c in BACKFILL_COMMANDS if c.name == "create")
    parser = argparse.ArgumentParser(prog="airflow backfill create", exit_on_error=False)
    for arg in create.args:
        arg.add_to_parser(parser)
    try:
        return parser.parse_args(argv[2:])
    except (argparse.ArgumentError, SystemExit) as error:  # SystemExit: argparse has printed why
        raise ValueError(f"Airflow's CLI refuses {shlex.join(argv)!r}: {error}") from None


def backfill_plan(dag: Any, command: str | Sequence[str]) -> BackfillPlan:
    """Parse ``command`` as Airflow's CLI does and list its runs with the planner the command uses.

    ``airflow.models.backfill._get_info_list`` is what ``airflow backfill create`` (and its ``--dry-run``)
    calls to list a backfill's runs: every logical date of the DAG's timetable between ``--from-date`` and
    ``--to-date``, both inclusive, compared as timestamps. Runs that already exist are left out later,
    depending on ``--reprocess-behavior``; that needs the metadata DB, this does not. Raises ``ValueError``
    for a command that is not ``airflow backfill create ...`` or that Airflow's CLI refuses.
    """
    from airflow.models.backfill import _get_info_list

    args = parse_backfill_command(command)
    infos = _get_info_list(dag=scheduler_view(dag), from_date=args.from_date, to_date=args.to_date,
                           reverse=args.run_backwards)
    return BackfillPlan(args.dag_id, args.from_date, args.to_date,
                        args.max_active_runs or BACKFILL_DEFAULT_MAX_ACTIVE_RUNS,
                        args.reprocess_behavior or "none", args.run_backwards,
                        [info.logical_date for info in infos])


def edges(dag: Any) -> set[tuple[str, str]]:
    """Every dependency of ``dag`` as an (upstream, downstream) pair of task ids."""
    return {(task_id, down) for task_id, task in dag.task_dict.items() for down in task.downstream_task_ids}


def topological_order(dag: Any) -> list[str]:
    """Task ids level by level from the roots (a task after all its upstream tasks), by id within a level;
    tasks on a cycle, which have no such order, come last in id order."""
    waiting = {task_id: set(task.upstream_task_ids) for task_id, task in dag.task_dict.items()}
    order: list[str] = []
    while waiting:
        ready = sorted(task_id for task_id, ups in waiting.items() if not ups)
        if not ready:
            return order + sorted(waiting)
        order += ready
        for task_id in ready:
            del waiting[task_id]
        for ups in waiting.values():
            ups.difference_update(ready)
    return order


def mermaid(dag: Any, direction: str = "LR", *, fenced: bool = True) -> str:
    """A Mermaid flowchart of ``dag``'s tasks and edges, in topological order (so it reads left to right);
    inside a ```mermaid fence (for Markdown) unless ``fenced=False``."""
    rank = {task_id: n for n, task_id in enumerate(topological_order(dag))}
    lines = [f"flowchart {direction}"]
    lines += [f"    {task_id}" for task_id in sorted(dag.task_dict, key=rank.__getitem__)]
    ordered = sorted(edges(dag), key=lambda edge: (rank[edge[0]], rank[edge[1]]))
    lines += [f"    {up} --> {down}" for up, down in ordered]
    return "\n".join(["```mermaid", *lines, "```"] if fenced else lines)
