"""Why a paragraph ranked where it did: its score for a plan, taken apart.

:func:`evaluate` decides from a paragraph's text and the positions of the query's lemmas
in it whether it matches a plan, and computes its score with :mod:`indexer.ranking`'s
formulas as :mod:`indexer.plan` defines them. It is the reference every engine is held
to (``tests/test_engine.py``): the explanation of a hit adds up to the hit's score
because both come from the same parts. An engine that cannot score exactly as we do
(a distributed one) re-ranks its candidates with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from .analysis import INDEX, Occurrences
from .engine import Engine, Paragraph, ParagraphId
from .forms import FormCheck, PhraseCheck
from .plan import (
    AllOf,
    AnyOf,
    CompiledQuery,
    Coordinated,
    Filtered,
    Node,
    OneOf,
    PhraseWords,
    Prefix,
    Sources,
    Word,
    lemmas_of,
    walk,
)
from .ranking import (
    BM25,
    SOURCE_SCORE,
    Statistics,
    coordination,
    coordination_weights,
    informativeness,
    related_weight,
    word_positions,
)
from .results import Explanation

#: How a paragraph that does not match is explained.
NO_MATCH = Explanation("the query does not match this paragraph", 0.0)


def lemmas_to_look_up(plan: Node) -> tuple[set[str], set[str]]:
    """The lemmas, and the prefixes of lemmas, whose positions :func:`evaluate` needs."""
    lemmas: set[str] = set()
    prefixes: set[str] = set()
    for node in walk(plan):
        if isinstance(node, Word):
            lemmas.update(node.lemmas, node.related)
        elif isinstance(node, PhraseWords):
            lemmas.update(lemmas_of(node))
        elif isinstance(node, Prefix):
            lemmas.update(node.lemmas)
            prefixes.add(node.stem)
    return lemmas, prefixes


def explain(compiled: CompiledQuery, engine: Engine, paragraph: ParagraphId) -> Explanation:
    """The score of one paragraph of an engine's index for a query, taken apart."""
    lemmas, prefixes = lemmas_to_look_up(compiled.plan)
    positions = engine.positions([paragraph], lemmas, prefixes).get(paragraph, {})
    (stored,) = engine.paragraphs([paragraph])
    context = Context(engine.statistics(), compiled)
    return evaluate(compiled.plan, stored, positions, context) or NO_MATCH


@dataclass
class Context:
    """What evaluating a plan needs beside the paragraph: the collection and the query."""

    statistics: Statistics
    query: CompiledQuery | None = None
    #: Whether to say which word forms matched: only the scores are wanted when
    #: candidates are ranked, and finding the forms means analysing the text again.
    describe: bool = True

    def asked(self, lemma: str) -> tuple[str, str]:
        """The query words that searched ``lemma``, as typed, and what it was to them:
        a ``lemma`` of theirs or a ``synonym``."""
        words = self.query.words if self.query else ()
        found = "», «".join(dict.fromkeys(w.surface for w in words if lemma in w.lemmas))
        synonym = None if found or not self.query else dict(self.query.synonyms).get(lemma)
        if synonym:
            return synonym, "synonym"
        return found, "lemma"


def evaluate(
    plan: Node, paragraph: Paragraph, positions: Mapping[str, Occurrences], context: Context
) -> Explanation | None:
    """The explained score of ``paragraph`` for ``plan``, or None if it does not match.

    ``positions`` holds the word positions and term frequencies of the plan's lemmas in
    the paragraph, and of its lemmas that start with the plan's prefixes
    (:func:`lemmas_to_look_up`; a lemma it lacks is not in the paragraph).
    """
    return _Evaluator(paragraph, positions, context).node(plan)


