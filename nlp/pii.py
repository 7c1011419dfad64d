"""Finding and redacting personal data in Danish and Norwegian remarks.

Each kind has a shape (a regular expression) and, where one exists, a checksum; the words right before an
ambiguous number (``tlf.``, ``ordre``, ``kontonr.``) decide what it is. Numbers that are not personal data,
such as order numbers, amounts, dates, times, postcodes, KID and tracking numbers, are left alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import msgspec

from nlp import resources
from nlp.data_files import PIICues
from nlp.results import PIIKind, PIISpan

__all__ = ["PIIKind", "PIISpan", "Redactor", "PLACEHOLDERS"]


PLACEHOLDERS: dict[str, str] = {
    "cpr": "[CPR]",
    "fnr": "[FNR]",
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "card": "[CARD]",
    "iban": "[IBAN]",
    "account": "[ACCOUNT]",
}


# IBAN lengths of the countries whose customers these companies meet most; others are checked by mod-97
# alone, trying the longest candidate first.
_IBAN_LENGTHS = {
    "DK": 18, "NO": 15, "SE": 24, "FI": 18, "DE": 22, "GB": 22, "NL": 18, "FR": 27, "ES": 24,
    "IS": 26, "PL": 28, "IT": 27, "BE": 16, "AT": 20, "CH": 21, "IE": 22, "EE": 20, "LT": 20, "LV": 21,
}

_NOT_DIGIT_BEFORE = r"(?<![\w.,/+-])"
_NOT_DIGIT_AFTER = r"(?![\w/-]|[.,]\d)"

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_IBAN = re.compile(r"\b([A-Z]{2})(\d{2})((?:[ ]?[A-Z0-9]){10,30})")
_INTL_PHONE = re.compile(_NOT_DIGIT_BEFORE + r"(?:\+|00)[ ]?(?:45|47)(?:[ ]?\d){8}" + _NOT_DIGIT_AFTER)
# Card numbers: 13-19 digits, unbroken or in groups separated by one space or dash.
_CARD = re.compile(_NOT_DIGIT_BEFORE + r"\d(?:[ -]?\d){12,18}" + _NOT_DIGIT_AFTER)
_DK_ACCOUNT = re.compile(_NOT_DIGIT_BEFORE + r"(\d{4})([ -])(\d{6,10})" + _NOT_DIGIT_AFTER)
_NO_ACCOUNT = re.compile(_NOT_DIGIT_BEFORE + r"\d{4}([. ]?)\d{2}\1\d{5}" + _NOT_DIGIT_AFTER)
_PERSON_NO = re.compile(_NOT_DIGIT_BEFORE + r"(\d{6})([ -]?)(\d{4,5})" + _NOT_DIGIT_AFTER)
_BARE_ACCOUNT = re.compile(_NOT_DIGIT_BEFORE + r"\d{6,11}" + _NOT_DIGIT_AFTER)
# How card numbers are written in groups: 4-4-4-4 (up to 19 digits) or American Express' 4-6-5.
_CARD_GROUPS = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{5}")
_LOCAL_PHONE = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:\d{2} \d{2} \d{2} \d{2}|\d{3} \d{2} \d{3}|\d{4} \d{4}|\d{8})"
    + _NOT_DIGIT_AFTER
)
_PHONE_GROUPED = re.compile(r"\d{2} \d{2} \d{2} \d{2}|\d{3} \d{2} \d{3}")
_LOOKBEHIND_CHARS = 48
_ANY_DIGIT = re.compile(r"\d")
_FEWEST_DIGITS = 6  # in a local phone number (8), a CPR number (10), a bare account number (6 to 11), ...
# Every kind but e-mail and IBAN is written with digits, spaces, dots, dashes and "+" alone: it lies within
# one run of those characters, and only runs with enough digits are searched.
_NUMBER_RUN = re.compile(r"[\d+][\d+. -]*")
# How far past a match its shape looks (``_NOT_DIGIT_AFTER``): a run is searched with this much after it.
_LOOKAHEAD_CHARS = 2


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """ISO 13616 mod-97 check of a compact IBAN."""
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def cpr_ok(digits: str) -> bool:
    """A Danish CPR number: a real date, with the century read from the 7th digit (no modulus-11 rule)."""
    day, month, yy, seventh = int(digits[:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    return _is_date(century + yy, month, day)


def fnr_ok(digits: str) -> bool:
    """A Norwegian fødselsnummer or D-number: a valid date and both modulus-11 control digits."""
    d = [ord(c) - 48 for c in digits]
    k1 = 11 - sum(w * x for w, x in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), d)) % 11
    k2 = 11 - sum(w * x for w, x in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), d)) % 11
    if (k1 % 11) != d[9] or (k2 % 11) != d[10] or k1 == 10 or k2 == 10:
        return False
    day, month = int(digits[:2]), int(digits[2:4])
    if day > 40:  # D-number
        day -= 40
    if month > 80:  # synthetic test numbers
        month -= 80
    elif month > 40:  # H-number
        month -= 40
    year = int(digits[4:6])
    return _is_date(2000 + year, month, day) or _is_date(1900 + year, month, day)


def no_account_ok(digits: str) -> bool:
    """A Norwegian 11-digit account number with its modulus-11 control digit."""
    weights = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    rest = sum(w * (ord(c) - 48) for w, c in zip(weights, digits)) % 11
    control = 0 if rest == 0 else 11 - rest
    return control != 10 and control == ord(digits[10]) - 48


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _cue_regex(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + alternatives + r")", re.IGNORECASE)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what ``\w`` matches


class _Cues:
    """Cue words, found case-insensitively at the start of a word, the longest first, matches not
    overlapping (what ``_cue_regex`` finds). Found from where their first characters stand: a regular
    expression of some fifty alternatives, tried at every position, cost more than all the rest of a
    remark's PII search."""

    def __init__(self, words: Iterable[str]) -> None:
        self._regex = _cue_regex(words)
        self._by_first: dict[str, list[str]] = {}
        for word in sorted({w.lower() for w in words}, key=len, reverse=True):
            self._by_first.setdefault(word[0], []).append(word)

    def starts(self, window: str) -> list[int]:
        """Where cue words start in ``window``, left to right."""
        lower = window.lower()
        if len(lower) != len(window):  # a character whose lower case is longer: positions would shift
            return [m.start() for m in self._regex.finditer(window)]
        # Where a cue's first character stands at the start of a word, the cue found there (the longest).
        hits: list[tuple[int, int]] = []
        for first, words in self._by_first.items():
            i = lower.find(first)
            while i >= 0:
                if i == 0 or not _is_word_char(lower[i - 1]):
                    for word in words:
                        if lower.startswith(word, i):
                            hits.append((i, len(word)))
                            break
                i = lower.find(first, i + 1)
        hits.sort()
        found: list[int] = []
        end = 0
        for start, length in hits:  # left to right, a match not starting inside the one before
            if start >= end:
                found.append(start)
                end = start + length
        return found

    def search(self, window: str) -> bool:
        """Whether a cue word stands in ``window``."""
        return bool(self.starts(window))


