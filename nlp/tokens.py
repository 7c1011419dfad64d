"""A remark as lower-case tokens and lemmas, tokenised with spaCy a whitespace-separated chunk at a time.

spaCy's tokenizer cuts a text at whitespace before it looks at prefixes, suffixes and exceptions, so a
chunk between spaces comes out the same whether it is tokenised alone or inside the remark. Remarks repeat
the same words, so the tokens of each chunk are cached and spaCy (with its Doc and Token objects) only
runs on chunks not seen before.

The one exception: after splitting, spaCy looks for its multi-token exceptions (":)" split as ":" ")")
across the whole text, and a match that spans a space, although never applied, can hide an overlapping
one inside a chunk. Where two neighbouring chunks meet in a pair of tokens that such an exception
contains, the remark is tokenised whole.

A new chunk is split by spaCy's own rules (its prefix, suffix and infix patterns and special cases, in
the order its tokenizer applies them) without building a Doc: a Doc puts every string it meets into
spaCy's vocabulary for good, at some 80 µs a new string, and a service that sees a new order number in
every other note must not grow without end. Where a chunk could meet a multi-token exception, spaCy
tokenises it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from spacy.attrs import ORTH
from spacy.tokenizer import Tokenizer

from nlp.lemmas import Lemmatizer
from nlp.matching import CLAUSE_BREAKS, Tokens
from nlp.pii import PLACEHOLDERS

__all__ = ["RemarkTokenizer"]

_CACHE_LIMIT = 200_000
_PLACEHOLDER_NAMES = frozenset(p[1:-1].lower() for p in PLACEHOLDERS.values())
_RUNS = re.compile(r"\s+|\S+")  # \s is str.isspace(), the test spaCy splits on


class RemarkTokenizer:
    """``tokens(text)``: spaCy's tokens of ``text`` in lower case, their lemmas, and the clause breaks."""

    def __init__(self, tokenizer: Tokenizer, lemmatize: Lemmatizer) -> None:
        self._tokenizer = tokenizer
        self._lemmatize = lemmatize
        self._chunks: dict[str, _Chunk] = {}
        self._pairs = _exception_pairs(tokenizer)
        self._rules: dict[str, tuple[str, ...]] = {
            key: tuple(str(t[ORTH]) for t in tokens) for key, tokens in (tokenizer.rules or {}).items()
        }
        # The tokens that exception pairs start and end with, by their first and last character: a new
        # chunk is compared only with those that share its first or last character.
        self._firsts: dict[str, set[str]] = {}
        self._lasts: dict[str, set[str]] = {}
        for left, right in self._pairs:
            self._firsts.setdefault(right[:1], set()).add(right)
            self._lasts.setdefault(left[-1:], set()).add(left)

    def tokens(self, text: str) -> tuple[Tokens, frozenset[int]]:
        """The tokens of ``text``, and the positions of PII placeholders (``[CPR]``), blanked out."""
        tokens = self._split(text)
        lower, lemma, _ = tokens
        placeholders: set[int] = set()
        if "[" in text:
            for i in range(1, len(lower) - 1):
                if lower[i] in _PLACEHOLDER_NAMES and lower[i - 1] == "[" and lower[i + 1] == "]":
                    placeholders.add(i)
                    lower[i] = lemma[i] = ""
        return tokens, frozenset(placeholders)

    def _split(self, text: str) -> Tokens:
        cache = self._chunks
        lower: list[str] = []
        lemma: list[str] = []
        brk: list[bool] = []
        ends: frozenset[str] | None = None
        for chunk in _chunks(text):
            found = cache.get(chunk)
            if found is None:
                found = self._chunk(chunk)
            words, lemmas, breaks, starts, next_ends = found
            if starts and ends and not self._apart(ends, starts):
                return self._tokens_of([t.lower_ for t in self._tokenizer(text)])
            if words:
                lower += words
                lemma += lemmas
                brk += breaks
                ends = next_ends
        return Tokens(lower, lemma, brk)

    def _tokens_of(self, lower: list[str]) -> Tokens:
        """Lower-case words with their lemmas and clause breaks."""
        lemmatize = self._lemmatize
        return Tokens(lower, [lemmatize(w) for w in lower], [w in CLAUSE_BREAKS for w in lower])

    def _apart(self, ends: frozenset[str], starts: frozenset[str]) -> bool:
        """Whether no exception can run from a chunk that ends in one of ``ends`` into one that starts
        with one of ``starts``."""
        return not any((left, right) in self._pairs for left in ends for right in starts)

    def _chunk(self, chunk: str) -> _Chunk:
        if (chunk.isalpha() or chunk.isascii() and chunk.isdigit()) and chunk not in self._rules:
            # A word of letters only (or digits only) is one token: spaCy's prefixes, suffixes and infixes
            # all need a character of another kind, so only its special cases could split it.
            words: tuple[str, ...] = (chunk.lower(),)
        else:
            pieces = self._pieces(chunk)
            if pieces is None:
                words = tuple(t.lower_ for t in self._tokenizer(chunk))
            else:
                words = tuple(piece.lower() for piece in pieces)
        _, lemmas, breaks = self._tokens_of(list(words))
        found = _Chunk(
            words,
            tuple(lemmas),
            tuple(breaks),
            frozenset(right for right in self._firsts.get(chunk[:1], ()) if chunk.startswith(right)) or None,
            frozenset(left for left in self._lasts.get(chunk[-1:], ()) if chunk.endswith(left)) or None,
        )
        if len(self._chunks) >= _CACHE_LIMIT:
            self._chunks.clear()
        self._chunks[chunk] = found
        return found

    def _pieces(self, chunk: str) -> list[str] | None:
        """spaCy's tokens of a chunk by its tokenizer's rules, or None where spaCy itself must tell: white
        space, and pieces that a special case could still join or split."""
        if any(ch.isspace() for ch in chunk):
            return None
        rules = self._rules
        found = rules.get(chunk)
        if found is not None:
            return list(found)
        prefixes, middle, suffixes = self._affixes(chunk)
        pieces = prefixes
        if middle:
            special = rules.get(middle)
            if special is not None:
                pieces += special
            elif self._whole(middle):
                pieces.append(middle)
            else:
                pieces += self._infixes(middle)
        pieces += reversed(suffixes)
        for k, piece in enumerate(pieces):
            if piece in rules and piece != middle or k and (pieces[k - 1], piece) in self._pairs:
                return None
        return pieces

    def _affixes(self, string: str) -> tuple[list[str], str, list[str]]:
        """Prefixes and suffixes split off as spaCy's tokenizer does (its _split_affixes)."""
        t = self._tokenizer
        rules = self._rules
        prefixes: list[str] = []
        suffixes: list[str] = []
        prefix = suffix = minus_pre = minus_suf = ""
        last = -1
        while string and len(string) != last:
            if t.token_match is not None and t.token_match(string) or string in rules:
                break
            last = len(string)
            match = t.prefix_search(string)
            pre = match.end() - match.start() if match is not None else 0
            if pre:
                prefix, minus_pre = string[:pre], string[pre:]
                if minus_pre and minus_pre in rules:
                    prefixes.append(prefix)
                    return prefixes, minus_pre, suffixes
            match = t.suffix_search(string[pre:])
            suf = match.end() - match.start() if match is not None else 0
            if suf:
                suffix, minus_suf = string[-suf:], string[:-suf]
                if minus_suf and minus_suf in rules:
                    suffixes.append(suffix)
                    return prefixes, minus_suf, suffixes
            if pre and suf and pre + suf <= len(string):
                string = string[pre:-suf]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre:
                string = minus_pre
                prefixes.append(prefix)
            elif suf:
                string = minus_suf
                suffixes.append(suffix)
        return prefixes, string, suffixes

    def _whole(self, string: str) -> bool:
        t = self._tokenizer
        return bool(t.token_match is not None and t.token_match(string) or t.url_match is not None and t.url_match(string))

    def _infixes(self, string: str) -> list[str]:
        """The string cut at spaCy's infixes (hyphens between letters, "/" and the like)."""
        pieces: list[str] = []
        start = 0
        for match in self._tokenizer.infix_finditer(string):
            infix_start, infix_end = match.start(), match.end()
            if infix_start == 0:  # an infix at the very start splits nothing off
                continue
            if infix_start != start:
                pieces.append(string[start:infix_start])
            if infix_start != infix_end:
                pieces.append(string[infix_start:infix_end])
            start = infix_end
        if string[start:]:
            pieces.append(string[start:])
        return pieces


