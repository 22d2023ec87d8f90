"""``kit-quiz``: study, stats, lint, export, decks.

    kit-quiz [study] [--tag T] [--deck D] [--new-limit N] [--shuffle] [--cram] [--self-grade]
    kit-quiz stats   [--tag T] [--deck D]
    kit-quiz lint    [PATH ...]
    kit-quiz export  (--anki OUT.apkg | --csv OUT.csv) [--tag T] [--deck D]
    kit-quiz decks

Every command takes ``--decks DIR`` (or ``KIT_QUIZ_DECKS``) for a deck directory other than the shipped
one; ``study`` and ``stats`` take ``--store PATH`` (or ``KIT_QUIZ_STORE``) for the progress database.

Exit status: 0 fine, 1 bad usage (an unknown option, tag or deck, a negative number) or an export that
cannot be written, 2 deck problems (lint), 3 progress store unusable or in use by another study session,
130 interrupted by Ctrl-C (answers given so far are saved).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from . import deck as deckmod

COMMANDS = ("study", "stats", "lint", "export", "decks")
EXIT_USAGE, EXIT_LINT, EXIT_STORE, EXIT_INTERRUPTED = 1, 2, 3, 130


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _Parser(argparse.ArgumentParser):
    """argparse, exiting with the documented usage status (1) instead of its own 2 (our lint status)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _count(text: str) -> int:
    """A whole number >= 0 (for --new-limit)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative (0 means no new cards today)")
    return value


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--decks", type=Path, metavar="DIR",
                        help="deck directory (default: $KIT_QUIZ_DECKS or the shipped decks)")
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", type=Path, metavar="PATH",
                       help="progress database (default: $KIT_QUIZ_STORE or the user data directory)")
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--tag", action="append", default=[], metavar="TAG",
                         help="only cards with this tag (repeat for any of several)")
    filters.add_argument("--deck", action="append", default=[], metavar="DECK",
                         help="only cards of this deck, e.g. airflow-core (repeatable)")

    parser = _Parser(
        prog="kit-quiz",
        description="Spaced-repetition flashcards for the data-engineering interview syllabus (FSRS scheduling).",
        epilog="Without a command, `kit-quiz` studies. `kit-quiz COMMAND --help` for each command's options.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    study = sub.add_parser("study", parents=[common, store, filters], help="study due and new cards (default)")
    study.add_argument("--new-limit", type=_count, default=20, metavar="N",
                       help="new cards per day (default 20)")
    study.add_argument("--shuffle", action="store_true", help="shuffle the due and new cards")
    study.add_argument("--seed", type=int, help="random seed for --shuffle (repeatable order)")
    study.add_argument("--cram", action="store_true",
                       help="review studied cards weakest first without changing the schedule")
    study.add_argument("--self-grade", action="store_true", help="reveal-and-rate for every card, no typing")
    study.add_argument("--plain", action="store_true", help="plain text output even on a terminal")

    stats = sub.add_parser("stats", parents=[common, store, filters], help="progress: today, retention, due, streak")
    stats.add_argument("--plain", action="store_true", help="plain text output even on a terminal")

    lint = sub.add_parser("lint", parents=[common], help="check deck files; exit 2 on any problem")
    lint.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="deck files or directories (default: the decks)")
    lint.add_argument("--tags", type=Path, metavar="FILE", help="tags registry (default: tags.md beside each deck)")

    export = sub.add_parser("export", parents=[common, filters], help="write an Anki package and/or CSV")
    export.add_argument("--anki", type=Path, metavar="OUT.apkg", help="Anki package to write")
    export.add_argument("--csv", type=Path, metavar="OUT.csv", help="CSV file to write")

    sub.add_parser("decks", parents=[common], help="cards per deck and per tag")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # before or after a session (which handles its own): no traceback
        print("\nkit-quiz: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "study")
    args = _parser().parse_args(argv)
    deck_dir = args.decks or (Path(os.environ["KIT_QUIZ_DECKS"]) if os.environ.get("KIT_QUIZ_DECKS") else None)

    if args.command == "lint":
        return _lint(args, deck_dir)

    cards, problems = deckmod.load(deck_dir)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in the decks; fix them first (kit-quiz lint).", file=sys.stderr)
        return EXIT_LINT
    if args.command == "decks":
        return _decks(cards)

    known_tags = {t for c in cards for t in c.tags}
    known_decks = {c.deck for c in cards}
    for value, known, what in [(t, known_tags, "tag") for t in args.tag] + [(d, known_decks, "deck") for d in args.deck]:
        if value not in known:
            print(f"kit-quiz: unknown {what} '{value}'; known: {', '.join(sorted(known))}", file=sys.stderr)
            return EXIT_USAGE

    from .planner import select

    chosen = select(cards, tags=args.tag, decks=args.deck)
    if args.command == "export":
        return _export(args, chosen)

    from .store import Store, StoreError, default_path

    try:
        with Store(args.store or default_path()) as store:
            if args.command == "study":
                store.claim()  # one study session per store at a time
                return _study(args, cards, chosen, store)
            return _stats(args, chosen, store)
    except StoreError as error:
        print(f"kit-quiz: {error}", file=sys.stderr)
        return EXIT_STORE


def _lint(args: argparse.Namespace, deck_dir: Path | None) -> int:
    paths = args.paths or [deck_dir or deckmod.DEFAULT_DECK_DIR]
    cards, problems = deckmod.lint(paths, tags_file=args.tags)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s).")
        return EXIT_LINT
    print(f"{len(cards)} cards, no problems.")
    return 0


def _decks(cards: list[deckmod.Card]) -> int:
    from collections import Counter

    by_deck = Counter(c.deck for c in cards)
    by_tag = Counter(t for c in cards for t in c.tags)
    print(f"{len(cards)} cards")
    print("\nper deck:")
    for name, count in by_deck.items():
        print(f"  {name:28} {count:4}")
    print("\nper tag:")
    for name, count in sorted(by_tag.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {name:28} {count:4}")
    return 0


def _export(args: argparse.Namespace, cards: list[deckmod.Card]) -> int:
    if not args.anki and not args.csv:
        print("kit-quiz export: give --anki OUT.apkg and/or --csv OUT.csv", file=sys.stderr)
        return EXIT_USAGE
    from . import export

    targets = ((args.anki, export.write_apkg, "notes"), (args.csv, export.write_csv, "cards"))
    for target, write, what in targets:
        if not target:
            continue
        if target.is_dir():
            print(f"kit-quiz export: {target} is a folder; give a file name, e.g. {target / 'kit.apkg'}",
                  file=sys.stderr)
            return EXIT_USAGE
        try:
            print(f"{write(cards, target)} {what} -> {target}")
        except OSError as error:
            print(f"kit-quiz export: cannot write {target}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
    return 0


def _study(args: argparse.Namespace, all_cards: list[deckmod.Card], chosen: list[deckmod.Card], store) -> int:
    import random

    from .planner import plan, start_of_day
    from .scheduler import Scheduler
    from .session import Session, format_duration
    from .ui import make_ui

    ui = make_ui(plain=args.plain)
    scheduler = Scheduler()
    now = _now()
    records = store.records()
    the_plan = plan(
        chosen,
        records,
        now,
        new_limit=args.new_limit,
        introduced_today=store.count_introduced(start_of_day(now)),
        retrievability=scheduler.retrievability,
        cram=args.cram,
        shuffle=args.shuffle,
        rng=random.Random(args.seed),
    )
    if the_plan.cram:
        if the_plan.reason:
            ui.message(the_plan.reason)
        if not len(the_plan.queue):
            ui.message("Nothing studied yet to cram." + _next_due(the_plan.next_due, now, format_duration))
            return 0
        ui.message(f"Cram: {len(the_plan.queue)} studied cards, weakest first. The schedule is not changed.")
    else:
        learning = len(the_plan.queue.learning)  # cards left in a learning step by an earlier session
        ui.message(
            f"{the_plan.due} due, {the_plan.new} new" + (f", {learning} in learning" if learning else "")
            + f" (limit {args.new_limit} new a day). q quits; answers save as you go."
        )

    session = Session(
        {c.id: c for c in all_cards}, records, the_plan, store, scheduler, ui, clock=_now, typed=not args.self_grade
    )
    summary = session.run()
    lines = summary.lines()
    upcoming = [session.records[c.id].memory.due for c in chosen if c.id in session.records]
    later = [d for d in upcoming if d > _now()]
    if later:
        lines.append(_next_due(min(later), _now(), format_duration).strip())
    ui.message("")
    ui.panel("Session summary", "\n".join(lines), "magenta", markdown=False)
    return EXIT_INTERRUPTED if summary.stopped_by == "Ctrl-C" else 0


def _next_due(when: datetime | None, now: datetime, fmt) -> str:
    if when is None:
        return ""
    return f" Next card due in {fmt((when - now).total_seconds())}."


def _stats(args: argparse.Namespace, chosen: list[deckmod.Card], store) -> int:
    from .scheduler import Scheduler
    from .stats import compute, show
    from .ui import make_ui

    now = _now()
    stats = compute(chosen, store.records(), store.reviews(), now, Scheduler().retrievability)
    show(stats, make_ui(plain=args.plain))
    print(f"Store: {store.path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
