"""Which language a remark is written in: Danish, Bokmål, Nynorsk, or something else.

CLD2 separates Scandinavian text from other languages cheaply but often confuses Danish with Bokmål in
short remarks, so its verdict is one vote among the function words and spelling habits in
``data/langid.toml``.
"""

from __future__ import annotations

import re

import msgspec
import pycld2

from nlp import resources
from nlp.lemmas import is_known

__all__ = ["LanguageIdentifier", "SUPPORTED"]

SUPPORTED = ("da", "nb", "nn")
_CLD_CODES = {"da": "da", "no": "nb", "nb": "nb", "nn": "nn"}
_WORD = re.compile(r"[^\W\d_]+")
_NORDIC = re.compile("[æøåÆØÅ]")
_CLD_VOTE = 1.5
_CACHE_LIMIT = 200_000


class _Markers(msgspec.Struct):
    da: dict[str, list[str]]
    nb: dict[str, list[str]]
    nn: dict[str, list[str]]
    endings: dict[str, list[str]]
    other: dict[str, list[str]]


class LanguageIdentifier:
    """``identify(text) -> (code, confidence)``; code is da/nb/nn, another ISO code, or ``und``."""

    def __init__(self) -> None:
        markers = msgspec.toml.decode(resources.read_bytes("langid.toml"), type=_Markers)
        self._words: dict[str, set[str]] = {}
        for lang in SUPPORTED:
            for word in getattr(markers, lang)["words"]:
                self._words.setdefault(word, set()).add(lang)
        self._endings = {lang: tuple(markers.endings.get(lang, ())) for lang in SUPPORTED}
        self._cache: dict[str, tuple[float, float, float, bool]] = {}
        self._other = frozenset(markers.other["accepted"])

    def _votes(self, word: str) -> tuple[float, float, float, bool]:
        """The word's votes for da, nb and nn, and whether any of their dictionaries knows it."""
        votes = self._cache.get(word)
        if votes is None:
            langs = self._words.get(word, ())
            da, nb, nn = (2.0 if lang in langs else 0.0 for lang in SUPPORTED)
            known = [is_known(word, lang) for lang in SUPPORTED]
            if 0 < sum(known) < 3:
                share = 1.0 / sum(known)
                da, nb, nn = da + known[0] * share, nb + known[1] * share, nn + known[2] * share
            if len(word) >= 5:
                da += 0.5 * word.endswith(self._endings["da"])
                nb += 0.5 * word.endswith(self._endings["nb"])
                nn += 0.5 * word.endswith(self._endings["nn"])
            votes = (da, nb, nn, any(known) or bool(langs))
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = votes
        return votes

    def identify(self, text: str) -> tuple[str, float]:
        scores = [0.0, 0.0, 0.0]
        words = known = 0
        for word in _WORD.findall(text.lower()):
            da, nb, nn, known_word = self._votes(word)
            scores[0] += da
            scores[1] += nb
            scores[2] += nn
            words += 1
            known += known_word
        other = None
        voted = -1
        try:
            reliable, _, details = pycld2.detect(text, bestEffort=True)
        except pycld2.error:  # invalid UTF-8 surrogates and the like: the markers alone decide
            reliable, details = False, ()
        for _name, code, percent, _score in details:
            if code in _CLD_CODES:
                voted = SUPPORTED.index(_CLD_CODES[code])
                scores[voted] += _CLD_VOTE
                break
            if code in self._other and percent >= 90 and other is None:
                other = code
        ranked = sorted(range(3), key=lambda i: scores[i], reverse=True)
        best, second = scores[ranked[0]], scores[ranked[1]]
        marker_evidence = best - (_CLD_VOTE if voted == ranked[0] else 0.0)
        # æ, ø and å settle that the remark is Scandinavian whatever CLD2 thinks of a short text.
        # A remark most of whose words the Scandinavian dictionaries know stays Scandinavian.
        mostly_known = words > 0 and known / words >= 0.75
        if other is not None and reliable and marker_evidence < 2.0 and not mostly_known and not _NORDIC.search(text):
            return other, 0.9
        if best == 0.0:
            return "und", 0.0
        confidence = min(0.99, 0.5 + (best - second) / (2.0 * (best + 1.0)) + min(words, 10) / 40.0)
        return SUPPORTED[ranked[0]], round(confidence, 2)
