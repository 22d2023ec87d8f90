"""Checking a typed answer against a short card.

Matching is forgiving where it should be and strict where it must be:

- case, surrounding quotes and backticks, repeated spaces and a trailing full stop are ignored;
- any accepted answer counts (the card's ``A:`` plus its ``Aliases:``, e.g. "SCD2" for
  "slowly changing dimension type 2");
- the answer followed by a few more words passes ("429 too many requests" for "429"), unless they hedge
  or negate it ("not", "or");
- small typos pass: a rapidfuzz similarity of at least 85/100 (the better of plain and word-order-insensitive
  ratios) is "close enough", and the expected answer is shown so the typo is visible;
- numbers must match exactly (``60480`` is not ``604800``), and answers of one to four characters must
  match exactly (``429`` is not ``428``, ``True`` is not ``False``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

THRESHOLD = 85.0
_STRIP = re.compile(r"[`'\"\u2018\u2019\u201c\u201d]")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NEGATION = {"not", "no", "never", "isn't", "isnt", "or"}


def normalize(text: str) -> str:
    """Lower-case, drop quotes/backticks, collapse spaces, drop a trailing full stop."""
    text = _SPACES.sub(" ", _STRIP.sub("", text)).strip().lower()
    return text[:-1].rstrip() if text.endswith(".") else text


@dataclass(frozen=True)
class Verdict:
    """The outcome of a typed answer: ``exact``, ``close`` (a typo), ``wrong`` or ``blank``."""

    outcome: str
    expected: str  # the accepted answer that matched best (or the card's answer)
    score: float

    @property
    def correct(self) -> bool:
        return self.outcome in ("exact", "close")


def check(typed: str, accepted: tuple[str, ...]) -> Verdict:
    """Grade ``typed`` against the ``accepted`` answers (the first is the card's own answer)."""
    guess = normalize(typed)
    if not guess:
        return Verdict("blank", accepted[0], 0.0)
    for answer in accepted:
        if normalize(answer) == guess:
            return Verdict("exact", answer, 100.0)
    for answer in accepted:  # the answer, then a few more words: "429 too many requests", "16 runs"
        target = normalize(answer)
        extra = guess[len(target) :].split() if guess.startswith(target + " ") else []
        if extra and not _NEGATION & set(extra):
            return Verdict("close", answer, 100.0)

    from rapidfuzz import fuzz  # lazy: only typed answers need it

    best, best_score = accepted[0], 0.0
    for answer in accepted:
        target = normalize(answer)
        if len(target) <= 4 or _NUMBER.findall(target) != _NUMBER.findall(guess):
            continue
        score = max(fuzz.ratio(guess, target), fuzz.token_sort_ratio(guess, target))
        if score > best_score:
            best, best_score = answer, score
    if best_score >= THRESHOLD:
        return Verdict("close", best, best_score)
    return Verdict("wrong", best if best_score else accepted[0], best_score)
