"""Russian morphology: one process-wide pymorphy3 analyzer and a cache of what it makes
of each word form (:func:`form`: parsed once for everything analysis asks of it).

Everything here works on a single, already tokenised word. pymorphy3 is imported
the first time a word is analysed, so importing this module costs nothing.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import pymorphy3
    from pymorphy3.analyzer import Parse
    from pymorphy3.tagset import OpencorporaTag

#: How many distinct word forms the cache of forms keeps. A news archive of
#: millions of words has a few hundred thousand distinct forms.
LEMMA_CACHE_SIZE = 1 << 19

_CYRILLIC = re.compile("[а-яё]")

#: Words longer than this are their own lemma. No Russian word comes near it, and
#: pymorphy strips known prefixes recursively: «нененене…» of a few hundred letters
#: exhausts Python's stack.
MAX_ANALYSED_LENGTH = 64
# Letters that surely have a Unicode name: most words are all of them, and looking each
# letter's name up added 5% to the time pymorphy takes to parse it.
_NAMED_LETTERS = re.compile(r"[A-Za-zА-яЁё\d\-]*")


@functools.cache
def get_morph() -> pymorphy3.MorphAnalyzer:
    """Return the process-wide ``MorphAnalyzer`` (loading its dictionaries once)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def parses(word: str) -> list[Parse]:
    """pymorphy's parses of a word, none for a word it cannot analyse.

    pymorphy cannot take a word longer than :data:`MAX_ANALYSED_LENGTH`, nor a letter
    without a Unicode name (it looks its name up to tell Latin letters: a Tangut
    ideograph, a letter newer than Python's Unicode database).

    >>> [p.normal_form for p in parses("стали")][:2], parses("не" * 200)
    (['стать', 'сталь'], [])
    """
    if not _analysable(word):
        return []
    parsed: list[Parse] = get_morph().parse(word)
    return parsed


def _analysable(word: str) -> bool:
    if len(word) > MAX_ANALYSED_LENGTH:
        return False
    return bool(_NAMED_LETTERS.fullmatch(word)) or all(
        unicodedata.name(char, "") for char in word if char.isalpha()
    )


def is_known(word: str) -> bool:
    """Whether a lower-case word is in pymorphy's dictionary (not only guessed).

    >>> is_known("удалёнка"), is_known("перимирия")
    (True, False)
    """
    # A dictionary lookup: parsing the word as well cost a search a millisecond.
    return _analysable(word) and bool(get_morph().word_is_known(word))


def fold_yo(text: str) -> str:
    """Fold ё into е, the only letter Russian writers leave out at will.

    >>> fold_yo("ёлка Ёж")
    'елка Еж'
    """
    return text.replace("ё", "е").replace("Ё", "Е")


#: A word's grammatical features that an adjective agrees in: case, number, gender.
Agreement = tuple[str | None, str | None, str | None]

_ADJECTIVES = frozenset({"ADJF", "PRTF"})
#: pymorphy's grammemes of a name (a first name, surname, place...).
_NAMES = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})


class Reading(NamedTuple):
    """A parse of a word form, reduced to what agreement and capitals ask of it."""

    lemma: str
    score: float
    pos: str | None
    case: str | None
    number: str | None
    gender: str | None
    #: Whether pymorphy reads it as a name (a first name, surname, place...).
    name: bool = False


class Form(NamedTuple):
    """All that analysis asks of pymorphy about one lower-case word form, from a single
    parse (:func:`form`): its lemmas for the index, and what the words around it weigh
    them by (:mod:`indexer.readings`)."""

    #: See :func:`lemma_weights`.
    lemma_weights: tuple[tuple[str, float], ...]
    #: Whether pymorphy's dictionary has it (see :func:`is_known`).
    known: bool
    #: The case, number and gender of each of its adjective (and participle) readings,
    #: guessed ones too: what a noun after it agrees with.
    adjective: tuple[Agreement, ...]
    #: Each parse of a known form with more than one lemma (none otherwise: the words
    #: around a form choose only among its lemmas).
    readings: tuple[Reading, ...]