class Redactor:
    """Finds personal data and replaces it with typed placeholders such as ``[CPR]``."""

    def __init__(self) -> None:
        cues = msgspec.toml.decode(resources.read_bytes("pii.toml"), type=PIICues)
        self._phone_cue = _Cues(cues.phone_cues)
        self._id_cue = _Cues(cues.id_cues)
        self._account_cue = _Cues(cues.account_cues)
        self._cpr_cue = _Cues(cues.cpr_cues)
        self._fnr_cue = _Cues(cues.fnr_cues)
        self._card_cue = _Cues(cues.card_cues)

    def find(self, text: str) -> list[PIISpan]:
        """All personal data in ``text``, sorted by position, never overlapping."""
        has_at = "@" in text
        if not has_at and _ANY_DIGIT.search(text) is None:
            return []
        spans: list[PIISpan] = []
        if has_at:
            spans += [PIISpan(kind="email", start=m.start(), end=m.end()) for m in _EMAIL.finditer(text)]
        spans += self._ibans(text)
        # Every kind of number but an IBAN (which may be mostly letters) has six digits or more: most
        # remarks with a number ("49 kr.", "kl. 14") need no more searching.
        if len(_ANY_DIGIT.findall(text)) >= _FEWEST_DIGITS:
            for run in _NUMBER_RUN.finditer(text):
                if len(_ANY_DIGIT.findall(run.group())) >= _FEWEST_DIGITS:
                    # The shapes' look-behinds still see the text before the run.
                    lo, hi = run.start(), min(len(text), run.end() + _LOOKAHEAD_CHARS)
                    spans += self._intl_phones(text, lo, hi)
                    spans += self._cards(text, lo, hi)
                    spans += self._accounts(text, lo, hi)
                    spans += self._person_numbers(text, lo, hi)
                    spans += self._local_phones(text, lo, hi)
        return _without_overlaps(spans) if len(spans) > 1 else spans

    def redact(self, text: str, spans: list[PIISpan] | None = None) -> str:
        """``text`` with each span replaced by its placeholder."""
        if spans is None:
            spans = self.find(text)
        if not spans:
            return text
        parts: list[str] = []
        pos = 0
        for span in spans:
            parts.append(text[pos : span.start])
            parts.append(PLACEHOLDERS[span.kind])
            pos = span.end
        parts.append(text[pos:])
        return "".join(parts)

    def _before(self, text: str, start: int, cue: _Cues) -> bool:
        """Whether a cue word stands in the few words before ``start`` (within the same clause)."""
        window = text[max(0, start - _LOOKBEHIND_CHARS) : start]
        clause_break = max(window.rfind(". "), window.rfind("! "), window.rfind("? "), window.rfind("\n"))
        if clause_break >= 0:
            window = window[clause_break:]
        return cue.search(window)

    def _nearest_cue_is(self, text: str, start: int, cue: _Cues, other: _Cues) -> bool:
        """Whether ``cue`` is closer before ``start`` than ``other`` (both searched in the same window)."""
        window = text[max(0, start - _LOOKBEHIND_CHARS) : start]
        mine = cue.starts(window)
        theirs = other.starts(window)
        return bool(mine) and (not theirs or max(mine) > max(theirs))

    def _ibans(self, text: str) -> list[PIISpan]:
        found = []
        for m in _IBAN.finditer(text):
            country = m.group(1)
            raw = m.group(0)
            compact_positions = [i for i, ch in enumerate(raw) if ch != " "]
            wanted = _IBAN_LENGTHS.get(country)
            lengths = [wanted] if wanted else range(len(compact_positions), 14, -1)
            for length in lengths:
                if length > len(compact_positions):
                    continue
                compact = "".join(raw[i] for i in compact_positions[:length])
                if iban_ok(compact):
                    end = m.start() + compact_positions[length - 1] + 1
                    found.append(PIISpan(kind="iban", start=m.start(), end=end))
                    break
        return found

    def _intl_phones(self, text: str, lo: int, hi: int) -> list[PIISpan]:
        found = []
        for m in _INTL_PHONE.finditer(text, lo, hi):
            # "00" + 10 digits is also the shape of a KID or an order number: trust a cue word there.
            if m.group(0).startswith("00") and self._before(text, m.start(), self._id_cue):
                continue
            found.append(PIISpan(kind="phone", start=m.start(), end=m.end()))
        return found

    def _cards(self, text: str, lo: int, hi: int) -> list[PIISpan]:
        found = []
        for m in _CARD.finditer(text, lo, hi):
            raw = m.group(0)
            digits = raw.replace(" ", "").replace("-", "")
            if digits[0] not in "23456" or not luhn_ok(digits):
                continue
            grouped = raw != digits
            if grouped and not _CARD_GROUPS.fullmatch(raw):
                continue
            if not grouped and len(digits) != 16 and not self._before(text, m.start(), self._card_cue):
                continue
            if self._before(text, m.start(), self._id_cue) and not self._before(text, m.start(), self._card_cue):
                continue
            found.append(PIISpan(kind="card", start=m.start(), end=m.end()))
        return found

    def _accounts(self, text: str, lo: int, hi: int) -> list[PIISpan]:
        found = []
        for m in _DK_ACCOUNT.finditer(text, lo, hi):
            # reg.nr. (4) + account (up to 10): a dash is the written form; a space needs a cue word.
            if m.group(2) == "-" and len(m.group(3)) == 10 or self._before(text, m.start(), self._account_cue):
                if not self._before(text, m.start(), self._id_cue) or m.group(2) == "-":
                    found.append(PIISpan(kind="account", start=m.start(), end=m.end()))
        for m in _NO_ACCOUNT.finditer(text, lo, hi):
            digits = re.sub(r"\D", "", m.group(0))
            if not no_account_ok(digits):
                continue
            dotted = m.group(1) != ""
            if dotted or self._nearest_cue_is(text, m.start(), self._account_cue, self._fnr_cue):
                found.append(PIISpan(kind="account", start=m.start(), end=m.end()))
        for m in _BARE_ACCOUNT.finditer(text, lo, hi):
            # "reg.nr. 9570 kontonr. 1396245957": the account number follows its own cue word.
            if len(m.group(0)) != 11 and self._nearest_cue_is(text, m.start(), self._account_cue, self._id_cue):
                window = text[max(0, m.start() - 16) : m.start()]
                if self._account_cue.search(window):
                    found.append(PIISpan(kind="account", start=m.start(), end=m.end()))
        return found

    def _person_numbers(self, text: str, lo: int, hi: int) -> list[PIISpan]:
        found = []
        for m in _PERSON_NO.finditer(text, lo, hi):
            first, sep, rest = m.group(1), m.group(2), m.group(3)
            digits = first + rest
            if len(rest) == 5:
                if fnr_ok(digits) and not self._nearest_cue_is(text, m.start(), self._account_cue, self._fnr_cue):
                    found.append(PIISpan(kind="fnr", start=m.start(), end=m.end()))
            elif cpr_ok(digits):
                if sep == "-" or self._before(text, m.start(), self._cpr_cue):
                    found.append(PIISpan(kind="cpr", start=m.start(), end=m.end()))
                elif sep == "" and not self._before(text, m.start(), self._id_cue):
                    if not self._before(text, m.start(), self._account_cue):
                        found.append(PIISpan(kind="cpr", start=m.start(), end=m.end()))
        return found

    def _local_phones(self, text: str, lo: int, hi: int) -> list[PIISpan]:
        found = []
        for m in _LOCAL_PHONE.finditer(text, lo, hi):
            raw = m.group(0)
            if self._nearest_cue_is(text, m.start(), self._id_cue, self._phone_cue):
                continue
            if _PHONE_GROUPED.fullmatch(raw) or self._before(text, m.start(), self._phone_cue):
                found.append(PIISpan(kind="phone", start=m.start(), end=m.end()))
        return found


# The stronger evidence wins where two findings overlap: checksummed kinds before phone numbers.
_PRIORITY = {"email": 0, "iban": 1, "card": 2, "fnr": 3, "account": 4, "cpr": 5, "phone": 6}


def _without_overlaps(spans: list[PIISpan]) -> list[PIISpan]:
    chosen: list[PIISpan] = []
    for span in sorted(spans, key=lambda s: (_PRIORITY[s.kind], s.start)):
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)
