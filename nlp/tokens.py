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

import importlib
import re
from collections.abc import Callable
from typing import Any, NamedTuple

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
        self._suffix_search = _last_char_search(tokenizer.suffix_search)
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
        if _unsplittable(chunk) and chunk not in self._rules:
            # Only its special cases could split a word of letters (or digits) alone.
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
            elif _unsplittable(middle) or self._whole(middle):
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
            if _unsplittable(string):
                break
            last = len(string)
            match = t.prefix_search(string)
            pre = match.end() - match.start() if match is not None else 0
            if pre:
                prefix, minus_pre = string[:pre], string[pre:]
                if minus_pre and minus_pre in rules:
                    prefixes.append(prefix)
                    return prefixes, minus_pre, suffixes
            match = self._suffix_search(string[pre:]) if self._suffix_search is not None else None
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


def _unsplittable(string: str) -> bool:
    """Letters alone, or ASCII digits alone: spaCy's prefixes, suffixes and infixes all need a character of
    another kind, so no affix or infix splits the string."""
    return string.isalpha() or string.isascii() and string.isdigit()


class _LastCharSearch:
    """A suffix pattern's search that tries only the suffixes that can end with the string's last character.

    spaCy's suffix pattern is one alternative per suffix, each ending at the end of the string, and its
    search tries all of them (some 80; 155 for Nynorsk) at every position of a string. A match ends with the string's
    last character, so only the alternatives that can end with it are tried: they find the same match
    start, and spaCy reads only where a suffix starts (it ends at the end)."""

    def __init__(self, pattern: re.Pattern[str], branches: list[str], ends: list[frozenset[str] | None]) -> None:
        self._pattern = pattern
        self._branches = branches
        self._ends = ends
        self._by_last: dict[str, re.Pattern[str] | None] = {}
        self._known = frozenset(ch for chars in ends if chars is not None for ch in chars)

    def __call__(self, string: str) -> re.Match[str] | None:
        if not string or string.endswith("\n"):  # "$" also matches before a final newline
            return self._pattern.search(string)
        last = string[-1] if string[-1] in self._known else ""
        if last not in self._by_last:
            self._by_last[last] = self._compile(last)
        regex = self._by_last[last]
        return regex.search(string) if regex is not None else None

    def _compile(self, last: str) -> re.Pattern[str] | None:
        """The alternatives that can end with ``last`` ("": a character no alternative names), in order."""
        chosen = [b for b, chars in zip(self._branches, self._ends) if chars is None or last in chars]
        return re.compile("|".join(chosen), self._pattern.flags) if chosen else None


_Search = Callable[[str], "re.Match[str] | None"]


def _last_char_search(search: _Search | None) -> _Search | None:
    """``search`` (spaCy's suffix search), faster where its pattern has the form that allows it."""
    pattern = getattr(search, "__self__", None)
    if search is None or not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return search
    if pattern.flags & re.IGNORECASE:
        return search
    branches = _alternatives(pattern.pattern)
    if not all(b.endswith("$") and not b.endswith("\\$") for b in branches):
        return search
    try:
        parser = importlib.import_module("re._parser")  # the standard library's own pattern parser
        ends = [_last_chars(list(parser.parse(b, pattern.flags))) for b in branches]
    except Exception:  # a form the parser of this Python does not give as expected: search as spaCy does
        return search
    return _LastCharSearch(pattern, branches, ends)


def _last_chars(items: list[Any]) -> frozenset[str] | None:
    """The characters a match of parsed pattern ``items`` can end with; None where it cannot tell."""
    for k in range(len(items) - 1, -1, -1):
        kind, arg = str(items[k][0]), items[k][1]
        if kind in ("AT", "ASSERT", "ASSERT_NOT"):  # match no character
            continue
        if kind == "LITERAL":
            return frozenset(chr(arg))
        if kind == "IN":
            chars: set[str] = set()
            for member in arg:
                name, value = str(member[0]), member[1]
                if name == "LITERAL":
                    chars.add(chr(value))
                elif name == "RANGE" and value[1] - value[0] < 1024:
                    chars.update(chr(c) for c in range(value[0], value[1] + 1))
                else:  # a negation, a category such as \w: too many to list
                    return None
            return frozenset(chars)
        if kind == "SUBPATTERN" and not arg[1] & re.IGNORECASE:
            return _last_chars(list(arg[3]))
        if kind == "BRANCH":
            ends = [_last_chars(list(branch)) for branch in arg[1]]
            if any(e is None for e in ends):
                return None
            return frozenset(ch for e in ends if e is not None for ch in e)
        if kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] > 0:
            return _last_chars(list(arg[2]))
        return None
    return None


def _alternatives(pattern: str) -> list[str]:
    """The alternatives of a pattern's outermost alternation (``a|(b|c)`` has two)."""
    branches: list[str] = []
    depth = 0
    start = 0
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern.startswith("^", i + 1):
                i += 1
            if pattern.startswith("]", i + 1):  # a "]" first in a class is a literal
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


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
