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
from nlp.data_files import LangidMarkers
from nlp.lemmas import is_known

__all__ = ["LanguageIdentifier", "SUPPORTED"]

SUPPORTED = ("da", "nb", "nn")
_CLD_CODES = {"da": "da", "no": "nb", "nb": "nb", "nn": "nn"}
_WORD = re.compile(r"[^\W\d_]+")
_NORDIC = "æøåÆØÅ"
_CLD_VOTE = 1.5
_TOP_CONFIDENCE = 0.99
_CACHE_LIMIT = 200_000


class LanguageIdentifier:
    """``identify(text) -> (code, confidence)``; code is da/nb/nn, another ISO code, or ``und``."""

    def __init__(self) -> None:
        markers = msgspec.toml.decode(resources.read_bytes("langid.toml"), type=LangidMarkers)
        self._words: dict[str, set[str]] = {}
        for lang in SUPPORTED:
            for word in getattr(markers, lang)["words"]:
                self._words.setdefault(word, set()).add(lang)
        self._endings = {lang: tuple(markers.endings.get(lang, ())) for lang in SUPPORTED}
        self._cache: dict[str, tuple[float, float, float, bool]] = {}
        self._chunks: dict[str, tuple[float, float, float, int, int]] = {}
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

    def _chunk_votes(self, chunk: str) -> tuple[float, float, float, int, int]:
        """The votes of the words in a whitespace-free chunk of text, and how many words and known words."""
        da = nb = nn = 0.0
        words = known = 0
        for word in _WORD.findall(chunk.lower()):
            votes = self._votes(word)
            da += votes[0]
            nb += votes[1]
            nn += votes[2]
            words += 1
            known += votes[3]
        found = (da, nb, nn, words, known)
        if len(self._chunks) >= _CACHE_LIMIT:
            self._chunks.clear()
        self._chunks[chunk] = found
        return found

    def identify(self, text: str) -> tuple[str, float]:
        # Words never span white space, so the votes are summed per chunk between spaces, each chunk's
        # once: remarks repeat the same chunks.
        da = nb = nn = 0.0
        words = known = 0
        chunks = self._chunks
        for chunk in text.split():
            found = chunks.get(chunk)
            if found is None:
                found = self._chunk_votes(chunk)
            da += found[0]
            nb += found[1]
            nn += found[2]
            words += found[3]
            known += found[4]
        scores = [da, nb, nn]
        # A remark most of whose words the Scandinavian dictionaries know stays Scandinavian, and so does
        # one with æ, ø or å, whatever CLD2 thinks of a short text.
        scandinavian = words > 0 and known / words >= 0.75 or _has_nordic(text)
        if scandinavian:
            # When no vote of CLD2's could change which language wins, spare its cost (it is most of the
            # identification's): the markers decide, and their confidence is the one reported.
            unvoted = _verdict(scores, -1, words)
            if unvoted[0] != "und":
                leader = SUPPORTED.index(unvoted[0])
                if all(_top(_with_vote(scores, v)) == leader for v in (0, 1, 2) if v != leader):
                    return unvoted
        other = None
        voted = -1
        try:
            reliable, _, details = pycld2.detect(text, bestEffort=True)
        except pycld2.error:  # invalid UTF-8 surrogates and the like: the markers alone decide
            reliable, details = False, ()
        for _name, code, percent, _score in details:
            if code in _CLD_CODES:
                voted = SUPPORTED.index(_CLD_CODES[code])
                break
            if code in self._other and percent >= 90 and other is None:
                other = code
        if other is not None and reliable and not scandinavian:
            voted_scores = _with_vote(scores, voted)
            top = _top(voted_scores)
            marker_evidence = voted_scores[top] - (_CLD_VOTE if voted == top else 0.0)
            if marker_evidence < 2.0:
                return other, 0.9
        return _verdict(scores, voted, words)


def _has_nordic(text: str) -> bool:
    """Whether the text has æ, ø or å (a handful of substring searches, cheaper than a regular expression)."""
    if text.isascii():
        return False
    for letter in _NORDIC:
        if letter in text:
            return True
    return False


def _verdict(markers: list[float], voted: int, words: int) -> tuple[str, float]:
    """The language with the most votes: the markers' and CLD2's for language ``voted`` (none if -1)."""
    scores = _with_vote(markers, voted)
    top = _top(scores)
    best = scores[top]
    if best == 0.0:
        return "und", 0.0
    da, nb, nn = scores
    second = max(nb, nn) if top == 0 else max(da, nn) if top == 1 else max(da, nb)
    confidence = min(_TOP_CONFIDENCE, 0.5 + (best - second) / (2.0 * (best + 1.0)) + min(words, 10) / 40.0)
    return SUPPORTED[top], round(confidence, 2)


def _with_vote(markers: list[float], voted: int) -> list[float]:
    if voted < 0:
        return markers
    scores = list(markers)
    scores[voted] += _CLD_VOTE
    return scores


def _top(scores: list[float]) -> int:
    """The index of the highest score, the first on a tie."""
    top = 1 if scores[1] > scores[0] else 0
    return 2 if scores[2] > scores[top] else top
