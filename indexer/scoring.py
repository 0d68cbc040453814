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


class CoordinatedOr(query.Or):
    """Any of the subqueries; the score sums theirs times :func:`coordination`.

    Unlike Whoosh's ``Or(scale=...)``, which counts terms, this counts subqueries, so
    a word with several lemmas counts once.
    """

    def _matcher(self, subs: Sequence[query.Query], searcher: Any, context: Any) -> Matcher:
        return CoordinationMatcher([q.matcher(searcher, context) for q in subs])


class CoordinationMatcher(Matcher):
    """A union of matchers that knows how many of them match the current document."""

    def __init__(self, children: Sequence[Matcher], total: int | None = None) -> None:
        self._all = list(children)
        self._total = total if total is not None else len(self._all)
        self._refresh()

    def _refresh(self) -> None:
        self._active = [m for m in self._all if m.is_active()]
        self._id = min(m.id() for m in self._active) if self._active else None

    def _current(self) -> list[Matcher]:
        return [m for m in self._active if m.id() == self._id]

    def is_active(self) -> bool:
        return self._id is not None

    def id(self) -> int:
        return self._id

    def reset(self) -> None:
        for m in self._all:
            m.reset()
        self._refresh()

    def copy(self) -> CoordinationMatcher:
        return CoordinationMatcher([m.copy() for m in self._all], self._total)

    def children(self) -> list[Matcher]:
        return list(self._active)

    def depth(self) -> int:
        return 1 + max((m.depth() for m in self._all), default=0)

    def next(self) -> None:
        for m in self._current():
            m.next()
        self._refresh()

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
        return sorted(span for m in self._current() for span in m.spans())

    def weight(self) -> float:
        return sum(m.weight() for m in self._current())

    def score(self) -> float:
        current = self._current()
        return sum(m.score() for m in current) * coordination(len(current), self._total)
