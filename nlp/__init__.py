"""Lydhør's reading of customer remarks in Danish, Norwegian Bokmål and Nynorsk.

    >>> from nlp import Analyzer
    >>> analyzer = Analyzer()
    >>> analysis = analyzer.analyze("Pakken kom først efter ti dage, og ingen svarede i telefonen")
    >>> analysis.lang, analysis.sentiment, [t.id for t in analysis.themes]

A plain library: no web framework or database. Data (lexicons, taxonomy) lives in ``nlp/data``.
"""

from nlp.analyzer import MAX_TEXT_LENGTH, Analysis, Analyzer
from nlp.langid import SUPPORTED
from nlp.pii import PIISpan, Redactor
from nlp.taxonomy import Taxonomy, TaxonomyError, ThemeDef, ThemeTerms
from nlp.themes import ThemeHit

__all__ = [
    "Analysis",
    "Analyzer",
    "MAX_TEXT_LENGTH",
    "PIISpan",
    "Redactor",
    "SUPPORTED",
    "Taxonomy",
    "TaxonomyError",
    "ThemeDef",
    "ThemeHit",
    "ThemeTerms",
]
