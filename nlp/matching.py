"""Matching lexicon entries against a tokenised remark: words, compounds and phrases on lemmas.

Danish and Norwegian write compounds as one word ("leveringstiden", "fakturagebyret"), so a word that is
not in a lexicon is tried as modifier + head against the entries that may stand inside compounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

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


class PhraseMatch:
    """A lexicon entry found in a remark. A plain class, not a NamedTuple: compiled, it is built without
    going through Python, and a remark yields several."""

    def __init__(self, start: int, end: int, positions: tuple[int, ...], payload: Any, owner: Any) -> None:
        self.start = start
        self.end = end  # exclusive
        self.positions = positions
        self.payload = payload
        self.owner = owner


# (order added, elements as (form, lemma), payload, owner, max_gap)
_Entry = tuple[int, tuple[tuple[str, str], ...], object, object, int]


class PhraseIndex:
    """Multi-word entries matched in order on form or lemma, with up to ``max_gap`` other words between.

    One index per language holds the entries of every component (themes, sentiment), each tagged with its
    ``owner``, so that a remark is walked once. Entries are indexed by their first word and then their
    second. An entry's second word can only stand within ``max_gap + 1`` words of its first, so at each
    word of a remark only the entries whose second word is among the next few words are tried. Matches
    come in text order; those that start at the same word, in the order they were added.
    """

    def __init__(self, lemmatize: Callable[[str], str]) -> None:
        self._lemmatize = lemmatize
        self._index: dict[str, dict[str, list[_Entry]]] = {}
        self._reach = 1  # how many words after an entry's first its second can stand: the largest max_gap + 1
        self._size = 0

    def add(self, phrase: str, payload: object, owner: object, max_gap: int = 2) -> None:
        words = phrase.lower().split()
        if not words:
            return
        elements = tuple((w, self._lemmatize(w)) for w in words)
        entry: _Entry = (self._size, elements, payload, owner, max_gap)
        seconds = set(elements[1]) if len(elements) > 1 else {""}
        for first in set(elements[0]):
            by_second = self._index.setdefault(first, {})
            for second in seconds:
                by_second.setdefault(second, []).append(entry)
        self._reach = max(self._reach, max_gap + 1)
        self._size += 1

    def __len__(self) -> int:
        return self._size

    def find(self, tokens: Tokens) -> list[PhraseMatch]:
        lower, lemma, brk = tokens
        index = self._index
        reach = self._reach
        found: list[PhraseMatch] = []
        n = len(lower)
        for i in range(n):
            form = lower[i]
            lem = lemma[i]
            by_form = index.get(form)
            by_lemma = index.get(lem) if lem != form else None
            if by_form is None and by_lemma is None:
                continue
            # The words an entry's second word can be: those within reach, and "" for one-word entries.
            following = {""}
            for j in range(i + 1, min(n, i + 1 + reach)):
                following.add(lower[j])
                following.add(lemma[j])
            for _, elements, payload, owner, max_gap in _candidates(following, by_form, by_lemma):
                positions = _extend(elements, max_gap, i, lower, lemma, brk, n)
                if positions is not None:
                    found.append(PhraseMatch(i, positions[-1] + 1, positions, payload, owner))
        return found


def _candidates(
    following: set[str], by_form: dict[str, list[_Entry]] | None, by_lemma: dict[str, list[_Entry]] | None
) -> list[_Entry]:
    """The entries under a word's form, then those under its lemma, whose second word is among
    ``following``; each group in the order the entries were added."""
    candidates: list[_Entry] = []
    for by_second in (by_form, by_lemma):
        if by_second is None:
            continue
        seconds = [second for second in following if second in by_second]
        if not seconds:
            continue
        if len(seconds) == 1:
            group = by_second[seconds[0]]  # in the order added, each entry once
        else:  # an entry can stand under the form and the lemma of its second word
            group = sorted({entry[0]: entry for second in seconds for entry in by_second[second]}.values())
        if candidates:
            seen = {entry[0] for entry in candidates}
            group = [entry for entry in group if entry[0] not in seen]
        candidates += group
    return candidates


def _extend(
    elements: tuple[tuple[str, str], ...],
    max_gap: int,
    i: int,
    lower: list[str],
    lemma: list[str],
    brk: list[bool],
    n: int,
) -> tuple[int, ...] | None:
    positions = [i]
    j = i
    for form, lem in elements[1:]:
        limit = min(n, j + 2 + max_gap)
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
