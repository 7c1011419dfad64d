"""The default taxonomy and a company's own themes, loaded without code changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp import Analyzer, Taxonomy, TaxonomyError, ThemeDef, ThemeTerms

DEFAULT_IDS = [
    "delivery", "price", "billing", "product_quality", "availability", "returns", "subscription",
    "wait_time", "staff", "communication", "digital", "store",
]


def test_default_taxonomy_has_the_twelve_themes_with_words_in_every_language() -> None:
    taxonomy = Taxonomy.default()
    assert taxonomy.ids == DEFAULT_IDS
    for theme in taxonomy:
        assert set(theme.label) >= {"da", "nb", "nn", "en"}
        for lang in ("da", "nb", "nn"):
            words = theme.terms[lang]
            assert len(words.terms) + len(words.exact) + len(words.phrases) >= 10, (theme.id, lang)


@pytest.fixture(scope="module")
def base() -> Analyzer:
    return Analyzer(langs=("da", "nb"))


def test_themes_from_toml_bytes_are_found_in_compounds_and_phrases(base: Analyzer) -> None:
    custom = Taxonomy.load_custom(
        b"""
[themes.ferry_delay]
label = { da = "F\xc3\xa6rgeforsinkelse", en = "Ferry delay" }
[themes.ferry_delay.terms.da]
terms = ["f\xc3\xa6rge"]
phrases = ["sejlede for sent"]
"""
    )
    analyzer = base.with_themes(custom)
    assert "ferry_delay" in analyzer.analyze("Færgeafgangen blev aflyst", lang="da").theme_ids
    assert "ferry_delay" in analyzer.analyze("Båden sejlede en time for sent", lang="da").theme_ids
    assert "ferry_delay" not in base.analyze("Færgeafgangen blev aflyst", lang="da").theme_ids


def test_themes_from_a_json_file_and_from_python_objects(base: Analyzer, tmp_path: Path) -> None:
    path = tmp_path / "themes.json"
    path.write_text(
        json.dumps({"themes": {"charging": {"label": {"nb": "Lading"}, "terms": {"nb": {"terms": ["ladestasjon"]}}}}}),
        encoding="utf-8",
    )
    from_file = Taxonomy.load_custom(path)
    from_object = [ThemeDef(id="loyalty", label={"da": "Bonus"}, terms={"da": ThemeTerms(exact=["bonuspoint"])})]
    analyzer = base.with_themes(from_file + from_object)
    assert "charging" in analyzer.analyze("Ladestasjonen på parkeringen er ødelagt", lang="nb").theme_ids
    assert "loyalty" in analyzer.analyze("Mine bonuspoint er væk efter opdateringen", lang="da").theme_ids


def test_a_custom_theme_can_replace_or_switch_off_a_default_one(base: Analyzer) -> None:
    replaced = Taxonomy.load_custom(
        {"themes": {"store": {"label": {"da": "Butik"}, "enabled": False}}}
    )
    analyzer = base.with_themes(replaced)
    assert "store" not in analyzer.taxonomy
    assert "store" not in analyzer.analyze("Lang kø ved kassen i butikken", lang="da").theme_ids


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"themes": {"Bad Id": {}}}, "Bad Id"),
        ({"themes": {"ok": {"terms": {"sv": {"terms": ["leverans"]}}}}}, "unsupported language"),
        ({"themes": {"ok": {"colour": "red"}}}, "colour"),
        ({"themes": {"ok": {"terms": {"da": {"terms": "levering"}}}}}, "Expected `array`"),
    ],
)
def test_invalid_theme_definitions_are_refused_with_a_clear_message(definition: dict, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        Taxonomy.load_custom(definition)
