"""Finding the themes of a remark in one language, with the words that gave each theme."""

from __future__ import annotations

from typing import NamedTuple

import msgspec

from nlp import resources
from nlp.data_files import ThemeScope
from nlp.lemmas import Lemmatizer
from nlp.matching import CompoundIndex, PhraseIndex, PhraseMatch, Tokens, lemma_forms
from nlp.results import ThemeHit
from nlp.taxonomy import Taxonomy

__all__ = ["ThemeHit", "ThemeMatcher", "hits_from"]

STRONG = 1.0
WEAK = 0.5
THRESHOLD = 1.0  # evidence a theme needs: one strong cue, or two different weak ones
NOT_ABOUT_REACH = 4  # words after "handler ikke om" whose theme cues do not count
_CACHE_LIMIT = 200_000


class _Cue(NamedTuple):
    theme: str
    weight: float
    term: str


class ThemeMatcher:
    """Matches one language's theme words (single words, compounds, phrases) against tokens."""

    def __init__(self, lang: str, taxonomy: Taxonomy, lemmatize: Lemmatizer, phrases: PhraseIndex) -> None:
        self.lang = lang
        self._lemmatize = lemmatize
        self._words: CompoundIndex[_Cue] = CompoundIndex()
        self._phrases = phrases
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
        scope = msgspec.toml.decode(resources.read_bytes(f"{lang}/scope.toml"), type=ThemeScope)
        for phrase in scope.not_about:
            phrases.add(phrase, None, self, max_gap=1)
        self._cache: dict[str, tuple[_Cue, ...]] = {}

    def _add(self, theme: str, entry: str, weight: float, in_compounds: bool) -> None:
        cue = _Cue(theme, weight, entry.lower())
        if " " in entry.strip():
            self._phrases.add(entry, cue, self)
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

    def evidence(self, tokens: Tokens, phrases: list[PhraseMatch]) -> dict[str, dict[str, float]]:
        """Per theme, the words and phrases that point to it and their weights."""
        lower, lemma, _ = tokens
        mine = [m for m in phrases if m.owner is self]
        muted = self._muted_positions(tokens, mine)
        evidence: dict[str, dict[str, float]] = {}
        cache = self._cache
        for i, word in enumerate(lower):
            if not word or i in muted:
                continue
            cues = cache.get(word)
            if cues is None:
                cues = self._token_cues(word, lemma[i])
            for cue in cues:
                evidence.setdefault(cue.theme, {})[word] = cue.weight
        for found in mine:
            phrase_cue: _Cue | None = found.payload  # None for the "not about" phrases
            if phrase_cue is None or found.start in muted:
                continue
            phrase_words = " ".join(lower[p] for p in found.positions)
            evidence.setdefault(phrase_cue.theme, {})[phrase_words] = phrase_cue.weight
        return evidence

    def _muted_positions(self, tokens: Tokens, mine: list[PhraseMatch]) -> set[int]:
        """Words right after "handler ikke om"/"ikkje på grunn av": mentioned, not what the remark is about."""
        muted: set[int] = set()
        for found in mine:
            if found.payload is not None:
                continue
            stop = found.end
            while stop < len(tokens.lower) and stop < found.end + NOT_ABOUT_REACH and not tokens.brk[stop]:
                muted.add(stop)
                stop += 1
        return muted


def hits_from(evidence: dict[str, dict[str, float]]) -> list[ThemeHit]:
    """The themes whose lexicon evidence reaches the threshold, strongest first."""
    hits = []
    for theme, words in evidence.items():
        total = sum(words.values())
        if total >= THRESHOLD:
            hits.append(ThemeHit(id=theme, score=round(total / (total + 1.0), 2), evidence=list(words)))
    hits.sort(key=lambda h: -h.score)
    return hits