class _Evaluator:
    def __init__(
        self, paragraph: Paragraph, positions: Mapping[str, Occurrences], context: Context
    ) -> None:
        self.paragraph = paragraph
        self.positions = positions
        self.context = context
        self.statistics = context.statistics

    @cached_property
    def words(self) -> list[tuple[str, dict[str, float]]]:
        """Each word of the paragraph with how much it counts for each of its lemmas."""
        return [
            (w.text, dict(zip(w.lemmas, w.weights, strict=True)))
            for w in INDEX(self.paragraph.text)
        ]

    def node(self, node: Node) -> Explanation | None:
        match node:
            case Word():
                return self.word(node)
            case PhraseWords():
                return self.phrase(node)
            case Prefix():
                return self.prefix(node)
            case Sources():
                return self.sources(node)
            case Coordinated():
                return self.coordinated(node)
            case AllOf():
                return self.all_of(node)
            case AnyOf():
                return self.any_of(node)
            case OneOf():
                return self.one_of(node)
            case Filtered():
                return self.filtered(node)

    # -- leaves ---------------------------------------------------------------------------

    def term(self, lemma: str, weight: float = 1.0, note: str = "") -> Explanation | None:
        found = self.positions.get(lemma)
        if not found or not weight:
            return None
        bm25 = BM25.of(lemma, self.statistics, weight)
        tf, length = found.tf, self.paragraph.length
        if not self.context.describe:
            return Explanation(lemma, bm25(tf, length))
        asked, kind = self.context.asked(lemma)
        # A form that may mean another word counts by how likely it means this one.
        forms = dict.fromkeys(
            f"«{text}»" + (f" ×{weights[lemma]:.2f}" if weights[lemma] < 1 else "")
            for text, weights in self.words
            if lemma in weights
        )
        matched = ", ".join(forms) or "(a part of a word)"
        return Explanation(
            f"{f'query word «{asked}» → ' if asked else ''}{kind} «{lemma}» matched {matched}: "
            f"BM25 with tf {tf:g}, idf {bm25.idf:.2f}, paragraph length {length}{note}",
            bm25(tf, length),
        )

    def word(self, node: Word) -> Explanation | None:
        weights = dict(node.weighted())
        for lemma in node.related:
            weights.setdefault(lemma, related_weight(node.lemmas, lemma, self.statistics))
        meant = "», «".join(lemma for lemma, weight in node.weighted() if weight == 1.0)
        notes = {
            lemma: f"; related to «{'», «'.join(node.lemmas)}», weighted × {weight:.2f}"
            if lemma not in node.lemmas
            else f"; the query word as typed means «{meant}», weighted × {weight:.2f}"
            for lemma, weight in weights.items()
            if weight < 1.0 or lemma not in node.lemmas
        }
        terms = [lemma for lemma, weight in weights.items() if weight]
        parts = [
            part
            for lemma in terms
            if (part := self.term(lemma, weights[lemma], notes.get(lemma, ""))) is not None
        ]
        if not parts:
            return None
        if node.form is not None and not FormCheck(node.form)(self.paragraph.text):
            return None
        best = max(parts, key=lambda part: part.score)
        result = best
        if len(terms) > 1:
            described = "the best of this word's lemmas counts"
            result = Explanation(described, best.score, tuple(parts))
        if node.form is not None:
            described = f"{result.description}; kept for the exact form «{node.form}» in the text"
            result = Explanation(described, result.score, result.children)
        return result

    def phrase(self, node: PhraseWords) -> Explanation | None:
        found = [word_positions(self.positions, word) for word in node.words]
        if not phrase_matches(found, node.slop):
            return None
        if node.forms is not None and not PhraseCheck(node.forms, node.slop)(self.paragraph.text):
            return None
        # Each word counts, a repeated word each time it is repeated.
        parts = tuple(part for word in node.words for part in self.summed(word))
        together = "next to each other" if node.slop is None else f"within {node.slop} words"
        exact = " in these exact forms" if node.forms is not None else ""
        return Explanation(
            f"phrase of {len(node.words)} words {together}{exact}: its lemmas summed",
            sum(part.score for part in parts),
            parts,
        )

    def prefix(self, node: Prefix) -> Explanation | None:
        expansions = sorted(lemma for lemma in self.positions if lemma.startswith(node.stem))
        parts = self.summed([*expansions, *node.lemmas])
        if not parts or not FormCheck(node.stem, prefix=True)(self.paragraph.text):
            return None
        return Explanation(
            f"words starting «{node.stem}»: their lemmas summed",
            sum(part.score for part in parts),
            parts,
        )

    def summed(self, lemmas: Iterable[str]) -> tuple[Explanation, ...]:
        parts = (self.term(lemma) for lemma in dict.fromkeys(lemmas))
        return tuple(part for part in parts if part is not None)

    def sources(self, node: Sources) -> Explanation | None:
        if self.paragraph.source not in node.names:
            return None
        return Explanation(f"from {self.paragraph.source}", SOURCE_SCORE)

    def filter(self, node: Node) -> Explanation | None:
        found = self.node(node)
        if found is None:
            return None
        return Explanation(f"required: {found.description}; adds nothing to the score", 0.0)

    # -- combinations ---------------------------------------------------------------------

    def coordinated(self, node: Coordinated) -> Explanation | None:
        weights = coordination_weights(
            [informativeness(lemmas_of(part), self.statistics) for part in node.parts]
        )
        found = [(self.node(p), weight) for p, weight in zip(node.parts, weights, strict=True)]
        parts = tuple(part for part, _ in found if part is not None)
        if not parts:
            return None
        matched = sum(weight for part, weight in found if part is not None)
        total = sum(weights)
        factor = coordination(matched, total)
        summed = sum(part.score for part in parts)
        return Explanation(
            f"{len(parts)} of {len(node.parts)} query words matched, "
            f"{matched:.2f} of {total:.2f} idf: {summed:.4f} × coordination {factor:.4f}",
            summed * factor,
            parts,
        )

    def all_of(self, node: AllOf) -> Explanation | None:
        parts = [self.node(part) for part in node.parts]
        if any(part is None for part in parts):
            return None
        return _sum("all of (AND)", parts)

    def any_of(self, node: AnyOf) -> Explanation | None:
        parts = [part for part in (self.node(p) for p in node.parts) if part is not None]
        return _sum("any of (OR)", parts) if parts else None

    def one_of(self, node: OneOf) -> Explanation | None:
        parts = tuple(part for part in (self.node(p) for p in node.parts) if part is not None)
        if not parts:
            return None
        best = max(parts, key=lambda part: part.score)
        if len(parts) == 1:
            return best
        return Explanation("the word or its synonyms: the best counts", best.score, parts)

    def filtered(self, node: Filtered) -> Explanation | None:
        if any(self.node(part) is not None for part in node.excluded):
            return None
        required = [self.filter(part) for part in node.required]
        scored = self.node(node.scored)
        if scored is None or any(part is None for part in required):
            return None
        if not required:
            return scored
        return _sum("the match, where the required parts are too", [scored, *required])


