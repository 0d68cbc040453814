"""How paragraphs are scored: BM25 over paragraphs and a coordination bonus.

Both plug into Whoosh: :class:`ParagraphBM25` is a weighting model and
:class:`CoordinatedOr` a query whose matcher rewards paragraphs that contain more of
the query's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import log
from typing import Any

from whoosh import query
from whoosh.matching import Matcher
from whoosh.scoring import BM25F, BM25FScorer


def paragraph_count(searcher: Any) -> int:
    """Paragraphs in the index: every document except the file records."""
    searcher = searcher.get_parent()
    return max(1, searcher.doc_count() - searcher.doc_frequency("kind", "file"))


class ParagraphBM25(BM25F):
    """BM25 whose collection statistics count paragraphs only, not file records."""

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        # The Robertson–Spärck Jones idf, which never goes negative.
        n = searcher.get_parent().doc_frequency(fieldname, text)
        total = paragraph_count(searcher)
        return log(1.0 + (total - n + 0.5) / (n + 0.5))

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, BM25FScorer):
            parent = searcher.get_parent()
            scorer.avgfl = parent.field_length(fieldname) / paragraph_count(parent) or 1
        return scorer


def coordination(matched: int, total: int) -> float:
    """The factor on the score of a paragraph that has ``matched`` of ``total`` words.

    >>> coordination(2, 2), coordination(1, 2)
    (1.0, 0.5)
    """
    return matched / total


class CoordinatedOr(query.CompoundQuery):
    """Any of the subqueries; the score sums theirs times :func:`coordination`.

    Unlike Whoosh's ``Or(scale=...)``, which counts terms, this counts subqueries, so
    a word with several lemmas counts once.
    """

    JOINT = " COORD "

    def _matcher(self, subs: Sequence[query.Query], searcher: Any, context: Any) -> Matcher:
        return CoordinationMatcher([q.matcher(searcher, context) for q in subs])


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

    def __init__(self, children: Sequence[Matcher], total: int | None = None) -> None:
        self._all = list(children)
        self._total = total if total is not None else len(self._all)
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
        return type(self)([m.copy() for m in self._all], self._total)

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
    """Sums the children's scores times the share of children that match.

    The coordination factor is at most 1, so the children's summed block qualities
    remain an upper bound for block-max skipping.
    """

    @property
    def total(self) -> int:
        """How many children (query words) there are, matching or not."""
        return self._total

    def score(self) -> float:
        current = self.current()
        return sum(m.score() for m in current) * coordination(len(current), self._total)


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
