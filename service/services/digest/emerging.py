"""Emerging topics: key phrases that are significantly more frequent this week than in the weeks before.

The test is Dunning's log-likelihood ratio (G²) on a 2×2 table: notes with and without the phrase, this
week against the baseline weeks. It holds up for rare words where a chi-square test does not, which is
what a new complaint is in the week it starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Rise", "log_likelihood", "rises", "significant_rise"]

CRITICAL = 10.83  # G² for p < 0.001 at one degree of freedom: few false alarms over hundreds of phrases
MIN_SUPPORT = 4  # notes this week; below that a "topic" is one talkative customer
MIN_RATIO = 2.0  # this week's rate at least twice the baseline rate


@dataclass(frozen=True)
class Rise:
    phrase: str
    count: int
    baseline: float  # the phrase's notes per week in the baseline weeks
    ratio: float  # this week's share of notes over the baseline share (inf when it is new)
    g2: float


def _term(observed: float, expected: float) -> float:
    return observed * math.log(observed / expected) if observed > 0 else 0.0


def log_likelihood(a: int, n1: int, b: int, n2: int) -> float:
    """G² for ``a`` of ``n1`` notes this week against ``b`` of ``n2`` notes before."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    total = n1 + n2
    hits = a + b
    cells = ((a, n1, hits), (n1 - a, n1, total - hits), (b, n2, hits), (n2 - b, n2, total - hits))
    return 2.0 * sum(_term(observed, row * column / total) for observed, row, column in cells)


def significant_rise(a: int, n1: int, b: int, n2: int, min_support: int = MIN_SUPPORT) -> tuple[bool, float, float]:
    """Whether ``a``/``n1`` is a significant rise over ``b``/``n2``; with the ratio of rates and G²."""
    if a < min_support or n1 <= 0:
        return False, 0.0, 0.0
    rate_now = a / n1
    rate_before = b / n2 if n2 > 0 else 0.0
    ratio = math.inf if rate_before == 0 else rate_now / rate_before
    g2 = log_likelihood(a, n1, b, n2) if n2 > 0 else math.inf
    return ratio >= MIN_RATIO and g2 >= CRITICAL, ratio, g2


def rises(
    this_week: dict[str, int], notes_now: int, before: dict[str, int], notes_before: int, weeks_before: int, limit: int = 8
) -> list[Rise]:
    """The phrases of ``this_week`` that rose significantly, strongest first. A single word is dropped when a
    longer phrase containing it rose as much: "glasskår i" and "glasskår" are one topic."""
    found: list[Rise] = []
    for phrase, count in this_week.items():
        ok, ratio, g2 = significant_rise(count, notes_now, before.get(phrase, 0), notes_before)
        if ok:
            found.append(Rise(phrase, count, before.get(phrase, 0) / max(weeks_before, 1), ratio, g2))
    found.sort(key=lambda r: (-r.g2, -r.count, r.phrase))
    chosen: list[Rise] = []
    for rise in found:
        words = set(rise.phrase.split())
        if any(words < set(c.phrase.split()) and rise.count <= c.count * 1.25 for c in chosen):
            continue
        if any(set(c.phrase.split()) < words and c.count <= rise.count * 1.25 for c in chosen):
            continue  # the shorter one already speaks for it
        chosen.append(rise)
        if len(chosen) == limit:
            break
    return chosen
