"""The remark tokenizer gives exactly spaCy's tokens, although it tokenises word by word and from a cache."""

from __future__ import annotations

import json
import random
import re

import pytest
import spacy

from nlp.lemmas import Lemmatizer
from nlp.matching import CLAUSE_BREAKS
from nlp.tokens import RemarkTokenizer
from nlp.train import DATA

_PLACEHOLDERS = re.compile(r"\[([A-Z]+)\]")
_ODD = [
    "Pakken (ordre 12345) kom ikke :) men   OK",
    "Ring på 22 33 44 55 -- eller skriv!!! Tak:-)",
    "Kunden sagde: «det er 3. gang», 10kr for meget, 50% rabat?",
    "bl.a. fakturaen, dvs. gebyret; m.v. e-mail https://example.dk/ordre?id=7",
    "  Eg   ventar\tframleis på svar\nfrå dykk ",
    "Ring til [PHONE] eller skriv til [EMAIL] (kunde [CPR])",
]


@pytest.mark.parametrize("lang", ["da", "nb", "nn"])
def test_remarks_come_out_as_spacy_tokenises_them(lang: str) -> None:
    nlp = spacy.blank(lang)
    lemmatize = Lemmatizer(lang)
    tokenizer = RemarkTokenizer(nlp.tokenizer, lemmatize)
    texts = list(_ODD)
    for path in sorted((DATA / "training").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if f'"{lang}"' in line]
    for _ in range(2):  # the second pass reads every word from the cache
        for text in texts:
            (lower, lemma, brk), placeholders = tokenizer.tokens(text)
            expected = [t.lower_ for t in nlp.tokenizer(text)]
            assert [expected[i] for i in sorted(placeholders)] == [p.lower() for p in _PLACEHOLDERS.findall(text)]
            assert lower == ["" if i in placeholders else w for i, w in enumerate(expected)], text
            assert lemma == [lemmatize(w) for w in lower] and brk == [w in CLAUSE_BREAKS for w in lower], text


@pytest.mark.parametrize("lang", ["da", "nb", "nn"])
def test_new_chunks_split_by_spacys_rules_without_spacy_come_out_alike(lang: str) -> None:
    # Random runs of letters, digits, punctuation, abbreviations, emoticons and a URL: the pieces the
    # tokenizer works out itself (it leaves the few it cannot be sure of to spaCy) are spaCy's tokens.
    nlp = spacy.blank(lang)
    tokenizer = RemarkTokenizer(nlp.tokenizer, Lemmatizer(lang))
    rng = random.Random(7)
    parts = list("abcæøåABCÆØ0123456789.,:;!?()[]{}\"'«»“”-–—/\\%&+=*#@$€£<>_~^`|") + [
        "kr.", "bl.a.", "ca.", ":)", ":-)", "http://x.dk/a?b=1", "nr.", "°C", "...", "'s", "i.",
    ]
    worked_out = 0
    for _ in range(4000):
        chunk = "".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))
        pieces = tokenizer._pieces(chunk)
        if pieces is not None:
            worked_out += 1
            assert pieces == [t.text for t in nlp.tokenizer(chunk)], chunk
    assert worked_out > 3000


@pytest.mark.parametrize("lang", ["da", "nb", "nn"])
def test_the_suffix_search_by_last_character_finds_spacys_suffixes(lang: str) -> None:
    nlp = spacy.blank(lang)
    search = RemarkTokenizer(nlp.tokenizer, Lemmatizer(lang))._suffix_search
    assert search is not None and search is not nlp.tokenizer.suffix_search  # the faster search is in use
    rng = random.Random(11)
    parts = list("abcæøåABØ0123456789.,:;!?()[]\"'«»“”-–/%&+*#@$€£°²³_") + [
        "km", "kg", "mm", "cm²", "kr", "'s", "...", "°C", "°F", "m³", "t", "g", "mb", "GB", "½", "‰",
    ]
    found = 0
    for _ in range(20_000):
        string = "".join(rng.choice(parts) for _ in range(rng.randint(1, 7)))
        expected = nlp.tokenizer.suffix_search(string)
        got = search(string)
        assert (got and got.span()) == (expected and expected.span()), string
        found += expected is not None
    assert found > 5000


def test_a_stream_of_new_numbers_leaves_spacys_vocabulary_as_it_was() -> None:
    nlp = spacy.blank("da")
    tokenizer = RemarkTokenizer(nlp.tokenizer, Lemmatizer("da"))
    tokenizer.tokens("Pakken (ordre 1) kom for sent, kr. 100,-")
    before = len(nlp.vocab)
    for n in range(100_000, 100_500):
        tokens, _ = tokenizer.tokens(f"Pakken (ordre {n}) kom for sent, kr. {n},- #{n}")
        assert f"({n})" not in tokens.lower and str(n) in tokens.lower
    assert len(nlp.vocab) == before
