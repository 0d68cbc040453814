"""Plans (:mod:`indexer.plan`) as Whoosh queries, and the fast path for bags of words."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from whoosh import query

from ...explain import phrase_matches
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
from .internals import block_arrays, block_values, next_block
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
from .statistics import paragraph_lengths, segment_frequency, statistics


class WeightedTerm(query.Term):
    """A lemma whose BM25 counts at ``weight`` (a related lemma, a reading the query word
    hardly means), bounds and all."""

    def __init__(self, text: str, weight: float) -> None:
        super().__init__(CONTENT, text)
        self.weight = weight

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if not segment_frequency(searcher.reader(), self.text):
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
    """The terms of a word's lemmas and of its related lemmas, each at its weight."""
    terms: list[Any] = [
        query.Term(CONTENT, lemma) if weight == 1.0 else WeightedTerm(lemma, weight)
        for lemma, weight in word.weighted()
    ]
    stats = statistics(searcher)
    terms += [
        WeightedTerm(lemma, related_weight(word.lemmas, lemma, stats)) for lemma in word.related
    ]
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
#
# A phrase in quotes scores the same way, its lemmas summed, in the paragraphs where its
# words stand together (:func:`phrase_in`, found from the postings' positions);
# so does a word with phrase synonyms, a OneOf of the word and, for each phrase, the
# phrase's lemmas scored as one word where the phrase stands.


class Alternative(NamedTuple):
    """One way a part of a bag matches: a word (the best of its lemmas counts) or a
    phrase (its words' lemmas summed), only where the ``phrase`` words, if any, stand
    together."""

    node: Word | PhraseWords
    phrase: tuple[tuple[str, ...], ...] | None = None


def bag_parts(plan: Node) -> list[tuple[Node, list[Alternative]]] | None:
    """The parts of a plain bag of words and phrases (no exact forms, no slop), each
    with the ways it matches: a word, a phrase, or either with its synonyms; else
    None."""
    parts = plan.parts if isinstance(plan, Coordinated) else (plan,)
    found = []
    for part in parts:
        alternatives = []
        for node in part.parts if isinstance(part, OneOf) else (part,):
            alternative = _alternative(node)
            if alternative is None:
                return None
            alternatives.append(alternative)
        found.append((part, alternatives))
    return found


def _alternative(node: Node) -> Alternative | None:
    if isinstance(node, Word) and node.form is None:
        return Alternative(node)
    if isinstance(node, PhraseWords) and _plain(node):
        return Alternative(node, node.words)
    if (
        isinstance(node, Filtered)
        and isinstance(node.scored, Word)
        and node.scored.form is None
        and not node.excluded
        and len(node.required) == 1
        and isinstance(phrase := node.required[0], PhraseWords)
        and _plain(phrase)
    ):
        return Alternative(node.scored, phrase.words)
    return None


def _plain(phrase: PhraseWords) -> bool:
    return phrase.slop is None and phrase.forms is None


def score_bag(plan: Node, searcher: Any) -> dict[int, float] | None:
    """The score of every paragraph that matches a bag-of-words plan, by document number.

    Returns None for any other plan: those take the collector's path.
    """
    parts = bag_parts(plan)
    if parts is None:
        return None
    stats = statistics(searcher)
    coordinated = isinstance(plan, Coordinated)
    weights = (
        coordination_weights([informativeness(lemmas_of(part), stats) for part, _ in parts])
        if coordinated
        else []
    )
    total = sum(weights)
    scorers = [
        [(_scorers(way.node, stats), way) for way in alternatives] for _, alternatives in parts
    ]
    scores: dict[int, float] = {}
    matched: dict[int, float] = {}
    leaves = searcher.subsearchers if not searcher.is_atomic() else [(searcher, 0)]
    for leaf, offset in leaves:
        reader = leaf.reader()
        if not reader.doc_count_all():  # an empty shard
            continue
        lengths = paragraph_lengths(reader)
        for i, alternatives in enumerate(scorers):
            best: dict[int, float] = {}
            for terms, way in alternatives:
                if way.phrase is None:
                    blocks = functools.partial(_postings_if_any, reader)
                else:
                    blocks = functools.partial(phrase_in(reader, way.phrase).blocks, reader)
                if isinstance(way.node, PhraseWords):
                    _raise(best, _summed_scores(terms, lengths, blocks))
                else:
                    _best_scores(terms, lengths, best, blocks)
            for docnum, score in best.items():
                key = docnum + offset
                scores[key] = scores.get(key, 0.0) + score
                if coordinated:
                    matched[key] = matched.get(key, 0.0) + weights[i]
    if coordinated:
        # As many factors as sums of the parts' weights, not as paragraphs.
        factors: dict[float, float] = {}
        for key, score in scores.items():
            share = matched[key]
            factor = factors.get(share)
            if factor is None:
                factor = factors[share] = coordination(share, total)
            scores[key] = score * factor
    return scores


