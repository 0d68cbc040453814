"""Russian morphology: one process-wide pymorphy3 analyzer and a lemma cache.

Everything here works on a single, already tokenised word. pymorphy3 is imported
the first time a word is analysed, so importing this module costs nothing.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymorphy3

#: How many distinct word forms the lemma cache keeps. A news archive of
#: millions of words has a few hundred thousand distinct forms.
LEMMA_CACHE_SIZE = 1 << 19

_CYRILLIC = re.compile("[а-яё]")


@functools.cache
def get_morph() -> pymorphy3.MorphAnalyzer:
    """Return the process-wide ``MorphAnalyzer`` (loading its dictionaries once)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def fold_yo(text: str) -> str:
    """Fold ё into е, the only letter Russian writers leave out at will.

    >>> fold_yo("ёлка Ёж")
    'елка Еж'
    """
    return text.replace("ё", "е").replace("Ё", "Е")


@functools.lru_cache(maxsize=LEMMA_CACHE_SIZE)
def lemma_weights(word: str) -> tuple[tuple[str, float], ...]:
    """Every distinct normal form of a lower-case word with its parse probability.

    The forms come most probable first, folded ё→е; the weights sum to 1.
    A word without Cyrillic letters (a number, a Latin word) is its own lemma.

    >>> lemma_weights("стали")[0]
    ('стать', 0.975346)
    >>> [lemma for lemma, _ in lemma_weights("стали")]
    ['стать', 'сталь']
    """
    if not _CYRILLIC.search(word):
        return ((word, 1.0),)
    weights: dict[str, float] = {}
    for parse in get_morph().parse(word):
        lemma = fold_yo(parse.normal_form)
        weights[lemma] = weights.get(lemma, 0.0) + parse.score
    total = sum(weights.values())
    # pymorphy guesses some unknown words with zero scores: keep them, equally likely.
    if total <= 0:
        return tuple((lemma, 1.0 / len(weights)) for lemma in weights)
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    return tuple((lemma, round(weight / total, 6)) for lemma, weight in ranked)


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
