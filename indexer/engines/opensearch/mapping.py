"""How paragraphs are laid out in OpenSearch: pre-analysed fields and their mapping.

Each word position goes as the group of its lemmas joined by ``|`` (``стать|сталь``,
``воздушно-космический|воздушно|воздушный|космический``); the index splits the text at
spaces and each group into its lemmas, all at the word's position, so the engine sees
exactly the terms and positions our analysis made. A second field holds the word forms
(lower case, ё→е) at the same positions, for ``=exact`` and ``prefix*``.

Scores come from a third field, without positions (Lucene cannot take custom term
frequencies with positions): each lemma once with its term frequency in
:data:`~indexer.readings.WEIGHT_UNITS` (``стать|100 сталь|5``, how likely its words mean
it, :mod:`indexer.readings`), read by the ``delimited_term_freq`` filter, and a filler
term (:data:`FILLER`) whose frequency makes the field's length that many units times the
paragraph's length as BM25 counts it. Its similarity is BM25 with ``k1`` in those units
too: OpenSearch's BM25 then scores ours times ``(100 k1 + 1) / (k1 + 1)`` (its ``k1 + 1``
factor is the only part the units do not cancel), which the queries undo by a boost of
:data:`SCORE_FACTOR`.

The paragraph's text, its source, number and length (as BM25 counts it) are kept with
it; file records live in a companion index.
"""

from __future__ import annotations

from typing import Any

from ...analysis import ANALYSIS_VERSION, INDEX
from ...forms import surface_form
from ...ranking import BM25_B, BM25_K1
from ...readings import WEIGHT_UNITS, units

#: Bumped whenever what is indexed changes; an index of another version must be rebuilt.
SCHEMA_VERSION = 3
#: Marks the indexes as ours.
FORMAT = "indexer paragraph index"
#: Lucene refuses a term over 32,766 bytes of UTF-8; a word that long is no word.
MAX_TERM_CHARACTERS = 4000
LEMMAS, FORMS, TEXT, WEIGHTS = "lemmas", "forms", "text", "weights"
#: The term of the weights field that only fills its length: no word is an underscore.
FILLER = "_"
#: The boost that brings a score of the weights field back to our BM25 (see the module).
SCORE_FACTOR = (BM25_K1 + 1) / (BM25_K1 * WEIGHT_UNITS + 1)
_META = {"format": FORMAT, "schema": SCHEMA_VERSION, "analysis": ANALYSIS_VERSION}


def clip(term: str) -> str:
    """A term as the index keeps it."""
    return term[:MAX_TERM_CHARACTERS]


def paragraph_fields(text: str) -> dict[str, Any]:
    """The indexed fields of a paragraph's text.

    >>> fields = paragraph_fields("Цены стали")
    >>> fields["lemmas"], fields["forms"], fields["weights"], fields["length"]
    ('цена стать|сталь', 'цены стали', 'цена|100 стать|98 сталь|2 _|100', 3)
    """
    lemmas: list[dict[str, None]] = []
    forms: list[dict[str, None]] = []
    summed: dict[str, float] = {}
    length = 0
    for word in INDEX(text):
        if word.position == len(lemmas):
            lemmas.append({})
            forms.append({})
        lemmas[-1].update(dict.fromkeys(clip(lemma) for lemma in word.lemmas))
        forms[-1][clip(surface_form(word.text))] = None
        length += len(word.lemmas)
        for lemma, weight in zip(word.lemmas, word.weights, strict=True):
            summed[clip(lemma)] = summed.get(clip(lemma), 0.0) + weight
    frequencies = {lemma: units(weight) for lemma, weight in summed.items()}
    filler = length * WEIGHT_UNITS - sum(frequencies.values())
    if filler > 0:
        frequencies[FILLER] = filler
    return {
        LEMMAS: " ".join("|".join(group) for group in lemmas),
        FORMS: " ".join("|".join(group) for group in forms),
        WEIGHTS: " ".join(f"{lemma}|{units}" for lemma, units in frequencies.items()),
        TEXT: text,
        # Every lemma of every word and part counts, as in the embedded index (the
        # cluster counts a lemma two parts share once); exact here, for the average,
        # and rounded for BM25 (ranking.counted_length).
        "length": length,
    }


def frequencies(weights: str) -> dict[str, int]:
    """The term frequencies of a paragraph's weights field, in weight units.

    >>> frequencies("цена|100 стать|100 сталь|5 _|95")["сталь"]
    5
    """
    found = (term.rpartition("|") for term in weights.split(" ") if term)
    return {lemma: int(units) for lemma, _, units in found}


def paragraph_index(shards: int, replicas: int) -> dict[str, Any]:
    """Settings and mappings of a paragraph index."""
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas},
            "analysis": {
                "tokenizer": {
                    # Longer tokens would be cut and shift every later position.
                    "positions": {"type": "whitespace", "max_token_length": 1 << 20}
                },
                "filter": {
                    "alternatives": {
                        "type": "pattern_capture",
                        "patterns": ["([^|]+)"],
                        "preserve_original": False,
                    },
                    "frequency": {"type": "delimited_term_freq", "delimiter": "|"},
                },
                "analyzer": {
                    "groups": {
                        "type": "custom",
                        "tokenizer": "positions",
                        "filter": ["alternatives", "remove_duplicates"],
                    },
                    "frequencies": {
                        "type": "custom",
                        "tokenizer": "positions",
                        "filter": ["frequency"],
                    },
                },
            },
            "similarity": {
                # Frequencies and the length in weight units (see the module).
                "weighted": {
                    "type": "BM25",
                    "b": BM25_B,
                    "k1": BM25_K1 * WEIGHT_UNITS,
                    "discount_overlaps": False,
                }
            },
        },
        "mappings": {
            "_meta": {"indexer": _META},
            "dynamic": "strict",
            # The lemma groups and weights stay in the source: they give a paragraph's
            # positions and term frequencies.
            "_source": {"excludes": [FORMS]},
            "properties": {
                LEMMAS: {"type": "text", "analyzer": "groups", "norms": False},
                WEIGHTS: {
                    "type": "text",
                    "analyzer": "frequencies",
                    "similarity": "weighted",
                    "index_options": "freqs",
                },
                FORMS: {
                    "type": "text",
                    "analyzer": "groups",
                    "norms": False,
                    "index_options": "positions",
                },
                TEXT: {"type": "text", "index": False},
                "source": {"type": "keyword"},
                "paragraph": {"type": "integer"},
                "length": {"type": "integer"},
            },
        },
    }


def files_index(shards: int, replicas: int) -> dict[str, Any]:
    """Settings and mappings of the companion index of file records (and the lock)."""
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "mappings": {
            "_meta": {"indexer": _META},
            "dynamic": "strict",
            "properties": {
                "kind": {"type": "keyword"},
                "source": {"type": "keyword"},
                "size": {"type": "long"},
                "mtime_ns": {"type": "long"},
                "sha": {"type": "keyword"},
                "problem": {"type": "keyword", "index": False},
                "owner": {"type": "keyword"},
                "heartbeat": {"type": "double"},
            },
        },
    }
