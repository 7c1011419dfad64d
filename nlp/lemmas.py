"""Lemmas for Danish, Bokmål and Nynorsk words, cached because remarks repeat the same vocabulary.

simplemma's dictionaries ship compressed and take a second or more per language to decode. The decoded
tables are kept in a cache folder (``LYDHOR_CACHE_DIR``, else ``~/.cache/lydhor``), so that later starts
load them in a fraction of that; where the folder cannot be written, they are decoded every time.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from pathlib import Path

import simplemma
from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
from simplemma.strategies.dictionaries.dictionary_factory import (
    CachingDictionaryFactory,
    MappingStrToByteString,
    _load_dictionary_from_disk,
)

__all__ = ["Lemmatizer", "is_known"]

_CACHE_LIMIT = 200_000


def _cache_dir() -> Path:
    explicit = os.environ.get("LYDHOR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "lydhor"


class _CachedDictionaries(CachingDictionaryFactory):
    """simplemma's dictionaries, decoded once and then loaded from a pickle in the cache folder."""

    def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
        version = getattr(simplemma, "__version__", "0")
        path = _cache_dir() / f"simplemma-{version}-{lang}.pickle"
        try:
            with path.open("rb") as f:
                return MappingStrToByteString(pickle.load(f))
        except (OSError, pickle.UnpicklingError, EOFError):
            pass
        table = _load_dictionary_from_disk(lang)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as f:
                pickle.dump(table, f, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(path)  # atomic: a concurrent start never reads half a file
        except OSError:
            pass
        return MappingStrToByteString(table)


_DICTIONARIES = _CachedDictionaries()
_LEMMATIZER = simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_DICTIONARIES))
_LOOKUP = DictionaryLookupStrategy(dictionary_factory=_DICTIONARIES)


def is_known(word: str, lang: str) -> bool:
    """Whether ``lang``'s dictionary has ``word`` as a form."""
    return _LOOKUP.get_lemma(word, lang) is not None


class Lemmatizer:
    """Maps a lower-case word to its dictionary form in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        lemma = self.cache.get(word)
        if lemma is None:
            lemma = _LEMMATIZER.lemmatize(word, self.lang).lower() if word.isalpha() else word
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            self.cache[word] = lemma
        return lemma