def _scorers(node: Word | PhraseWords, stats: Any) -> list[tuple[str, BM25]]:
    """The BM25 of each lemma: a word's own and its related lemmas (weighted), a
    phrase's distinct lemmas of each word (a repeated word each time)."""
    if isinstance(node, PhraseWords):
        lemmas = [lemma for word in node.words for lemma in dict.fromkeys(word)]
        return [(lemma, BM25.of(lemma, stats)) for lemma in lemmas]
    own = [(lemma, BM25.of(lemma, stats, weight)) for lemma, weight in node.weighted()]
    related = [(lemma, related_weight(node.lemmas, lemma, stats)) for lemma in node.related]
    return own + [(lemma, BM25.of(lemma, stats, weight)) for lemma, weight in related]


def _in_units(bm25: BM25) -> tuple[float, float, float]:
    """BM25's constants as :class:`indexer.ranking.BM25` computes it, taken out of the
    loop, for term frequencies in weight units (``c2`` and ``c3`` scaled to them)."""
    c1, c2, c3 = bm25.constants
    return c1, c2 * WEIGHT_UNITS, c3 * WEIGHT_UNITS


#: A lemma's postings as ``(document numbers, frequencies)`` blocks.
Blocks = Iterable[tuple[Sequence[int], Sequence[float]]]


def _best_scores(
    terms: list[tuple[str, BM25]],
    lengths: Sequence[int],
    best: dict[int, float],
    blocks: Callable[[str], Blocks],
) -> None:
    """Raise ``best`` to the best of the terms' scores in each paragraph of a segment
    whose postings ``blocks`` gives."""
    for lemma, bm25 in terms:
        c1, c2, c3 = _in_units(bm25)
        for ids, tfs in blocks(lemma):
            for docnum, tf in zip(ids, tfs, strict=True):
                score = c1 * tf / (tf + c2 + c3 * lengths[docnum])
                if score > best.get(docnum, 0.0):
                    best[docnum] = score


def _summed_scores(
    terms: list[tuple[str, BM25]], lengths: Sequence[int], blocks: Callable[[str], Blocks]
) -> dict[int, float]:
    """The sum of the terms' scores in each paragraph of a segment whose postings
    ``blocks`` gives."""
    found: dict[int, float] = {}
    for lemma, bm25 in terms:
        c1, c2, c3 = _in_units(bm25)
        for ids, tfs in blocks(lemma):
            for docnum, tf in zip(ids, tfs, strict=True):
                found[docnum] = found.get(docnum, 0.0) + c1 * tf / (tf + c2 + c3 * lengths[docnum])
    return found


def _raise(best: dict[int, float], scores: dict[int, float]) -> None:
    for docnum, score in scores.items():
        if score > best.get(docnum, 0.0):
            best[docnum] = score


def _postings_if_any(reader: Any, lemma: str) -> Blocks:
    return postings(reader, lemma) if segment_frequency(reader, lemma) else ()


