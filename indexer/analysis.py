"""Russian text analysis as a Whoosh pipeline: ``RussianTokenizer() | MorphologyFilter()``.

>>> analyzer = russian_analyzer()
>>> [t.text for t in analyzer("Переговоры состоялись")]
['переговоры', 'состояться']

The tokenizer finds words and their offsets; the filter replaces each word by the
terms it is indexed under. What a word becomes depends only on the word, so the filter
works from a cache, :func:`word_terms`: cleaning, lower-casing, compound splitting and
lemmatising happen once per distinct word form, not once per occurrence. The field owns
the analyzer, so documents and queries are analysed alike; index mode (the default)
also splits compound words into their parts, query mode keeps «из-за» whole so that it
never turns into «из» OR «за».
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from itertools import accumulate
from typing import NamedTuple

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer
from whoosh.formats import Positions

from .morphology import LEMMA_CACHE_SIZE, lemma_weights
from .packing import ITEM_SIZE, packed, unpacked

# Letters and digits, with combining accents and soft hyphens allowed inside a word:
# «за́мок» (a stress mark) and «пере\xadговоры» (a soft hyphen) are single words.
_PIECE = r"[^\W_](?:[^\W_]|[\u0300-\u036f\u00ad])*"
# What may join two pieces into one word: hyphens («Санкт-Петербург», «из-за»), an
# apostrophe before a letter («д'Артаньян»), a decimal point or comma between digits.
_JOINER = r"(?:[-\u2010\u2011]|['\u2019](?=[^\W\d_])|(?<=\d)[.,](?=\d))"
WORD_PATTERN = re.compile(rf"{_PIECE}(?:{_JOINER}{_PIECE})*")

_PARTS = re.compile(r"[^-\u2010\u2011'\u2019.,]+")
_NEEDS_CLEANING = re.compile(r"[\u0300-\u036f\u00ad]")
_CYRILLIC_STRESS = re.compile(r"(?<=[а-яёА-ЯЁ])[\u0300\u0301]")


def clean_word(word: str) -> str:
    """Drop soft hyphens and stress marks; compose letters written as two code points.

    >>> clean_word("за\u0301мок"), clean_word("и\u0306од")
    ('замок', 'йод')
    """
    if not _NEEDS_CLEANING.search(word):
        return word
    word = unicodedata.normalize("NFD", word.replace("\u00ad", ""))
    return unicodedata.normalize("NFC", _CYRILLIC_STRESS.sub("", word))


class Piece(NamedTuple):
    """A word, or a part of a compound word, with offsets relative to the word."""

    start: int
    end: int
    lemmas: tuple[str, ...]


def _piece(start: int, end: int, word: str) -> Piece:
    return Piece(start, end, tuple(lemma for lemma, _ in lemma_weights(word)))


@functools.lru_cache(maxsize=LEMMA_CACHE_SIZE)
def word_terms(word: str, split: bool = True) -> tuple[Piece, ...]:
    """What one word as written is indexed under: the whole word, then its parts.

    The word is cleaned and lower-cased; every distinct normal form counts. With
    ``split``, a compound also yields its parts («воздушно-космические» is found by
    «космический», «24.02.2016» by «2016»).

    >>> [piece.lemmas for piece in word_terms("Воздушно-космические")]
    [('воздушно-космический',), ('воздушно', 'воздушный'), ('космический',)]
    """
    cleaned = clean_word(word).lower()
    pieces = [_piece(0, len(word), cleaned)]
    parts = list(_PARTS.finditer(cleaned)) if split else []
    if len(parts) > 1:
        # Offsets of the parts are exact only when cleaning kept the length.
        exact = len(cleaned) == len(word)
        for part in parts:
            start, end = (part.start(), part.end()) if exact else (0, len(word))
            pieces.append(_piece(start, end, part.group()))
    return tuple(pieces)


class RussianTokenizer(Tokenizer):
    """Words of Russian (or any) text, with hyphenated words and numbers kept whole.

    >>> [t.text for t in RussianTokenizer()("Из-за погоды рейс в Санкт-Петербург, 1,5 ч.")]
    ['Из-за', 'погоды', 'рейс', 'в', 'Санкт-Петербург', '1,5', 'ч']
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        if not isinstance(value, str):
            raise TypeError(f"expected str, got {type(value).__name__}")
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = WORD_PATTERN.finditer(value) if tokenize else _whole(value)
        for pos, match in enumerate(matches, start_pos):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def _whole(value: str) -> Iterator[re.Match[str]]:
    match = re.match(r".+", value, re.DOTALL)
    if match:
        yield match


