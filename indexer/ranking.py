"""How paragraphs are ranked: every formula and every tuned constant, in one place.

A paragraph's score is BM25 over paragraphs, each query word counted once by the best
of its lemmas, scaled by coordination (the share of the query's idf the paragraph
has); related lemmas count at a lower weight. The best paragraphs are then re-ranked
by the signals of :data:`RERANK_SIGNALS` (proximity, and the words that set a paragraph
apart from the others of its document). Engines compute scores with these
functions, and :mod:`indexer.explain` takes a score apart with the same ones, so the two
can never disagree (``tests/test_engine.py`` holds every engine to it).

The constants were tuned on one half of XQuAD-ru questions among 30,000 news paragraphs
(``bench/relevance.py``) and checked on the other half.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import floor, log
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .plan import CompiledQuery

#: BM25 length normalisation. The usual 0.75 punishes long paragraphs too hard: a
#: paragraph that answers a question is often long because it says more.
BM25_B = 0.15
#: BM25 term-frequency saturation.
BM25_K1 = 1.2
#: Each lemma's idf counts raised to this power, in BM25 and in coordination: a rare
#: word tells more than BM25's idf says, a question's scaffolding («является»,
#: «называется», «находится») less.
IDF_POWER = 1.3
#: How strongly the share of the query's idf a paragraph covers scales its score.
COORDINATION_POWER = 0.25
#: How much a related lemma (:mod:`indexer.derivation`) counts against the word's own.
RELATED_WEIGHT = 0.5
#: A word in more paragraphs than this searches no relatives, and a relative that
#: common is not searched: such posting lists are long («Россия» → «российский» in
#: news), and so common a word adds little to a score (no change in MRR@10 on the
#: relevance set against 5,000 for the word alone; 300 lost 0.001).
COMMON_PARAGRAPHS = 1000
#: What a ``source:`` filter adds where it is scored (alone, or under AND/OR): one, as
#: a keyword field scores in a search engine.
SOURCE_SCORE = 1.0
#: How many of the best paragraphs the re-ranking signals look at.
RERANK_DEPTH = 30
#: The proximity bonus for an adjacent pair of words, in units of the rarer word's idf.
PROXIMITY_WEIGHT = 0.5
#: Pairs of words further apart than this earn no proximity bonus.
MAX_DISTANCE = 8
#: The bonus for an ambiguous query word a paragraph has in the form typed, in units of
#: its idf (:class:`AsTyped`; 0.1–0.5 all gained on both halves of the relevance set,
#: 0.3 the most on the tune half).
TYPED_WEIGHT = 0.3
#: The bonus for a query word that none of the other paragraphs of a document among the
#: best have, in units of its idf (:class:`Distinction`; 0.1–1.6 all gained on both
#: halves of the relevance set, 0.8–1.2 alike on the tune half).
DISTINCTION_WEIGHT = 0.8
#: The bonus for a lone query word that a paragraph has in a form only it has, in units
#: of its idf (:class:`Sure`; ``bench/ambiguity.py``: 0.5 → 0.934, 1 → 0.954, 2 and 4 → 0.957,
#: every sure form among the best first).
SURE_WEIGHT = 1.0


class Statistics(Protocol):
    """What scores need to know of the whole collection of paragraphs."""

    @property
    def paragraphs(self) -> int:
        """How many paragraphs there are (at least 1)."""
        ...

    @property
    def average_length(self) -> float:
        """The average paragraph length, in the units of :meth:`BM25.__call__`."""
        ...

    def frequency(self, lemma: str) -> int:
        """How many paragraphs have ``lemma``."""
        ...

    def frequencies(self, lemmas: Collection[str]) -> dict[str, int]:
        """How many paragraphs have each of ``lemmas`` (asked at once where that is
        cheaper, as of a search server)."""
        ...


def idf(frequency: int, paragraphs: int) -> float:
    """The Robertson–Spärck Jones idf, which never goes negative.

    >>> round(idf(1, 100), 2), round(idf(100, 100), 2)
    (4.21, 0.0)
    """
    return log(1.0 + (paragraphs - frequency + 0.5) / (frequency + 0.5))


def idf_of_rarest(frequencies: Sequence[int], paragraphs: int) -> float:
    """The idf of the rarest of some lemmas with these frequencies, ignoring those the
    index lacks unless it lacks them all (a guess of pymorphy's would have the highest
    idf of all while finding nothing); 0 for no lemmas."""
    present = [n for n in frequencies if n] or frequencies
    return idf(min(present), paragraphs) if present else 0.0


def informativeness(lemmas: Iterable[str], statistics: Statistics) -> float:
    """How much a word with these lemmas tells: the idf of its rarest indexed lemma."""
    found = statistics.frequencies(list(lemmas))
    return idf_of_rarest(list(found.values()), statistics.paragraphs)


@dataclass(frozen=True)
class BM25:
    """The BM25 of one lemma, its collection-wide parts worked out once.

    >>> round(BM25(idf=2.0, average_length=50.0)(tf=3, length=50), 4)
    3.8693
    >>> round(BM25(idf=2.0, average_length=50.0, weight=0.5)(tf=3, length=50), 4)
    1.9347
    """

    idf: float
    average_length: float
    #: A factor on the score: 1 for a word's own lemma, less for a related one.
    weight: float = 1.0

    @classmethod
    def of(cls, lemma: str, statistics: Statistics, weight: float = 1.0) -> BM25:
        """The BM25 of ``lemma`` in a collection."""
        frequency = statistics.frequency(lemma)
        return cls(idf(frequency, statistics.paragraphs), statistics.average_length, weight)

    @property
    def constants(self) -> tuple[float, float, float]:
        """``(c1, c2, c3)`` such that the score is ``c1 * tf / (tf + c2 + c3 * length)``:
        for loops over many postings."""
        k1, b = BM25_K1, BM25_B
        c1 = self.idf**IDF_POWER * (k1 + 1) * self.weight
        return c1, k1 * (1 - b), k1 * b / self.average_length

    def __call__(self, tf: float, length: float) -> float:
        c1, c2, c3 = self.constants
        return c1 * tf / (tf + c2 + c3 * length)


#: The lengths a paragraph's length is rounded up to: step k is 27 × (1.033**k − 1), exact
#: up to 10 words, then within about 3%. The embedded index keeps lengths so, in a byte;
#: the constants above were tuned on them, and every engine counts lengths alike.
LENGTH_STEPS = tuple(floor(27 * (1.033**k - 1) + 0.5) for k in range(256))


def counted_length(words: int) -> int:
    """A paragraph's length as BM25 counts it: rounded up to a step of :data:`LENGTH_STEPS`.

    >>> [counted_length(n) for n in (7, 11, 57, 10**6)]
    [7, 12, 57, 106374]
    """
    return LENGTH_STEPS[min(bisect_left(LENGTH_STEPS, words), len(LENGTH_STEPS) - 1)]


def coordination(matched: float, total: float) -> float:
    """The factor on the score of a paragraph that has ``matched`` of ``total`` idf.

    >>> coordination(2, 2), round(coordination(1, 2), 2)
    (1.0, 0.84)
    """
    return (matched / total) ** COORDINATION_POWER if total > 0 else 1.0


def coordination_weights(informativeness: Sequence[float]) -> list[float]:
    """What each part of a coordinated query counts for: its informativeness to the
    power :data:`IDF_POWER`, or, for a part without lemmas of its own (a source
    filter), that of an average part.

    >>> [round(w, 2) for w in coordination_weights([2.0, 0.0, 4.0])]
    [2.46, 4.26, 6.06]
    """
    weights = [w**IDF_POWER for w in informativeness]
    known = [w for w in weights if w > 0]
    average = sum(known) / len(known) if known else 1.0
    return [w or average for w in weights]


def related_weight(own: Sequence[str], lemma: str, statistics: Statistics) -> float:
    """The factor on the BM25 of ``lemma``, related to a word whose lemmas are ``own``.

    It scores about as the word's own lemma would: with the word's idf, not its own
    («сирийский» is rarer than «Сирия», and must not outrank the word for being so),
    times :data:`RELATED_WEIGHT`; only the part of :data:`IDF_POWER` above 1 follows
    its own idf (scaling that away too measured 0.001 worse). A word in more than
    :data:`COMMON_PARAGRAPHS` paragraphs gets no relatives, nor does a relative that
    common count (0).
    """
    frequencies = [statistics.frequency(word) for word in own]
    frequency = statistics.frequency(lemma)
    if max(frequencies, default=0) > COMMON_PARAGRAPHS or frequency > COMMON_PARAGRAPHS:
        return 0.0
    mine = idf(frequency, statistics.paragraphs)
    # A word the index lacks is known here only through its relative.
    word = idf_of_rarest(frequencies, statistics.paragraphs) if any(frequencies) else mine
    return RELATED_WEIGHT * word / mine if mine > 0 else 0.0


# -- re-ranking -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One of the best paragraphs, as the re-ranking signals see it."""

    #: The document it is a paragraph of.
    source: str
    #: Its score before re-ranking.
    score: float
    #: Where each query word stands in it: sorted word positions, empty where it is
    #: missing.
    positions: Sequence[Sequence[int]]
    #: Whether it has each query word of more than one lemma in a form as typed (lower
    #: case, ё folded); False for a word of one lemma, which its lemma tells in full.
    typed: Sequence[bool]
    #: Whether it has each query word in a form that can only mean what the word means
    #: (every lemma of the form one of the word's); asked only of a lone word (:class:`Sure`).
    sure: Sequence[bool] = ()


