"""Key phrases: the content lemmas of a remark and the pairs they form, for trends over many remarks."""

from __future__ import annotations

from spacy.language import Language

from nlp import resources
from nlp.matching import Tokens

__all__ = ["KeyphraseExtractor"]

MAX_PHRASES = 8
MIN_LETTERS = 3
_CACHE_LIMIT = 200_000


class KeyphraseExtractor:
    """Content lemmas (not stop words, numbers or placeholders) and adjacent pairs of them."""

    def __init__(self, lang: str, nlp: Language) -> None:
        extra = [
            line.strip().lower()
            for line in resources.read_text(f"{lang}/stopwords.txt").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        self._stop = frozenset(nlp.Defaults.stop_words) | frozenset(extra)
        # Whether a word (with its lemma: one per word in a language) can be a key phrase, kept per word.
        self._content: dict[str, bool] = {}

    def extract(self, tokens: Tokens, skip: frozenset[int] = frozenset()) -> list[str]:
        lower, lemma, brk = tokens
        known = self._content
        content = [known.get(word) for word in lower]
        for i, keep in enumerate(content):
            if keep is None:
                content[i] = keep = self._is_content(lower[i], lemma[i])
            if keep and (brk[i] or i in skip):
                content[i] = False
        pairs: list[str] = []
        singles: list[str] = []
        for i, keep in enumerate(content):
            if not keep:
                continue
            singles.append(lemma[i])
            if i + 1 < len(content) and content[i + 1]:
                pairs.append(f"{lemma[i]} {lemma[i + 1]}")
        return list(dict.fromkeys(pairs + singles))[:MAX_PHRASES]

    def _is_content(self, word: str, lemma: str) -> bool:
        stop = self._stop
        keep = len(word) >= MIN_LETTERS and word.isalpha() and word not in stop and lemma not in stop
        if len(self._content) >= _CACHE_LIMIT:
            self._content.clear()
        self._content[word] = keep
        return keep
