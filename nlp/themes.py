"""Finding the themes of a remark in one language, with the words that gave each theme."""

from __future__ import annotations

from typing import NamedTuple

import msgspec

from nlp import resources
from nlp.lemmas import Lemmatizer
from nlp.matching import CompoundIndex, PhraseIndex, Tokens, lemma_forms
from nlp.taxonomy import Taxonomy

__all__ = ["ThemeHit", "ThemeMatcher"]

STRONG = 1.0
WEAK = 0.5
THRESHOLD = 1.0  # evidence a theme needs: one strong cue, or two different weak ones
NOT_ABOUT_REACH = 4  # words after "handler ikke om" whose theme cues do not count
_CACHE_LIMIT = 200_000


class ThemeHit(msgspec.Struct, frozen=True, kw_only=True):
    """A theme given to a remark: its id, a score in (0, 1], and the words that gave it."""

    id: str
    score: float
    evidence: list[str]


class _Cue(NamedTuple):
    theme: str
    weight: float
    term: str


class _Scope(msgspec.Struct):
    not_about: list[str] = []


class ThemeMatcher:
    """Matches one language's theme words (single words, compounds, phrases) against tokens."""

    def __init__(self, lang: str, taxonomy: Taxonomy, lemmatize: Lemmatizer) -> None:
        self.lang = lang
        self._lemmatize = lemmatize
        self._words: CompoundIndex[_Cue] = CompoundIndex()
        self._phrases: PhraseIndex[_Cue] = PhraseIndex(lemmatize)
        self._block: dict[str, set[str]] = {}
        for theme in taxonomy:
            terms = theme.terms.get(lang)
            if terms is None:
                continue
            for entries, weight, in_compounds in (
                (terms.terms, STRONG, True),
                (terms.exact, STRONG, False),
                (terms.weak, WEAK, False),
            ):
                for entry in entries:
                    self._add(theme.id, entry, weight, in_compounds)
            for phrase in terms.phrases:
                self._add(theme.id, phrase, STRONG, False)
            for word in terms.block:
                for form in lemma_forms(word, lemmatize):
                    self._block.setdefault(form, set()).add(theme.id)
        scope = msgspec.toml.decode(resources.read_bytes(f"{lang}/scope.toml"), type=_Scope)
        self._not_about: PhraseIndex[None] = PhraseIndex(lemmatize, max_gap=1)
        for phrase in scope.not_about:
            self._not_about.add(phrase, None)
        self._cache: dict[str, tuple[_Cue, ...]] = {}

    def _add(self, theme: str, entry: str, weight: float, in_compounds: bool) -> None:
        cue = _Cue(theme, weight, entry.lower())
        if " " in entry.strip():
            self._phrases.add(entry, cue)
        else:
            self._words.add(lemma_forms(entry, self._lemmatize), cue, in_compounds)

    def _token_cues(self, word: str, lemma: str) -> tuple[_Cue, ...]:
        cues = self._cache.get(word)
        if cues is None:
            found = self._words.lookup(word, lemma)
            blocked = self._block.get(word, ()) or self._block.get(lemma, ())
            cues = tuple(c for c in found if c.theme not in blocked)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = cues
        return cues

    def match(self, tokens: Tokens) -> list[ThemeHit]:
        """The themes whose evidence reaches the threshold, strongest first."""
        lower, lemma, _ = tokens
        muted = self._muted_positions(tokens)
        evidence: dict[str, dict[str, float]] = {}
        for i, word in enumerate(lower):
            if i in muted or not word:
                continue
            for cue in self._token_cues(word, lemma[i]):
                evidence.setdefault(cue.theme, {})[_evidence_text(tokens, i, cue)] = cue.weight
        for found in self._phrases.find(tokens):
            if found.start in muted:
                continue
            cue = found.payload
            phrase_words = " ".join(lower[p] for p in found.positions)
            evidence.setdefault(cue.theme, {})[phrase_words] = cue.weight
        hits = []
        for theme, words in evidence.items():
            total = sum(words.values())
            if total >= THRESHOLD:
                hits.append(ThemeHit(id=theme, score=round(total / (total + 1.0), 2) * 1.0, evidence=list(words)))
        hits.sort(key=lambda h: -h.score)
        return hits

    def _muted_positions(self, tokens: Tokens) -> set[int]:
        """Words right after "handler ikke om"/"ikkje på grunn av": mentioned, not what the remark is about."""
        muted: set[int] = set()
        for found in self._not_about.find(tokens):
            stop = found.end
            while stop < len(tokens.lower) and stop < found.end + NOT_ABOUT_REACH and not tokens.brk[stop]:
                muted.add(stop)
                stop += 1
        return muted


def _evidence_text(tokens: Tokens, i: int, cue: _Cue) -> str:
    """The word as written (lower-case): a person sees "leveringstiden", not the matched part."""
    return tokens.lower[i]
