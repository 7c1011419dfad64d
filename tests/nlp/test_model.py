"""The shipped models are trained on the current training remarks and lexicons, and are used."""

from __future__ import annotations

from nlp import Analyzer
from nlp.train import main as train_main


def test_the_shipped_model_is_up_to_date_with_its_training_data_and_lexicons(capsys) -> None:  # type: ignore[no-untyped-def]
    status = train_main(["--check"])
    assert status == 0, capsys.readouterr().out


def test_a_theme_implied_without_a_keyword_is_found_by_the_model(analyzer: Analyzer) -> None:
    assert analyzer.model is not None
    # No delivery word at all: a parcel that was promised and came days later.
    analysis = analyzer.analyze("Den blev lovet til mandag, men lå først i postkassen torsdag", lang="da")
    assert "delivery" in analysis.theme_ids
    hit = next(t for t in analysis.themes if t.id == "delivery")
    assert hit.evidence  # the words that weighed most, so a person can see why


def test_without_the_model_the_lexicons_alone_still_give_themes_and_sentiment() -> None:
    lexicon_only = Analyzer(langs=("da",), use_model=False)
    analysis = lexicon_only.analyze("Leveringstiden var alt for lang, kunden er meget utilfreds", lang="da")
    assert analysis.theme_ids == ["delivery"] and analysis.sentiment == "negative"
