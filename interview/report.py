"""The readiness report (``kit-report``, ``make report``, notebook 38): where you stand per topic, and what next.

Everything comes from the progress store that ``kit-quiz``, ``kit-drill``, the notebooks' graders and the mock
interview write to. Per topic (the flashcard tags, see ``interview.topics``):

- **exercises**: notebook exercises passed at least once / attempted / in the kit (graded in your ``work/`` copy);
- **drills**: SQL drills solved at least once / attempted / in the bank;
- **flashcards**: cards studied / in the decks, and the share of answers **recalled** (rated Hard, Good or Easy,
  not Again) over the last 30 days. Every answer counts, learning steps included, so the figure means something
  from the first week (``kit-quiz stats`` reports retention of graduated cards only, FSRS's own target);
- **interview**: the mean score of the mock-interview items on the topic, per session, and its trend (first
  session against the last).

**How a topic's readiness is judged.** Each kind of practice with evidence gives a score from 0 to 1: exercises
passed / attempted, drills solved / attempted, answers recalled (at least 3 answers in 30 days), and the topic's
score in the latest interview session that had it. Readiness is their weighted mean, the interview counting double
(:data:`WEIGHTS`): it is timed, unseen and closest to the real thing. Kinds without evidence are left out rather
than counted as zero: not having practised a topic is not the same as failing it.

**The three things to study next** are the three topics with the lowest readiness (ties: more evidence first,
then study-path order), leaving out tags about the kit itself (``sim-caveat``). When fewer than three topics have
evidence, the first topics of the study path not started yet fill the list. Topics with the same evidence and the
same notebooks are one thing to study (``api / pagination``: notebook 08). Each comes with where it is taught
(its notebooks, and the deck with the most cards on it) and the commands that practise it, its weakest kind of
practice first.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flashcards.scheduler import AGAIN
from flashcards.stats import MIN_TAG_REVIEWS as MIN_ANSWERS  # fewer answers say nothing about a topic

from . import SECTIONS
from . import topics as topicmap

WINDOW = timedelta(days=30)
WEIGHTS = {"interview": 2.0, "exercises": 1.0, "drills": 1.0, "flashcards": 1.0}
NEXT = 3
WIDTH = 112  # columns the whole table needs


# -- what the report holds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicStanding:
    """One topic's evidence from every kind of practice."""

    topic: str
    about: str
    exercises_passed: int = 0
    exercises_attempted: int = 0
    exercises_total: int = 0
    drills_solved: int = 0
    drills_attempted: int = 0
    drills_total: int = 0
    cards_studied: int = 0
    cards_total: int = 0
    answers: int = 0  # in the last 30 days
    recalled: int = 0  # of those, not rated Again
    interview: tuple[float, ...] = ()  # the topic's mean item score per session, oldest first
    weakest_section: str | None = None  # in the latest session with this topic
    retry_exercise_notebook: str | None = None  # first notebook with an exercise attempted but not passed
    weakest_drill_tag: str | None = None  # the drill tag most common among attempted, unsolved drills

    def evidence(self) -> dict[str, float]:
        """Score (0-1) of each kind of practice that has evidence on this topic."""
        found = {}
        if self.interview:
            found["interview"] = self.interview[-1]
        if self.exercises_attempted:
            found["exercises"] = self.exercises_passed / self.exercises_attempted
        if self.drills_attempted:
            found["drills"] = self.drills_solved / self.drills_attempted
        if self.answers >= MIN_ANSWERS:
            found["flashcards"] = self.recalled / self.answers
        return found

    @property
    def readiness(self) -> float | None:
        found = self.evidence()
        if not found:
            return None
        return sum(WEIGHTS[k] * v for k, v in found.items()) / sum(WEIGHTS[k] for k in found)

    @property
    def practised(self) -> bool:
        return bool(self.exercises_attempted or self.drills_attempted or self.answers or self.interview)


@dataclass(frozen=True)
class SectionTrend:
    """One interview section's mean score per session (sessions that had it), oldest first."""

    section: str
    scores: tuple[tuple[date, float], ...]


@dataclass(frozen=True)
class StudyNext:
    """A thing to study next: one topic, or several whose evidence and notebooks are the same (api / pagination)."""

    topics: tuple[str, ...]
    why: str
    where: tuple[str, ...]  # repository paths that teach it
    commands: tuple[str, ...]

    @property
    def topic(self) -> str:
        return " / ".join(self.topics)


