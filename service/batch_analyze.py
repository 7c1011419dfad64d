"""``lydhor analyze``: JSON Lines (or plain text lines) in, one analysis per line out.

Bad lines are reported on stderr with their line number and skipped; the rest of the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Annotated

import msgspec

from nlp import MAX_TEXT_LENGTH, SUPPORTED, Analysis, Analyzer, PIISpan, ThemeHit

__all__ = ["RemarkIn", "AnalysisOut", "LineError", "run"]


class RemarkIn(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    id: str | int | None = None
    lang: Annotated[str, msgspec.Meta(pattern="^(da|nb|nn)$")] | None = None


class AnalysisOut(msgspec.Struct, kw_only=True):
    id: str | int | None
    lang: str
    lang_confidence: float
    supported: bool
    note: str | None
    redacted: str
    pii: list[PIISpan]
    themes: list[str]
    theme_details: list[ThemeHit]
    sentiment: str
    sentiment_score: float
    sentiment_cues: list[str]
    keyphrases: list[str]

    @classmethod
    def of(cls, remark_id: str | int | None, a: Analysis) -> AnalysisOut:
        return cls(
            id=remark_id,
            lang=a.lang,
            lang_confidence=a.lang_confidence,
            supported=a.supported,
            note=a.note,
            redacted=a.redacted,
            pii=a.pii,
            themes=a.theme_ids,
            theme_details=a.themes,
            sentiment=a.sentiment,
            sentiment_score=a.sentiment_score,
            sentiment_cues=a.sentiment_cues,
            keyphrases=a.keyphrases,
        )


class LineError(ValueError):
    """A line that cannot be analysed, with a message a person can act on."""


_decoder = msgspec.json.Decoder(RemarkIn)
_encoder = msgspec.json.Encoder()


def parse_line(raw: bytes, number: int) -> RemarkIn | None:
    """One input line as a remark; ``None`` for a blank line. Raises ``LineError``."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(f"not valid UTF-8 at byte {exc.start}") from exc
    stripped = line.strip()
    if not stripped:
        return None
    if stripped.startswith("{"):
        try:
            remark = _decoder.decode(stripped)
        except msgspec.ValidationError as exc:
            raise LineError(str(exc)) from exc
        except msgspec.DecodeError as exc:
            raise LineError(f"invalid JSON: {exc}") from exc
    else:
        remark = RemarkIn(text=stripped, id=number)
    text = remark.text.strip()
    if not text:
        raise LineError("text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise LineError(f"text has {len(text)} characters; at most {MAX_TEXT_LENGTH} are allowed")
    remark.text = text
    return remark


def run(
    lines: Iterable[bytes], out: IO[bytes], err: IO[str], analyzer: Analyzer, lang: str | None = None
) -> int:
    """Analyse every line; returns the number of lines rejected."""
    if lang is not None and lang not in SUPPORTED:
        raise ValueError(f"--lang must be one of {', '.join(SUPPORTED)}")
    rejected = 0
    for number, raw in enumerate(lines, start=1):
        try:
            remark = parse_line(raw, number)
        except LineError as exc:
            rejected += 1
            err.write(f"line {number}: {exc}\n")
            continue
        if remark is None:
            continue
        analysis = analyzer.analyze(remark.text, lang=remark.lang or lang)
        out.write(_encoder.encode(AnalysisOut.of(remark.id, analysis)) + b"\n")
    return rejected
