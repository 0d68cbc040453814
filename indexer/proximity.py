"""A bonus for paragraphs where the query's words stand close together.

BM25 scores each word on its own: a paragraph that mentions «защита» in its first
sentence and «Пэнтерс» in its last scores as high as one that says «защита Пэнтерс».
The best-scoring paragraphs are re-ranked with a bonus for every pair of query words
that meet nearby, weighted by the rarer word's idf and falling with the square of the
distance (adjacent words count fully, three words apart a ninth).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

from .schema import CONTENT

#: How many of the best paragraphs are re-ranked.
RERANK_DEPTH = 30
#: The bonus for an adjacent pair of words, in units of the rarer word's idf.
PROXIMITY_WEIGHT = 0.5
#: Pairs further apart than this many words earn nothing.
MAX_DISTANCE = 8


def indexed_positions(
    searcher: Any, docnums: Iterable[int], wanted: Sequence[frozenset[str]]
) -> dict[int, list[list[int]]]:
    """For each paragraph and each set of lemmas, the word positions of those lemmas.

    The positions come from the postings, read once per lemma for all the paragraphs
    (in order, skipping the blocks between them): analysing the paragraphs' text again
    cost more than the search itself on a small index.
    """
    order = sorted(set(docnums))
    found: dict[int, list[set[int]]] = {docnum: [set() for _ in wanted] for docnum in order}
    reader = searcher.reader()
    for i, lemmas in enumerate(wanted):
        for lemma in lemmas:
            if (CONTENT, lemma) not in reader:
                continue
            postings = reader.postings(CONTENT, lemma)
            for docnum in order:
                postings.skip_to(docnum)
                if not postings.is_active():
                    break
                if postings.id() == docnum:
                    # A compound and its part share a position: a set counts it once.
                    found[docnum][i].update(postings.value_as("positions"))
    return {docnum: [sorted(p) for p in sets] for docnum, sets in found.items()}


def distance(a: Sequence[int], b: Sequence[int]) -> int:
    """The smallest distance between a position in ``a`` and one in ``b`` (both sorted).

    >>> distance([1, 10], [4, 12])
    2
    """
    best, i, j = abs(a[0] - b[0]), 0, 0
    while i < len(a) and j < len(b):
        best = min(best, abs(a[i] - b[j]))
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return best


def proximity_bonus(positions: Sequence[Sequence[int]], idfs: Sequence[float]) -> float:
    """What closeness adds to a paragraph's score: see the module's description.

    ``positions`` holds the word positions of each query word in the paragraph (see
    :func:`indexed_positions`), ``idfs`` how informative each word is.

    >>> proximity_bonus([[0], [1]], [1.0, 5.0]) > 0
    True
    >>> proximity_bonus([[0], [12]], [1.0, 5.0])
    0.0
    """
    bonus = 0.0
    for i, j in combinations(range(len(positions)), 2):
        if positions[i] and positions[j]:
            apart = distance(positions[i], positions[j])
            if 0 < apart <= MAX_DISTANCE:
                bonus += min(idfs[i], idfs[j]) / apart**2
    return PROXIMITY_WEIGHT * bonus