class RerankSignal(Protocol):
    """A bonus for the best paragraphs, from where the query's words stand in them."""

    #: A word for the signal, and what its bonus rewards, for explanations.
    name: str
    description: str

    def applies(self, query: CompiledQuery) -> bool:
        """Whether the signal can say anything about this query."""
        ...

    def bonuses(self, candidates: Sequence[Candidate], idfs: Sequence[float]) -> list[float]:
        """The bonus of each of the best paragraphs, the query's words weighing ``idfs``."""
        ...


def word_positions(positions: Mapping[str, Sequence[int]], lemmas: Iterable[str]) -> list[int]:
    """Where a word with these lemmas stands, sorted: a compound and its part share a
    position, which counts once.

    >>> word_positions({"стать": [1, 4], "сталь": [4]}, ("стать", "сталь"))
    [1, 4]
    """
    return sorted({p for lemma in lemmas for p in positions.get(lemma, ())})


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


def lowest_reranked(scores: Iterable[float]) -> float:
    """The score of the :data:`RERANK_DEPTH`-th best of these paragraphs (0 for none):
    those scoring at least that are re-ranked, whatever the number of hits asked for.

    >>> lowest_reranked(range(100)), lowest_reranked([2.0, 1.0])
    (70, 1.0)
    """
    ranked = sorted(scores, reverse=True)
    return ranked[min(RERANK_DEPTH, len(ranked)) - 1] if ranked else 0.0


