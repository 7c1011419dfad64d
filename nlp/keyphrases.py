"""Key phrases: the content lemmas of a remark and the pairs they form, for trends over many remarks."""

from __future__ import annotations

from spacy.language import Language

from nlp import resources
from nlp.matching import Tokens

__all__ = ["KeyphraseExtractor"]

MAX_PHRASES = 8
MIN_LETTERS = 3


class KeyphraseExtractor:
    """Content lemmas (not stop words, numbers or placeholders) and adjacent pairs of them."""

    def __init__(self, lang: str, nlp: Language) -> None:
        extra = [
            line.strip().lower()
            for line in resources.read_text(f"{lang}/stopwords.txt").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        self._stop = frozenset(nlp.Defaults.stop_words) | frozenset(extra)

    def extract(self, tokens: Tokens, skip: frozenset[int] = frozenset()) -> list[str]:
        lower, lemma, brk = tokens
        stop = self._stop
        content = [
            len(word) >= MIN_LETTERS
            and word.isalpha()
            and word not in stop
            and lemma[i] not in stop
            and not brk[i]
            and i not in skip
            for i, word in enumerate(lower)
        ]
        pairs: list[str] = []
        singles: list[str] = []
        for i, keep in enumerate(content):
            if not keep:
                continue
            singles.append(lemma[i])
            if i + 1 < len(content) and content[i + 1]:
                pairs.append(f"{lemma[i]} {lemma[i + 1]}")
        return list(dict.fromkeys(pairs + singles))[:MAX_PHRASES]
