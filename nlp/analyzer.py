"""The analysis of one remark: language, redaction, themes, sentiment and key phrases."""

from __future__ import annotations

import re

import spacy
from spacy.language import Language

from nlp import model as models
from nlp.keyphrases import KeyphraseExtractor
from nlp.langid import SUPPORTED, LanguageIdentifier
from nlp.lemmas import Lemmatizer
from nlp.matching import PhraseIndex, Tokens
from nlp.pii import PLACEHOLDERS, Redactor
from nlp.results import Analysis, PIISpan, Reading, SentimentLabel, SentimentResult, ThemeHit
from nlp.sentiment import SentimentScorer, verdict
from nlp.taxonomy import Taxonomy, ThemeDef
from nlp.themes import ThemeMatcher, hits_from
from nlp.tokens import RemarkTokenizer

__all__ = ["Analysis", "Analyzer", "MAX_TEXT_LENGTH"]

MAX_TEXT_LENGTH = 4000
UNOPPOSED_PRAISE = 0.4  # a negated mild complaint ("ikke noget problem") reaches this
_SPACE = re.compile(r"\s+")


class _Language:
    """Everything one language needs, built once."""

    def __init__(self, lang: str, taxonomy: Taxonomy) -> None:
        self.nlp: Language = spacy.blank(lang)
        self.lemmatize = Lemmatizer(lang)
        self.tokenizer = RemarkTokenizer(self.nlp.tokenizer, self.lemmatize)
        self.phrases = PhraseIndex(self.lemmatize)
        self.themes = ThemeMatcher(lang, taxonomy, self.lemmatize, self.phrases)
        self.sentiment = SentimentScorer(lang, self.lemmatize, self.phrases)
        self.keyphrases = KeyphraseExtractor(lang, self.nlp)

    def read(self, redacted: str) -> tuple[Tokens, frozenset[int], dict[str, dict[str, float]], Reading]:
        """Tokens, placeholder positions, the theme lexicon's evidence and the sentiment lexicon's reading."""
        tokens, placeholders = self.tokenizer.tokens(redacted)
        phrases = self.phrases.find(tokens)
        return tokens, placeholders, self.themes.evidence(tokens, phrases), self.sentiment.read(tokens, redacted, phrases)


