"""The polarity of a remark: negative, neutral, positive or mixed, with a score in [-1, 1].

A lexicon of words and phrases with valences (``data/<lang>/sentiment.toml``) is read over the lemmas,
with the rules people apply when they read a remark:

- a negator turns the next polar word within three words ("ikke særlig venlig" is negative, "ikkje noko
  problem" positive), more weakly than the word itself;
- intensifiers and downtoners scale the next polar word;
- after a contrast word ("men", "dog") the clause weighs more, and a remark with clear praise and clear
  complaint is ``mixed``;
- sarcasm cues ("tak for ingenting", 🙄) make praise words count as complaint;
- questions, requests and admin notes are neutral unless they carry clear polarity.
"""

from __future__ import annotations

import msgspec

from nlp import resources
from nlp.data_files import SentimentLexicon
from nlp.lemmas import Lemmatizer
from nlp.matching import PhraseIndex, PhraseMatch, Tokens, lemma_forms
from nlp.results import Reading, SentimentLabel, SentimentResult

__all__ = ["SentimentLabel", "SentimentResult", "SentimentScorer", "Reading", "verdict"]


NEGATION_REACH = 3
NEGATED = -0.6  # "ikke god" is weaker than "dårlig"
AFTER_CONTRAST = 1.3
BEFORE_CONTRAST = 0.8
REQUEST_DAMPING = 0.5
POLAR = 0.6  # evidence below this is read as neutral
MIXED_SHARE = 0.45  # the weaker side must reach this share of the stronger one
MIXED_MIN = 1.0
UNMARKED_COMPLAINT = -0.2


class SentimentScorer:
    """Scores tokens of one language against that language's sentiment lexicon."""

    def __init__(self, lang: str, lemmatize: Lemmatizer, phrases: PhraseIndex) -> None:
        lexicon = msgspec.toml.decode(resources.read_bytes(f"{lang}/sentiment.toml"), type=SentimentLexicon)
        mods = lexicon.modifiers
        self._valence: dict[str, float] = {}
        def add(phrase: str, kind: str, value: float) -> None:
            phrases.add(phrase, (kind, value), self, max_gap=1)

        for word, value in lexicon.words.items():
            if " " in word.strip():
                add(word, "phrase", value)
                continue
            form, lemma = lemma_forms(word, lemmatize)
            self._valence[form] = value
            self._valence.setdefault(lemma, value)  # a written form wins over another word's lemma
        for phrase, value in lexicon.phrases.items():
            add(phrase, "phrase", value)
        self._scale: dict[str, float] = {}
        for table in (mods.intensifiers, mods.downtoners):
            for word, factor in table.items():
                if " " in word.strip():
                    add(word, "scale", factor)
                else:
                    self._scale[word.lower()] = factor
        self._negators = {w.lower() for w in mods.negators if " " not in w}
        for phrase in (w for w in mods.negators if " " in w):
            add(phrase, "negate", 0.0)
        self._contrast = {w.lower() for w in mods.contrast}
        for cue in mods.sarcasm:
            add(cue, "sarcasm", 0.0)
        for cue in mods.request_cues:
            add(cue, "request", 0.0)

    def read(self, tokens: Tokens, text: str, phrases: list[PhraseMatch]) -> Reading:
        """Weighted praise and complaint in the remark, with negation, scaling, contrast and sarcasm."""
        lower, lemma, brk = tokens
        n = len(lower)
        valence: list[float | None] = [None] * n
        scale = [1.0] * n
        negators = [w in self._negators for w in lower]
        sarcasm = request = False
        cues: list[str] = []
        for found in phrases:
            if found.owner is not self:
                continue
            payload: tuple[str, float] = found.payload
            kind, amount = payload
            if kind == "phrase":
                # The phrase replaces its words: "virker ikke" is one complaint, not a negated "virker".
                valence[found.start] = amount
                for p in found.positions:
                    if p != found.start:
                        valence[p] = 0.0
                    negators[p] = False
                cues.append(" ".join(lower[p] for p in found.positions))
            elif kind == "scale":
                scale[found.positions[-1]] = amount
            elif kind == "negate":
                negators[found.positions[-1]] = True
            elif kind == "sarcasm":
                sarcasm = True
                cues.append(" ".join(lower[p] for p in found.positions))
            elif kind == "request":
                request = True
        if "?" in text:
            request = True

        segments: list[list[float]] = [[0.0, 0.0]]
        negations = 0
        negated: set[int] = set()
        negate_left = 0
        factor = 1.0
        contrast, lexicon, scales = self._contrast, self._valence, self._scale
        for i in range(n):
            word = lower[i]
            if brk[i]:
                negate_left, factor = 0, 1.0
                continue
            if word in contrast:
                segments.append([0.0, 0.0])
                negate_left, factor = 0, 1.0
                continue
            if negators[i]:
                negate_left = NEGATION_REACH
                negations += 1
                continue
            if negate_left:
                negated.add(i)
            value = valence[i]
            if value is None:
                value = lexicon.get(word)
                if value is None:
                    value = lexicon.get(lemma[i])
                if value is not None:
                    cues.append(word)
            if scale[i] != 1.0 or word in scales:
                factor *= scale[i] if scale[i] != 1.0 else scales[word]
                if not value:
                    continue
            if value:
                value *= factor
                if negate_left:
                    value *= NEGATED
                    negate_left = 0
                if sarcasm and value > 0:
                    value = -value
                seg = segments[-1]
                if value > 0:
                    seg[0] += value
                else:
                    seg[1] -= value
                factor = 1.0
            if negate_left:
                negate_left -= 1
        pos: float = 0.0
        neg: float = 0.0
        last = len(segments) - 1
        for k, (praise, complaint) in enumerate(segments):
            weight = 1.0 if last == 0 else (AFTER_CONTRAST if k == last else BEFORE_CONTRAST)
            pos += praise * weight
            neg += complaint * weight
        if "!" in text:
            pos, neg = pos * 1.15, neg * 1.15
        if request:
            pos, neg = pos * REQUEST_DAMPING, neg * REQUEST_DAMPING
        if sarcasm:
            neg = max(neg, 1.0)
        return Reading(
            pos=pos,
            neg=neg,
            request=request,
            sarcasm=sarcasm,
            contrast=len(segments) > 1,
            negations=negations,
            negated=frozenset(negated),
            cues=cues,
        )


def verdict(reading: Reading, has_theme: bool) -> SentimentResult:
    """The label the lexicon rules give a reading (used where no trained model is present)."""
    pos, neg, request, sarcasm, cues = reading.pos, reading.neg, reading.request, reading.sarcasm, reading.cues
    score = (pos - neg) / (pos + neg + 1.0)
    stronger, weaker = max(pos, neg), min(pos, neg)
    label: SentimentLabel
    if stronger < POLAR:
        if has_theme and not request and stronger == 0.0:
            return SentimentResult(label="negative", score=UNMARKED_COMPLAINT, cues=cues)
        label = "neutral"
    elif weaker >= MIXED_MIN and weaker >= MIXED_SHARE * stronger and not sarcasm:
        label = "mixed"
    else:
        label = "positive" if pos > neg else "negative"
    return SentimentResult(label=label, score=round(max(-1.0, min(1.0, score)), 3), cues=cues)
