"""Plans (:mod:`indexer.plan`) as OpenSearch queries, built by hand.

The query finds the candidates and ranks them roughly as we would: a ``dis_max`` per
word over its lemmas (``match`` would blend stacked tokens into one synonym query),
BM25 with our constants from the weights field's similarity (term frequencies
weighted by how likely each word means the lemma), a phrase or a prefix scored by its
lemmas. It matches at least every paragraph the plan matches — a phrase's slop is
Lucene's total over the phrase, a superset of our per-gap slop; a prefix matches word
forms; an excluded part is left out only where its query is exact (:func:`exact`) — and
the candidates are then scored by the plan's own evaluation
(:func:`indexer.explain.evaluate`), which drops what the plan does not match.
"""

from __future__ import annotations

from typing import Any

from ...plan import (
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
)
from ...ranking import RELATED_WEIGHT
from .mapping import FORMS, LEMMAS, SCORE_FACTOR, WEIGHTS, clip

#: A prefix's lemmas score a candidate by at most this many of them (which match is
#: decided by the word forms, in full).
PREFIX_TERMS = 512

Query = dict[str, Any]


def compile_plan(node: Node) -> Query:
    """The OpenSearch query of a plan."""
    match node:
        case Word():
            terms = [_scored(lemma, weight) for lemma, weight in node.weighted()]
            # At the related lemmas' nominal weight: their exact weight needs statistics
            # the rescoring asks for in this very request.
            terms += [_scored(lemma, RELATED_WEIGHT) for lemma in node.related]
            best = terms[0] if len(terms) == 1 else {"dis_max": {"queries": terms}}
            if node.form is None:
                return best
            return {"bool": {"must": [best], "filter": [_term(FORMS, node.form)]}}
        case PhraseWords():
            if node.forms is not None:
                clauses = [{"span_term": {FORMS: clip(form)}} for form in node.forms]
            else:
                clauses = [_any_span(word) for word in node.words]
            # Lucene's slop counts the words between all of the phrase's words.
            slop = 0 if node.slop is None else node.slop * (len(clauses) - 1)
            near = {"clauses": clauses, "slop": slop, "in_order": node.slop is None}
            # Scored as the plan scores a phrase, by its words' lemmas, not by how often
            # the phrase occurs.
            words = [_scored(lemma) for word in node.words for lemma in word]
            return {"bool": {"filter": [{"span_near": near}], "should": words}}
        case Prefix():
            # Found by the word forms, scored by the lemmas that start so.
            lemmas = {
                "value": clip(node.stem),
                "rewrite": f"top_terms_{PREFIX_TERMS}",
                "boost": SCORE_FACTOR,
            }
            scored = [{"prefix": {WEIGHTS: lemmas}}]
            scored += [_scored(lemma) for lemma in node.lemmas]
            forms = {"prefix": {FORMS: clip(node.stem)}}
            return {"bool": {"filter": [forms], "should": scored}}
        case Sources():
            if not node.names:
                return {"match_none": {}}
            return {"constant_score": {"filter": {"terms": {"source": list(node.names)}}}}
        case Coordinated() | AnyOf():
            parts = [compile_plan(part) for part in node.parts]
            return {"bool": {"should": parts, "minimum_should_match": 1}}
        case AllOf():
            return {"bool": {"must": [compile_plan(part) for part in node.parts]}}
        case OneOf():
            return {"dis_max": {"queries": [compile_plan(part) for part in node.parts]}}
        case Filtered():
            query: Query = {"must": [compile_plan(node.scored)]}
            if node.required:
                query["filter"] = [compile_plan(part) for part in node.required]
            # A part is left out only where its query matches exactly what the plan does:
            # a wider one would leave out paragraphs the plan keeps. The rest the
            # rescoring leaves out.
            excluded = [compile_plan(part) for part in node.excluded if exact(part)]
            if excluded:
                query["must_not"] = excluded
            return {"bool": query}
    raise TypeError(f"not a plan: {node!r}")


def exact(node: Node) -> bool:
    """Whether the query of a plan part matches exactly the paragraphs the part does (a
    phrase's slop, a prefix of forms and an exact form only come close).

    >>> exact(Word(("сирия",))), exact(Prefix("сир"))
    (True, False)
    """
    match node:
        case Word():
            return node.form is None
        case Sources():
            return True
        case Coordinated() | AnyOf() | AllOf() | OneOf():
            return all(exact(part) for part in node.parts)
        case Filtered():
            return all(exact(part) for part in (node.scored, *node.required, *node.excluded))
    return False


def _term(field: str, value: str, boost: float = 1.0) -> Query:
    if boost == 1.0:
        return {"term": {field: clip(value)}}
    return {"term": {field: {"value": clip(value), "boost": boost}}}


def _scored(lemma: str, weight: float = 1.0) -> Query:
    """A lemma scored by its weighted term frequency, as our BM25 scores it."""
    return _term(WEIGHTS, lemma, weight * SCORE_FACTOR)


def _any_span(lemmas: tuple[str, ...]) -> Query:
    spans = [{"span_term": {LEMMAS: clip(lemma)}} for lemma in lemmas]
    return spans[0] if len(spans) == 1 else {"span_or": {"clauses": spans}}
