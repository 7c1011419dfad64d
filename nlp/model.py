"""Small linear models over a remark's lemmas, their character n-grams and the lexicons' findings, trained
by ``nlp.train``.

The lexicons say which words mean what; the models learn from labelled remarks how much each finding and
each word counts, which covers themes that remarks imply without a keyword ("kom først fredag"). Inference
is a sparse dot product in plain Python; weights are a data file (``data/model.json``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import msgspec
import numpy as np

from nlp import resources
from nlp.matching import Tokens

__all__ = ["FeatureRows", "LinearModel", "ModelFile", "Predictor", "features", "MODEL_FILE"]

MODEL_FILE = "model.json"
_MIN_AFFIX_WORD = 7
_CACHE_LIMIT = 200_000
# Character n-grams of each word (with a space at either end) catch what a remark's lemmas miss: parts of
# compounds, inflections and misspellings of known words. Their values share one budget per remark, so
# that a long remark does not outweigh its lemma and lexicon features.
_NGRAM_SIZES = (3, 4, 5)
_NGRAM_WEIGHT = 5.0
WORD_ROWS = 32_768


class LinearModel(msgspec.Struct):
    """One-vs-rest logistic regression (themes) or softmax regression (sentiment); ``Predictor`` scores with
    them. The non-zero weights are three parallel lists (feature index into ``features``, label index,
    weight): flat lists of numbers load several times faster than a table of names."""

    labels: list[str]
    bias: list[float]
    features: list[str]
    feature: list[int]
    label: list[int]
    weight: list[float]
    softmax: bool = False
    threshold: float = 0.5


class ModelFile(msgspec.Struct):
    """Both models, and the digest of the training data and lexicons they were trained on."""

    source_digest: str
    themes: LinearModel
    sentiment: LinearModel


class Predictor:
    """Both models as one dense matrix, so that a remark is scored with one gather and one product."""

    def __init__(self, model: ModelFile, word_rows: int = WORD_ROWS) -> None:
        self.themes = model.themes
        self.sentiment = model.sentiment
        names = sorted(set(model.themes.features) | set(model.sentiment.features))
        self._index = {name: i for i, name in enumerate(names)}
        self._names = names
        n_themes = len(model.themes.labels)
        matrix = np.zeros((len(names), n_themes + len(model.sentiment.labels)))
        for offset, linear in ((0, model.themes), (n_themes, model.sentiment)):
            rows = np.array([self._index[name] for name in linear.features], dtype=np.intp)
            matrix[rows[np.array(linear.feature, dtype=np.intp)], offset + np.array(linear.label, dtype=np.intp)] = linear.weight
        # Below the features' rows, room for words' rows: the sum of a word's character n-gram rows, so that
        # a remark's n-grams (some fifteen a word) are scored as one row a word (``word_row``).
        self._matrix = np.vstack([matrix, np.zeros((word_rows, matrix.shape[1]))])
        self._word_capacity = word_rows
        self.feature_rows = len(names)
        self._words = 0
        self._bias = np.array(model.themes.bias + model.sentiment.bias)
        self._split = n_themes

    def predict(self, feats: list[tuple[str, float]]) -> tuple[list[float], list[float]]:
        """Theme probabilities (one-vs-rest) and sentiment probabilities (softmax) of named features."""
        index = self._index
        rows: list[int] = []
        values: list[float] = []
        for name, value in feats:
            row = index.get(name)
            if row is not None:  # features the training never kept have no weights
                rows.append(row)
                values.append(value)
        return self.predict_rows(rows, values)

    def predict_rows(self, rows: list[int], values: list[float]) -> tuple[list[float], list[float]]:
        """The same from the features' rows in the weight matrix (``FeatureRows``)."""
        z = (self._bias + np.dot(values, self._matrix.take(rows, axis=0))).tolist() if rows else self._bias.tolist()
        split = self._split
        themes = [1.0 / (1.0 + math.exp(-v)) if v > -30 else 0.0 for v in z[:split]]
        top = max(z[split:])
        exp = [math.exp(v - top) for v in z[split:]]
        total = sum(exp)
        return themes, [v / total for v in exp]

    def row(self, name: str) -> int:
        """A feature's row in the weight matrix, or -1 for a feature without weights."""
        return self._index.get(name, -1)

    def free_word_rows(self) -> int:
        return self._word_capacity - self._words

    def word_row(self, rows: list[int]) -> int:
        """A new row holding the sum of feature ``rows`` (there must be a free one: ``forget_word_rows``
        frees them all)."""
        if self._words >= self._word_capacity:
            raise IndexError("no free word row")
        row = self.feature_rows + self._words
        self._matrix[row] = self._matrix[rows].sum(axis=0) if rows else 0.0
        self._words += 1
        return row

    def forget_word_rows(self) -> None:
        self._words = 0

    def top_words(self, rows: list[int], values: list[float], label: int, k: int = 3) -> list[str]:
        """The remark's words that weigh most for theme ``label``: the evidence a person sees."""
        scored = []
        names = self._names
        for i, value in zip(rows, values):
            if i >= self.feature_rows:  # a word's n-grams, not a word
                continue
            name = names[i]
            if name.startswith("w:"):
                weight = float(self._matrix[i, label]) * value
                if weight > 0:
                    scored.append((weight, name[2:]))
        return [word for _, word in sorted(scored, reverse=True)[:k]]


