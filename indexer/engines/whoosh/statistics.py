"""Collection statistics of a Whoosh index of paragraphs, asked once per searcher."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cached_property
from typing import Any
from weakref import WeakKeyDictionary

from whoosh.util.numeric import byte_to_length

from .internals import length_bytes
from .schema import CONTENT


class WhooshStatistics:
    """:class:`indexer.ranking.Statistics` of the paragraphs a searcher sees.

    Deleted documents count until their segment is merged away, as they do in Whoosh's
    document frequencies and field lengths: the statistics stay consistent. A query asks
    for the same few frequencies again and again (scores, coordination, proximity,
    related words), and each answer is a lookup in every segment's term table: they
    are asked of Whoosh once.
    """

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._frequencies: dict[str, int] = {}

    @cached_property
    def paragraphs(self) -> int:
        """Every document except the file records."""
        files = self.searcher.doc_frequency("kind", "file")
        return max(1, self.searcher.doc_count_all() - files)

    @cached_property
    def average_length(self) -> float:
        return float(self.searcher.field_length(CONTENT) / self.paragraphs or 1)

    @cached_property
    def _segments(self) -> list[Any]:
        return [reader for reader, _offset in self.searcher.reader().leaf_readers()]

    def frequency(self, lemma: str) -> int:
        known = self._frequencies.get(lemma)
        if known is None:
            known = self._frequencies[lemma] = sum(
                segment_frequency(reader, lemma) for reader in self._segments
            )
        return known

    def frequencies(self, lemmas: Collection[str]) -> dict[str, int]:
        return {lemma: self.frequency(lemma) for lemma in lemmas}


_statistics: WeakKeyDictionary[Any, WhooshStatistics] = WeakKeyDictionary()


def statistics(searcher: Any) -> WhooshStatistics:
    """The statistics of the whole index a searcher (or one of its segments) is part of."""
    parent = searcher.get_parent()
    found = _statistics.get(parent)
    if found is None:
        found = _statistics[parent] = WhooshStatistics(parent)
    return found


_segment_frequencies: WeakKeyDictionary[Any, dict[str, int]] = WeakKeyDictionary()


def segment_frequency(reader: Any, lemma: str) -> int:
    """How many paragraphs of one segment have ``lemma`` (0: the segment lacks it).

    Asked of the segment's term table once per reader: a search asks of each of its
    lemmas whether each segment has it before reading the postings, and every
    question of Whoosh's costs a lookup of tens of microseconds.
    """
    known = _segment_frequencies.get(reader)
    if known is None:
        known = _segment_frequencies[reader] = {}
    found = known.get(lemma)
    if found is None:
        found = known[lemma] = reader.doc_frequency(CONTENT, lemma)
    return found


_lengths: WeakKeyDictionary[Any, Sequence[int]] = WeakKeyDictionary()


def paragraph_lengths(reader: Any) -> Sequence[int]:
    """The paragraph lengths BM25 uses, by document number, read from a segment at once.

    Whoosh answers one document at a time through five calls; the column of encoded
    lengths is a byte per document, read here in one go.
    """
    found = _lengths.get(reader)
    if found is None:
        table = [byte_to_length(code) for code in range(256)]
        found = _lengths[reader] = list(map(table.__getitem__, length_bytes(reader, CONTENT)))
    return found
