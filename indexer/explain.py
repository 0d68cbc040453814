"""Why a paragraph ranked where it did: the score taken apart, term by term.

Whoosh has no explain of its own. This walks the matcher tree positioned on the
paragraph, so every number is computed by the same code that ranked it; where Whoosh
scores a part in a way we do not take apart (phrases, prefixes), the line says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import matching

from .analysis import words
from .forms import VerifiedMatcher
from .query import CompiledQuery
from .schema import CONTENT
from .scoring import BestMatcher, CoordinationMatcher, UnionMatcher, coordination


@dataclass(frozen=True)
class Explanation:
    """One part of a score: what it is, how much it adds, and the parts it is made of."""

    description: str
    score: float
    children: tuple[Explanation, ...] = ()
    #: True where the number is Whoosh's own and not broken down further.
    approximate: bool = False

    def lines(self, indent: int = 0) -> Iterator[str]:
        """The explanation as indented text lines."""
        mark = " (approximate)" if self.approximate else ""
        yield f"{'  ' * indent}{self.score:.4f}  {self.description}{mark}"
        for child in self.children:
            yield from child.lines(indent + 1)


def explain(compiled: CompiledQuery, searcher: Any, docnum: int) -> Explanation:
    """Take apart the score of paragraph ``docnum`` for a compiled query."""
    # Match in the segment that holds the paragraph, as the search did: term matchers
    # there are single posting lists, with the collection's statistics from the parent.
    segment, offset = searcher, 0
    for subsearcher, start in searcher.subsearchers:
        if start <= docnum:
            segment, offset = subsearcher, start
    local = docnum - offset
    matcher = compiled.query.matcher(segment, segment.context())
    if matcher.is_active():
        matcher.skip_to(local)
    if not matcher.is_active() or matcher.id() != local:
        return Explanation("the query does not match this paragraph", 0.0)
    text = segment.stored_fields(local).get(CONTENT, "")
    return _Explainer(compiled, segment, local, text).node(matcher)


def with_proximity(explanation: Explanation, bonus: float, score: float) -> Explanation:
    """The explanation of a paragraph's score plus the proximity bonus it earned."""
    if not bonus:
        return explanation
    closeness = Explanation("the query's words stand close together: proximity bonus", bonus)
    return Explanation("the match plus proximity", score, (explanation, closeness))


class _Explainer:
    def __init__(self, compiled: CompiledQuery, searcher: Any, docnum: int, text: str) -> None:
        self.compiled = compiled
        self.searcher = searcher
        self.docnum = docnum
        self.words = words(text)

    def node(self, m: Any) -> Explanation:
        if isinstance(m, CoordinationMatcher):
            return self.coordination(m)
        if isinstance(m, BestMatcher):
            parts = [self.node(c) for c in m.current()]
            return Explanation("the best of this word's lemmas counts", m.score(), tuple(parts))
        if isinstance(m, UnionMatcher):
            return Explanation("the sum", m.score(), tuple(self.node(c) for c in m.current()))
        if m.term() is not None:
            return self.term(m)
        if isinstance(m, matching.AndNotMatcher):
            return self.node(m.a)
        if isinstance(m, VerifiedMatcher):
            inner = self.node(m.child)
            return Explanation(
                f"{inner.description}; kept for {m.check.describe()} in the text",
                m.score(),
                inner.children,
                inner.approximate,
            )
        if isinstance(m, matching.WrappingMatcher) and m.boost == 0:
            return Explanation("required, adds nothing to the score", 0.0)
        if isinstance(m, matching.WrappingMatcher) and m.child.term() is not None:
            inner = self.term(m.child)
            return Explanation(f"{inner.description}; weighted × {m.boost:.2f}", m.score())
        if isinstance(m, (matching.IntersectionMatcher, matching.UnionMatcher)):
            active = [c for c in (m.a, m.b) if c.is_active() and c.id() == self.docnum]
            kind = "all of (AND)" if isinstance(m, matching.IntersectionMatcher) else "any of (OR)"
            return Explanation(f"{kind}: the sum", m.score(), tuple(self.node(c) for c in active))
        if type(m).__name__.startswith("Span") or "Sequence" in type(m).__name__:
            return Explanation(
                "phrase: Whoosh's score for the words in sequence", m.score(), (), True
            )
        return Explanation(f"{type(m).__name__}", m.score(), (), True)

    def coordination(self, m: CoordinationMatcher) -> Explanation:
        current = m.current()
        parts = tuple(self.node(c) for c in current)
        factor = coordination(m.matched(), m.total)
        summed = sum(part.score for part in parts)
        return Explanation(
            f"{len(current)} of {len(m.weights)} query words matched, "
            f"{m.matched():.2f} of {m.total:.2f} idf: {summed:.4f} × coordination {factor:.4f}",
            m.score(),
            parts,
        )

    def term(self, m: Any) -> Explanation:
        field, text = m.term()
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        score = m.score()
        if field != CONTENT:
            return Explanation(f"{field} is {text}", score)
        forms = [w.text for w in self.words if text in w.lemmas]
        queried = [w.surface for w in self.compiled.words if text in w.lemmas]
        tf = m.weight()
        length = self.searcher.doc_field_length(self.docnum, field, 0)
        idf = self.searcher.idf(field, text)
        asked = f"query word «{'», «'.join(dict.fromkeys(queried))}» → " if queried else ""
        found = ", ".join(f"«{form}»" for form in dict.fromkeys(forms)) or "(a part of a word)"
        return Explanation(
            f"{asked}lemma «{text}» matched {found}: "
            f"BM25 with tf {tf:g}, idf {idf:.2f}, paragraph length {length}",
            score,
        )
