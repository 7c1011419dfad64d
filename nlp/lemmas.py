"""Lemmas for Danish, Bokmål and Nynorsk words, cached because remarks repeat the same vocabulary."""

from __future__ import annotations

import simplemma

__all__ = ["Lemmatizer"]

_CACHE_LIMIT = 200_000


class Lemmatizer:
    """Maps a lower-case word to its dictionary form in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        lemma = self.cache.get(word)
        if lemma is None:
            lemma = simplemma.lemmatize(word, lang=self.lang).lower() if word.isalpha() else word
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            self.cache[word] = lemma
        return lemma

    def phrase(self, text: str) -> tuple[str, ...]:
        """The lemmas of a written phrase, split on white space (used when loading lexicons)."""
        return tuple(self(w) for w in text.lower().split())