class FeatureRows:
    """``features`` for inference: the rows of a remark's features in a ``Predictor``'s weight matrix,
    without building their names. Per lemma and per lemma pair the rows are looked up once and kept, because
    remarks repeat the same words; features without weights are left out, as ``Predictor.predict`` does.
    The walk is ``_lemma_walk``'s, written out: this runs for every remark."""

    def __init__(self, predictor: Predictor) -> None:
        self._predictor = predictor
        # Per lemma as the tokens give it: None for a lemma without features, else its rows (_WordRows).
        self._words: dict[str, _WordRows | None] = {}
        self._pairs: dict[str, dict[str, int]] = {}
        self._named: dict[str, int] = {}
        # Per word: how many character n-grams it has, and the predictor's row of their summed weights.
        self._grams: dict[str, tuple[int, int]] = {}

    def __call__(
        self,
        lang: str,
        tokens: Tokens,
        skip: frozenset[int],
        theme_evidence: dict[str, float],
        sentiment_parts: dict[str, float],
        negated: frozenset[int] = frozenset(),
    ) -> tuple[list[int], list[float]]:
        rows: list[int] = []
        values: list[float] = []
        words, pairs = self._words, self._pairs
        self._add_named(rows, values, [("lang:" + lang, 1.0)])
        lower, lemma, brk = tokens
        previous = "<s>"
        grams = self._grams
        if self._predictor.free_word_rows() < len(lower):
            # Every word of this remark may need a new row: start again now, not halfway through it.
            grams.clear()
            self._predictor.forget_word_rows()
        gram_rows: list[int] = []
        gram_count = 0
        for i in range(len(lower)):
            word = lower[i]
            if not word or i in skip:
                continue
            if brk[i]:
                previous = "<s>"
                continue
            lem = lemma[i]
            found = words.get(lem)
            if found is None and lem not in words:
                found = self._word_rows(lem)
            if found is None:
                continue
            if word.isalpha():
                known = grams.get(word)
                if known is None:
                    known = self._gram_row(word)
                gram_count += known[0]
                gram_rows.append(known[1])
            row = found.negated if i in negated else found.plain
            if row >= 0:
                rows.append(row)
                values.append(1.0)
            key = found.key
            following = pairs.get(previous)
            pair = following.get(key, -2) if following is not None else -2
            if pair == -2:
                pair = self._pair_row(previous, key)
            if pair >= 0:
                rows.append(pair)
                values.append(1.0)
            for row, value in found.affixes:
                rows.append(row)
                values.append(value)
            previous = key
        self._add_named(rows, values, _lexicon_features(theme_evidence, sentiment_parts))
        if gram_count:
            rows += gram_rows
            values += [_ngram_value(gram_count)] * len(gram_rows)
        return rows, values

    def _gram_row(self, word: str) -> tuple[int, int]:
        names = _ngrams(word)
        predictor = self._predictor
        rows = [r for r in (predictor.row(name) for name in names) if r >= 0]
        found = self._grams[word] = (len(names), predictor.word_row(rows))
        return found

    def _add_named(self, rows: list[int], values: list[float], feats: list[tuple[str, float]]) -> None:
        named = self._named
        for name, value in feats:
            row = named.get(name)
            if row is None:
                row = named[name] = self._predictor.row(name)
            if row >= 0:
                rows.append(row)
                values.append(value)

    def _word_rows(self, lemma: str) -> _WordRows | None:
        found = _LEMMA_FEATURES[lemma] if lemma in _LEMMA_FEATURES else _lemma_features(lemma)
        rows: _WordRows | None = None
        if found is not None:
            row = self._predictor.row
            affixes = tuple((row(name), value) for name, value in found.affixes if row(name) >= 0)
            rows = _WordRows(found.lemma, row(found.plain), row(found.negated), affixes)
        if len(self._words) >= _CACHE_LIMIT:
            self._words.clear()
        self._words[lemma] = rows
        return rows

    def _pair_row(self, previous: str, lemma: str) -> int:
        following = self._pairs.get(previous)
        if following is None:
            if len(self._pairs) >= _CACHE_LIMIT:
                self._pairs.clear()
            following = self._pairs[previous] = {}
        if len(following) >= _CACHE_LIMIT:
            following.clear()
        row = following[lemma] = self._predictor.row(_pair(previous, lemma))
        return row


