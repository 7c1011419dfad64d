"""What an analysis returns: the analysis of a remark and its parts.

The types live apart from the code that computes them because that code is compiled (see setup.py) and
compiled modules cannot define msgspec Structs with options such as ``kw_only``.
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["Analysis", "PIIKind", "PIISpan", "Reading", "SentimentLabel", "SentimentResult", "ThemeHit"]

PIIKind = Literal["cpr", "fnr", "phone", "email", "card", "iban", "account"]
SentimentLabel = Literal["negative", "neutral", "positive", "mixed"]


class PIISpan(msgspec.Struct, frozen=True, kw_only=True):
    """A piece of personal data: its kind and ``[start, end)`` offsets into the original text."""

    kind: PIIKind
    start: int
    end: int


class ThemeHit(msgspec.Struct, frozen=True, kw_only=True):
    """A theme given to a remark: its id, a score in (0, 1], and the words that gave it."""

    id: str
    score: float
    evidence: list[str]


class SentimentResult(msgspec.Struct, frozen=True, kw_only=True):
    label: SentimentLabel
    score: float
    cues: list[str]


class Reading(msgspec.Struct, kw_only=True):
    """What the lexicon found in a remark, before a verdict: weighted praise and complaint, and cues."""

    pos: float
    neg: float
    request: bool
    sarcasm: bool
    contrast: bool
    negations: int
    negated: frozenset[int] = frozenset()  # token positions in the scope of a negator
    cues: list[str]

    def parts(self) -> dict[str, float]:
        """The reading as model features."""
        return {
            "pos": min(self.pos, 4.0),
            "neg": min(self.neg, 4.0),
            "both": min(self.pos, self.neg, 3.0),
            "none": float(self.pos == 0.0 and self.neg == 0.0),
            "request": float(self.request),
            "sarcasm": float(self.sarcasm),
            "contrast": float(self.contrast),
            "negation": float(min(self.negations, 2)),
        }


class Analysis(msgspec.Struct, kw_only=True):
    """What the NLP step found in one remark. Everything but ``pii`` reads the redacted text."""

    lang: str
    lang_confidence: float
    supported: bool
    note: str | None = None
    redacted: str
    pii: list[PIISpan]
    themes: list[ThemeHit]
    sentiment: SentimentLabel
    sentiment_score: float
    sentiment_cues: list[str]
    keyphrases: list[str]

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]