@functools.lru_cache(maxsize=LEMMA_CACHE_SIZE)
def form(word: str) -> Form:
    """A lower-case word form as pymorphy reads it, parsed once for the lemmas it is
    indexed by and for the readings its context weighs (cached: a build meets each
    distinct form once, and each form's record is one tuple of tuples).

    >>> found = form("стали")
    >>> found.lemma_weights[0], found.known, [r.pos for r in found.readings][:2]
    (('стать', 0.975346), True, ['VERB', 'NOUN'])
    """
    # A word without Cyrillic letters (a number, a Latin word) is its own lemma and no
    # dictionary word: pymorphy is not asked.
    found = parses(word) if _CYRILLIC.search(word) else []
    known = bool(found) and bool(get_morph().word_is_known(word))
    weights = _lemma_weights(word, found, known)
    tags = [_features(p.tag) for p in found]
    adjective = tuple(dict.fromkeys(tag[1:4] for tag in tags if tag[0] in _ADJECTIVES))
    readings: tuple[Reading, ...] = ()
    if known and len(weights) > 1:
        readings = tuple(
            Reading(fold_yo(p.normal_form), p.score, *tag)
            for p, tag in zip(found, tags, strict=True)
        )
    return Form(weights, known, adjective, readings)


@functools.cache
def _features(tag: OpencorporaTag) -> tuple[str | None, str | None, str | None, str | None, bool]:
    """A parse's part of speech, case, number and gender, and whether it is a name: one
    record per tag, of which a dictionary has a few thousand. pymorphy's typed grammemes
    are objects made at each look-up, compared in Python code; these are plain strings."""
    pos, case, number, gender = (
        None if grammeme is None else sys.intern(str(grammeme))
        for grammeme in (tag.POS, tag.case, tag.number, tag.gender)
    )
    return pos, case, number, gender, bool(_NAMES & tag.grammemes)


def lemma_weights(word: str) -> tuple[tuple[str, float], ...]:
    """Every lemma a lower-case word is indexed by, with the probability that it is right.

    The lemmas are the distinct normal forms of pymorphy's parses; a word pymorphy does
    not know is also its own lemma, first, as likely as the best guess (pymorphy guesses
    by analogy: «Митчелл» would be found only as «митчелла»). A lemma's weight is the
    summed probability of the parses that name it, most probable first; all folded ё→е.
    A word without Cyrillic letters (a number, a Latin word), or one pymorphy cannot
    analyse (see :func:`parses`), is its own lemma.

    >>> lemma_weights("стали")[0]
    ('стать', 0.975346)
    >>> [lemma for lemma, _ in lemma_weights("стали")]
    ['стать', 'сталь']
    >>> [lemma for lemma, _ in lemma_weights("митчелл")]
    ['митчелл', 'митчелла']
    """
    return form(word).lemma_weights


def _lemma_weights(word: str, found: list[Parse], known: bool) -> tuple[tuple[str, float], ...]:
    if not found:
        return ((fold_yo(word), 1.0),)
    total = sum(parse.score for parse in found)
    weights: dict[str, float] = {}
    for parse in found:
        # pymorphy guesses some unknown words with zero scores: keep them, equally likely.
        weight = parse.score / total if total > 0 else 1.0 / len(found)
        lemma = fold_yo(parse.normal_form)
        weights[lemma] = weights.get(lemma, 0.0) + weight
    if not known:
        best = max(weights.values(), default=1.0)
        weights = {fold_yo(word): best} | {k: v for k, v in weights.items() if k != fold_yo(word)}
    # Stable: among equally likely lemmas, the word itself, then pymorphy's order.
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    return tuple((lemma, round(weight, 6)) for lemma, weight in ranked)


@functools.lru_cache(maxsize=4096)
def word_forms(lemma: str) -> tuple[str, ...]:
    """Every form of the dictionary words whose lemma is ``lemma`` (lower case, ё
    folded), the lemma first; the lemma alone for a word pymorphy does not know.

    >>> word_forms("сталь")[:3]
    ('сталь', 'стали', 'сталью')
    """
    forms = {lemma: None}
    for parse in parses(lemma):
        if fold_yo(parse.normal_form) == lemma and parse.is_known:
            forms.update((fold_yo(form.word), None) for form in parse.lexeme)
    return tuple(forms)


def lemmas(word: str) -> tuple[str, ...]:
    """All distinct normal forms of one word, most probable first, folded ё→е.

    The word is lower-cased first; a hyphenated word stays whole.

    >>> lemmas("Сирии")
    ('сирия',)
    >>> lemmas("стали")
    ('стать', 'сталь')
    """
    return tuple(lemma for lemma, _ in lemma_weights(word.lower()))


def cache_info() -> functools._CacheInfo:
    """Hits, misses and size of the cache of word forms (:func:`form`)."""
    return form.cache_info()
