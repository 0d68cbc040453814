"""Whoosh queries and matchers for the plans' parts, and BM25 as a Whoosh weighting.

:class:`CoordinatedOr` rewards paragraphs that contain more of the query's words,
counted by how informative they are; :class:`BestOf` scores a word by the best of its
lemmas; :class:`Unscored` makes a query a filter; :class:`VerifiedQuery` keeps the
paragraphs whose text passes a check (exact forms, prefixes). Every score is
:mod:`indexer.ranking`'s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from whoosh import query
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.matching import (
    AndNotMatcher,
    ListMatcher,
    Matcher,
    NullMatcher,
    WrappingMatcher,
)
from whoosh.scoring import BM25F, WeightLengthScorer

from ...forms import FormCheck, PhraseCheck
from ...ranking import BM25, SOURCE_SCORE, coordination
from ...readings import WEIGHT_UNITS
from .statistics import statistics


class ParagraphBM25(BM25F):
    """BM25 as :class:`indexer.ranking.BM25` computes it, with statistics of paragraphs,
    counting at ``weight``; a keyword field (``source``) scores its weight, 1."""

    def __init__(self, weight: float = 1.0) -> None:
        super().__init__()
        self.weight = weight

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        lemma = text.decode("utf-8") if isinstance(text, bytes) else text
        return ParagraphScorer(searcher, fieldname, lemma, self.weight)


class ParagraphScorer(WeightLengthScorer):
    """Scores a posting by :class:`indexer.ranking.BM25`, its weight the term frequency in
    :data:`~indexer.readings.WEIGHT_UNITS`; block qualities come from the block's highest
    weight and shortest paragraph, which bound BM25 from above."""

    def __init__(self, searcher: Any, fieldname: str, lemma: str, weight: float) -> None:
        self.bm25 = BM25.of(lemma, statistics(searcher), weight)
        self.setup(searcher, fieldname, lemma)

    def _score(self, weight: float, length: float) -> float:
        return self.bm25(weight / WEIGHT_UNITS, length)


class CoordinatedOr(query.CompoundQuery):
    """Any of the subqueries; the score sums theirs times :func:`ranking.coordination`
    of the ``weights`` of those that match.

    Unlike Whoosh's ``Or(scale=...)``, which counts terms, this counts subqueries, so
    a word with several lemmas counts once; and it counts them by their idf, so that a
    paragraph missing «Пэнтерс» loses more than one missing «защита».
    """

    JOINT = " COORD "

    def __init__(self, subqueries: Sequence[Any], weights: Sequence[float]) -> None:
        super().__init__(subqueries)
        self.weights = list(weights)

    def _matcher(self, subs: Sequence[Any], searcher: Any, context: Any) -> Matcher:
        return CoordinationMatcher([q.matcher(searcher, context) for q in subs], self.weights)


class BestOf(query.CompoundQuery):
    """Any of the subqueries, scored by the best of them: the lemmas of one word.

    Whoosh's ``DisjunctionMax`` would do, but its matcher takes the maximum over
    sub-matchers that sit on other documents too.
    """

    JOINT = " BEST "

    def _matcher(self, subs: Sequence[query.Query], searcher: Any, context: Any) -> Matcher:
        return BestMatcher([q.matcher(searcher, context) for q in subs])


class SourceSet(query.Query):
    """The paragraphs of some sources, each scoring :data:`~indexer.ranking.SOURCE_SCORE`,
    matched from one sorted list of their documents: Whoosh's union of a term matcher
    per source took 4 s to walk for 1,000 sources (a subfolder in its folder's index)."""

    def __init__(self, fieldname: str, names: Sequence[str]) -> None:
        self.fieldname, self.names = fieldname, tuple(names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SourceSet) and (self.fieldname, self.names) == (
            other.fieldname,
            other.names,
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, self.names))

    def estimate_size(self, ixreader: Any) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, name) for name in self.names)

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        reader = searcher.reader()
        found: set[int] = set()
        for name in self.names:
            if (self.fieldname, name) in reader:
                found.update(reader.postings(self.fieldname, name).all_ids())
        if not found:
            return NullMatcher()
        return ListMatcher(sorted(found), all_weights=SOURCE_SCORE)


class Unscored(query.WrappingQuery):
    """The child query as a filter: it must match, and adds nothing to the score."""

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        return UnscoredMatcher(self.child.matcher(searcher, context))


class UnscoredMatcher(WrappingMatcher):
    """A matcher that scores nothing, so its blocks promise nothing either: skipping
    blocks by quality leaves it where it is (Whoosh's wrapper divides by its boost,
    which is 0 here: «+России Лавров Керри санкции» and «-Сирии AND Лавров России»
    failed so)."""

    def __init__(self, child: Matcher, boost: float = 0.0) -> None:
        super().__init__(child, boost=0.0)

    def score(self) -> float:
        return 0.0

    def max_quality(self) -> float:
        return 0.0

    def block_quality(self) -> float:
        return 0.0

    def skip_to_quality(self, minquality: float) -> int:
        return 0

    def _replacement(self, newchild: Matcher) -> UnscoredMatcher:
        return UnscoredMatcher(newchild)