@dataclass(frozen=True)
class Report:
    store: Path
    now: datetime
    topics: tuple[TopicStanding, ...]
    sections: tuple[SectionTrend, ...]
    study_next: tuple[StudyNext, ...]
    recall_by_week: dict[str, tuple[tuple[date, float], ...]] = field(default_factory=dict)  # "all" and topics

    @property
    def empty(self) -> bool:
        return not any(t.practised for t in self.topics) and not self.sections


# -- reading the store -------------------------------------------------------------------------------------------


@dataclass
class _Log:
    """What the store holds, read once."""

    records: set[str] = field(default_factory=set)  # studied card ids
    reviews: list[Any] = field(default_factory=list)
    drills: dict[str, Any] = field(default_factory=dict)  # drill id -> drills.progress.Status
    exercises: dict[tuple[str, str], bool] = field(default_factory=dict)  # (notebook, exercise) -> passed
    results: list[Any] = field(default_factory=list)  # interview results
    started: dict[str, datetime] = field(default_factory=dict)  # interview session -> started_at


def _read(path: Path) -> _Log:
    """The store's contents; a store that does not exist yet is empty (and is not created)."""
    if not path.exists():
        return _Log()
    from drills.progress import DrillProgress
    from flashcards.store import Store

    from .progress import InterviewProgress

    with Store(path) as store:  # checks the file first: StoreError naming the path, file untouched
        log = _Log(set(store.records()), store.reviews())
    with DrillProgress(path) as drills:
        log.drills = drills.statuses()
    with InterviewProgress(path) as interview:
        log.exercises = interview.exercises()
        log.results = interview.results()
        log.started = {s.session_id: s.started_at for s in interview.sessions()}
    return log


# -- what each interview item is about ---------------------------------------------------------------------------


class _Items:
    """Topics of interview items, from the banks' metadata (loaded once, each bank only if needed)."""

    def __init__(self, drills: dict[str, Any], cards: dict[str, Any]) -> None:
        self._drills, self._cards = drills, cards
        self._banks: dict[str, dict[str, tuple[str, ...]]] = {}

    def _bank(self, section: str) -> dict[str, tuple[str, ...]]:
        if section not in self._banks:
            from .design import DesignError, prompts
            from .tasks import TaskError, bank

            try:
                found = prompts() if section == "design" else bank(section)
                self._banks[section] = {key: item.tags for key, item in found.items()}
            except (DesignError, TaskError, OSError):  # a bank that cannot load: what the result says teaches it
                self._banks[section] = {}
        return self._banks[section]

    def topics(self, section: str, item_id: str, detail: dict[str, Any]) -> tuple[str, ...]:
        found: tuple[str, ...] = ()
        if section == "sql" and item_id in self._drills:
            found = topicmap.drill_topics(self._drills[item_id].tags)
        elif section in ("python", "dag", "design"):
            found = self._bank(section).get(item_id, ())
        elif section == "concepts":
            ids = [i.strip() for i in item_id.split(",")]
            found = tuple(dict.fromkeys(t for i in ids if i in self._cards for t in self._cards[i].tags))
        if not found:
            teaches = detail.get("teaches", []) if isinstance(detail, dict) else []
            found = topicmap.notebook_topics([teaches] if isinstance(teaches, str) else teaches)
        return found


# -- computing ---------------------------------------------------------------------------------------------------


