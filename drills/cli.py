"""``kit-drill``: SQL drills in Snowflake's dialect, graded offline on hidden data.

    kit-drill list  [--tag T] [--difficulty D]          the bank, with your status per drill
    kit-drill show  ID [--hints] [--solution]          the prompt (and hints, the reference and the traps)
    kit-drill check ID FILE.sql [--no-record]           grade one query; the attempt is saved
    kit-drill next  [--tag T] [--difficulty D]          the drill to do now: due again first, then unsolved
    kit-drill stats                                     solved, attempted, due, per tag

Common option: ``--store PATH`` (or ``KIT_QUIZ_STORE``), the same progress database as ``kit-quiz``.

Exit status: 0 fine (for check: the query passed), 1 bad usage (unknown drill or tag, unreadable file),
2 a problem in the drill bank, 3 unusable progress store, 4 the query did not pass (wrong, refused, failed
or too slow), 130 interrupted by Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from . import bank

EXIT_USAGE, EXIT_BANK, EXIT_STORE, EXIT_FAILED, EXIT_INTERRUPTED = 1, 2, 3, 4, 130
COMMANDS = ("list", "show", "check", "next", "stats")


def _now() -> datetime:
    return datetime.now(UTC)


def _parser() -> argparse.ArgumentParser:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        help="progress database (default: $KIT_QUIZ_STORE or the user data directory)",
    )
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="only drills with this tag"
    )
    filters.add_argument("--difficulty", action="append", default=[], choices=bank.DIFFICULTIES)

    parser = argparse.ArgumentParser(
        prog="kit-drill",
        description="SQL drills in Snowflake's dialect, graded on the visible dataset and on hidden ones.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("list", parents=[store, filters], help="the drills and your status")
    show = sub.add_parser("show", parents=[store], help="one drill's prompt")
    show.add_argument("drill_id", metavar="ID")
    show.add_argument("--hints", action="store_true", help="also the hints")
    show.add_argument(
        "--solution", action="store_true", help="also the reference, alternatives and common mistakes"
    )
    check = sub.add_parser("check", parents=[store], help="grade a .sql file")
    check.add_argument("drill_id", metavar="ID")
    check.add_argument("file", type=Path, metavar="FILE.sql")
    check.add_argument("--no-record", action="store_true", help="do not save the attempt")
    sub.add_parser("next", parents=[store, filters], help="what to do now")
    sub.add_parser("stats", parents=[store], help="progress")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        drills = bank.load()
    except bank.BankError as error:
        print(f"kit-drill: drill bank problem: {error}", file=sys.stderr)
        return EXIT_BANK
    known = {d.id: d for d in drills}
    if getattr(args, "drill_id", None) and args.drill_id not in known:
        print(f"kit-drill: no drill '{args.drill_id}'; `kit-drill list` shows them all", file=sys.stderr)
        return EXIT_USAGE
    tags = {t for d in drills for t in d.tags}
    for tag in getattr(args, "tag", []):
        if tag not in tags:
            print(f"kit-drill: unknown tag '{tag}'; known: {', '.join(sorted(tags))}", file=sys.stderr)
            return EXIT_USAGE
    if args.command == "show":
        return _show(known[args.drill_id], args)

    from .progress import DrillProgress, StoreError

    try:
        if args.command == "check":
            return _check(known[args.drill_id], args, DrillProgress)
        with DrillProgress(args.store) as progress:
            statuses = progress.statuses()
        chosen = [
            d
            for d in drills
            if (not args.__dict__.get("tag") or set(args.tag) & set(d.tags))
            and (not args.__dict__.get("difficulty") or d.difficulty in args.difficulty)
        ]
        if args.command == "list":
            return _list(chosen, statuses)
        if args.command == "next":
            return _next(chosen, statuses)
        return _stats(drills, statuses, args)
    except StoreError as error:
        print(f"kit-drill: {error}", file=sys.stderr)
        return EXIT_STORE
    except KeyboardInterrupt:
        print("\nkit-drill: interrupted; attempts already graded are saved.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _state(drill_id: str, statuses: dict, now: datetime) -> str:
    status = statuses.get(drill_id)
    if status is None:
        return "new"
    if status.due is not None and status.due <= now:
        return "due"
    if status.due is not None:
        return "solved, review later" if status.solved else "failed, back later"
    return "solved" if status.solved else "failed"


def _list(drills: list[bank.Drill], statuses: dict) -> int:
    now = _now()
    for d in drills:
        print(f"{d.id:34} {d.difficulty:7} {_state(d.id, statuses, now):22} {', '.join(d.tags)}")
    print(f"{len(drills)} drills")
    return 0


def _show(drill: bank.Drill, args: argparse.Namespace) -> int:
    print(f"{drill.title}  [{drill.id}, {drill.difficulty}; {', '.join(drill.tags)}]\n")
    print(drill.prompt)
    print(
        f"\nColumns: {', '.join(drill.columns)}"
        + ("; the order of rows matters." if drill.ordered else "; rows in any order.")
    )
    if drill.tolerance:
        print(f"Numbers are compared within {drill.tolerance:g}.")
    if drill.kind == "merge":
        print(
            f"Write one MERGE INTO {drill.target}; it runs on a copy of the data "
            f"and {drill.target}'s rows afterwards are compared."
        )
    if args.hints or args.solution:
        print("\nHints:\n" + "\n".join(f"  - {h}" for h in drill.hints))
    if args.solution:
        print(f"\nReference:\n{drill.solution}\n\n{drill.explanation}")
        for alt in drill.alternatives:
            print(f"\nAlternative ({alt.note}):\n{alt.sql.strip()}")
        print("\nCommon mistakes:")
        for w in drill.wrong:
            print(f"  - {w.name}: {w.why}")
    return 0


def _check(drill: bank.Drill, args: argparse.Namespace, progress_cls) -> int:
    try:
        sql = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"kit-drill: cannot read {args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    from .grade import grade

    result = grade(drill, sql)
    print(result.message)
    if result.stage != "not_attempted" and not args.no_record:
        with progress_cls(args.store) as progress:
            status = progress.record(drill.id, result.passed, result.stage, result.case, _now())
        if status.due is not None:
            print(f"It comes back for review on {status.due.date().isoformat()}.")
    return 0 if result.passed else EXIT_FAILED


def _next(drills: list[bank.Drill], statuses: dict) -> int:
    now = _now()
    due = [d for d in drills if _state(d.id, statuses, now) == "due"]
    new = [d for d in drills if d.id not in statuses]
    if not due and not new:
        print("Nothing due and nothing new in this selection. Well done.")
        return 0
    pick = (due or new)[0]
    print(
        f"{'Due again' if due else 'Next new drill'}: {pick.id} ({pick.difficulty}). "
        f"`kit-drill show {pick.id}`, then `kit-drill check {pick.id} FILE.sql`."
    )
    return 0


def _stats(drills: list[bank.Drill], statuses: dict, args: argparse.Namespace) -> int:
    now = _now()
    states = Counter(_state(d.id, statuses, now) for d in drills)
    solved = sum(1 for d in drills if d.id in statuses and statuses[d.id].solved)
    print(f"{len(drills)} drills: {solved} solved, {len(statuses)} attempted, {states['due']} due now.")
    by_tag: dict[str, list[int]] = {}
    for d in drills:
        for t in d.tags:
            pair = by_tag.setdefault(t, [0, 0])
            pair[1] += 1
            pair[0] += int(d.id in statuses and statuses[d.id].solved)
    for tag, (done, total) in sorted(by_tag.items()):
        print(f"  {tag:22} {done}/{total}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
