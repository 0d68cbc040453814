"""The Whoosh schema: one document per paragraph, plus one record per source file.

A file record (``kind="file"``) holds what sync needs to know without reading the file
again; it lives in the index itself so that it is committed together with the
paragraphs it describes. It names its source in a field of its own (``file``), so that
no query on paragraphs, ``source:`` included, can ever match it.

The paragraph field is analysed by the core's :data:`indexer.analysis.INDEX`: its
postings come straight from the analyzer's cached words (:class:`LemmaPositions`),
and :class:`LemmaAnalyzer` hands the same words to Whoosh as tokens where Whoosh asks
for them itself.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.formats import Positions

from ...analysis import INDEX
from .packing import ITEM_SIZE, packed, unpacked

#: Bumped whenever the schema or the analysis changes what is indexed; an index built
#: with another version must be rebuilt.
SCHEMA_VERSION = 10

#: The field that holds a paragraph's text, indexed by lemmas with positions.
CONTENT = "content"

#: Positions of one lemma in one paragraph that phrases and proximity see (its term
#: frequency counts them all): no paragraph of prose repeats a word so often.
MAX_POSITIONS = 1_000


class LemmaAnalyzer(Analyzer):
    """:data:`indexer.analysis.INDEX` as a Whoosh analyzer: every lemma of a word a token
    at the word's position, with the word's (or the compound part's) offsets.

    >>> [(t.text, t.pos) for t in LemmaAnalyzer()("Цены стали", positions=True)]
    [('цена', 0), ('стать', 1), ('сталь', 1)]
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        start_pos: int = 0,
        start_char: int = 0,
        **kwargs: Any,
    ) -> Iterator[Token]:
        if not isinstance(value, str):
            raise TypeError(f"expected str, got {type(value).__name__}")
        token = Token(positions, chars, **kwargs)
        for word in INDEX(value):
            if positions:
                token.pos = start_pos + word.position
            if chars:
                token.startchar, token.endchar = start_char + word.start, start_char + word.end
            for lemma in word.lemmas:
                token.text = lemma
                token.boost = 1.0
                token.stopped = False
                yield token


class LemmaPositions(Positions):
    """Whoosh's ``Positions`` postings, computed without a Token per lemma.

    What it yields is what ``Positions`` makes of :class:`LemmaAnalyzer`'s tokens
    (``tests`` check it on random text), but straight from the analyzer's cached words
    (:meth:`indexer.analysis.Analyzer.positions`): indexing spent a quarter of its time
    otherwise on passing tokens from tokenizer to filter to format. The weight of a
    posting is the lemma's term frequency in :data:`indexer.readings.WEIGHT_UNITS`
    (how likely each word means it, summed), not its count of words.
    """

    def word_values(
        self, value: str, analyzer: object, **kwargs: object
    ) -> Iterator[tuple[str, int, float, bytes]]:
        # The weight is the term frequency in weight units (indexer.readings), the
        # frequency the count of words, which the paragraph's length sums.
        boost = self.field_boost
        for lemma, found, units in INDEX.postings(value):
            yield lemma, len(found), units * boost, self.encode(found)

    # Positions as an array of deltas, one or two bytes each where they fit: Whoosh
    # pickles a list per posting, headers and all.

    def encode(self, poslist: list[int]) -> bytes:
        if len(poslist) == 1:
            return _encoded_alone(poslist[0])
        code, items = packed([b - a for a, b in zip([0, *poslist], poslist, strict=False)])
        return code + items

    def decode_positions(self, valuestring: bytes) -> list[int]:
        # The first MAX_POSITIONS only: Whoosh matches phrases pair by pair of
        # positions, which on a paragraph of millions of words never ends.
        code = chr(valuestring[0])
        count = min(MAX_POSITIONS, (len(valuestring) - 1) // ITEM_SIZE[code])
        return list(accumulate(unpacked(code, valuestring, 1, count)))

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // ITEM_SIZE[chr(valuestring[0])]


@functools.lru_cache(maxsize=1 << 12)
def _encoded_alone(position: int) -> bytes:
    # Most lemmas of a paragraph stand in it once, at one of its first few hundred words.
    return b"".join(packed([position]))


def build_schema() -> Schema:
    """The schema of a paragraph index."""
    content = TEXT(analyzer=LemmaAnalyzer(), phrase=True, stored=True)
    content.format = LemmaPositions(field_boost=content.format.field_boost)
    return Schema(
        # Paragraphs: their text, where they come from, and their number in it.
        content=content,
        source=ID(stored=True),
        paragraph=STORED(),
        # File records: the fingerprint sync compares, and why a file gave no text.
        kind=ID(),
        file=ID(stored=True),
        size=STORED(),
        mtime_ns=STORED(),
        sha=STORED(),
        problem=STORED(),
    )
