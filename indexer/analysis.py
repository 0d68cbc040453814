"""Russian text analysis as a Whoosh pipeline: tokenizer | filters.

>>> analyzer = russian_analyzer()
>>> [t.text for t in analyzer("Переговоры состоялись")]
['переговоры', 'состояться']

Each piece does one thing; the field owns the analyzer, so documents and queries are
analysed alike. Index mode (the default) also splits compound words into their parts;
query mode keeps «из-за» whole so that it never turns into «из» OR «за».
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, Token, Tokenizer

from .morphology import lemma_weights, lemmas

# Letters and digits, with combining accents and soft hyphens allowed inside a word:
# «за́мок» (a stress mark) and «пере\xadговоры» (a soft hyphen) are single words.
_PIECE = r"[^\W_](?:[^\W_]|[\u0300-\u036f\u00ad])*"
# What may join two pieces into one word: hyphens («Санкт-Петербург», «из-за»), an
# apostrophe before a letter («д'Артаньян»), a decimal point or comma between digits.
_JOINER = r"(?:[-\u2010\u2011]|['\u2019](?=[^\W\d_])|(?<=\d)[.,](?=\d))"
WORD_PATTERN = re.compile(rf"{_PIECE}(?:{_JOINER}{_PIECE})*")

_JOINERS = re.compile(r"[-\u2010\u2011'\u2019.,]")
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
            token.text = clean_word(match.group())
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


class CompoundSplitFilter(Filter):
    """After a compound word, its parts at the same position (index mode only).

    «воздушно-космические» is then found by «космический» as well, and «24.02.2016»
    by «2016». Queries are not split: a query «из-за» means the whole word.

    >>> stream = RussianTokenizer()("воздушно-космические силы", mode="index")
    >>> [t.text for t in CompoundSplitFilter()(stream)]
    ['воздушно-космические', 'воздушно', 'космические', 'силы']
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            yield token
            if token.mode == "query" or not _JOINERS.search(token.text):
                continue
            whole = token.text
            start = token.startchar if token.chars else 0
            end = token.endchar if token.chars else 0
            # Offsets of the parts are exact only when cleaning kept the length.
            exact = token.chars and end - start == len(whole)
            for part in _PARTS.finditer(whole):
                token.text = part.group()
                if exact:
                    token.startchar = start + part.start()
                    token.endchar = start + part.end()
                yield token
            token.text = whole
            if token.chars:
                token.startchar, token.endchar = start, end


class LemmaFilter(Filter):
    """Replace each word by all its distinct normal forms, at the same position.

    ``is_morph`` lets Whoosh skip this filter when it asks for surface forms.

    >>> [t.text for t in LemmaFilter()(RussianTokenizer()("стали"))]
    ['стать', 'сталь']
    """

    is_morph = True

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            for lemma, _weight in lemma_weights(token.text):
                token.text = lemma
                yield token


def russian_analyzer() -> CompositeAnalyzer:
    """The analyzer of the paragraph field: tokens → lower case → compounds → lemmas.

    >>> [t.text for t in russian_analyzer()("Лавров и Керри")]
    ['лавров', 'лавр', 'и', 'керри']
    """
    return RussianTokenizer() | LowercaseFilter() | CompoundSplitFilter() | LemmaFilter()


class Word(NamedTuple):
    """One analysed word of a text: its lemmas and where it stands."""

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
    analyzer = RussianTokenizer() | LowercaseFilter() | CompoundSplitFilter()
    return [
        Word(t.startchar, t.endchar, text[t.startchar : t.endchar], lemmas(t.text))
        for t in analyzer(text, chars=True, mode=mode)
    ]