class _WordRows(NamedTuple):
    key: str  # the lemma as features name it ("<num>" for numbers)
    plain: int  # rows of the lemma's features, -1 where the model has no weight
    negated: int
    affixes: tuple[tuple[int, float], ...]


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
    lemma pairs, compound affixes, what the lexicons found, and the words' character n-grams. A feature
    named twice counts twice, in training as in ``FeatureRows``."""
    feats: list[tuple[str, float]] = [("lang:" + lang, 1.0)]
    pairs = _PAIRS
    grams: list[str] = []
    for found, is_negated, previous, word in _lemma_walk(tokens, skip, negated):
        feats.append((found.negated if is_negated else found.plain, 1.0))
        pair = pairs.get(previous, _NO_PAIRS).get(found.lemma)
        feats.append((pair if pair is not None else _pair(previous, found.lemma), 1.0))
        feats += found.affixes
        if word.isalpha():
            grams += _ngrams(word)
    feats += _lexicon_features(theme_evidence, sentiment_parts)
    if grams:
        value = _ngram_value(len(grams))
        feats += [(name, value) for name in grams]
    return feats


def _lemma_walk(
    tokens: Tokens, skip: frozenset[int], negated: frozenset[int]
) -> Iterator[tuple[_LemmaFeatures, bool, str, str]]:
    """The words that give features, in order: each one's lemma features, whether it is negated, and the
    lemma before it in its clause ("<s>" at a clause's start), from which the pair feature is named, and
    the word as written (lower case)."""
    lower, lemma, brk = tokens
    known = _LEMMA_FEATURES
    previous = "<s>"
    for i, word in enumerate(lower):
        if i in skip or not word:
            continue
        if brk[i]:
            previous = "<s>"
            continue
        lem = lemma[i]
        found = known[lem] if lem in known else _lemma_features(lem)
        if found is None:
            continue
        yield found, i in negated, previous, word
        previous = found.lemma


def _lexicon_features(theme_evidence: dict[str, float], sentiment_parts: dict[str, float]) -> list[tuple[str, float]]:
    """What the theme and sentiment lexicons found in the remark, as features."""
    feats = [("lex:" + theme, min(weight, 3.0)) for theme, weight in theme_evidence.items()]
    feats += [("sent:" + name, value) for name, value in sentiment_parts.items()]
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


def _ngrams(word: str) -> list[str]:
    """The feature names of a word's character n-grams, the word taken with a space at either end."""
    padded = " " + word + " "
    return ["c:" + padded[i : i + n] for n in _NGRAM_SIZES for i in range(len(padded) - n + 1)]


def _ngram_value(count: int) -> float:
    """The value of each of a remark's ``count`` character n-grams: together they weigh as one budget."""
    return _NGRAM_WEIGHT / math.sqrt(count)


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
