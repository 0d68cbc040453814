"""Plans (:mod:`indexer.plan`) as Whoosh queries, and the fast path for bags of words."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import query

from ...forms import FormCheck, PhraseCheck
from ...plan import (
    MAX_PREFIX_LEMMAS,
    AllOf,
    AnyOf,
    Coordinated,
    Filtered,
    Node,
    OneOf,
    PhraseWords,
    Prefix,
    Sources,
    Word,
    lemmas_of,
)
from ...ranking import BM25, coordination, coordination_weights, informativeness, related_weight
from ...readings import WEIGHT_UNITS
from .codec import ArrayLeafMatcher
from .internals import block_arrays, next_block
from .matchers import (
    BestOf,
    Budget,
    CoordinatedOr,
    Excluding,
    ParagraphBM25,
    SourceSet,
    Unscored,
    VerifiedQuery,
)
from .schema import CONTENT
from .statistics import paragraph_lengths, statistics


class WeightedTerm(query.Term):
    """A lemma whose BM25 counts at ``weight`` (a related lemma), bounds and all."""

    def __init__(self, text: str, weight: float) -> None:
        super().__init__(CONTENT, text)
        self.weight = weight

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if (CONTENT, self.text) not in searcher.reader():
            from whoosh.matching import NullMatcher

            return NullMatcher()
        return searcher.postings(CONTENT, self.text, weighting=ParagraphBM25(self.weight))


def compile_plan(node: Node, searcher: Any, budget: Budget | None = None) -> Any:
    """The Whoosh query of a plan, for a searcher of the index it will run on; checks
    of the text stop when the ``budget``'s time is up."""

    def compile_part(part: Node) -> Any:
        return compile_plan(part, searcher, budget)

    match node:
        case Word():
            best = _best_of(word_terms(node, searcher))
            if node.form is None:
                return best
            return VerifiedQuery(best, FormCheck(node.form), budget)
        case Prefix():
            # Expanded here rather than by Whoosh's Prefix, which scores a constant on
            # a small index and BM25 on a big one: the plan says BM25 on any.
            if budget and budget.spent():
                budget.out_of_time()
                return query.NullQuery
            expanded, found = prefix_lemmas(searcher.reader(), node.stem)
            if budget and found > len(expanded):
                budget.note(
                    f"«{node.stem}*» stands for {found:,} words: "
                    f"searched the {MAX_PREFIX_LEMMAS} most frequent"
                )
            lemmas = dict.fromkeys([*expanded, *node.lemmas])
            terms = [query.Term(CONTENT, lemma) for lemma in lemmas]
            candidates = _any_of(terms) if terms else query.NullQuery
            return VerifiedQuery(candidates, FormCheck(node.stem, prefix=True), budget)
        case PhraseWords():
            alternatives = [_any_of([query.Term(CONTENT, lemma) for lemma in word])
                            for word in node.words]  # fmt: skip
            if node.slop is None:
                sequence = query.Sequence(alternatives)
            else:
                sequence = query.Sequence(alternatives, slop=node.slop + 1, ordered=False)
            if node.forms is None:
                return sequence
            return VerifiedQuery(sequence, PhraseCheck(node.forms, node.slop), budget)
        case Sources():
            if not node.names:
                return query.NullQuery
            return SourceSet("source", node.names)
        case Coordinated():
            stats = statistics(searcher)
            weights = [informativeness(lemmas_of(part), stats) for part in node.parts]
            parts = [compile_part(part) for part in node.parts]
            return CoordinatedOr(parts, coordination_weights(weights))
        case AllOf():
            return query.And([compile_part(part) for part in node.parts])
        case AnyOf():
            return query.Or([compile_part(part) for part in node.parts])
        case OneOf():
            return _best_of([compile_part(part) for part in node.parts])
        case Filtered():
            result = compile_part(node.scored)
            if node.required:
                # Required parts filter without being scored twice (Whoosh's Require
                # trips over its own block-quality skipping).
                must = [compile_part(part) for part in node.required]
                result = query.And([result, Unscored(_all_of(must))])
            if node.excluded:
                excluded = [compile_part(part) for part in node.excluded]
                result = Excluding(result, _any_of(excluded))
            return result
    raise TypeError(f"not a plan: {node!r}")