class PhraseMatches:
    """Where a phrase stands in a segment: the paragraphs, and the postings in them of
    the lemmas asked for (those of the phrase's words read as the phrase was found)."""

    def __init__(
        self, paragraphs: frozenset[int], found: dict[str, tuple[list[int], list[float]]]
    ) -> None:
        self.paragraphs = paragraphs
        self._postings = found

    def blocks(self, reader: Any, lemma: str) -> Blocks:
        """The postings of a lemma in the phrase's paragraphs of the segment ``reader``."""
        found = self._postings.get(lemma)
        if found is None:
            ids: list[int] = []
            tfs: list[float] = []
            for block_ids, block_tfs in _postings_if_any(reader, lemma):
                for docnum, tf in zip(block_ids, block_tfs, strict=True):
                    if docnum in self.paragraphs:
                        ids.append(docnum)
                        tfs.append(tf)
            found = self._postings[lemma] = (ids, tfs)
        return (found,)


#: Phrases that a segment reader keeps where they stand: a synonym list's are asked
#: again and again, a phrase typed in quotes maybe once.
MAX_KEPT_PHRASES = 256

_phrases: WeakKeyDictionary[Any, dict[tuple[tuple[str, ...], ...], PhraseMatches]] = (
    WeakKeyDictionary()
)


def phrase_in(reader: Any, words: tuple[tuple[str, ...], ...]) -> PhraseMatches:
    """Where words (each any of its lemmas) stand next to each other in order in a
    segment, as :func:`indexer.explain.phrase_matches` finds them.

    Kept per segment reader, up to :data:`MAX_KEPT_PHRASES` phrases.
    """
    known = _phrases.setdefault(reader, {})
    found = known.get(words)
    if found is None:
        if len(known) >= MAX_KEPT_PHRASES:
            known.clear()
        found = known[words] = _find_phrase(reader, words)
    return found


def _find_phrase(reader: Any, words: tuple[tuple[str, ...], ...]) -> PhraseMatches:
    decode = reader.schema[CONTENT].format.decode_positions
    # Each word's encoded positions by paragraph, and each lemma's postings, read a
    # block at a time.
    values: list[dict[int, list[bytes]]] = []
    read: dict[str, list[tuple[int, float]]] = {}
    # A lemma's positions by paragraph, read once however often the phrase has it
    # («что что»: the second word stands where the first lemma's postings say).
    where: dict[str, dict[int, bytes]] = {}
    for word in words:
        found: dict[int, list[bytes]] = {}
        for lemma in word:
            if lemma not in where:
                where[lemma] = {}
                if segment_frequency(reader, lemma):
                    read[lemma] = []
                    for ids, tfs, encoded in posting_values(reader, lemma):
                        read[lemma] += zip(ids, tfs, strict=True)
                        where[lemma].update(zip(ids, encoded, strict=True))
            for docnum, value in where[lemma].items():
                found.setdefault(docnum, []).append(value)
        values.append(found)
    shared = set.intersection(*(set(found) for found in values)) if values else set()
    paragraphs = frozenset(
        docnum
        for docnum in shared
        if phrase_matches(
            [sorted({p for value in found[docnum] for p in decode(value)}) for found in values],
            None,
        )
    )
    kept = {}
    for lemma, pairs in read.items():
        inside = [(docnum, tf) for docnum, tf in pairs if docnum in paragraphs]
        kept[lemma] = ([docnum for docnum, _ in inside], [tf for _, tf in inside])
    return PhraseMatches(paragraphs, kept)


def posting_values(
    reader: Any, lemma: str
) -> Iterator[tuple[Sequence[int], Sequence[float], Sequence[bytes]]]:
    """The postings of a paragraph lemma as ``(document numbers, frequencies, encoded
    positions)`` blocks, as :func:`postings` reads them."""
    m = reader.postings(CONTENT, lemma)
    if isinstance(m, ArrayLeafMatcher):
        while m.is_active():
            yield (*block_arrays(m), block_values(m))
            next_block(m)
        return
    while m.is_active():
        yield (m.id(),), (m.weight(),), (m.value(),)
        m.next()


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
