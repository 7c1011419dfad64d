"""Small linear models over a remark's lemmas and the lexicons' findings, trained by ``nlp.train``.

The lexicons say which words mean what; the models learn from labelled remarks how much each finding and
each word counts, which covers themes that remarks imply without a keyword ("kom først fredag"). Inference
is a sparse dot product in plain Python; weights are a data file (``data/model.json``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import msgspec

from nlp import resources
from nlp.matching import Tokens

__all__ = ["LinearModel", "ModelFile", "features", "MODEL_FILE"]

MODEL_FILE = "model.json"
_MIN_AFFIX_WORD = 7


class LinearModel(msgspec.Struct):
    """One-vs-rest logistic regression (themes) or softmax regression (sentiment) with sparse weights."""

    labels: list[str]
    bias: list[float]
    weights: dict[str, list[tuple[int, float]]]
    softmax: bool = False
    threshold: float = 0.5

    def scores(self, feats: Iterable[tuple[str, float]]) -> list[float]:
        z = list(self.bias)
        weights = self.weights
        for name, value in feats:
            row = weights.get(name)
            if row is not None:
                for k, w in row:
                    z[k] += w * value
        if self.softmax:
            top = max(z)
            exp = [math.exp(v - top) for v in z]
            total = sum(exp)
            return [v / total for v in exp]
        return [1.0 / (1.0 + math.exp(-v)) if v > -30 else 0.0 for v in z]

    def top_words(self, feats: Iterable[tuple[str, float]], label: int, k: int = 3) -> list[str]:
        """The remark's words that weigh most for ``label``: the evidence a person sees."""
        contributions = []
        for name, value in feats:
            if name.startswith("w:"):
                for j, w in self.weights.get(name, ()):
                    if j == label and w > 0:
                        contributions.append((w * value, name[2:]))
        return [word for _, word in sorted(contributions, reverse=True)[:k]]


class ModelFile(msgspec.Struct):
    """Both models, and the digest of the training data and lexicons they were trained on."""

    source_digest: str
    themes: LinearModel
    sentiment: LinearModel


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
) -> list[tuple[str, float]]:
    """The features of one remark: lemmas, lemma pairs, compound affixes, and what the lexicons found."""
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
        feats.append(("w:" + lem, 1.0))
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
