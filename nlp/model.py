"""Small linear models over a remark's lemmas and the lexicons' findings, trained by ``nlp.train``.

The lexicons say which words mean what; the models learn from labelled remarks how much each finding and
each word counts, which covers themes that remarks imply without a keyword ("kom først fredag"). Inference
is a sparse dot product in plain Python; weights are a data file (``data/model.json``).
"""

from __future__ import annotations

import math

import msgspec
import numpy as np

from nlp import resources
from nlp.matching import Tokens

__all__ = ["LinearModel", "ModelFile", "Predictor", "features", "MODEL_FILE"]

MODEL_FILE = "model.json"
_MIN_AFFIX_WORD = 7


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
        index = self._index
        rows: list[int] = []
        values: list[float] = []
        for name, value in feats:
            i = index.get(name)
            if i is not None:
                rows.append(i)
                values.append(value)
        z = (self._bias + np.dot(values, self._matrix[rows])).tolist() if rows else self._bias.tolist()
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
    for i, word in enumerate(lower):
        if i in skip or not word:
            continue
        if brk[i]:
            previous = "<s>"
            continue
        lem = lemma[i]
        if not lem.isalpha():
            if any(ch.isdigit() for ch in lem):
                lem = "<num>"
            elif len(lem) == 1 and lem not in "?!":
                continue
        feats.append(("n:" + lem if i in negated else "w:" + lem, 1.0))
        feats.append(("b:" + previous + "_" + lem, 1.0))
        if len(lem) >= _MIN_AFFIX_WORD and lem.isalpha():
            feats.append(("p:" + lem[:5], 0.5))
            feats.append(("s:" + lem[-5:], 0.5))
        previous = lem
    for theme, weight in theme_evidence.items():
        feats.append(("lex:" + theme, min(weight, 3.0)))
    for name, value in sentiment_parts.items():
        feats.append(("sent:" + name, value))
    return feats
