"""Checking a typed answer against a short card: precision first.

A quiz that marks a wrong answer right teaches the wrong thing, so the matcher only accepts what it can
tell is the same answer, and says "unsure" (the user grades themselves) when it cannot tell.

Both the typed answer and every accepted answer (the card's ``A:`` plus its ``Aliases:``) are turned into
tokens the same way:

- case, quotes, backticks, a trailing full stop and ``()`` after a name are ignored;
- numbers are numbers: ``sixteen`` is ``16``, ``five minutes``, ``300 s`` and ``timedelta(minutes=5)`` are
  the same duration, ``60*60*24*7`` is ``604800``; ``2 PM`` and ``14:00`` are the same time of day;
- enum spellings are the value: ``TriggerRule.ALL_SUCCESS`` is ``all_success``;
- ``name=value`` names the parameter: ``retries=0`` answers "0";
- an identifier keeps its parts together: ``schedule_interval`` does not contain ``schedule``, but
  ``return value`` is ``return_value``.

The answer is right when an accepted answer occurs in it and every other word is harmless: a word of the
question ("16 runs", "HTTP 429") or a filler ("the", "by default", "command"). A second value makes it
wrong ("429 or 503"); a hedge ("not", "or"), another card's term ("dbt *run* build") or any other word
("sixteen *thousand*", "dbt *ls* --select x+") makes it "unsure".
Typos are forgiven only in plain words of at least five letters, one edit (two from nine letters), and only
when the typed word is not itself a word the decks use: ``trigerer`` is a typo of ``triggerer``, but
``trigger`` and ``schedule`` are other terms. Identifiers, module paths, selectors, numbers and times must
be exact.

A card may declare what kind of answer it has (``Check:`` in the deck); otherwise it is inferred:

- ``number`` - one quantity (a count, a duration): the typed answer must hold exactly that one quantity;
  a bare number may be given in the answer's unit or in seconds (``300`` for "5 minutes");
- ``schedule`` - a time of day every day: exactly that time, a daily word (daily, every day...) and
  nothing that changes the frequency (hourly, Monday, 2 PM);
- ``list`` - the answer's comma-separated items, all of them, in any order, nothing else;
- ``code`` / ``text`` - the general rule above (``text`` is the default; typos only apply to plain words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

KINDS = ("text", "code", "number", "schedule", "list")

_ENUM = re.compile(r"\b[A-Z][A-Za-z0-9]*\.([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\b")  # TriggerRule.ALL_SUCCESS
_QUOTES = re.compile(r"[`'\"\u2018\u2019\u201c\u201d]")
_AM_PM = re.compile(r"\b([ap])\.\s?m\b\.?")
_DAYTIME = re.compile(r"\b(\d{1,2}) (?:o'?clock )?(?:in the |at )(morning|night|afternoon|evening)\b")
_TIMEDELTA = re.compile(r"(?:datetime\.)?timedelta\(([^()]*)\)")
_PRODUCT = re.compile(r"\b\d+(?:\s*\*\s*\d+)+\b")
_IDENT = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+=?")
_NUM = re.compile(r"\d+(?:\.\d+)?")
_NUM_UNIT = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(am|pm)?")
_HOUR_AMPM = re.compile(r"(\d{1,2})(am|pm)")
_CODE = re.compile(r"[._=()+<>/%:-]|[a-z][A-Z]")  # identifiers, paths, selectors, CamelCase: no typos

SECONDS = {"ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
           "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60,
           "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
           "d": 86400, "day": 86400, "days": 86400,
           "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800}
_WORD_UNITS = {k for k in SECONDS if len(k) > 2}  # "a week", "one day"; not "a m"
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split())
         if i > 1}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Words that turn "the answer plus a few words" into a hedge, a negation or a second answer.
CONTRADICTIONS = frozenset(
    "not no never isn't isnt aren't don't doesn't didn't or nor and but wrong instead except unless either "
    "neither vs versus plus also maybe perhaps probably true false none incorrect than & / ?".split()
)
# Words that may surround an answer without changing it (beyond the question's own words).
FILLER = frozenset(
    "a an the it its it's is are was be by default defaults to of in at on for from with as called named "
    "value key name function command operator parameter argument setting option process algorithm header "
    "code status error http string format module package provider standard sdk airflow dbt snowflake python "
    "use used using import e.g eg like just only yes constraint constraints type kind".split()
)
_DAILY = frozenset({"daily", "nightly", "everyday"})
_NOT_DAILY = frozenset(
    "hour hours hourly minute minutes week weeks weekly month months monthly year years yearly "
    "weekday weekdays "
    "weekend weekends twice thrice times other alternate second fortnight monday mondays tuesday tuesdays "
    "wednesday wednesdays thursday thursdays friday fridays "
    "saturday saturdays sunday sundays".split()
)
_FILLER = frozenset({"and", "the", "a", "tests", "test"})
_PLACEHOLDERS = frozenset({"...", "<table>", "<name>", "x", "y"})  # in an accepted answer: any one name
_NAME = re.compile(r"[a-z][a-z0-9_.$]*")


@dataclass(frozen=True)
class Verdict:
    """The outcome of a typed answer: ``exact``, ``close`` (a typo), ``unsure``, ``wrong`` or ``blank``.

    ``unsure`` means the matcher cannot tell (a hedge, a negation, an extra identifier): the user compares
    with the expected answer and grades themselves.
    """

    outcome: str
    expected: str  # the accepted answer that matched (or the card's answer)
    reason: str = ""

    @property
    def correct(self) -> bool:
        return self.outcome in ("exact", "close")


def normalize(text: str) -> str:
    """Lower-case, drop quotes/backticks, collapse spaces, drop a trailing full stop."""
    text = " ".join(_QUOTES.sub("", text).split()).lower()
    return text[:-1].rstrip() if text.endswith(".") else text


def tokens(text: str) -> list[str]:
    """Canonical tokens: words, identifiers (continuation parts start with ``_``), ``#n16`` numbers,
    ``#d300`` durations in seconds, ``#t02:00`` times of day, ``name=`` parameter names."""
    text = _ENUM.sub(lambda m: m[1], text)
    text = _AM_PM.sub(lambda m: f"{m[1]}m ", _QUOTES.sub("", text).lower())
    text = _DAYTIME.sub(lambda m: f"{m[1]} {'am' if m[2] in ('morning', 'night') else 'pm'}", text)
    text = _TIMEDELTA.sub(lambda m: f" {_timedelta(m[1])} ", text)
    text = _PRODUCT.sub(lambda m: str(_product(m[0])), text)
    text = text.strip().rstrip(".!").strip()
    raw: list[str] = []
    for word in re.findall(r"[^\s,;]+", text):
        word = word[:-2] if word.endswith("()") and len(word) > 2 else word
        word = word.strip("()") if word.count("(") != word.count(")") or word.startswith("(") else word
        word = word.rstrip(":?!")
        if word == "=" and raw:
            raw[-1] += "="
            continue
        while "=" in word[:-1]:  # a=b -> a=, b
            name, word = word.split("=", 1)
            raw.append(name + "=")
        if word:
            raw.append(word)
    return _quantities(_split_identifiers(raw))


