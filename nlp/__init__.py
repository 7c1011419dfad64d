"""Lydhør's reading of customer remarks in Danish, Norwegian Bokmål and Nynorsk.

    >>> from nlp import Analyzer
    >>> analyzer = Analyzer()
    >>> analysis = analyzer.analyze("Pakken kom først efter ti dage, og ingen svarede i telefonen")
    >>> analysis.lang, analysis.sentiment, [t.id for t in analysis.themes]

A plain library: no web framework or database. Data (lexicons, taxonomy) lives in ``nlp/data``.
"""

from nlp.compiled import use_sources_when_stale

use_sources_when_stale()  # before any compiled module is imported

from nlp.analyzer import MAX_TEXT_LENGTH, Analysis, Analyzer  # noqa: E402
from nlp.langid import SUPPORTED  # noqa: E402
from nlp.pii import Redactor  # noqa: E402
from nlp.results import PIISpan, ThemeHit  # noqa: E402
from nlp.taxonomy import Taxonomy, TaxonomyError, ThemeDef, ThemeTerms  # noqa: E402

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
