"""``kit-interview``: a timed mock interview drawn from what you have not practised yet.

    kit-interview [--only sql,python,dag,design,concepts] [--length short|standard|full | --minutes N]
                  [--difficulty easy|medium|hard] [--scratch DIR] [--seed N]   a new interview
    kit-interview --resume                     continue the unfinished interview where it stopped
    kit-interview list                         past interviews and their scores
    kit-interview show SESSION                 a scorecard again (``last`` for the latest)

Common options: ``--store PATH`` (or ``KIT_QUIZ_STORE``), the progress database ``kit-quiz`` and
``kit-drill`` use; ``--plain`` for plain text on a terminal. Files to edit go to the scratch folder,
``work/interview/<session>/`` under the kit by default (JupyterLab shows it), or ``--scratch DIR``.

At a prompt: Enter submits the file, ``skip`` moves on (the best submission so far counts), ``restore``
writes the starter again, ``q`` stops for now. Ctrl-C, end of input or a closed terminal also stop:
every finished item is saved, and the one in progress keeps its time and best submission.

Exit status: 0 fine (the interview finished, or stopped with q: resume later), 1 bad usage (an unknown
section, length or session, nothing to resume, a scratch folder that cannot be written), 2 a problem in a
bank (drills, tasks, design prompts, flashcard decks), 3 unusable progress store, 130 interrupted by
Ctrl-C, end of input or a closed terminal (resume with ``kit-interview --resume``).
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import SECTIONS
from .plan import LENGTHS, BankProblem, PlanError, parse_sections

EXIT_USAGE, EXIT_BANK, EXIT_STORE, EXIT_INTERRUPTED = 1, 2, 3, 130
COMMANDS = ("start", "list", "show")


def _now() -> datetime:
    return datetime.now(UTC)


class _Parser(argparse.ArgumentParser):
    """argparse, exiting with the documented usage status (1) instead of its own 2 (a bank problem here)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of minutes") from None
    if not 5 <= value <= 240:
        raise argparse.ArgumentTypeError(f"{text} minutes: choose between 5 and 240")
    return value


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", type=Path, metavar="PATH",
                        help="progress database (default: $KIT_QUIZ_STORE or the user data directory)")
    common.add_argument("--plain", action="store_true", help="plain text output even on a terminal")
    parser = _Parser(prog="kit-interview", description="A timed mock data-engineering interview: SQL, Python, "
                     "a DAG, system design and concepts, graded offline, with a scorecard at the end.",
                     epilog="Without a command, starts (or resumes) an interview: `kit-interview start --help` "
                     "lists its options (--only, --length, --minutes, --difficulty, --scratch, --seed, --resume).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    start = sub.add_parser("start", parents=[common], help="a new interview (the default)")
    start.add_argument("--only", metavar="SECTIONS",
                       help=f"comma-separated sections, from {','.join(SECTIONS)} (default: all)")
    size = start.add_mutually_exclusive_group()
    size.add_argument("--length", choices=tuple(LENGTHS), default="standard",
                      help="how many items: short, standard (about an hour) or full")
    size.add_argument("--minutes", type=_minutes, metavar="N",
                      help="the standard items with their time budgets scaled to N minutes in all")
    start.add_argument("--difficulty", choices=("easy", "medium", "hard"), help="of the SQL drills")
    start.add_argument("--scratch", type=Path, metavar="DIR",
                       help="where your files go (default: work/interview/<session>/ under the kit)")
    start.add_argument("--seed", type=int, help="seed of the draw (the same seed and history, the same items)")
    start.add_argument("--resume", action="store_true", help="continue the unfinished interview")
    sub.add_parser("list", parents=[common], help="past interviews and their scores")
    show = sub.add_parser("show", parents=[common], help="the scorecard of one interview")
    show.add_argument("session", metavar="SESSION", help="its id (see list), or last")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "start")
    args = _parser().parse_args(argv)
    previous = signal.signal(signal.SIGHUP, _hang_up) if hasattr(signal, "SIGHUP") else None
    try:
        return _main(args)
    except KeyboardInterrupt:
        _say("\nkit-interview: interrupted. Finished items are saved; `kit-interview --resume` continues.")
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGHUP, previous)


def _hang_up(signum, frame) -> None:
    """A closed terminal: stop as Ctrl-C does, so the item in progress is saved before the process ends."""
    raise KeyboardInterrupt


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except OSError:  # the terminal is gone
        pass