class Proximity:
    """Query words close together.

    BM25 scores each word on its own: a paragraph that mentions «защита» in its first
    sentence and «Пэнтерс» in its last scores as high as one that says «защита Пэнтерс».
    Every pair of query words that meet within :data:`MAX_DISTANCE` words earns the
    rarer word's idf over the squared distance (adjacent words count fully, three words
    apart a ninth), times :data:`PROXIMITY_WEIGHT`.

    >>> Proximity().bonus([[0], [1]], [1.0, 5.0])
    0.5
    >>> Proximity().bonus([[0], [12]], [1.0, 5.0])
    0.0
    """

    name = "proximity"
    description = "the query's words stand close together: proximity bonus"

    def applies(self, query: CompiledQuery) -> bool:
        return len(query.near) > 1

    def bonuses(self, candidates: Sequence[Candidate], idfs: Sequence[float]) -> list[float]:
        return [self.bonus(candidate.positions, idfs) for candidate in candidates]

    def bonus(self, positions: Sequence[Sequence[int]], idfs: Sequence[float]) -> float:
        """The bonus of a paragraph where each query word stands at ``positions[i]``."""
        total = 0.0
        for i, j in combinations(range(len(positions)), 2):
            if positions[i] and positions[j]:
                apart = distance(positions[i], positions[j])
                if 0 < apart <= MAX_DISTANCE:
                    total += min(idfs[i], idfs[j]) / apart**2
        return PROXIMITY_WEIGHT * total