class _Chunk(NamedTuple):
    words: tuple[str, ...]  # lower case
    lemmas: tuple[str, ...]
    breaks: tuple[bool, ...]  # whether each word ends a clause
    # Whatever spaCy makes of a chunk, its first token is a prefix of it and its last a suffix: the
    # second and first tokens of exception pairs that the chunk starts and ends with (None for none).
    starts: frozenset[str] | None
    ends: frozenset[str] | None


def _exception_pairs(tokenizer: Tokenizer) -> frozenset[tuple[str, str]]:
    """Neighbouring tokens in spaCy's multi-token exceptions as its tokenizer splits them without exceptions."""
    plain = Tokenizer(
        tokenizer.vocab,
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
    )
    pairs: set[tuple[str, str]] = set()
    for key in tokenizer.rules or {}:
        orth = [t.text for t in plain(key)]
        pairs.update(zip(orth, orth[1:]))
    return frozenset(pairs)


def _chunks(text: str) -> list[str]:
    """The pieces spaCy tokenises one by one: runs of non-space characters, and runs of whitespace less the
    one ordinary space that separates two words (a run at the very start is kept whole)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text.split(" ")  # the common case: words separated by single spaces (isprintable: no \n, \t)
    runs = _RUNS.findall(text)
    chunks = runs[:1]
    for run in runs[1:]:
        if run[0] == " ":
            run = run[1:]
            if not run:
                continue
        chunks.append(run)
    return chunks