def _week(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def _share_by_week(ratings: Sequence[tuple[datetime, int]]) -> tuple[tuple[date, float], ...]:
    weeks: dict[date, list[int]] = defaultdict(list)
    for moment, rating in ratings:
        weeks[_week(moment)].append(rating)
    return tuple((w, sum(r != AGAIN for r in rs) / len(rs)) for w, rs in sorted(weeks.items()))


class _Scores:
    """Interview results grouped by session (in time order), by topic and by section."""

    def __init__(self, log: _Log, items: _Items) -> None:
        started: dict[str, datetime] = {}
        for result in log.results:
            started.setdefault(result.session_id, log.started.get(result.session_id, result.finished_at))
        self.started = started
        self.order = sorted(started, key=lambda s: (started[s], s))
        self.by_topic: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(lambda: defaultdict(dict))
        self.by_section: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for result in log.results:
            self.by_section[result.section][result.session_id].append(result.score)
            for topic in items.topics(result.section, result.item_id, result.detail):
                self.by_topic[topic][result.session_id].setdefault(result.section, []).append(result.score)

    def topic(self, topic: str) -> tuple[tuple[float, ...], str | None]:
        """The topic's mean item score per session that had it, and its weakest section in the latest one."""
        sessions = [self.by_topic[topic][s] for s in self.order if s in self.by_topic[topic]]
        if not sessions:
            return (), None
        means = tuple(_mean([v for scores in session.values() for v in scores]) for session in sessions)
        latest = sessions[-1]
        return means, min(latest, key=lambda section: (_mean(latest[section]), section))

    def sections(self) -> tuple[SectionTrend, ...]:
        known = [s for s in SECTIONS if s in self.by_section] + sorted(set(self.by_section) - set(SECTIONS))
        return tuple(SectionTrend(section, tuple((self.started[s].date(), _mean(self.by_section[section][s]))
                                                 for s in self.order if s in self.by_section[section]))
                     for section in known)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def build(store: Path | str | None = None, now: datetime | None = None) -> Report:
    """The report for the progress store at ``store`` (default: the one ``kit-quiz`` uses) as of ``now``.

    Raises ``flashcards.store.StoreError`` (naming the file, which is left untouched) if the store is unusable.
    """
    from datetime import UTC

    import drills.bank
    from flashcards import deck
    from flashcards.store import default_path

    path = Path(store) if store else default_path()
    now = now or datetime.now(UTC)
    log = _read(path)

    cards, _problems = deck.load()
    card_by_id = {c.id: c for c in cards}
    bank = drills.bank.load()
    exercises = topicmap.exercises()
    scores = _Scores(log, _Items({d.id: d for d in bank}, card_by_id))
    recent = [r for r in log.reviews if r.reviewed_at >= now - WINDOW]

    standings = []
    for topic, about in topicmap.topics().items():
        ids = {c.id for c in cards if topic in c.tags}
        answers = [r.rating for r in recent if r.card_id in ids]

        mine = [e for e in exercises.values() if topic in topicmap.NOTEBOOK_TAGS.get(e.notebook, ())]
        graded = {e.name: log.exercises[(e.notebook, e.name)] for e in mine if (e.notebook, e.name) in log.exercises}
        to_retry = sorted({e.notebook for e in mine if graded.get(e.name) is False})

        in_topic = [d for d in bank if topic in topicmap.drill_topics(d.tags)]
        tried = [d for d in in_topic if d.id in log.drills]
        unsolved = Counter(t for d in tried if not log.drills[d.id].solved for t in d.tags
                           if topic == "sql" or topicmap.DRILL_TOPICS.get(t) == topic)

        interview, weakest_section = scores.topic(topic)
        standings.append(TopicStanding(
            topic=topic, about=about,
            exercises_passed=sum(graded.values()), exercises_attempted=len(graded), exercises_total=len(mine),
            drills_solved=sum(log.drills[d.id].solved for d in tried), drills_attempted=len(tried),
            drills_total=len(in_topic),
            cards_studied=len(ids & log.records), cards_total=len(ids),
            answers=len(answers), recalled=sum(r != AGAIN for r in answers),
            interview=interview, weakest_section=weakest_section,
            retry_exercise_notebook=to_retry[0] if to_retry else None,
            weakest_drill_tag=min(unsolved, key=lambda t: (-unsolved[t], t)) if unsolved else None,
        ))

    study_next = _study_next(standings, card_by_id)
    recall = {"all": _share_by_week([(r.reviewed_at, r.rating) for r in log.reviews])}
    for item in study_next:
        ids = {c.id for c in cards if set(item.topics) & set(c.tags)}
        weekly = _share_by_week([(r.reviewed_at, r.rating) for r in log.reviews if r.card_id in ids])
        if weekly:
            recall[item.topic] = weekly
    return Report(path, now, tuple(standings), scores.sections(), study_next, recall)


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _why(t: TopicStanding) -> str:
    parts = []
    if t.interview:
        n = len(t.interview)
        parts.append(f"interview {_pct(t.interview[-1])}" + (f" (last of {n} sessions)" if n > 1 else ""))
    if t.exercises_attempted:
        parts.append(f"exercises {t.exercises_passed} of {t.exercises_attempted} passed")
    if t.drills_attempted:
        parts.append(f"drills {t.drills_solved} of {t.drills_attempted} solved")
    if t.answers:
        parts.append(f"recalled {t.recalled} of {t.answers} answers")
    return ", ".join(parts) if parts else "not started yet"


def _commands(t: TopicStanding, quiz_tags: Sequence[str]) -> tuple[str, ...]:
    first_notebook = next(iter(topicmap.notebooks_teaching(t.topic)), None)
    notebook = t.retry_exercise_notebook or first_notebook
    by_kind = {
        "flashcards": f'make quiz ARGS="{" ".join(f"--tag {tag}" for tag in quiz_tags)}"' if quiz_tags else None,
        "drills": (f".venv/bin/kit-drill next --tag {t.weakest_drill_tag}" if t.weakest_drill_tag
                   else ".venv/bin/kit-drill next" if t.drills_total else None),
        "exercises": f"make lab   # then open work/{notebook}.ipynb" if notebook else None,
        "interview": f'make interview ARGS="--only {t.weakest_section}"' if t.weakest_section else None,
    }
    evidence = t.evidence()
    ordered = sorted(evidence, key=lambda k: (evidence[k], list(WEIGHTS).index(k)))
    ordered += [k for k in ("exercises", "flashcards", "drills") if k not in ordered]
    commands = [by_kind[k] for k in ordered if by_kind[k]]
    return tuple(dict.fromkeys(commands))[:3]


def _study_next(standings: list[TopicStanding], cards: dict[str, Any]) -> tuple[StudyNext, ...]:
    if not any(t.practised for t in standings):
        return ()
    path_order = {nb: i for i, nb in enumerate(topicmap.NOTEBOOK_TAGS)}

    def first_taught(t: TopicStanding) -> int:
        return min((path_order[nb] for nb in topicmap.notebooks_teaching(t.topic)), default=len(path_order))

    eligible = [t for t in standings if t.topic not in topicmap.NOT_STUDY_TOPICS]
    judged = sorted((t for t in eligible if t.readiness is not None),
                    key=lambda t: (t.readiness, -len(t.evidence()), first_taught(t), t.topic))
    fresh = sorted((t for t in eligible if not t.practised and topicmap.notebooks_teaching(t.topic)),
                   key=lambda t: (first_taught(t), t.topic))
    # topics with the same evidence and the same notebooks are one thing to study (api and pagination: notebook 08)
    groups: dict[tuple[str, tuple[str, ...]], list[TopicStanding]] = {}
    for t in judged + fresh:
        key = (_why(t), tuple(topicmap.notebooks_teaching(t.topic)))
        if key in groups or len(groups) < NEXT:
            groups.setdefault(key, []).append(t)
    has_cards = {tag for c in cards.values() for tag in c.tags}
    return tuple(
        StudyNext(tuple(t.topic for t in group), why,
                  tuple(dict.fromkeys(p for t in group for p in topicmap.taught_in(t.topic, cards.values()))),
                  _commands(group[0], [t.topic for t in group if t.topic in has_cards]))
        for (why, _notebooks), group in groups.items()
    )


# -- showing -----------------------------------------------------------------------------------------------------

HOW_TO_START = """Nothing recorded yet in this progress store. Every kind of practice feeds this report:
  make lab                      the notebooks: exercises graded in your work/ copy are recorded
  make quiz                     flashcards (make quiz ARGS="--tag incremental" for one topic)
  .venv/bin/kit-drill next      a SQL drill to solve (kit-drill check ID answer.sql grades it)
  make interview                a timed mock interview
Then run make report again."""


def _count(done: int, tried: int, total: int) -> str:
    if not total and not tried:
        return ""
    return f"{done}/{tried} of {total}" if tried else f"- of {total}"


def _trend(scores: Sequence[float]) -> str:
    if not scores:
        return ""
    if len(scores) == 1:
        return _pct(scores[0])
    arrow = "↑" if scores[-1] > scores[0] else "↓" if scores[-1] < scores[0] else "→"
    return f"{_pct(scores[0])} {arrow} {_pct(scores[-1])}"


def _readiness(value: float | None) -> Any:
    """The readiness figure, red below 50%, yellow below 75%, green above (colours only on a terminal)."""
    from rich.text import Text

    if value is None:
        return "-"
    return Text(_pct(value), style="red" if value < 0.5 else "yellow" if value < 0.75 else "green")


def show(report: Report, console: Any = None, *, every_topic: bool = False) -> None:
    """Print the report with rich: the topics practised (or ``every_topic``), the interview sections, what next."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)
    if report.empty:
        console.print(HOW_TO_START, markup=False)
        return

    table = Table(title="Readiness per topic", title_justify="left")
    table.add_column("Topic", no_wrap=True)
    for column, justify in ( ("Exercises\npassed/tried", "right"),
                            ("Drills\nsolved/tried", "right"), ("Cards\nstudied", "right"),
                            ("Recalled\n30 days", "right"), ("Interview\nfirst → last", "right"),
                            ("Readiness", "right")):
        table.add_column(column, justify=justify)
    shown = [t for t in report.topics if every_topic or t.practised]
    for t in sorted(shown, key=lambda t: (t.readiness is None, t.readiness or 0, t.topic)):
        table.add_row(
            t.topic,
            _count(t.exercises_passed, t.exercises_attempted, t.exercises_total),
            _count(t.drills_solved, t.drills_attempted, t.drills_total),
            f"{t.cards_studied} of {t.cards_total}" if t.cards_total else "",
            f"{_pct(t.recalled / t.answers)} of {t.answers}" if t.answers else "",
            _trend(t.interview),
            _readiness(t.readiness),
        )
    console.print(table)
    hidden = len(report.topics) - len(shown)
    if hidden:
        console.print(f"({hidden} topics not practised yet are left out; --all shows every topic.)", markup=False)

    if report.sections:
        sections = Table(title="Mock interview, per section", title_justify="left")
        for column in ("Section", "Sessions", "First", "Last", "Trend"):
            sections.add_column(column, justify="left" if column == "Section" else "right")
        for s in report.sections:
            scores = [v for _, v in s.scores]
            sections.add_row(s.section, str(len(scores)), _pct(scores[0]), _pct(scores[-1]), _trend(scores))
        console.print(sections)

    console.print("\nStudy next", style="bold", markup=False)
    for n, item in enumerate(report.study_next, 1):
        console.print(f"{n}. {item.topic}: {item.why}", markup=False, soft_wrap=True)
        if item.where:
            console.print(f"   taught in: {', '.join(item.where)}", markup=False, soft_wrap=True)
        for command in item.commands:
            console.print(f"   $ {command}", markup=False, soft_wrap=True)


def render(report: Report, width: int = WIDTH, *, every_topic: bool = False) -> str:
    """The report as plain text (no colours), e.g. for a notebook cell or a file."""
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False,
                      force_jupyter=False, highlight=False)
    show(report, console, every_topic=every_topic)
    return console.file.getvalue()


# -- plots (notebook 38) -----------------------------------------------------------------------------------------


def plot(report: Report):
    """Two panels: the share of flashcard answers recalled per week (all cards, and each topic to study next),
    and each interview section's score per session. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.dates import DateFormatter

    fig, (recall, interview) = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, points in report.recall_by_week.items():
        if points:
            recall.plot([d for d, _ in points], [v for _, v in points], marker="o",
                        linewidth=2.5 if name == "all" else 1.2, label="all cards" if name == "all" else name)
    recall.set_title("Flashcard answers recalled, per week")
    interview.set_title("Mock interview score per session")
    for s in report.sections:
        interview.plot([d for d, _ in s.scores], [v for _, v in s.scores], marker="o", label=s.section)
    for ax in (recall, interview):
        ax.set_ylim(0, 1.05)
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
        ax.tick_params(axis="x", labelrotation=30)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="lower right")
        else:
            ax.text(0.5, 0.5, "nothing recorded yet", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


# -- the command -------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``kit-report [--store PATH] [--all]``: exit 0, 2 on a problem in a bank or deck, 3 on an unusable store."""
    import argparse
    import sys

    from drills.bank import BankError
    from flashcards.store import StoreError

    parser = argparse.ArgumentParser(
        prog="kit-report",
        description="Readiness per topic from everything you practised, and the three things to study next.")
    parser.add_argument("--store", type=Path, metavar="PATH",
                        help="progress database (default: $KIT_QUIZ_STORE or the user data directory)")
    parser.add_argument("--all", action="store_true", help="every topic, practised or not")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        report = build(args.store)
    except StoreError as error:
        print(f"kit-report: {error}", file=sys.stderr)
        return 3
    except (BankError, ValueError) as error:
        print(f"kit-report: {error}", file=sys.stderr)
        return 2
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: rich would assume 80 columns and wrap the table
        console = Console(highlight=False, width=WIDTH)
    show(report, console, every_topic=args.all)
    print(f"Store: {report.store}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