def _sum(description: str, parts: Sequence[Explanation | None]) -> Explanation:
    found = tuple(part for part in parts if part is not None)
    return Explanation(f"{description}: the sum", sum(part.score for part in found), found)


def phrase_matches(positions: Sequence[Sequence[int]], slop: int | None) -> bool:
    """Whether words at these positions form a phrase: next to each other in order
    (``slop`` None), or in any order with at most ``slop`` words between neighbours.

    The words are joined pairwise as a balanced tree (the first half of the words, then
    the second), each join a span of positions; two spans join when they do not overlap
    and at most ``slop`` words stand between them.

    >>> phrase_matches([[3], [4]], None), phrase_matches([[4], [3]], None)
    (True, False)
    >>> phrase_matches([[4], [1]], 2), phrase_matches([[4], [0]], 2)
    (True, False)
    """
    ordered, reach = slop is None, 1 if slop is None else slop + 1

    def spans(first: int, last: int) -> list[tuple[int, int]]:
        if last - first == 1:
            return sorted({(p, p) for p in positions[first]})
        middle = first + (last - first) // 2
        return _near(spans(first, middle), spans(middle, last), reach, ordered)

    return bool(positions) and bool(spans(0, len(positions)))


def _near(
    a: list[tuple[int, int]], b: list[tuple[int, int]], reach: int, ordered: bool
) -> list[tuple[int, int]]:
    joined = set()
    for a_start, a_end in a:
        for b_start, b_end in b:
            if b_end < a_start - reach or (ordered and a_start > b_start):
                continue
            if b_start > a_end + reach:
                break
            if b_end < a_start:
                gap = a_start - b_end
            elif a_end < b_start:
                gap = b_start - a_end
            else:  # overlapping spans never join
                continue
            if gap <= reach:
                joined.add((min(a_start, b_start), max(a_end, b_end)))
    return sorted(joined)
