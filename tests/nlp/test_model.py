"""The shipped models are trained on the current training remarks and lexicons, and are used."""

from __future__ import annotations

import json

from nlp import Analyzer
from nlp import model as models
from nlp.train import DATA, main as train_main

TRAINING = DATA / "training"


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


def test_inference_scores_remarks_on_exactly_the_features_the_models_were_trained_on(analyzer: Analyzer) -> None:
    # The analyzer finds its features' rows directly (fast); training names them. Both must agree,
    # or the shipped weights would be read against the wrong features.
    assert analyzer.model is not None
    model = analyzer.model
    rows = models.FeatureRows(model)
    remarks = [json.loads(line) for line in (TRAINING / "remarks-a.jsonl").read_text(encoding="utf-8").splitlines()]
    for remark in remarks[:200] + [{"text": "Ordre 12345: kom ikke, 3 dage forsinket!! Ring [PHONE]", "lang": "da"}]:
        named = analyzer.featurize(remark["text"], remark["lang"])
        expected = [(model.row(name), value) for name, value in named if model.row(name) >= 0]
        language = analyzer._langs[remark["lang"]]  # noqa: SLF001 - the same reading the analyzer takes
        tokens, placeholders, evidence, reading = language.read(analyzer.redactor.redact(remark["text"]))
        found_rows, found_values = rows(
            remark["lang"], tokens, placeholders, {t: sum(w.values()) for t, w in evidence.items()},
            reading.parts(), reading.negated,
        )
        assert list(zip(found_rows, found_values)) == expected, remark["text"]
        assert model.predict_rows(found_rows, found_values) == model.predict(named)
