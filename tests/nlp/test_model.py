"""The shipped models are trained on the current training remarks and lexicons, and are used."""

from __future__ import annotations

import json

import pytest

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
        assert any(name.startswith("c:") for name, _ in named), remark["text"]
        # Character n-grams are scored as one row a word (their weights summed): compare the rest row by row.
        expected = [(model.row(name), value) for name, value in named if model.row(name) >= 0 and not name.startswith("c:")]
        language = analyzer._langs[remark["lang"]]  # noqa: SLF001 - the same reading the analyzer takes
        tokens, placeholders, evidence, reading = language.read(analyzer.redactor.redact(remark["text"]))
        found_rows, found_values = rows(
            remark["lang"], tokens, placeholders, {t: sum(w.values()) for t, w in evidence.items()},
            reading.parts(), reading.negated,
        )
        found = list(zip(found_rows, found_values))
        assert [(r, v) for r, v in found if r < model.feature_rows] == expected, remark["text"]
        themes, sentiment = model.predict_rows(found_rows, found_values)
        named_themes, named_sentiment = model.predict(named)
        assert themes == pytest.approx(named_themes, abs=1e-9) and sentiment == pytest.approx(named_sentiment, abs=1e-9)


def test_words_seen_after_the_word_rows_ran_out_are_scored_as_before(analyzer: Analyzer) -> None:
    # A long-running service meets more distinct words than the predictor keeps rows for; when they run
    # out, the rows are reused and every remark must still score exactly as its named features say.
    assert analyzer.model is not None
    file = models.load()
    assert file is not None
    small = models.Predictor(file, word_rows=16)
    rows = models.FeatureRows(small)
    language = analyzer._langs["da"]  # noqa: SLF001 - the same reading the analyzer takes
    remarks = [
        "Pakken kom aldrig frem, og kundeservice svarede ikke på mine mails",
        "Fakturaen var for høj, gebyret er urimeligt",
        "Medarbejderen i butikken var venlig og hjælpsom",
        "Pakken kom aldrig frem, og kundeservice svarede ikke på mine mails",
    ]
    restarts = 0
    for text in remarks:
        tokens, placeholders, evidence, reading = language.read(text)
        totals = {t: sum(w.values()) for t, w in evidence.items()}
        free = small.free_word_rows()
        found_rows, found_values = rows("da", tokens, placeholders, totals, reading.parts(), reading.negated)
        restarts += small.free_word_rows() > free
        themes, sentiment = small.predict_rows(found_rows, found_values)
        named = models.features("da", tokens, placeholders, totals, reading.parts(), reading.negated)
        named_themes, named_sentiment = small.predict(named)
        assert themes == pytest.approx(named_themes, abs=1e-9), text
        assert sentiment == pytest.approx(named_sentiment, abs=1e-9), text
    assert restarts >= 1  # the rows did run out and were reused