def _main(args: argparse.Namespace) -> int:
    from flashcards.ui import make_ui

    from .progress import InterviewProgress, StoreError

    ui = make_ui(plain=args.plain)
    try:
        if args.command == "start":
            args.sections = parse_sections(args.only)  # before anything is asked or opened
        with InterviewProgress(args.store) as progress:
            if args.command == "list":
                return _list(ui, progress)
            if args.command == "show":
                return _show(ui, progress, args.session)
            return _start(ui, progress, args)
    except StoreError as error:
        print(f"kit-interview: {error}", file=sys.stderr)
        return EXIT_STORE
    except PlanError as error:
        print(f"kit-interview: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BankProblem as error:
        print(f"kit-interview: bank problem: {error}", file=sys.stderr)
        return EXIT_BANK


def _list(ui, progress) -> int:
    from .scorecard import overall, percent, sections

    rows = []
    for session in progress.sessions():
        results = progress.results(session.session_id)
        scores = sections(session, results)
        kinds = ",".join(s.section for s in scores)
        state = "finished" if session.finished_at else f"open, {len(results)} of {len(session.plan)} done"
        rows.append((session.session_id, session.started_at.strftime("%Y-%m-%d %H:%M"), kinds,
                     percent(overall(scores)), state))
    if not rows:
        ui.message("No interviews yet. Start one with `kit-interview` (or `make interview`).")
        return 0
    ui.table("Interviews (times in UTC)", ("Session", "Started", "Sections", "Score", "State"), rows)
    return 0


def _show(ui, progress, session_id: str) -> int:
    from . import scorecard

    sessions = progress.sessions()
    if session_id == "last" and sessions:
        session_id = sessions[-1].session_id
    try:
        session = progress.session(session_id)
    except KeyError:
        known = ", ".join(s.session_id for s in sessions[-5:]) or "none yet"
        print(f"kit-interview: no interview '{session_id}'; latest: {known} (kit-interview list)",
              file=sys.stderr)
        return EXIT_USAGE
    scorecard.show(ui, session, progress.results(session_id))
    return 0


def _start(ui, progress, args: argparse.Namespace) -> int:
    open_ = progress.unfinished()
    if args.resume and open_ is None:
        print("kit-interview: no unfinished interview to resume; start one with kit-interview",
              file=sys.stderr)
        return EXIT_USAGE
    if open_ is not None and not args.resume:
        done = len(progress.results(open_.session_id))
        ui.message(f"An unfinished interview from {open_.started_at:%Y-%m-%d %H:%M} UTC ({open_.session_id}): "
                   f"{done} of {len(open_.plan)} items done.")
        while True:
            try:
                answer = ui.ask("Resume it? y = resume, n = close it as it stands and start a new one, "
                                "q = quit: ").strip().lower()
            except EOFError:
                return 0
            if answer in ("y", "yes", ""):
                args.resume = True
                break
            if answer in ("n", "no"):
                progress.finish(open_.session_id, _now())
                open_ = None
                break
            if answer in ("q", "quit"):
                return 0
    if args.resume and open_ is not None:
        session = open_
        ui.message(f"Resuming {session.session_id}. Your files are in {session.scratch}")
    else:
        session = _new_session(ui, progress, args)
        if session is None:
            return EXIT_USAGE
    return _run(ui, progress, session, args.store)


def _new_session(ui, progress, args: argparse.Namespace):
    from drills.progress import DrillProgress
    from flashcards.scheduler import Scheduler
    from flashcards.store import Store

    from .loop import ScratchError, check_writable
    from .plan import History, draw, load_banks, seen_in
    from .tasks import ROOT

    sections = args.sections
    banks = load_banks(sections)
    store = progress.path
    drill_status = {}
    if "sql" in sections:
        with DrillProgress(store) as drills:
            drill_status = drills.statuses()
    records = {}
    if "concepts" in sections:
        with Store(store) as quiz:
            records = quiz.records()
    history = History(drill_status, seen_in(progress.sessions()), records)
    now = _now()
    rng = random.Random(args.seed)
    items, notes = draw(banks, history, sections, length=args.length, difficulty=args.difficulty,
                        minutes=args.minutes, now=now, rng=rng, retrievability=Scheduler().retrievability)
    for note in notes:
        ui.message(note, "yellow")
    if not items:
        print("kit-interview: nothing to draw for " + ", ".join(sections), file=sys.stderr)
        return None
    session_id = now.strftime("%Y%m%d-%H%M%S")
    taken = {s.session_id for s in progress.sessions()}
    suffix = 2
    while session_id in taken:
        session_id, suffix = f"{now:%Y%m%d-%H%M%S}-{suffix}", suffix + 1
    scratch = (args.scratch or ROOT / "work" / "interview" / session_id).expanduser().resolve()
    try:
        check_writable(scratch)
    except ScratchError as error:
        print(f"kit-interview: {error}", file=sys.stderr)
        return None
    session = progress.start(session_id, items, scratch, now)
    total = sum(i["minutes"] for i in items)
    ui.table(f"Interview {session_id}: {_count(len(items), 'item')}, about {total:g} minutes",
             ("#", "Section", "Item", "Minutes"),
             [(n, i["section"], i["title"], f"{i['minutes']:g}") for n, i in enumerate(items, 1)])
    ui.message(f"Your files go to {scratch}\nOver time is allowed but shows on the scorecard. "
               "q at any prompt stops for now; kit-interview --resume continues.")
    return session


def _run(ui, progress, session, store) -> int:
    from . import scorecard
    from .loop import Interview, ScratchError, Stop

    interview = Interview(progress, session, _banks_for(session), ui, store_path=progress.path)
    try:
        if interview.todo() and ui.ask("Enter = start the clock (q = later): ").strip().lower() in ("q", "quit"):
            raise Stop
        interview.run()
    except Stop:
        left = len(interview.todo())
        ui.message(f"Stopped: {_count(left, 'item')} left, nothing lost. `kit-interview --resume` continues.")
        return 0
    except EOFError:
        _say(f"\nkit-interview: end of input: {_count(len(interview.todo()), 'item')} left, nothing lost. "
             "`kit-interview --resume` continues.")
        return EXIT_INTERRUPTED
    except ScratchError as error:
        print(f"kit-interview: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # the terminal went away mid-read (the item in progress is already saved)
        _say(f"\nkit-interview: the terminal is gone ({error}); `kit-interview --resume` continues.")
        return EXIT_INTERRUPTED
    finally:
        interview.close()
    progress.finish(session.session_id, _now())
    session = progress.session(session.session_id)
    ui.message("")
    scorecard.show(ui, session, progress.results(session.session_id))
    ui.message(f"Saved. `kit-interview show {session.session_id}` shows this again; `kit-interview list` all.")
    return 0


def _banks_for(session):
    from .plan import load_banks

    return load_banks({item["section"] for item in session.plan})


def _count(n: int, noun: str) -> str:
    """``1 item``, ``3 items``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
