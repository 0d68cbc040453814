"""How paragraphs are scored: BM25 over paragraphs and a coordination bonus.

Both plug into Whoosh: :class:`ParagraphBM25` is a weighting model and
:class:`CoordinatedOr` a query whose matcher rewards paragraphs that contain more of
the query's words, counted by how informative they are (their idf).

The constants below were tuned on one half of XQuAD-ru questions among 30,000 news
paragraphs (``bench/relevance.py``) and checked on the other half.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from math import log
from typing import Any
from weakref import WeakKeyDictionary

from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching import Matcher
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.numeric import byte_to_length

from .schema import CONTENT

#: BM25 length normalisation. Whoosh's 0.75 punishes long paragraphs too hard: a
#: paragraph that answers a question is often long because it says more.
BM25_B = 0.15
#: BM25 term-frequency saturation.
BM25_K1 = 1.2
#: How strongly the share of the query's idf a paragraph covers scales its score.
COORDINATION_POWER = 0.25


_frequencies: WeakKeyDictionary[Any, dict[tuple[str, str | bytes], int]] = WeakKeyDictionary()


def doc_frequency(searcher: Any, fieldname: str, text: str | bytes) -> int:
    """How many documents of the whole index have a term.

    Asked of Whoosh once per searcher: one query asks for the same few terms again and
    again (scores, coordination, proximity, related words), and each answer is a lookup
    in every segment's term table.
    """
    parent = searcher.get_parent()
    known = _frequencies.setdefault(parent, {})
    key = (fieldname, text)
    if key not in known:
        known[key] = parent.doc_frequency(fieldname, text)
    return known[key]


def paragraph_count(searcher: Any) -> int:
    """Paragraphs in the index: every document except the file records.

    Deleted documents count until their segment is merged away, as they do in Whoosh's
    document frequencies and field lengths: the statistics stay consistent.
    """
    total = searcher.get_parent().doc_count_all()
    return max(1, total - doc_frequency(searcher, "kind", "file"))


def paragraph_idf(searcher: Any, fieldname: str, text: str) -> float:
    """The Robertson–Spärck Jones idf over paragraphs, which never goes negative."""
    return _idf(doc_frequency(searcher, fieldname, text), paragraph_count(searcher))


def _idf(n: int, total: int) -> float:
    return log(1.0 + (total - n + 0.5) / (n + 0.5))


class ParagraphBM25(BM25F):
    """BM25 whose collection statistics count paragraphs only, not file records."""

    def __init__(self, B: float | None = None, K1: float | None = None) -> None:
        super().__init__(B=BM25_B if B is None else B, K1=BM25_K1 if K1 is None else K1)

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        return paragraph_idf(searcher, fieldname, text)

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, BM25FScorer):
            parent = searcher.get_parent()
            scorer.avgfl = parent.field_length(fieldname) / paragraph_count(parent) or 1
        return scorer


def coordination(matched: float, total: float) -> float:
    """The factor on the score of a paragraph that has ``matched`` of ``total`` idf.

    >>> coordination(2, 2), round(coordination(1, 2), 2)
    (1.0, 0.84)
    """
    return (matched / total) ** COORDINATION_POWER if total > 0 else 1.0


def informativeness(subquery: query.Query, searcher: Any) -> float:
    """How much a query part tells: the highest idf among its own paragraph terms.

    Terms derived from the word (:mod:`.derivation`) do not count.
    """
    from .derivation import DerivedTerm

    lemmas = [
        leaf.text.decode() if isinstance(leaf.text, bytes) else leaf.text
        for leaf in subquery.leaves()
        if isinstance(leaf, query.Term)
        and not isinstance(leaf, DerivedTerm)
        and leaf.fieldname == CONTENT
    ]
    return informativeness_of_lemmas(searcher, lemmas)


def informativeness_of_lemmas(searcher: Any, lemmas: Iterable[str]) -> float:
    """How much a word with these lemmas tells: the highest idf among those indexed.

    A lemma the index lacks (a guess of pymorphy's, say) would have the highest idf of
    all while finding nothing, so it does not count unless no lemma is indexed.
    """
    frequencies = [doc_frequency(searcher, CONTENT, lemma) for lemma in lemmas]
    return idf_of_rarest(searcher, frequencies)


def idf_of_rarest(searcher: Any, frequencies: Sequence[int]) -> float:
    """The idf of the rarest of some lemmas with these paragraph frequencies, ignoring
    those the index lacks unless it lacks them all; 0 for no lemmas."""
    present = [n for n in frequencies if n] or frequencies
    return _idf(min(present), paragraph_count(searcher)) if present else 0.0


class CoordinatedOr(query.CompoundQuery):
    """Any of the subqueries; the score sums theirs times :func:`coordination`.

    Unlike Whoosh's ``Or(scale=...)``, which counts terms, this counts subqueries, so
    a word with several lemmas counts once; and it counts them by their idf, so that a
    paragraph missing «Пэнтерс» loses more than one missing «защита».
    """

    JOINT = " COORD "

    def weights(self, searcher: Any) -> list[float]:
        """What each part counts for in coordination: its :func:`informativeness`."""
        weights = [informativeness(q, searcher) for q in self.subqueries]
        # A part without paragraph terms (a source filter) counts as an average word.
        known = [w for w in weights if w > 0]
        average = sum(known) / len(known) if known else 1.0
        return [w or average for w in weights]

    def _matcher(self, subs: Sequence[query.Query], searcher: Any, context: Any) -> Matcher:
        weights = self.weights(searcher)
        return CoordinationMatcher([q.matcher(searcher, context) for q in subs], weights)


class BestOf(query.CompoundQuery):
    """Any of the subqueries, scored by the best of them: the lemmas of one word.

    Whoosh's ``DisjunctionMax`` would do, but its matcher takes the maximum over
    sub-matchers that sit on other documents too.
    """

    JOINT = " BEST "

    def _matcher(self, subs: Sequence[query.Query], searcher: Any, context: Any) -> Matcher:
        return BestMatcher([q.matcher(searcher, context) for q in subs])


class Unscored(query.WrappingQuery):
    """The child query as a filter: it must match, and adds nothing to the score."""

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        from whoosh.matching import WrappingMatcher

        return WrappingMatcher(self.child.matcher(searcher, context), boost=0.0)


class UnionMatcher(Matcher):
    """A union of any number of matchers; subclasses say how scores combine."""

    def __init__(self, children: Sequence[Matcher]) -> None:
        self._all = list(children)
        self._refresh()

    def _refresh(self) -> None:
        # Children's ids are cached: this runs for every document of every query.
        self._active = [m for m in self._all if m.is_active()]
        self._ids = [m.id() for m in self._active]
        self._id = min(self._ids) if self._ids else None
        self._current = [m for m, i in zip(self._active, self._ids, strict=True) if i == self._id]

    def current(self) -> list[Matcher]:
        """The children that match the current document."""
        return self._current

    def is_active(self) -> bool:
        return self._id is not None

    def id(self) -> int:
        return self._id

    def reset(self) -> None:
        for m in self._all:
            m.reset()
        self._refresh()

    def copy(self) -> UnionMatcher:
        return type(self)([m.copy() for m in self._all])

    def children(self) -> list[Matcher]:
        return list(self._active)

    def depth(self) -> int:
        return 1 + max((m.depth() for m in self._all), default=0)

    def next(self) -> bool:
        # True when a child entered a new block: the collector then checks qualities.
        new_block = False
        for m in self._current:
            new_block = bool(m.next()) or new_block
        self._refresh()
        return new_block

    def skip_to(self, target: int) -> None:
        for m in self._active:
            if m.id() < target:
                m.skip_to(target)
        self._refresh()

    def supports(self, astype: str) -> bool:
        return all(m.supports(astype) for m in self._all)

    def value(self) -> Any:
        raise NotImplementedError("a union has no single posting value")

    def value_as(self, astype: str) -> Any:
        raise NotImplementedError("a union has no single posting value")

    def spans(self) -> list[Any]:
        return sorted(span for m in self.current() for span in m.spans())

    def weight(self) -> float:
        return sum(m.weight() for m in self.current())

    def score(self) -> float:
        return sum(m.score() for m in self.current())

    # Block-max skipping: Whoosh's collector asks for an upper bound of the scores in
    # the current blocks and lets us skip blocks that cannot reach its top-N threshold.

    def supports_block_quality(self) -> bool:
        return all(m.supports_block_quality() for m in self._active)

    def max_quality(self) -> float:
        return sum(m.max_quality() for m in self._active)

    def block_quality(self) -> float:
        return sum(m.block_quality() for m in self._active)

    def skip_to_quality(self, minquality: float) -> int:
        # Skip the child with the weakest block while the children's blocks together
        # cannot beat ``minquality``: whatever the others add, it stays below.
        skipped = 0
        while self._active and self.block_quality() <= minquality:
            qualities = [m.block_quality() for m in self._active]
            weakest = min(range(len(qualities)), key=qualities.__getitem__)
            others = sum(qualities) - qualities[weakest]
            skipped += self._active[weakest].skip_to_quality(minquality - others)
            self._refresh()
        return skipped


class CoordinationMatcher(UnionMatcher):
    """Sums the children's scores times the share of the children's weight that matches.

    The coordination factor is at most 1, so the children's summed block qualities
    remain an upper bound for block-max skipping.
    """

    def __init__(self, children: Sequence[Matcher], weights: Sequence[float]) -> None:
        self.weights = dict(zip(map(id, children), weights, strict=True))
        self.total = sum(weights)
        super().__init__(children)

    def copy(self) -> CoordinationMatcher:
        copies = [m.copy() for m in self._all]
        return CoordinationMatcher(copies, [self.weights[id(m)] for m in self._all])

    def matched(self) -> float:
        """The weight of the children that match the current paragraph."""
        return sum(self.weights[id(m)] for m in self._current)

    def score(self) -> float:
        current = self.current()
        return sum(m.score() for m in current) * coordination(self.matched(), self.total)


class BestMatcher(UnionMatcher):
    """Scores a document by its best-scoring child."""

    def score(self) -> float:
        return max(m.score() for m in self.current())

    def max_quality(self) -> float:
        return max((m.max_quality() for m in self._active), default=0.0)

    def block_quality(self) -> float:
        return max((m.block_quality() for m in self._active), default=0.0)

    def skip_to_quality(self, minquality: float) -> int:
        # The best child decides the score: every child must leave its weak block.
        skipped = 0
        while self._active and self.block_quality() <= minquality:
            for m in self._active:
                if m.block_quality() <= minquality:
                    skipped += m.skip_to_quality(minquality)
            self._refresh()
        return skipped


# -- term at a time ---------------------------------------------------------------------
#
# A question typed in plain words is a CoordinatedOr of words, each a term or the BestOf
# a word's lemmas. Whoosh's collector walks such a tree document by document, paying
# several Python calls per matcher and document; reading each posting list once and
# adding up per paragraph costs one call per posting, several times less. The scores
# are the matchers' own (``tests`` compare both), so either path ranks alike.


def bag_words(q: query.Query) -> list[list[query.Term]] | None:
    """The words of a plain bag-of-words query, each as its lemma terms; else None."""
    parts = q.subqueries if isinstance(q, CoordinatedOr) else [q]
    found = []
    for part in parts:
        terms = part.subqueries if isinstance(part, BestOf) else [part]
        if not all(isinstance(t, query.Term) and t.fieldname == CONTENT for t in terms):
            return None
        found.append(list(terms))
    return found


def score_bag(q: query.Query, searcher: Any) -> dict[int, float] | None:
    """The score of every paragraph that matches a bag-of-words query, by document number.

    Returns None for any other kind of query: those take the collector's path.
    """
    from .derivation import DerivedTerm

    words = bag_words(q)
    if words is None:
        return None
    coordinated = isinstance(q, CoordinatedOr)
    weights = q.weights(searcher) if coordinated else []
    total = sum(weights)
    # A derived lemma's weight depends on the whole index, not on a segment.
    boosts = {
        id(term): term.weight_in(searcher) if isinstance(term, DerivedTerm) else term.boost
        for terms in words
        for term in terms
    }
    scores: dict[int, float] = {}
    matched: dict[int, float] = {}
    leaves = searcher.subsearchers if not searcher.is_atomic() else [(searcher, 0)]
    for leaf, offset in leaves:
        reader = leaf.reader()
        lengths = paragraph_lengths(reader)
        for i, terms in enumerate(words):
            best: dict[int, float] = {}
            for term in terms:
                if not boosts[id(term)] or (CONTENT, term.text) not in reader:
                    continue
                scorer = searcher.weighting.scorer(leaf, CONTENT, term.text)
                # BM25 as Whoosh's bm25() computes it, its constants taken out of the loop.
                k1, b = scorer.K1, scorer.B
                c1 = scorer.idf * (k1 + 1) * boosts[id(term)]
                c2, c3 = k1 * (1 - b), k1 * b / scorer.avgfl
                for ids, tfs in postings(reader, term.text):
                    for docnum, tf in zip(ids, tfs, strict=True):
                        score = c1 * tf / (tf + c2 + c3 * lengths[docnum])
                        if score > best.get(docnum, 0.0):
                            best[docnum] = score
            for docnum, score in best.items():
                key = docnum + offset
                scores[key] = scores.get(key, 0.0) + score
                if coordinated:
                    matched[key] = matched.get(key, 0.0) + weights[i]
    if coordinated:
        for key, score in scores.items():
            scores[key] = score * coordination(matched[key], total)
    return scores


def postings(reader: Any, lemma: str) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """The postings of a paragraph term as ``(document numbers, frequencies)`` blocks.

    A segment without deletions hands over each block of its posting list whole; with
    deletions (or another codec) the postings come one by one through Whoosh's filter.
    """
    m = reader.postings(CONTENT, lemma)
    if hasattr(m, "_next_block") and hasattr(m, "_blocklength"):
        while m.is_active():
            m.id(), m.weight()  # loads the block's arrays
            yield m._ids, m._weights
            m._next_block()
        return
    while m.is_active():
        yield (m.id(),), (m.weight(),)
        m.next()


_lengths: WeakKeyDictionary[Any, Sequence[int]] = WeakKeyDictionary()


def paragraph_lengths(reader: Any) -> Sequence[int]:
    """The paragraph lengths BM25 uses, by document number, read from a segment at once.

    Whoosh answers one document at a time through five calls; the column of encoded
    lengths is a byte per document, read here in one go (or, on a codec that keeps it
    otherwise, asked document by document).
    """
    if reader in _lengths:
        return _lengths[reader]
    lengths: Sequence[int]
    try:
        column = reader._perdoc._cached_reader(f"_{CONTENT}_len", LENGTHS_COLUMN)
        encoded = column._dbfile.get(column._basepos, column._count)
        table = [byte_to_length(code) for code in range(256)]
        lengths = list(map(table.__getitem__, encoded))
    except (AttributeError, TypeError):
        lengths = _AskedLengths(reader)
    _lengths[reader] = lengths
    return lengths


class _AskedLengths(Sequence[int]):
    def __init__(self, reader: Any) -> None:
        self.reader = reader

    def __getitem__(self, docnum: Any) -> Any:
        return self.reader.doc_field_length(docnum, CONTENT, 1)

    def __len__(self) -> int:
        return int(self.reader.doc_count_all())
