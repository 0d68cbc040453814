"""A bonus for paragraphs where the query's words stand close together.

BM25 scores each word on its own: a paragraph that mentions «защита» in its first
sentence and «Пэнтерс» in its last scores as high as one that says «защита Пэнтерс».
The best-scoring paragraphs are re-ranked with a bonus for every pair of query words
that meet nearby, weighted by the rarer word's idf and falling with the square of the
distance (adjacent words count fully, three words apart a ninth).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from .analysis import WORD_PATTERN, word_terms
from .morphology import fold_yo

#: How many of the best paragraphs are re-ranked.
RERANK_DEPTH = 30
#: The bonus for an adjacent pair of words, in units of the rarer word's idf.
PROXIMITY_WEIGHT = 0.5
#: Pairs further apart than this many words earn nothing.
MAX_DISTANCE = 8


def word_positions(text: str, wanted: Sequence[frozenset[str]]) -> list[list[int]]:
    """For each set of lemmas, the word positions in ``text`` where one of them occurs.

    Only words that begin like one of the lemmas are analysed: the others cannot be
    their forms (bar a few like «люди» for «человек», which a bonus can do without),
    and analysing every word of dozens of paragraphs would cost more than the search.

    >>> word_positions("Лавров и Керри, Керри и Лавров", [frozenset({"лавров"}), frozenset({"керри"})])
    [[0, 5], [2, 3]]
    """  # noqa: E501
    found: list[list[int]] = [[] for _ in wanted]
    starts = tuple({lemma[:2] for lemmas in wanted for lemma in lemmas})
    for position, match in enumerate(WORD_PATTERN.finditer(text)):
        word = match.group()
        if not fold_yo(word[:2].lower()).startswith(starts) and "-" not in word:
            continue
        for piece in word_terms(word):
            for i, lemmas in enumerate(wanted):
                # A compound and its part may both match: count the word once.
                if not lemmas.isdisjoint(piece.lemmas) and position not in found[i][-1:]:
                    found[i].append(position)
    return found


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


def proximity_bonus(text: str, wanted: Sequence[frozenset[str]], idfs: Sequence[float]) -> float:
    """What closeness adds to a paragraph's score: see the module's description.

    ``wanted`` holds the lemmas of each query word, ``idfs`` how informative each is.

    >>> words = [frozenset({"защита"}), frozenset({"пэнтерс"})]
    >>> proximity_bonus("Защита Пэнтерс уступила", words, [1.0, 5.0]) > 0
    True
    >>> far = "Защита уступила в этом сезоне лишь раз, и в финале тоже: Пэнтерс"
    >>> proximity_bonus(far, words, [1.0, 5.0])
    0.0
    """
    if PROXIMITY_WEIGHT == 0 or len(wanted) < 2:
        return 0.0
    positions = word_positions(text, wanted)
    bonus = 0.0
    for i, j in combinations(range(len(wanted)), 2):
        if positions[i] and positions[j]:
            apart = distance(positions[i], positions[j])
            if 0 < apart <= MAX_DISTANCE:
                bonus += min(idfs[i], idfs[j]) / apart**2
    return PROXIMITY_WEIGHT * bonus
