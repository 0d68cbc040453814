"""Plans (:mod:`indexer.plan`) as OpenSearch queries, built by hand.

The query finds the candidates and ranks them roughly as we would: a ``dis_max`` per
word over its lemmas (``match`` would blend stacked tokens into one synonym query),
BM25 with our constants from the field's similarity. It matches at least every
paragraph the plan matches — a phrase's slop is Lucene's total over the phrase, a
superset of our per-gap slop, and a prefix matches word forms — and the candidates are
then scored by the plan's own evaluation (:func:`indexer.explain.evaluate`).
"""

from __future__ import annotations

from typing import Any

from ...plan import AllOf, AnyOf, Coordinated, Filtered, Node, PhraseWords, Prefix, Sources, Word
from ...ranking import RELATED_WEIGHT
from .mapping import FORMS, LEMMAS, clip

#: A prefix is expanded into at most this many word forms, the most frequent first.
PREFIX_TERMS = 512

Query = dict[str, Any]


def compile_plan(node: Node) -> Query:
    """The OpenSearch query of a plan."""
    match node:
        case Word():
            terms = [_term(LEMMAS, lemma) for lemma in node.lemmas]
            # At the related lemmas' nominal weight: their exact weight needs statistics
            # the rescoring asks for in this very request.
            terms += [_term(LEMMAS, lemma, RELATED_WEIGHT) for lemma in node.related]
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
            return {"span_near": near}
        case Prefix():
            prefix = {"value": clip(node.stem), "rewrite": f"top_terms_{PREFIX_TERMS}"}
            return {"prefix": {FORMS: prefix}}
        case Sources():
            if not node.names:
                return {"match_none": {}}
            return {"constant_score": {"filter": {"terms": {"source": list(node.names)}}}}
        case Coordinated() | AnyOf():
            parts = [compile_plan(part) for part in node.parts]
            return {"bool": {"should": parts, "minimum_should_match": 1}}
        case AllOf():
            return {"bool": {"must": [compile_plan(part) for part in node.parts]}}
        case Filtered():
            query: Query = {"must": [compile_plan(node.scored)]}
            if node.required:
                query["filter"] = [compile_plan(part) for part in node.required]
            if node.excluded:
                query["must_not"] = [compile_plan(part) for part in node.excluded]
            return {"bool": query}
    raise TypeError(f"not a plan: {node!r}")


def _term(field: str, value: str, boost: float = 1.0) -> Query:
    if boost == 1.0:
        return {"term": {field: clip(value)}}
    return {"term": {field: {"value": clip(value), "boost": boost}}}


def _any_span(lemmas: tuple[str, ...]) -> Query:
    spans = [{"span_term": {LEMMAS: clip(lemma)}} for lemma in lemmas]
    return spans[0] if len(spans) == 1 else {"span_or": {"clauses": spans}}