def _split_identifiers(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if _IDENT.fullmatch(word):
            first, *rest = word.split("_")
            out += [first, *("_" + part for part in rest)]
        else:
            out.append(word)
    return out


def _number(word: str) -> float | None:
    if _NUM.fullmatch(word):
        return float(word)
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    tens, _, unit = word.partition("-")
    if tens in _TENS and (not unit or unit in _NUMBER_WORDS and _NUMBER_WORDS[unit] < 10):
        return float(_TENS[tens] + (_NUMBER_WORDS[unit] if unit else 0))
    return None


def _fmt(value: float) -> str:
    """Every digit kept (``:g`` would round 5529601 to 5.5296e+06)."""
    return str(int(value)) if value.is_integer() else repr(value)


def _quantities(words: list[str]) -> list[str]:
    """Merge numbers with their units or AM/PM into ``#n``/``#d``/``#t`` tokens."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word, nxt = words[i], (words[i + 1] if i + 1 < len(words) else "")
        value = _number(word)
        if value is None and word in ("a", "an") and nxt in _WORD_UNITS:
            value = 1.0
        if value is None and out and out[-1] == "type" and word in _ROMAN:
            value = float(_ROMAN[word])
        if value is not None:
            if nxt in SECONDS:
                out.append(f"#d{_fmt(value * SECONDS[nxt])}")
                i += 2
                continue
            if nxt in ("am", "pm") and value <= 12:
                out.append(_time(int(value), 0, nxt))
                i += 2
                continue
            out.append(f"#n{_fmt(value)}")
        elif match := _CLOCK.fullmatch(word):
            suffix = match[3] or (nxt if nxt in ("am", "pm") else "")
            out.append(_time(int(match[1]), int(match[2]), suffix))
            i += 2 if suffix and not match[3] else 1
            continue
        elif match := _HOUR_AMPM.fullmatch(word):
            out.append(_time(int(match[1]), 0, match[2]))
        elif (match := _NUM_UNIT.fullmatch(word)) and match[2] in SECONDS:
            out.append(f"#d{_fmt(float(match[1]) * SECONDS[match[2]])}")
        elif word in ("noon", "midnight"):
            out.append("#t12:00" if word == "noon" else "#t00:00")
        else:
            out.append(word)
        i += 1
    return out


def _time(hour: int, minute: int, suffix: str) -> str:
    if suffix:
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    return f"#t{hour:02d}:{minute:02d}"


def _timedelta(args: str) -> str:
    total = 0.0
    for part in args.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        key = name if name in SECONDS else name.rstrip("s")
        if not value or key not in SECONDS or not _NUM.fullmatch(value.strip()):
            return "timedelta(" + args + ")"  # not something we can read: left as is
        total += float(value) * SECONDS[key]
    return f"{_fmt(total)}s"


def _product(text: str) -> int:
    result = 1
    for factor in text.split("*"):
        result *= int(factor)
    return result


@dataclass(frozen=True)
class Lexicon:
    """What the decks know: every word they use (a typed word among them is a term, never a typo), and
    the plain words of all typed answers (said next to another card's answer, such a word is a second
    answer: "dbt run build")."""

    words: frozenset[str] = frozenset()
    terms: frozenset[str] = frozenset()


def vocabulary(cards: Iterable) -> Lexicon:
    """The ``Lexicon`` of a set of cards."""
    words: set[str] = set()
    terms: set[str] = set()
    for card in cards:
        for text in (card.question, card.answer, card.note, *card.aliases):
            words.update(re.findall(r"[a-z]+", text.lower()))
        if card.kind == "short":
            for text in card.accepted:
                terms.update(w for w in _plain(tokens(text)) if w.isalpha())
    return Lexicon(frozenset(words), frozenset(terms - FILLER))


def infer_kind(answer: str) -> str:
    """``number`` if the answer is one quantity (``16``, ``5 minutes``), else ``code`` or ``text``."""
    found = tokens(answer)
    if len(found) == 1 and found[0][:2] in ("#n", "#d"):
        return "number"
    return "code" if _CODE.search(answer) else "text"


def check_card(typed: str, card, lexicon: Lexicon | None = None) -> Verdict:
    """Grade ``typed`` against a card (its accepted answers, its declared or inferred kind, its question)."""
    return check(typed, card.accepted, kind=getattr(card, "check", "") or None, question=card.question,
                 lexicon=lexicon)


def check(
    typed: str,
    accepted: tuple[str, ...],
    *,
    kind: str | None = None,
    question: str = "",
    lexicon: Lexicon | None = None,
) -> Verdict:
    """Grade ``typed`` against the ``accepted`` answers (the first is the card's own answer).

    ``lexicon`` is what the decks know (see ``vocabulary``): without it no typo is forgiven in a word and
    no other card's term is recognised.
    """
    lexicon = lexicon or Lexicon()
    guess = tokens(typed)
    if not guess:
        return Verdict("blank", accepted[0])
    kind = kind or infer_kind(accepted[0])
    question_words = set(tokens(question))
    own = {w for a in accepted for w in _plain(tokens(a))}
    ctx = _Context(question_words | {_stem(w) for w in question_words}, frozenset(own), lexicon.terms - own,
                   lexicon.words)
    for answer in accepted:
        if _plain(tokens(answer)) == _plain(guess):
            return Verdict("exact", answer)
    if kind == "schedule":
        return _schedule(guess, accepted)
    if kind == "list":
        return _list(guess, accepted)
    if kind == "number":
        verdict = _number_answer(guess, accepted, ctx)
        if verdict is not None:
            return verdict
    best: Verdict | None = None
    for answer in accepted:
        verdict = _contains(guess, answer, ctx, kind)
        if verdict and (best is None or _RANK[verdict.outcome] > _RANK[best.outcome]):
            best = verdict
    return best or Verdict("wrong", accepted[0])


_RANK = {"wrong": 0, "unsure": 1, "close": 2, "exact": 3}


@dataclass(frozen=True)
class _Context:
    question: set[str]  # the question's words (and their stems): an answer may repeat them
    own: frozenset[str]  # this card's answer words: "none, it waits forever" does not hedge with "none"
    foreign: frozenset[str]  # other cards' answer words: said next to this answer, a second answer
    words: frozenset[str]  # every word of the decks: never a typo


def _plain(words: list[str]) -> list[str]:
    return [w.lstrip("_") for w in words]


def _typo(typed: str, target: str, words: frozenset[str]) -> bool:
    """One slip in a plain word of 5+ letters (two from 9), and the typed word is no term of the decks."""
    if not (typed.isalpha() and target.isalpha()) or len(target) < 5 or typed in words:
        return False
    from rapidfuzz.distance import OSA  # lazy: only typed answers need it

    return OSA.distance(typed, target) <= (2 if len(target) >= 9 else 1)


def _contains(
    guess: list[str], answer: str, ctx: _Context, kind: str
) -> Verdict | None:
    """``answer`` found in ``guess`` (whole identifiers only), then the other words judged."""
    target = tokens(answer)
    fuzzy = kind == "text" and not _CODE.search(answer)
    n = len(target)
    for start in range(len(guess) - n + 1):
        window = guess[start : start + n]
        if window[0].startswith("_") or (start + n < len(guess) and guess[start + n].startswith("_")):
            continue  # the window would cut an identifier: schedule_interval is not schedule
        typos = 0
        for got, want in zip(_plain(window), _plain(target)):
            if got == want or (want in _PLACEHOLDERS and _NAME.fullmatch(got)):
                continue
            if fuzzy and _typo(got, want, ctx.words):
                typos += 1
                continue
            break
        else:
            extra = guess[:start] + guess[start + n :]
            verdict = _extras(extra, ctx, answer)
            if verdict.outcome == "exact" and (typos or extra):
                return Verdict("close" if typos else "exact", answer, "typo" if typos else "")
            return verdict
    return None


def _extras(extra: list[str], ctx: _Context, answer: str) -> Verdict:
    """Words around the answer: a second value makes it wrong; a hedge, another card's term, or any word
    that is neither the question's own nor a filler ("the", "by default", "command"...) makes it unsure:
    "dbt ls --select x+" is not "dbt build --select x+", and "sixteen thousand" is not 16."""
    plain = [w for w in extra if not w.startswith("_")]
    if any(w.startswith("#") and w not in ctx.question for w in plain):
        return Verdict("wrong", answer, "a second value")
    if any(w in CONTRADICTIONS and w not in ctx.own for w in plain):
        return Verdict("unsure", answer, "hedged or negated")
    for word in _words(extra):
        if word in ctx.foreign:
            return Verdict("unsure", answer, f"also says {word}")
        if word in ctx.question or _stem(word) in ctx.question or word in FILLER or word in ctx.own:
            continue
        if re.fullmatch(r"[a-z]\w*=", word):  # a parameter's name: retries=0
            continue
        return Verdict("unsure", answer, f"also says {word}")
    return Verdict("exact", answer)


def _words(tokens_: list[str]) -> list[str]:
    """Tokens with identifier parts joined back: ["split", "_to", "_table"] -> ["split_to_table"]."""
    words: list[str] = []
    for token in tokens_:
        if token.startswith("_") and words:
            words[-1] += token
        else:
            words.append(token)
    return words


def _stem(word: str) -> str:
    """Crude, on purpose: "runs" and "defaults" match the question's "run" and "default"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def _quantity(answer: str) -> tuple[str, float, float] | None:
    """(kind, value, value in the answer's own unit) of a one-quantity answer, else None."""
    found = [t for t in tokens(answer) if t[:2] in ("#n", "#d")]
    if len(found) != 1:
        return None
    number = _NUM.search(answer)
    own = float(number[0]) if number else float(found[0][2:])
    return found[0][1], float(found[0][2:]), own


def _number_answer(guess: list[str], accepted: tuple[str, ...], ctx: _Context) -> Verdict | None:
    values = [t for t in guess if t[:2] in ("#n", "#d") and t not in ctx.question]
    if not values:
        return None  # no number at all: maybe a word alias ("none", "no retries")
    for answer in accepted:
        q = _quantity(answer)
        if q is not None and all(_same(v, q) for v in values):  # "5 minutes (300 seconds)" is one value
            return _extras([t for t in guess if t not in values], ctx, answer)
    return Verdict("wrong", accepted[0], "another number" if len(values) == 1 else "more than one number")


def _same(token: str, quantity: tuple[str, float, float]) -> bool:
    """A typed quantity equals the answer's; a bare number may be in the answer's unit or in seconds."""
    unit, value = token[1], float(token[2:])
    return (unit == quantity[0] and value == quantity[1]) or (
        unit == "n" and quantity[0] == "d" and value in (quantity[1], quantity[2])
    )


def _schedule(guess: list[str], accepted: tuple[str, ...]) -> Verdict:
    times = [t for t in guess if t.startswith("#t")]
    want = next((t for a in accepted for t in tokens(a) if t.startswith("#t")), None)
    if len(times) != 1 or times[0] != want:
        return Verdict("wrong", accepted[0], "another time of day")
    rest = [t for t in guess if t != times[0]]
    if any(t in _NOT_DAILY or (t != "#d86400" and re.search(r"\d", t)) for t in rest):
        return Verdict("wrong", accepted[0], "another frequency")
    if any(t in CONTRADICTIONS for t in rest):
        return Verdict("unsure", accepted[0], "hedged or negated")
    daily = any(t in _DAILY or t == "#d86400" for t in rest) or any(
        a in ("every", "each") and b in ("day", "night") for a, b in zip(rest, rest[1:])
    )
    if not daily:
        return Verdict("unsure", accepted[0], "how often?")
    return Verdict("exact", accepted[0])


def _list(guess: list[str], accepted: tuple[str, ...]) -> Verdict:
    items = [_plain(tokens(item)) for item in accepted[0].split(",")]
    words = _plain(guess)
    found: list[int] = []
    i = 0
    while i < len(words):
        for number, item in enumerate(items):
            if words[i : i + len(item)] == item:
                found.append(number)
                i += len(item)
                break
        else:
            if words[i] not in _FILLER:
                return Verdict("wrong", accepted[0], f"{words[i]} is not one of them")
            i += 1
    if sorted(found) != list(range(len(items))):
        return Verdict("wrong", accepted[0], "not all of them, or one twice")
    return Verdict("exact", accepted[0])
