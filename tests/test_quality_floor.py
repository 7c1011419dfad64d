"""Quality on the team's development set must not fall below what the NLP step reaches today.

These are floors, not targets: the targets are measured on unseen remarks by bench/nlp_quality.py.
"""

from __future__ import annotations

import msgspec
import pytest

from bench.nlp_quality import language_scores, sentiment_scores, theme_scores
from nlp import Analyzer

FLOORS = {  # a few points under today's figures on the dev set (0.92, 0.92, 0.93, 0.98)
    "theme_micro_f1": 0.88,
    "theme_macro_f1": 0.88,
    "sentiment_accuracy": 0.88,
    "language_accuracy": 0.96,
}


@pytest.fixture(scope="module")
def outputs(analyzer: Analyzer, dev_remarks: list[dict]) -> dict[str, dict]:
    return {
        r["id"]: msgspec.to_builtins(
            {**msgspec.structs.asdict(a), "themes": a.theme_ids}
        )
        for r in dev_remarks
        for a in [analyzer.analyze(r["text"])]
    }


def test_theme_f1_stays_above_its_floor(dev_remarks: list[dict], outputs: dict[str, dict]) -> None:
    scores = theme_scores(dev_remarks, outputs)
    assert scores["micro_f1"] >= FLOORS["theme_micro_f1"]
    assert scores["macro_f1"] >= FLOORS["theme_macro_f1"]


def test_theme_f1_stays_above_its_floor_in_each_language(dev_remarks: list[dict], outputs: dict[str, dict]) -> None:
    for lang in ("da", "nb", "nn"):
        subset = [r for r in dev_remarks if r["lang"] == lang]
        assert theme_scores(subset, outputs)["micro_f1"] >= FLOORS["theme_micro_f1"] - 0.04, lang


def test_sentiment_accuracy_stays_above_its_floor(dev_remarks: list[dict], outputs: dict[str, dict]) -> None:
    assert sentiment_scores(dev_remarks, outputs)["accuracy"] >= FLOORS["sentiment_accuracy"]


def test_language_accuracy_stays_above_its_floor(dev_remarks: list[dict], outputs: dict[str, dict]) -> None:
    accuracy, _ = language_scores(dev_remarks, outputs)
    assert accuracy >= FLOORS["language_accuracy"]
