"""What the Analyzer finds in remarks a user would write: language, themes, sentiment, key phrases."""

from __future__ import annotations

import pytest

from nlp import Analyzer

THEME_CASES = [
    # Danish: plain words, compounds, implied themes.
    ("da", "Leveringstiden var alt for lang", {"delivery"}),
    ("da", "Pakkeboksen var fuld, så pakken blev sendt retur", {"delivery"}),
    ("da", "Fakturagebyret er steget til 49 kr.", {"price"}),
    ("da", "Kundeservicemedarbejderen var uhøflig og afbrød hende hele tiden", {"staff"}),
    ("da", "Pakken blev lovet mandag men kom først fredag", {"delivery"}),
    ("da", "Har ringet fire gange, ingen har ringet tilbage", {"wait_time"}),
    ("da", "Vil opsige abonnementet før bindingsperioden udløber", {"subscription"}),
    ("da", "Kan ikke logge ind i appen efter opdateringen", {"digital"}),
    ("da", "Trukket to gange for den samme ordre", {"billing"}),
    ("da", "Størrelse 42 er udsolgt overalt", {"availability"}),
    ("da", "Vil returnere støvlerne og have dem byttet", {"returns"}),
    ("da", "Der var kun én kasse åben og lang kø i butikken", {"store"}),
    # Bokmål.
    ("nb", "Leveringstiden var altfor lang, pakken kom først etter to uker", {"delivery"}),
    ("nb", "Purregebyret kom selv om regningen var betalt", {"billing"}),
    ("nb", "Prisøkningen på strøm er helt vill", {"price"}),
    ("nb", "Vil si opp mobilabonnementet sitt", {"subscription"}),
    ("nb", "Står i telefonkø i over en time hver gang", {"wait_time"}),
    ("nb", "Ekspeditøren var kjempehyggelig og hjalp henne å finne riktig størrelse", {"staff"}),
    ("nb", "Vaskemaskinen sluttet å virke etter en måned", {"product_quality"}),
    ("nb", "Får ikke logget inn på Min side med BankID", {"digital"}),
    # Nynorsk.
    ("nn", "Pakka kom aldri fram, sjølv om sporinga seier levert", {"delivery"}),
    ("nn", "Ho har venta på svar frå kundeservice i tre veker", {"wait_time"}),
    ("nn", "Billetten har vorte altfor dyr", {"price"}),
    ("nn", "Vil seie opp abonnementet, men finn ikkje ut korleis", {"subscription"}),
    ("nn", "Appen krasjar kvar gong han opnar han", {"digital"}),
]


@pytest.mark.parametrize(("lang", "text", "themes"), THEME_CASES)
def test_themes_including_compounds_and_implied_ones(analyzer: Analyzer, lang: str, text: str, themes: set[str]) -> None:
    found = set(analyzer.analyze(text, lang=lang).theme_ids)
    assert themes <= found, found


def test_every_theme_comes_with_the_words_that_gave_it(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("Fakturagebyret er alt for højt og pakken kom for sent", lang="da")
    by_id = {t.id: t for t in analysis.themes}
    assert "fakturagebyret" in by_id["price"].evidence
    assert any("pakken" in e or "sent" in e for e in by_id["delivery"].evidence)
    assert all(0 < t.score <= 1 for t in analysis.themes)


@pytest.mark.parametrize(
    ("lang", "text", "absent"),
    [
        ("da", "Det handler ikke om prisen, hun vil bare ikke bindes", "price"),
        ("nb", "Det dreier seg ikke om prisen, men hun får ikke logget inn", "price"),
        ("da", "Kunden ringede bare for at ændre sin adresse", "wait_time"),
    ],
)
def test_a_theme_word_only_mentioned_or_negated_gives_no_theme(
    analyzer: Analyzer, lang: str, text: str, absent: str
) -> None:
    assert absent not in analyzer.analyze(text, lang=lang).theme_ids


SENTIMENT_CASES = [
    ("da", "Medarbejderen var utrolig sød og hjælpsom", "positive"),
    ("da", "Medarbejderen var ikke særlig venlig", "negative"),
    ("da", "Kunden er meget utilfreds med ventetiden", "negative"),
    ("da", "Det var ikke noget problem at bytte varen", "positive"),
    ("da", "Varen er fin, men leveringen tog alt for lang tid", "mixed"),
    ("da", "Tak for ingenting, super service 🙄", "negative"),
    ("da", "Spørger hvornår butikken åbner på lørdag", "neutral"),
    ("nb", "Veldig fornøyd med rask levering", "positive"),
    ("nb", "Ikke særlig hyggelig betjening i kassa", "negative"),
    ("nb", "Maten var god, men budet kom to timer for sent", "mixed"),
    ("nb", "Lurer på om de har studentrabatt", "neutral"),
    ("nb", "Helt uakseptabelt at pakken fortsatt ikke er kommet", "negative"),
    ("nn", "Ho var svært nøgd med hjelpa ho fekk", "positive"),
    ("nn", "Det var ikkje noko problem å byte jakka", "positive"),
    ("nn", "Dei tilsette var ikkje særleg hjelpsame", "negative"),
    ("nn", "Spør korleis ein endrar adressa på Min side", "neutral"),
]


@pytest.mark.parametrize(("lang", "text", "label"), SENTIMENT_CASES)
def test_sentiment_with_negation_contrast_and_sarcasm(analyzer: Analyzer, lang: str, text: str, label: str) -> None:
    analysis = analyzer.analyze(text, lang=lang)
    assert analysis.sentiment == label, (analysis.sentiment_score, analysis.sentiment_cues)
    assert -1 <= analysis.sentiment_score <= 1


def test_intensifiers_make_the_score_stronger(analyzer: Analyzer) -> None:
    plain = analyzer.analyze("Kunden er utilfreds", lang="da").sentiment_score
    strong = analyzer.analyze("Kunden er meget utilfreds", lang="da").sentiment_score
    assert strong < plain < 0


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kunden har ventet i en time og synes det er helt urimeligt", "da"),
        ("Hun vil gerne have pengene tilbage hurtigst muligt", "da"),
        ("Kunden har ventet i en time og synes det er helt urimelig", "nb"),
        ("Hun vil gjerne ha pengene tilbake så fort som mulig", "nb"),
        ("Eg har venta i ein time og synest det er heilt urimeleg", "nn"),
        ("Ho vil gjerne ha pengane tilbake så fort som mogleg", "nn"),
    ],
)
def test_language_is_identified_among_danish_bokmal_and_nynorsk(analyzer: Analyzer, text: str, lang: str) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.lang == lang
    assert analysis.supported and 0 < analysis.lang_confidence <= 1


def test_redaction_comes_first_and_only_redacted_text_is_analysed(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("Kunden på 28 91 34 57 venter stadig på sin refusion", lang="da")
    assert analysis.redacted == "Kunden på [PHONE] venter stadig på sin refusion"
    assert all("28" not in k and "phone" not in k for k in analysis.keyphrases)


def test_keyphrases_are_content_lemmas(analyzer: Analyzer) -> None:
    phrases = analyzer.analyze("Kunden klager over de lange ventetider i telefonkøen", lang="da").keyphrases
    assert "telefonkø" in phrases
    assert not {"kunden", "de", "over", "i"} & set(phrases)