class Distinction:
    """Query words that set a paragraph apart from the other paragraphs of its document.

    A question about one fact of an article shares its topic words («Тесла»,
    «гребневики») with every paragraph of the article: which of them answers is told by
    the question's other words. Among the paragraphs re-ranked (the best
    :data:`RERANK_DEPTH` and those that tie with the last: :func:`lowest_reranked`), each
    paragraph of a document that has two or more there earns, for each query word it
    has, the word's idf times the share of those paragraphs of its document that lack
    the word, times :data:`DISTINCTION_WEIGHT`.
    The only paragraph of its document earns nothing.

    >>> no = [False, False]
    >>> found = [Candidate("a", 9.0, [[1], [2]], no), Candidate("a", 8.0, [[1], []], no)]
    >>> Distinction().bonuses(found + [Candidate("b", 7.0, [[1], [5]], no)], [1.0, 4.0])
    [1.6, 0.0, 0.0]
    """

    name = "distinction"
    description = "the query's words that other paragraphs of its document lack"

    def applies(self, query: CompiledQuery) -> bool:
        return len(query.near) > 1

    def bonuses(self, candidates: Sequence[Candidate], idfs: Sequence[float]) -> list[float]:
        documents: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in candidates:
            documents[candidate.source].append(candidate)
        bonuses = []
        for candidate in candidates:
            siblings = documents[candidate.source]
            bonus = 0.0
            if len(siblings) > 1:
                for word, weight in enumerate(idfs):
                    if candidate.positions[word]:
                        lacking = sum(not s.positions[word] for s in siblings) / len(siblings)
                        bonus += weight * lacking
            bonuses.append(DISTINCTION_WEIGHT * bonus)
        return bonuses


class AsTyped:
    """Ambiguous query words that stand in a paragraph in the very form typed.

    A form that two lemmas share («стали»: «сталь» or «стать»; «Теслы»: «Тесла» or
    «тесло») is indexed under both, weighed by how likely each reading is; where the
    paragraph has the form as typed, it more likely means what the question meant. Each
    such word earns its idf times :data:`TYPED_WEIGHT`, in idf as the other signals, so
    that the bonus keeps its size against BM25's in a collection of any size. (Every
    word's form counted alike measured as well, but outweighed a word's relatives: «Какой
    колумбийский президент…» ranked «колумбийский кофе» over «президент Колумбии».)

    >>> AsTyped().bonuses([Candidate("a", 1.0, [[1], [2]], [True, False])], [2.0, 3.0])
    [0.6]
    """

    name = "typed forms"
    description = "the query's words stand in the form typed"

    def applies(self, query: CompiledQuery) -> bool:
        return len(query.near) > 1

    def bonuses(self, candidates: Sequence[Candidate], idfs: Sequence[float]) -> list[float]:
        return [
            TYPED_WEIGHT * sum(idf for idf, typed in zip(idfs, c.typed, strict=True) if typed)
            for c in candidates
        ]


class Sure:
    """A lone query word in a form that can only mean it.

    A form two words share («Путин»: also «путина»; «стоит»: «стоить» or «стоять») is
    indexed under both, each counting by how likely it is (:mod:`indexer.readings`):
    likely by pymorphy's counts and the word before, which can be wrong («милиционер
    стоит»). Among several query words, the paragraphs that have the others tell which
    meaning is meant; a lone word has nothing else to tell it by. So the best paragraphs
    that have it in a form no other word has («Путиным», «стоило») earn its idf times
    :data:`SURE_WEIGHT`, and come before those that have it only in a shared one. (Every
    shared form counted less instead, whatever the query, measured 0.003 lower in
    MRR@10 on the relevance set: «Франции» is also «франций», «выборы» also «выбор».)

    >>> shared = Candidate("a", 9.0, [[1]], [False], [False])
    >>> only = Candidate("b", 8.0, [[4]], [False], [True])
    >>> Sure().bonuses([shared, only], [3.0])
    [0.0, 3.0]
    """

    name = "sure form"
    description = "the word stands in a form that can only mean it"

    def applies(self, query: CompiledQuery) -> bool:
        from .readings import sharing

        # Where no form of what the word means is another word's, every hit is sure.
        meant = query.lone
        return any(sharing(lemma) - meant for lemma in meant)

    def bonuses(self, candidates: Sequence[Candidate], idfs: Sequence[float]) -> list[float]:
        return [SURE_WEIGHT * idfs[0] if any(c.sure) else 0.0 for c in candidates]


#: The signals the best :data:`RERANK_DEPTH` paragraphs are re-ranked by, in order.
RERANK_SIGNALS: tuple[RerankSignal, ...] = (Proximity(), Distinction(), AsTyped(), Sure())
