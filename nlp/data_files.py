"""The shapes of the data files in ``nlp/data``, decoded with msgspec.

Kept apart from the modules that read them because those are compiled (see setup.py), and compiled
modules cannot define msgspec Structs with options.
"""

from __future__ import annotations

import msgspec

__all__ = ["LangidMarkers", "PIICues", "SentimentLexicon", "SentimentModifiers", "ThemeScope"]


class LangidMarkers(msgspec.Struct):
    """langid.toml: marker words per language, word endings, and the other languages accepted."""

    da: dict[str, list[str]]
    nb: dict[str, list[str]]
    nn: dict[str, list[str]]
    endings: dict[str, list[str]]
    other: dict[str, list[str]]


class PIICues(msgspec.Struct, frozen=True):
    """pii.toml: the words before a number that tell what kind of number it is."""

    phone_cues: list[str]
    id_cues: list[str]
    account_cues: list[str]
    cpr_cues: list[str]
    fnr_cues: list[str]
    card_cues: list[str]


class SentimentModifiers(msgspec.Struct):
    """The [modifiers] table of <lang>/sentiment.toml."""

    negators: list[str] = []
    intensifiers: dict[str, float] = {}
    downtoners: dict[str, float] = {}
    contrast: list[str] = []
    sarcasm: list[str] = []
    request_cues: list[str] = []


class SentimentLexicon(msgspec.Struct):
    """<lang>/sentiment.toml: valences of words and phrases, and the modifiers."""

    words: dict[str, float]
    phrases: dict[str, float] = {}
    modifiers: SentimentModifiers = msgspec.field(default_factory=SentimentModifiers)


class ThemeScope(msgspec.Struct):
    """<lang>/scope.toml: phrases after which theme words do not count ("handler ikke om")."""

    not_about: list[str] = []
