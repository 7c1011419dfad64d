"""Small linear models over a remark's lemmas and the lexicons' findings, trained by ``nlp.train``.

The lexicons say which words mean what; the models learn from labelled remarks how much each finding and
each word counts, which covers themes that remarks imply without a keyword ("kom først fredag"). Inference
is a sparse dot product in plain Python; weights are a data file (``data/model.json``).
"""

from __future__ import annotations

import math
from itertools import compress
from typing import NamedTuple

import msgspec
import numpy as np

from nlp import resources
from nlp.matching import Tokens

__all__ = ["LinearModel", "ModelFile", "Predictor", "features", "MODEL_FILE"]

MODEL_FILE = "model.json"
_MIN_AFFIX_WORD = 7
_CACHE_LIMIT = 200_000


class LinearModel(msgspec.Struct):
    """One-vs-rest logistic regression (themes) or softmax regression (sentiment) with sparse weights
    (``feature -> [(label index, weight)]``); ``Predictor`` scores with them."""

    labels: list[str]
    bias: list[float]
    weights: dict[str, list[tuple[int, float]]]
    softmax: bool = False
    threshold: float = 0.5


class ModelFile(msgspec.Struct):
    """Both models, and the digest of the training data and lexicons they were trained on."""

    source_digest: str
    themes: LinearModel
    sentiment: LinearModel


class Predictor:
    """Both models as one dense matrix, so that a remark is scored with one gather and one product."""

    def __init__(self, model: ModelFile) -> None:
        self.themes = model.themes
        self.sentiment = model.sentiment
        names = sorted(set(model.themes.weights) | set(model.sentiment.weights))
        self._index = {name: i for i, name in enumerate(names)}
        n_themes = len(model.themes.labels)
        matrix = np.zeros((len(names), n_themes + len(model.sentiment.labels)))
        for offset, linear in ((0, model.themes), (n_themes, model.sentiment)):
            for name, row in linear.weights.items():
                i = self._index[name]
                for k, w in row:
                    matrix[i, offset + k] = w
        self._matrix = matrix
        self._bias = np.array(model.themes.bias + model.sentiment.bias)
        self._split = n_themes

    def predict(self, feats: list[tuple[str, float]]) -> tuple[list[float], list[float]]:
        """Theme probabilities (one-vs-rest) and sentiment probabilities (softmax)."""
        names, values = zip(*feats)
        rows = list(map(self._index.get, names))
        if None in rows:  # features the training never kept: no weights
            known = [i is not None for i in rows]
            rows = list(compress(rows, known))
            values = tuple(compress(values, known))
        z = (self._bias + np.dot(values, self._matrix.take(rows, axis=0))).tolist() if rows else self._bias.tolist()
        split = self._split
        themes = [1.0 / (1.0 + math.exp(-v)) if v > -30 else 0.0 for v in z[:split]]
        top = max(z[split:])
        exp = [math.exp(v - top) for v in z[split:]]
        total = sum(exp)
        return themes, [v / total for v in exp]

    def top_words(self, feats: list[tuple[str, float]], label: int, k: int = 3) -> list[str]:
        """The remark's words that weigh most for theme ``label``: the evidence a person sees."""
        scored = []
        for name, value in feats:
            i = self._index.get(name)
            if i is not None and name.startswith("w:"):
                weight = float(self._matrix[i, label]) * value
                if weight > 0:
                    scored.append((weight, name[2:]))
        return [word for _, word in sorted(scored, reverse=True)[:k]]


def load() -> ModelFile | None:
    try:
        return msgspec.json.decode(resources.read_bytes(MODEL_FILE), type=ModelFile)
    except FileNotFoundError:
        return None


def features(
    lang: str,
    tokens: Tokens,
    skip: frozenset[int],
    theme_evidence: dict[str, float],
    sentiment_parts: dict[str, float],
    negated: frozenset[int] = frozenset(),
) -> list[tuple[str, float]]:
    """The features of one remark: lemmas (marked when negated: "ikke noget problem" is not a problem),
    lemma pairs, compound affixes, and what the lexicons found."""
    lower, lemma, brk = tokens
    feats: list[tuple[str, float]] = [("lang:" + lang, 1.0)]
    previous = "<s>"
    known, pairs = _LEMMA_FEATURES, _PAIRS
    for i, word in enumerate(lower):
        if i in skip or not word:
            continue
        if brk[i]:
            previous = "<s>"
            continue
        lem = lemma[i]
        found = known.get(lem, _UNSEEN)
        if found is _UNSEEN:
            found = _lemma_features(lem)
        if found is None:
            continue
        feats.append((found.negated if i in negated else found.plain, 1.0))
        pair = pairs.get(previous, _NO_PAIRS).get(found.lemma)
        feats.append((pair if pair is not None else _pair(previous, found.lemma), 1.0))
        feats += found.affixes
        previous = found.lemma
    for theme, weight in theme_evidence.items():
        feats.append(("lex:" + theme, min(weight, 3.0)))
    for name, value in sentiment_parts.items():
        feats.append(("sent:" + name, value))
    return feats


class _LemmaFeatures(NamedTuple):
    lemma: str  # as it stands in features: numbers are all "<num>"
    plain: str
    negated: str
    affixes: tuple[tuple[str, float], ...]


# The features of a lemma, and the names of lemma pairs, kept because remarks repeat the same words and
# a name built once also keeps its hash for the look-up of its weights.
_LEMMA_FEATURES: dict[str, _LemmaFeatures | None] = {}
_PAIRS: dict[str, dict[str, str]] = {}
_UNSEEN = _LemmaFeatures("", "", "", ())
_NO_PAIRS: dict[str, str] = {}


def _lemma_features(lemma: str) -> _LemmaFeatures | None:
    """The features of one lemma, or None for a lone punctuation mark other than "?" and "!"."""
    lem = lemma
    found: _LemmaFeatures | None = None
    if not lem.isalpha() and any(ch.isdigit() for ch in lem):
        lem = "<num>"
    if lem.isalpha() or len(lem) != 1 or lem in "?!":
        affixes: tuple[tuple[str, float], ...] = ()
        if len(lem) >= _MIN_AFFIX_WORD and lem.isalpha():
            affixes = (("p:" + lem[:5], 0.5), ("s:" + lem[-5:], 0.5))
        found = _LemmaFeatures(lem, "w:" + lem, "n:" + lem, affixes)
    if len(_LEMMA_FEATURES) >= _CACHE_LIMIT:
        _LEMMA_FEATURES.clear()
    _LEMMA_FEATURES[lemma] = found
    return found


def _pair(previous: str, lem: str) -> str:
    following = _PAIRS.get(previous)
    if following is None:
        if len(_PAIRS) >= _CACHE_LIMIT:
            _PAIRS.clear()
        following = _PAIRS[previous] = {}
    name = following.get(lem)
    if name is None:
        if len(following) >= _CACHE_LIMIT:
            following.clear()
        name = following[lem] = "b:" + previous + "_" + lem
    return name
