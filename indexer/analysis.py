"""Russian text analysis: a tokenizer and word filters joined with ``|``.

>>> analyzer = WordTokenizer() | CleanFilter() | LowercaseFilter() | LemmaFilter()
>>> [w.lemmas for w in analyzer("Цены стали")]
[('цена',), ('стать', 'сталь')]

The tokenizer finds words and their offsets; each filter turns the pieces of one word
into other pieces (cleaned, lower-cased, split into compound parts, lemmatised). What a
word becomes depends only on the word as written, so an :class:`Analyzer` runs its
filters once per distinct word form and keeps the result in a cache: indexing a news
archive analyses a few hundred thousand distinct forms, not millions of words.

Two analyzers serve everything: :data:`INDEX` for documents, which also indexes the
parts of a compound at the compound's position («воздушно-космические» is found by
«космический»), and :data:`QUERY` for queries, which keeps «из-за» whole so that it
never turns into «из» OR «за». Nothing here knows about any search engine.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from .morphology import LEMMA_CACHE_SIZE, form, lemma_weights
from .readings import PART_WEIGHT, WEIGHT_UNITS, in_context, units, weights

#: Bumped whenever what a text is analysed into changes: every engine's index of another
#: version must then be rebuilt.
ANALYSIS_VERSION = 5

# Letters and digits, with combining accents and soft hyphens allowed inside a word:
# «за́мок» (a stress mark) and «пере\xadговоры» (a soft hyphen) are single words.
_PIECE = r"[^\W_](?:[^\W_]|[\u0300-\u036f\u00ad])*"
# What may join two pieces into one word: hyphens («Санкт-Петербург», «из-за»), an
# apostrophe before a letter («д'Артаньян»), a decimal point or comma between digits.
_JOINER = r"(?:[-\u2010\u2011]|['\u2019](?=[^\W\d_])|(?<=\d)[.,](?=\d))"
WORD_PATTERN = re.compile(rf"{_PIECE}(?:{_JOINER}{_PIECE})*")

# The parts of a compound: runs of letters and runs of digits, whatever joins them
# («Санкт-Петербург», «24.02.2016», «Интернет2»).
_PARTS = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+|\d+")
_JOINERS = re.compile(r"[-\u2010\u2011'\u2019.,]")
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


# Latin letters drawn as letters of the Russian alphabet, both cases: the Latin–Cyrillic
# pairs of Unicode's confusables (UTS #39) but r → г and b → Ь, which pass for each other
# only in some fonts (and «r» in a Russian word is more often a slip of sound).
_LOOKALIKES = str.maketrans("aceopxyëABCEHKMOPTXYË", "асеорхуёАВСЕНКМОРТХУЁ")
_LOOKALIKE_LATIN = frozenset("aceopxyëABCEHKMOPTXYË")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_RUSSIAN = re.compile(r"[а-яёА-ЯЁ]")
_LETTERS = re.compile(r"[^\W\d_]+")


def fold_lookalikes(word: str) -> str:
    """Latin look-alikes in Cyrillic: each run of letters with a Cyrillic letter in it
    whose Latin letters all pass for Cyrillic ones («рaботa», «CCCР») is written in
    Cyrillic alone. A Latin word stays Latin («Lavrov», «iPhone», the «Tor» of
    «Tor-браузер»), and so does a run with a Latin letter no Cyrillic one looks like.

    >>> fold_lookalikes("Москвa"), fold_lookalikes("Tor-браузер"), fold_lookalikes("Яndex")
    ('Москва', 'Tor-браузер', 'Яndex')
    """
    if not (_LATIN.search(word) and _RUSSIAN.search(word)):
        return word  # nearly every word: one alphabet
    return _LETTERS.sub(_folded_run, word)


def _folded_run(run: re.Match[str]) -> str:
    letters = run.group()
    latin = set(_LATIN.findall(letters))
    if latin and latin <= _LOOKALIKE_LATIN and _RUSSIAN.search(letters):
        return letters.translate(_LOOKALIKES)
    return letters


class Piece(NamedTuple):
    """A word, or a part of a compound word, as the filters see it.

    ``start`` and ``end`` are offsets into the word as written; ``text`` is the piece
    as analysed so far (cleaned, lower-cased); ``lemmas`` are filled in last.
    """

    start: int
    end: int
    text: str
    lemmas: tuple[str, ...] = ()
    #: How much the piece counts for each of its lemmas (:mod:`indexer.readings`).
    weights: tuple[float, ...] = ()


class Word(NamedTuple):
    """One analysed word of a text (or part of a compound): where it is, its lemmas,
    and how likely it means each of them where it stands (:mod:`indexer.readings`).

    A compound and its parts share a ``position``: the number of the word in the text.
    """

    start: int
    end: int
    text: str
    lemmas: tuple[str, ...]
    position: int
    weights: tuple[float, ...] = ()


class Occurrences(list[int]):
    """Where a lemma stands in a text (word positions, in order), and its term frequency:
    the summed weights of the words that may mean it, in whole
    :data:`~indexer.readings.WEIGHT_UNITS` (``units``).

    >>> found = Occurrences([1, 4], units=105)
    >>> found, found.tf
    ([1, 4], 1.05)
    """

    def __init__(self, positions: Iterable[int] = (), units: int = 0) -> None:
        super().__init__(positions)
        self.units = units

    @property
    def tf(self) -> float:
        """The term frequency BM25 counts."""
        return self.units / WEIGHT_UNITS


Pieces = tuple[Piece, ...]
#: How much a word counts for each of its lemmas, in order.
Weights = tuple[float, ...]


class WordFilter:
    """Turns the pieces of one word into other pieces; join filters with ``|``."""

    def __call__(self, pieces: Pieces) -> Pieces:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


def _retexted(pieces: Pieces, change: Callable[[str], str]) -> Pieces:
    """The pieces with each one's text changed; the very same pieces where nothing
    changes, as for most words (a build runs this on each distinct word it meets)."""
    out: list[Piece] | None = None
    for at, piece in enumerate(pieces):
        text = change(piece.text)
        if text != piece.text:
            out = out or list(pieces)
            out[at] = piece._replace(text=text)
    return pieces if out is None else tuple(out)


class CleanFilter(WordFilter):
    """Soft hyphens and stress marks dropped, letters composed (see :func:`clean_word`).

    >>> CleanFilter()((Piece(0, 6, "за\u0301мок"),))
    (Piece(start=0, end=6, text='замок', lemmas=(), weights=()),)
    """

    def __call__(self, pieces: Pieces) -> Pieces:
        return _retexted(pieces, clean_word)


class LookalikeFilter(WordFilter):
    """Latin letters read as the Cyrillic letters they pass for in a word otherwise
    Cyrillic: «Москвa» with a Latin «a» is «Москва» (see :func:`fold_lookalikes`).
    Each letter stands for one, so offsets stay.

    >>> LookalikeFilter()((Piece(0, 8, "Симанcом"), Piece(0, 6, "iPhone")))[0].text
    'Симансом'
    """

    def __call__(self, pieces: Pieces) -> Pieces:
        return _retexted(pieces, fold_lookalikes)


class LowercaseFilter(WordFilter):
    """Lower case.

    >>> LowercaseFilter()((Piece(0, 3, "МИД"),))
    (Piece(start=0, end=3, text='мид', lemmas=(), weights=()),)
    """

    def __call__(self, pieces: Pieces) -> Pieces:
        return _retexted(pieces, str.lower)


class CompoundFilter(WordFilter):
    """A compound word whole, then each of its parts: «24.02.2016» is found by «2016»,
    «Интернет2» by «интернет».

    A part has its own offsets when cleaning kept the word's length; otherwise it
    marks the whole word.

    >>> [p.text for p in CompoundFilter()((Piece(0, 20, "воздушно-космические"),))]
    ['воздушно-космические', 'воздушно', 'космические']
    """

    def __call__(self, pieces: Pieces) -> Pieces:
        out = list(pieces)
        for piece in pieces:
            parts = list(_PARTS.finditer(piece.text))
            if len(parts) < 2:
                continue
            exact = len(piece.text) == piece.end - piece.start
            for part in parts:
                start, end = (part.start(), part.end()) if exact else (0, piece.end)
                out.append(Piece(piece.start + start, piece.start + end, part.group()))
        return tuple(out)


class GluedDigitsFilter(WordFilter):
    """A word whose letters are glued to digits («Интернет2», «iPhone15») also stands
    for the lemmas of its letters, as documents index its parts (:class:`CompoundFilter`).

    >>> GluedDigitsFilter()((Piece(0, 9, "интернет2", ("интернет2",), (1.0,)),))[0].lemmas
    ('интернет2', 'интернет')
    """

    def __call__(self, pieces: Pieces) -> Pieces:
        return tuple(self._glued(piece) for piece in pieces)

    @staticmethod
    def _glued(piece: Piece) -> Piece:
        if _JOINERS.search(piece.text) or not any(c.isdigit() for c in piece.text):
            return piece
        # A lone letter («5G») would find nearly everything.
        letters = [part for part in _PARTS.findall(piece.text) if len(part) > 1 and part.isalpha()]
        found = [lemma for part in letters for lemma, _ in lemma_weights(part)]
        lemmas = tuple(dict.fromkeys([*piece.lemmas, *found]))
        added = (1.0,) * (len(lemmas) - len(piece.lemmas))
        return piece._replace(lemmas=lemmas, weights=(*piece.weights, *added))


class LemmaFilter(WordFilter):
    """Every distinct normal form of each piece, most probable first, folded ё→е
    (see :func:`indexer.morphology.lemma_weights`), each weighted by how likely it is
    out of context (:func:`indexer.readings.weights`).

    >>> LemmaFilter()((Piece(0, 5, "стали"),))[0][3:]
    (('стать', 'сталь'), (0.975346, 0.024654))
    """

    def __call__(self, pieces: Pieces) -> Pieces:
        return tuple(self._lemmatised(piece) for piece in pieces)

    @staticmethod
    def _lemmatised(piece: Piece) -> Piece:
        parsed = form(piece.text)
        found = parsed.lemma_weights
        lemmas = tuple(lemma for lemma, _ in found)
        # pymorphy's guesses for a word it does not know are no probabilities of what
        # the word means: each counts fully.
        known = len(found) == 1 or parsed.known
        likely = weights([p for _, p in found]) if known else (1.0,) * len(found)
        return Piece(piece.start, piece.end, piece.text, lemmas, likely)


class PartsFilter(WordFilter):
    """The parts of a compound that is a word of the dictionary in its own right (the
    pieces after the whole word, :class:`CompoundFilter`) count
    :data:`~indexer.readings.PART_WEIGHT` of what they would alone: «ток» in «ток-шоу» is
    no current, though the word is still found by it. A compound pymorphy reads only by
    its parts («Хубилай-ханом», «24.02.2016») means what they mean: they count fully.

    >>> whole = Piece(0, 7, "ток-шоу", ("ток-шоу",), (1.0,))
    >>> PartsFilter()((whole, Piece(0, 3, "ток", ("ток",), (1.0,))))[1].weights
    (0.5,)
    """

    def __call__(self, pieces: Pieces) -> Pieces:
        if len(pieces) < 2 or not form(pieces[0].text).known:
            return pieces
        parts = tuple(
            piece._replace(weights=tuple(w * PART_WEIGHT for w in piece.weights))
            for piece in pieces[1:]
        )
        return (pieces[0], *parts)


class WordTokenizer:
    """Words of Russian (or any) text, with hyphenated words and numbers kept whole.

    >>> [m.group() for m in WordTokenizer()("Из-за погоды рейс в Санкт-Петербург, 1,5 ч.")]
    ['Из-за', 'погоды', 'рейс', 'в', 'Санкт-Петербург', '1,5', 'ч']
    """

    def __call__(self, text: str) -> Iterator[re.Match[str]]:
        return WORD_PATTERN.finditer(text)

    def __or__(self, other: WordFilter) -> Analyzer:
        return Analyzer(self, (other,))


class Analyzer:
    """A tokenizer followed by word filters; what each distinct word becomes is cached.

    >>> [(w.text, w.lemmas, w.position) for w in QUERY("Главы МИД")]
    [('Главы', ('глава',), 0), ('МИД', ('мид',), 1)]
    """

    def __init__(self, tokenizer: WordTokenizer, filters: tuple[WordFilter, ...]) -> None:
        self.tokenizer = tokenizer
        self.filters = filters
        self.word: Callable[[str], Pieces] = functools.lru_cache(maxsize=LEMMA_CACHE_SIZE)(
            self._analyse_word
        )

    def __or__(self, other: WordFilter) -> Analyzer:
        return Analyzer(self.tokenizer, (*self.filters, other))

    def _analyse_word(self, word: str) -> Pieces:
        """What one word as written becomes (cached as :attr:`word`)."""
        pieces: Pieces = (Piece(0, len(word), word),)
        for step in self.filters:
            pieces = step(pieces)
        return pieces

    def _read(self, text: str) -> tuple[list[re.Match[str]], list[Pieces]]:
        """The words of ``text``: their matches, and what each became."""
        matches = list(self.tokenizer(text))
        return matches, list(map(self.word, [match.group() for match in matches]))

    @staticmethod
    def _in_context(
        text: str, matches: list[re.Match[str]], analysed: list[Pieces], at: int
    ) -> Weights | None:
        """The weights of the lemmas of word ``at`` of ``text`` (not the first), an
        ambiguous one, after the word before it in its sentence (lower case, as
        analysed) and by its capital inside a sentence
        (:func:`indexer.readings.in_context`); None where they change nothing."""
        whole = analysed[at][0]
        start = matches[at].start()
        inside = not _SENTENCE_END.intersection(text[matches[at - 1].end() : start])
        before = analysed[at - 1][0].text if inside else None
        capital = text[start].isupper() if inside else None
        return in_context(whole.text, whole.lemmas, before, capital)

    def __call__(self, text: str) -> Iterator[Word]:
        """The words of ``text``, each with its offsets, lemmas, position and weights."""
        matches, analysed = self._read(text)
        for position, (match, pieces) in enumerate(zip(matches, analysed, strict=True)):
            start = match.start()
            # The word before weighs the whole word, the first piece, only.
            found = None
            if position and len(pieces[0].weights) > 1:
                found = self._in_context(text, matches, analysed, position)
            for piece in pieces:
                a, b = start + piece.start, start + piece.end
                yield Word(a, b, text[a:b], piece.lemmas, position, found or piece.weights)
                found = None

    def positions(self, text: str) -> dict[str, Occurrences]:
        """Each lemma of ``text`` with the positions of the words it stands for, in order,
        and its term frequency: how likely those words mean it, summed.

        A lemma that stands for a compound and for its part, or for two parts, is listed
        at that position each time, as a search engine counts the stacked tokens.

        >>> found = INDEX.positions("Цены стали, цены")
        >>> found
        {'цена': [0, 2], 'стать': [1], 'сталь': [1]}
        >>> [occurrences.units for occurrences in found.values()]
        [200, 98, 2]
        """
        return {lemma: Occurrences(at, tf) for lemma, at, tf in self.postings(text)}

    def postings(self, text: str) -> list[tuple[str, list[int], int]]:
        """What :meth:`positions` says, as plain data for an engine to index: each lemma,
        its positions, and its term frequency in :data:`~indexer.readings.WEIGHT_UNITS`.

        >>> INDEX.postings("Цены стали, цены")[:2]
        [('цена', [0, 2], 200), ('стать', [1], 98)]
        """
        # The loop every paragraph of a build goes through, word by word: plain lists
        # and floats, no object per lemma.
        matches, analysed = self._read(text)
        listed: dict[str, list[int]] = {}
        summed: dict[str, float] = {}
        for position, pieces in enumerate(analysed):
            # The word before weighs the whole word, the first piece, only.
            found = None
            if position and len(pieces[0].weights) > 1:
                found = self._in_context(text, matches, analysed, position)
            for piece in pieces:
                for lemma, weight in zip(piece.lemmas, found or piece.weights, strict=True):
                    if lemma in summed:
                        listed[lemma].append(position)
                        summed[lemma] += weight
                    else:
                        listed[lemma] = [position]
                        summed[lemma] = weight
                found = None
        return [(lemma, at, units(summed[lemma])) for lemma, at in listed.items()]

    def lemmas_at(self, text: str, positions: Iterable[int]) -> Iterator[tuple[str, ...]]:
        """The lemmas of the whole word at each of these word positions of ``text`` (a
        compound's own, not its parts'), in the text's order; the text is read only as
        far as it is asked.

        >>> list(INDEX.lemmas_at("Цены стали, ток-шоу", [2, 1]))
        [('стать', 'сталь'), ('ток-шоу',)]
        """
        wanted = sorted(set(positions))
        if not wanted:
            return
        at, last = 0, wanted[-1]
        for number, match in enumerate(self.tokenizer(text)):
            if number == wanted[at]:
                yield self.word(match.group())[0].lemmas
                at += 1
            if number == last:
                return


_SENTENCE_END = frozenset(".!?…")


#: How documents are analysed: compounds also by their parts.
INDEX = (
    WordTokenizer()
    | CleanFilter()
    | LookalikeFilter()
    | LowercaseFilter()
    | CompoundFilter()
    | LemmaFilter()
    | PartsFilter()
)
#: How queries are analysed: a word is never split (but one glued to digits also
#: stands for its letters).
QUERY = (
    WordTokenizer()
    | CleanFilter()
    | LookalikeFilter()
    | LowercaseFilter()
    | LemmaFilter()
    | GluedDigitsFilter()
)


def words(text: str, analyzer: Analyzer = INDEX) -> list[Word]:
    """The words of ``text`` with their offsets and the lemmas each one is indexed by.

    >>> words("Главы МИД")[1]
    Word(start=6, end=9, text='МИД', lemmas=('мид',), position=1, weights=(1.0,))
    """
    return list(analyzer(text))