class Analyzer:
    """Analyses remarks in Danish, Bokmål and Nynorsk. Build once and reuse: loading takes a second or two.

    ``taxonomy`` defaults to the twelve default themes; pass ``Taxonomy.default().with_themes(...)`` to add
    a company's own. ``langs`` limits which languages are loaded.
    """

    def __init__(
        self, taxonomy: Taxonomy | None = None, langs: tuple[str, ...] = SUPPORTED, use_model: bool = True
    ) -> None:
        self.taxonomy = taxonomy if taxonomy is not None else Taxonomy.default()
        model_file = models.load() if use_model else None
        self.model = models.Predictor(model_file) if model_file is not None else None
        self._feature_rows = models.FeatureRows(self.model) if self.model is not None else None
        self._trained = frozenset(model_file.themes.labels) if model_file is not None else frozenset()
        self.redactor = Redactor()
        self.identifier = LanguageIdentifier()
        self._langs = {lang: _Language(lang, self.taxonomy) for lang in langs}
        for lang in langs:  # load the dictionaries now rather than on the first remark
            self.identifier.identify("kunden er glad")
            self._langs[lang].lemmatize("kunden")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._langs)

    def with_themes(self, themes: list[ThemeDef]) -> Analyzer:
        """A new analyzer whose taxonomy has ``themes`` added or replaced."""
        return Analyzer(self.taxonomy.with_themes(themes), self.languages, use_model=self.model is not None)

    def analyze(self, text: str, lang: str | None = None) -> Analysis:
        """Analyse one remark. ``lang`` (da/nb/nn) skips language identification."""
        spans = self.redactor.find(text)
        redacted = self.redactor.redact(text, spans)
        if lang is not None:
            code, confidence = lang, 1.0
        else:
            code, confidence = self.identifier.identify(_without_placeholders(redacted, spans))
        language = self._langs.get(code)
        if language is None:
            return Analysis(
                lang=code,
                lang_confidence=confidence,
                supported=False,
                note=_unsupported_note(code),
                redacted=redacted,
                pii=spans,
                themes=[],
                sentiment="neutral",
                sentiment_score=0.0,
                sentiment_cues=[],
                keyphrases=[],
            )
        tokens, placeholders, evidence, reading = language.read(redacted)
        if self.model is None:
            themes = hits_from(evidence)
            sentiment = verdict(reading, has_theme=bool(themes))
        else:
            assert self._feature_rows is not None
            rows, values = self._feature_rows(code, tokens, placeholders, _totals(evidence), reading.parts(), reading.negated)
            theme_probs, sentiment_probs = self.model.predict_rows(rows, values)
            themes = self._model_themes(rows, values, theme_probs, evidence)
            sentiment = self._model_sentiment(sentiment_probs, reading)
        return Analysis(
            lang=code,
            lang_confidence=confidence,
            supported=True,
            redacted=redacted,
            pii=spans,
            themes=themes,
            sentiment=sentiment.label,
            sentiment_score=sentiment.score,
            sentiment_cues=sentiment.cues,
            keyphrases=language.keyphrases.extract(tokens, placeholders),
        )

    def featurize(self, text: str, lang: str) -> list[tuple[str, float]]:
        """The model features of a remark (for training)."""
        tokens, placeholders, evidence, reading = self._langs[lang].read(self.redactor.redact(text))
        return models.features(lang, tokens, placeholders, _totals(evidence), reading.parts(), reading.negated)

    def _model_themes(
        self, rows: list[int], values: list[float], probs: list[float], evidence: dict[str, dict[str, float]]
    ) -> list[ThemeHit]:
        assert self.model is not None
        theme_model = self.model.themes
        hits = [
            ThemeHit(id=label, score=round(p, 2), evidence=list(evidence.get(label, {})) or self.model.top_words(rows, values, k))
            for k, (label, p) in enumerate(zip(theme_model.labels, probs))
            if p >= theme_model.threshold and label in self.taxonomy
        ]
        # Themes the model was not trained on (a company's own) come from their words alone.
        untrained = {t: w for t, w in evidence.items() if t not in self._trained}
        if untrained:
            hits += [h for h in hits_from(untrained) if h.id in self.taxonomy]
        hits.sort(key=lambda h: -h.score)
        return hits

    def _model_sentiment(self, sentiment_probs: list[float], reading: Reading) -> SentimentResult:
        assert self.model is not None
        labels = self.model.sentiment.labels
        best = 0  # the most probable label, the first on a tie
        for k in range(1, len(sentiment_probs)):
            if sentiment_probs[k] > sentiment_probs[best]:
                best = k
        label: SentimentLabel = labels[best]  # type: ignore[assignment]
        score = sentiment_probs[labels.index("positive")] - sentiment_probs[labels.index("negative")]
        if label == "negative" and reading.neg == 0.0 and reading.pos >= UNOPPOSED_PRAISE and not reading.sarcasm:
            # Praise with no complaint word at all ("ikke noget problem", a negated complaint) is not read
            # as a complaint because words like "problem" weigh negative in the model.
            label, score = "positive", -score
        return SentimentResult(label=label, score=round(score, 3), cues=reading.cues)


def _totals(evidence: dict[str, dict[str, float]]) -> dict[str, float]:
    return {theme: sum(words.values()) for theme, words in evidence.items()}


def _without_placeholders(redacted: str, spans: list[PIISpan]) -> str:
    if not spans:
        return redacted
    for placeholder in PLACEHOLDERS.values():
        redacted = redacted.replace(placeholder, " ")
    return _SPACE.sub(" ", redacted)


def _unsupported_note(code: str) -> str:
    if code == "und":
        return "The language could not be identified; themes and sentiment need Danish or Norwegian text."
    return f"The remark is in '{code}', not Danish or Norwegian; themes and sentiment were not analysed."
