"""Redaction: every kind of personal data is replaced; order numbers, amounts and dates survive."""

from __future__ import annotations

import random

import pytest

from nlp import Redactor
from nlp.pii import _cue_regex, _Cues


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # Danish CPR, with and without dash; 1 Jan 1980 fails the old modulus-11 rule and is still a CPR.
        ("Kunden oplyste cpr 010180-1234 i telefonen", "cpr", "010180-1234"),
        ("CPR-nr. 0101801234 står i sagen", "cpr", "0101801234"),
        ("Hendes cpr er 290200-4234, skal slettes", "cpr", "290200-4234"),
        # Norwegian fødselsnummer (mod-11 control digits), split form and D-number.
        ("Fødselsnummer 15038513742 oppgitt i chat", "fnr", "15038513742"),
        ("Fnr. 231199 10072, vil ha svar i dag", "fnr", "231199 10072"),
        ("D-nummer 45069210078 registrert på kunden", "fnr", "45069210078"),
        # Phone numbers: +45/+47, 0047, grouped 8 digits, bare 8 digits after a phone cue.
        ("Ring på +45 23 45 67 89 efter kl. 16", "phone", "+45 23 45 67 89"),
        ("Tlf. +4791234567, helst på ettermiddagen", "phone", "+4791234567"),
        ("Kan nås på 0047 912 34 567 i morgen", "phone", "0047 912 34 567"),
        ("Ring kunden på 40 12 34 56 i morgen", "phone", "40 12 34 56"),
        ("Ring tilbake på 912 34 567 etter lunsj", "phone", "912 34 567"),
        ("Hun vil ringes op på mobil 29384756", "phone", "29384756"),
        # E-mail.
        ("Send kvitteringen til ole.nordmann+shop@example.no i stedet", "email", "ole.nordmann+shop@example.no"),
        # Payment cards: Luhn-valid, grouped or unbroken.
        ("Kortnummer 4571 1020 3040 5067 læst op i telefonen", "card", "4571 1020 3040 5067"),
        ("Betalte med 5425-2334-3010-9903 og blev trukket to gange", "card", "5425-2334-3010-9903"),
        ("Kortet 4571102030405067 er spærret nu", "card", "4571102030405067"),
        # IBAN (mod-97), with and without spaces.
        ("Udbetal til IBAN DK62 5040 0440 1162 43 hurtigst muligt", "iban", "DK62 5040 0440 1162 43"),
        ("Utbetaling til NO9386011117947, kunden bekreftet", "iban", "NO9386011117947"),
        # Accounts: Danish reg.+konto and Norwegian 11-digit with mod-11.
        ("Refusion til reg.nr. 1234 kontonr. 0012345678", "account", "0012345678"),
        ("Pengene skal til 1551-0012345678, ikke kortet", "account", "1551-0012345678"),
        ("Tilbakebetaling til kontonummer 1503.12.34562 i dag", "account", "1503.12.34562"),
        ("Vil ha refusjonen på konto 30009876541", "account", "30009876541"),
    ],
)
def test_personal_data_is_replaced_by_a_typed_placeholder(redactor: Redactor, text: str, kind: str, value: str) -> None:
    spans = redactor.find(text)
    redacted = redactor.redact(text, spans)
    assert value not in redacted
    assert f"[{kind.upper()}]" in redacted
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [(kind, value)]


@pytest.mark.parametrize(
    "text",
    [
        # Checksums that fail: no redaction.
        "Fødselsnummer 15038513743 ser feil ut, kunden sjekker",  # last control digit wrong
        "Kortnummer 4571 1020 3040 5068 virker ikke",  # Luhn fails
        "IBAN DK63 5040 0440 1162 43 blev afvist af banken",  # mod-97 fails
        "Kontonummer 1503.12.34563 er ugyldig ifølge banken",  # mod-11 fails
        "CPR 310280-1234 kan ikke passe",  # 31 February
        # Numbers that must survive.
        "Ordre 45821937 er ikke kommet frem",
        "Ordrenr. 30918452 skulle leveres 14.03.2024 kl. 8-16 til 8000 Aarhus C",
        "Beløbet 1.249,95 kr. blev trukket to gange d. 02.05, fakturanr. 2024-118733",
        "Track & trace 00370723456789012345 viser pakken i Brøndby",
        "KID 004512873346 står på fakturaen, beløp 2 190,00 kr med forfall 15.08.2024",
        "Sporingsnummer 70730259876543210 viser at pakka står på terminalen",
        "Saksnummer 24/01873, befaring 03.09 kl. 09.00, postnr. 9008 Tromsø",
        "Billett 4412 9081 for ferja kl. 07.15 vart ikkje godkjend",
        "Varenr. 40012877 og 40012878 er udsolgt, 2.999 kr. fra lageret",
        "Kundenummer 1203851234 er flyttet til ny adresse",
        "Faktura 2024-5531 på 1 480 kr vart betalt 22.04",
    ],
)
def test_numbers_that_are_not_personal_data_survive(redactor: Redactor, text: str) -> None:
    assert redactor.find(text) == []
    assert redactor.redact(text) == text


def test_offsets_point_into_the_original_text(redactor: Redactor) -> None:
    text = "Tlf. 28 91 34 57 og mail a.b@c.dk, cpr 120486-2377"
    spans = redactor.find(text)
    assert [text[s.start : s.end] for s in spans] == ["28 91 34 57", "a.b@c.dk", "120486-2377"]
    assert redactor.redact(text, spans) == "Tlf. [PHONE] og mail [EMAIL], cpr [CPR]"


def test_dev_set_pii_recall_is_complete_without_false_redactions(redactor: Redactor, dev_pii: list[dict]) -> None:
    missed, false_spans = [], []
    for row in dev_pii:
        spans = redactor.find(row["text"])
        redacted = redactor.redact(row["text"], spans)
        missed += [p["value"] for p in row["pii"] if p["value"] in redacted]
        if not row["pii"]:
            false_spans += [row["text"][s.start : s.end] for s in spans]
    assert missed == []
    assert false_spans == []


def test_cue_words_are_found_where_the_cue_pattern_finds_them() -> None:
    # The words before a number decide what it is; they are found without a regular expression, and
    # must be found exactly where one would find them (word starts, any case, longest first, no overlap).
    words = ["nr på", "nr", "ordre", "ordrenr", "cpr-nr", "cpr", "konto", "kto", "reg", "regnr", "tlf", "kid"]
    cues, regex = _Cues(words), _cue_regex(words)
    rng = random.Random(3)
    parts = words + ["NR", "Ordre", "KONTO", "xordre", "re", "g", ".", " ", "-", "_", "5", "på", "æ", "İ", ":"]
    found = 0
    for _ in range(5000):
        window = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        expected = [m.start() for m in regex.finditer(window)]
        assert cues.starts(window) == expected, window
        found += len(expected)
    assert found > 5000