class Excluding(query.AndNot):
    """``a`` in paragraphs that do not match ``b``, scored as ``a``."""

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        scored = self.a.matcher(searcher, context)
        return ExcludingMatcher(scored, self.b.matcher(searcher, searcher.boolean_context()))


class ExcludingMatcher(AndNotMatcher):
    """Whoosh's ``AndNotMatcher``, which starts on the first paragraph of ``a`` even when
    ``b`` has it, unless ``b`` happens to start on that very paragraph too, and which
    compares ids after ``a`` ran out (a skip past its last paragraph)."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()

    def _find_next(self) -> bool | None:
        if not self.a.is_active():
            return False
        return bool(super()._find_next())


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

    def id(self) -> int | None:
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


#: The characters of a paragraph that a check reads: a paragraph of hundreds of
#: megabytes would otherwise be read again in full for every search.
MAX_CHECKED_LENGTH = 1_000_000


class PatientTimeLimit(TimeLimitCollector):
    """Whoosh's ``TimeLimitCollector``, which stops as soon as its time is up, even if
    that was spent before the first match (building the matchers): this one collects
    at least ``least`` matches of each shard first.

    It reads the clock between matches, where Whoosh's own looks at a flag that a timer
    thread sets: starting a thread for each search cost a millisecond of wall time, and
    more on a busy machine, where the new thread waits for a core.
    """

    def __init__(self, child: Any, timelimit: float, least: int) -> None:
        super().__init__(child, timelimit, use_alarm=False)
        self.least = least
        self.deadline = time.monotonic() + timelimit

    def prepare(self, top_searcher: Any, q: Any, context: Any) -> None:
        self.child.prepare(top_searcher, q, context)
        self.timedout = False
        self.deadline = time.monotonic() + self.timelimit

    def collect_matches(self) -> None:
        child = self.child
        for number, docnum in enumerate(child.matches()):
            if number >= self.least and time.monotonic() > self.deadline:
                self.timedout = True
                raise TimeLimit
            child.collect(docnum)


#: Paragraphs a check keeps before it looks at the time.
MIN_KEPT = 50


@dataclass
class Budget:
    """When a search must stop, and notes of where it stopped short, for the user."""

    #: The seconds the search has.
    limit: float
    notes: list[str] = field(default_factory=list)
    start: float = field(default_factory=time.monotonic)

    @property
    def deadline(self) -> float:
        """When the time is up (``time.monotonic``)."""
        return self.start + self.limit

    def spent(self, times: float = 1.0) -> bool:
        """Whether the time is up (or this many times the time)."""
        return time.monotonic() > self.start + self.limit * times

    def note(self, message: str) -> None:
        """Say once where the search stopped short."""
        if message not in self.notes:
            self.notes.append(message)

    def out_of_time(self) -> None:
        """Say that time ran out."""
        self.note(
            f"the search ran out of time ({self.limit:g} s): the hits are the best "
            "of the paragraphs it reached"
        )

    @property
    def left(self) -> float:
        """The seconds left, and never less than a tenth of the limit: a search late
        on time still collects what its parts found."""
        return max(self.limit / 10, self.deadline - time.monotonic())


class VerifiedQuery(query.WrappingQuery):
    """A Whoosh query whose paragraphs are kept only if their text passes a check
    (in its first :data:`MAX_CHECKED_LENGTH` characters); with a ``budget``, those
    still unchecked when time is up are left out."""

    def __init__(
        self, child: Any, check: FormCheck | PhraseCheck, budget: Budget | None = None
    ) -> None:
        super().__init__(child)
        self.check = check
        self.budget = budget

    def _rewrap(self, child: Any) -> VerifiedQuery:
        return VerifiedQuery(child, self.check, self.budget)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, VerifiedQuery)
            and self.child == other.child
            and self.check == other.check
        )

    def __hash__(self) -> int:
        return hash(self.child) ^ hash(self.check)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        from .schema import CONTENT

        # The kept paragraphs with the scores they had: walking the child again to
        # filter it would read every candidate twice.
        ids: list[int] = []
        scores: list[float] = []
        probe = self.child.matcher(searcher, context)
        while probe.is_active():
            # A search late on time still keeps a few paragraphs, if it finds them
            # before half its time again.
            budget = self.budget
            if budget and budget.spent() and (len(ids) >= MIN_KEPT or budget.spent(1.5)):
                budget.out_of_time()
                break
            text = searcher.stored_fields(probe.id()).get(CONTENT, "")
            if self.check(text[:MAX_CHECKED_LENGTH]):
                ids.append(probe.id())
                scores.append(probe.score())
            probe.next()
        return ListMatcher(ids, scores) if ids else NullMatcher()
