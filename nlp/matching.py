"""Matching lexicon entries against a tokenised remark: words, compounds and phrases on lemmas.

Danish and Norwegian write compounds as one word ("leveringstiden", "fakturagebyret"), so a word that is
not in a lexicon is tried as modifier + head against the entries that may stand inside compounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, NamedTuple, TypeVar

__all__ = ["Tokens", "PhraseIndex", "CompoundIndex", "PhraseMatch", "CLAUSE_BREAKS"]

P = TypeVar("P")

# Tokens that end the scope of a phrase, a negation or an intensifier.
CLAUSE_BREAKS = frozenset({".", "!", "?", ";", ":", "\n", "–", "—", "(", ")", '"', "“", "”", "«", "»"})

MIN_PART = 4  # letters of a lexicon entry matched inside a compound
MIN_REST = 3  # letters of the rest of the compound
LINKING = ("s", "e")  # Danish/Norwegian linking letters: "levering-s-tid", "pakke-boks" (no link)


class Tokens(NamedTuple):
    """A remark as parallel lists: lower-case forms, lemmas, and whether each token ends a clause."""

    lower: list[str]
    lemma: list[str]
    brk: list[bool]


class PhraseMatch(NamedTuple, Generic[P]):  # type: ignore[misc]
    start: int
    end: int  # exclusive
    positions: tuple[int, ...]
    payload: P


class PhraseIndex(Generic[P]):
    """Multi-word entries matched in order on form or lemma, with up to ``max_gap`` other words between."""

    def __init__(self, lemmatize: Callable[[str], str], max_gap: int = 2) -> None:
        self._lemmatize = lemmatize
        self._max_gap = max_gap
        self._by_first: dict[str, list[tuple[tuple[tuple[str, str], ...], P]]] = {}

    def add(self, phrase: str, payload: P) -> None:
        words = phrase.lower().split()
        if not words:
            return
        elements = tuple((w, self._lemmatize(w)) for w in words)
        entry = (elements, payload)
        form, lemma = elements[0]
        self._by_first.setdefault(form, []).append(entry)
        if lemma != form:
            self._by_first.setdefault(lemma, []).append(entry)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def find(self, tokens: Tokens) -> list[PhraseMatch[P]]:
        lower, lemma, brk = tokens
        by_first = self._by_first
        found: list[PhraseMatch[P]] = []
        n = len(lower)
        for i in range(n):
            candidates = by_first.get(lower[i])
            if candidates is None:
                candidates = by_first.get(lemma[i])
                if candidates is None:
                    continue
            elif lemma[i] != lower[i] and lemma[i] in by_first:
                candidates = candidates + by_first[lemma[i]]
            for elements, payload in candidates:
                positions = self._extend(elements, i, lower, lemma, brk, n)
                if positions is not None:
                    found.append(PhraseMatch(i, positions[-1] + 1, positions, payload))
        return found

    def _extend(
        self,
        elements: tuple[tuple[str, str], ...],
        i: int,
        lower: list[str],
        lemma: list[str],
        brk: list[bool],
        n: int,
    ) -> tuple[int, ...] | None:
        positions = [i]
        j = i
        for form, lem in elements[1:]:
            limit = min(n, j + 2 + self._max_gap)
            j += 1
            while j < limit:
                if lower[j] == form or lemma[j] == lem:
                    break
                if brk[j]:
                    return None
                j += 1
            else:
                return None
            positions.append(j)
        return tuple(positions)


class CompoundIndex(Generic[P]):
    """Single-word entries, found as whole words or as the first or last part of a compound."""

    def __init__(self) -> None:
        self.whole: dict[str, list[P]] = {}
        self.parts: dict[str, list[P]] = {}

    def add(self, forms: Iterable[str], payload: P, in_compounds: bool) -> None:
        for form in set(forms):
            self.whole.setdefault(form, []).append(payload)
            if in_compounds and len(form) >= MIN_PART:
                self.parts.setdefault(form, []).append(payload)

    def lookup(self, word: str, lemma: str) -> list[P]:
        """Entries for the word itself, else for the parts of a compound (modifier and head)."""
        hits = self.whole.get(word) or self.whole.get(lemma)
        if hits:
            return hits
        if len(word) < MIN_PART + MIN_REST or not word.isalpha():
            return []
        return self._modifier(word) + self._head(word, lemma)

    def _modifier(self, word: str) -> list[P]:
        parts = self.parts
        for cut in range(len(word) - MIN_REST, MIN_PART - 1, -1):
            prefix = word[:cut]
            hits = parts.get(prefix)
            if hits:
                return hits
            if prefix[-1] in LINKING and cut - 1 >= MIN_PART:
                hits = parts.get(prefix[:-1])
                if hits:
                    return hits
        return []

    def _head(self, word: str, lemma: str) -> list[P]:
        parts = self.parts
        for source in (lemma, word) if lemma != word else (word,):
            for cut in range(MIN_REST, len(source) - MIN_PART + 1):
                hits = parts.get(source[cut:])
                if hits:
                    return hits
        return []


def lemma_forms(entry: str, lemmatize: Callable[[str], str]) -> Sequence[str]:
    """The written form of a one-word entry and its lemma."""
    form = entry.lower()
    return (form, lemmatize(form))