def prefix_lemmas(reader: Any, stem: str) -> tuple[list[str], int]:
    """The indexed lemmas that start with ``stem``, at most :data:`MAX_PREFIX_LEMMAS` of
    them (the most frequent, then in order), and how many there are in all."""
    frequencies: dict[str, int] = {}
    # Segment by segment: a reader over several merges their word lists term by term.
    for leaf, _offset in reader.leaf_readers():
        for term, info in leaf.iter_prefix(CONTENT, stem):
            lemma = term.decode("utf-8") if isinstance(term, bytes) else term
            frequencies[lemma] = frequencies.get(lemma, 0) + info.doc_frequency()
    lemmas = sorted(frequencies)
    if len(lemmas) <= MAX_PREFIX_LEMMAS:
        return lemmas, len(lemmas)
    frequent = sorted(lemmas, key=lambda lemma: -frequencies[lemma])
    return frequent[:MAX_PREFIX_LEMMAS], len(lemmas)


def word_terms(word: Word, searcher: Any) -> list[Any]:
    """The terms of a word's lemmas and of the related lemmas that count here."""
    terms: list[Any] = [query.Term(CONTENT, lemma) for lemma in word.lemmas]
    stats = statistics(searcher)
    for lemma in word.related:
        weight = related_weight(word.lemmas, lemma, stats)
        if weight:
            terms.append(WeightedTerm(lemma, weight))
    return terms


def _best_of(terms: list[Any]) -> Any:
    return terms[0] if len(terms) == 1 else BestOf(terms)


def _any_of(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else query.Or(queries)


def _all_of(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else query.And(queries)


# -- term at a time ---------------------------------------------------------------------
#
# A question typed in plain words is a Coordinated of Words. Whoosh's collector walks the
# compiled tree document by document, paying several Python calls per matcher and
# document; reading each posting list once and adding up per paragraph costs one call
# per posting, several times less. The scores are the same (``tests`` compare both).


def bag_words(plan: Node) -> list[Word] | None:
    """The words of a plain bag of words (no exact forms), else None."""
    parts = plan.parts if isinstance(plan, Coordinated) else (plan,)
    words = [part for part in parts if isinstance(part, Word) and part.form is None]
    return words if len(words) == len(parts) else None


def score_bag(plan: Node, searcher: Any) -> dict[int, float] | None:
    """The score of every paragraph that matches a bag-of-words plan, by document number.

    Returns None for any other plan: those take the collector's path.
    """
    words = bag_words(plan)
    if words is None:
        return None
    stats = statistics(searcher)
    coordinated = isinstance(plan, Coordinated)
    weights = (
        coordination_weights([informativeness(w.lemmas, stats) for w in words])
        if coordinated
        else []
    )
    total = sum(weights)
    scorers: list[list[tuple[str, BM25]]] = []
    for word in words:
        own = [(lemma, BM25.of(lemma, stats)) for lemma in word.lemmas]
        related = [(lemma, related_weight(word.lemmas, lemma, stats)) for lemma in word.related]
        scorers.append(own + [(lemma, BM25.of(lemma, stats, w)) for lemma, w in related if w])
    scores: dict[int, float] = {}
    matched: dict[int, float] = {}
    leaves = searcher.subsearchers if not searcher.is_atomic() else [(searcher, 0)]
    for leaf, offset in leaves:
        reader = leaf.reader()
        if not reader.doc_count_all():  # an empty shard
            continue
        lengths = paragraph_lengths(reader)
        for i, terms in enumerate(scorers):
            best: dict[int, float] = {}
            for lemma, bm25 in terms:
                if (CONTENT, lemma) not in reader:
                    continue
                # BM25 as ranking.BM25 computes it, its constants taken out of the loop
                # (and the term frequency in weight units: c2 and c3 scaled to them).
                c1, c2, c3 = bm25.constants
                c2, c3 = c2 * WEIGHT_UNITS, c3 * WEIGHT_UNITS
                for ids, frequencies in postings(reader, lemma):
                    for docnum, units in zip(ids, frequencies, strict=True):
                        score = c1 * units / (units + c2 + c3 * lengths[docnum])
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
    """The postings of a paragraph lemma as ``(document numbers, weights)`` blocks (term
    frequencies in :data:`~indexer.readings.WEIGHT_UNITS`).

    Our codec's posting lists hand over each block whole; a short list inlined in the
    term table, or a segment with deletions, gives its postings one by one.
    """
    m = reader.postings(CONTENT, lemma)
    if isinstance(m, ArrayLeafMatcher):
        while m.is_active():
            yield block_arrays(m)
            next_block(m)
        return
    while m.is_active():
        yield (m.id(),), (m.weight(),)
        m.next()
