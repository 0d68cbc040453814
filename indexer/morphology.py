"""Russian morphology: one process-wide pymorphy3 analyzer and a lemma cache.

Everything here works on a single, already tokenised word. pymorphy3 is imported
the first time a word is analysed, so importing this module costs nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymorphy3
    from pymorphy3.analyzer import Parse

#: How many distinct word forms the lemma cache keeps. A news archive of
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


@functools.lru_cache(maxsize=LEMMA_CACHE_SIZE)
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
    found = parses(word) if _CYRILLIC.search(word) else []
    if not found:
        return ((fold_yo(word), 1.0),)
    total = sum(parse.score for parse in found)
    weights: dict[str, float] = {}
    for parse in found:
        # pymorphy guesses some unknown words with zero scores: keep them, equally likely.
        weight = parse.score / total if total > 0 else 1.0 / len(found)
        lemma = fold_yo(parse.normal_form)
        weights[lemma] = weights.get(lemma, 0.0) + weight
    if not get_morph().word_is_known(word):
        best = max(weights.values(), default=1.0)
        weights = {fold_yo(word): best} | {k: v for k, v in weights.items() if k != fold_yo(word)}
    # Stable: among equally likely lemmas, the word itself, then pymorphy's order.
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    return tuple((lemma, round(weight, 6)) for lemma, weight in ranked)


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
    """Hits, misses and size of the lemma cache."""
    return lemma_weights.cache_info()