class MorphologyFilter(Filter):
    """Replace each word by the terms of :func:`word_terms`, all at the word's position.

    Parts of a compound get their own offsets, so highlighting marks what matched.
    ``is_morph`` lets Whoosh skip this filter when it asks for the words as written.

    >>> [t.text for t in MorphologyFilter()(RussianTokenizer()("стали"))]
    ['стать', 'сталь']
    """

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            pieces = word_terms(token.text, token.mode != "query")
            if token.chars:
                start = token.startchar
                for piece in pieces:
                    token.startchar, token.endchar = start + piece.start, start + piece.end
                    for lemma in piece.lemmas:
                        token.text = lemma
                        yield token
            else:
                for piece in pieces:
                    for lemma in piece.lemmas:
                        token.text = lemma
                        yield token


class LemmaPositions(Positions):
    """Whoosh's ``Positions`` postings, computed without a Token per lemma.

    What it yields is exactly what ``Positions`` makes of :func:`russian_analyzer`'s
    tokens (``tests`` check it on random text), but straight from the cached
    :func:`word_terms` of each word: indexing spends a quarter of its time otherwise on
    passing tokens from tokenizer to filter to format.
    """

    def word_values(
        self, value: str, analyzer: object, **kwargs: object
    ) -> Iterator[tuple[str, int, float, bytes]]:
        positions: dict[str, list[int]] = {}
        for position, match in enumerate(WORD_PATTERN.finditer(value)):
            for piece in word_terms(match.group()):
                for lemma in piece.lemmas:
                    found = positions.get(lemma)
                    if found is None:
                        positions[lemma] = [position]
                    else:
                        found.append(position)
        boost = self.field_boost
        for lemma, found in positions.items():
            yield lemma, len(found), len(found) * boost, self.encode(found)

    # Positions as an array of deltas, one or two bytes each where they fit: Whoosh
    # pickles a list per posting, headers and all.

    def encode(self, poslist: list[int]) -> bytes:
        code, items = packed([b - a for a, b in zip([0, *poslist], poslist, strict=False)])
        return code + items

    def decode_positions(self, valuestring: bytes) -> list[int]:
        code = chr(valuestring[0])
        count = (len(valuestring) - 1) // ITEM_SIZE[code]
        return list(accumulate(unpacked(code, valuestring, 1, count)))

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // ITEM_SIZE[chr(valuestring[0])]

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


def russian_analyzer() -> CompositeAnalyzer:
    """The analyzer of the paragraph field.

    >>> [t.text for t in russian_analyzer()("Лавров и Керри")]
    ['лавров', 'лавр', 'и', 'керри']
    """
    return RussianTokenizer() | MorphologyFilter()


class Word(NamedTuple):
    """One analysed word of a text (or part of a compound): where it is, its lemmas."""

    start: int
    end: int
    text: str
    lemmas: tuple[str, ...]


def words(text: str, mode: str = "index") -> list[Word]:
    """The words of ``text`` with their offsets and the lemmas each one is indexed by.

    In index mode a compound word comes with its parts, each with its own offsets.

    >>> words("Главы МИД")[1]
    Word(start=6, end=9, text='МИД', lemmas=('мид',))
    """
    found = []
    for match in WORD_PATTERN.finditer(text):
        start = match.start()
        for piece in word_terms(match.group(), mode != "query"):
            a, b = start + piece.start, start + piece.end
            found.append(Word(a, b, text[a:b], piece.lemmas))
    return found
