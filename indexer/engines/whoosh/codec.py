"""Posting lists stored as machine arrays: Whoosh's block layout at a third of its size.

Whoosh 3 pickles each block of up to 128 postings (document numbers as Python ints,
frequencies as Python floats, nine bytes each before compression, every value a bytes
object with its own header) behind a pickled block header. On the news corpus that was
half of the whole index. Here a block is a fixed 24-byte header followed by arrays of the
smallest item type that holds the block's numbers, compressed when that helps.

Blocks keep the statistics Whoosh's matchers read (count, first and last document,
highest weight, shortest and longest field), so block-max skipping and every score stay
as they were. Term vectors, which this project does not store, keep Whoosh's own layout.

Whoosh names the codec class in each index's table of contents (it pickles the codec
with every segment): renaming or moving it, or changing the layout, needs a new
``SCHEMA_VERSION``, so that older indexes are rebuilt instead of misread.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import accumulate, pairwise
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ReadTooFar
from whoosh.util.numeric import byte_to_length, length_to_byte

from .packing import little_endian, packed, unpacked

# The length of the block's arrays in bytes, its postings, first and last document
# number, highest weight, shortest and longest field (Whoosh's length bytes), the item
# types of the document-number gaps, the weights and the value lengths, and flags.
_HEADER = struct.Struct("<IHIIfBBcccB")
_COMPRESSED, _LAST = 1, 2
# zlib's own header and checksum outweigh what it saves on fewer bytes than this.
_WORTH_COMPRESSING = 24
#: The item type of an array that is not stored: weights all the block's highest, values
#: of a fixed size.
_ABSENT = b"-"


class ArrayCodec(W3Codec):
    """Whoosh's default codec with posting blocks stored as arrays (see the module)."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:
            return super().postings_writer(dbfile, byteids=True)
        return ArrayPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return ArrayFieldWriter(self, storage, segment)


class ArrayFieldWriter(W3FieldWriter):
    """Whoosh's own field writer, asking a document's field length once per document.

    Whoosh asks for the length of each posting's document (to keep each block's
    shortest and longest) from the segment's length column, several calls deep: a tenth
    of a build went there.
    """

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        super().add_postings(schema, _LengthsOnce(lengths) if lengths else lengths, items)


class _LengthsOnce:
    """The field lengths of a segment's documents, each field's read in one go."""

    def __init__(self, lengths: Any) -> None:
        self._lengths = lengths
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str) -> int:
        found = self._fields.get(fieldname)
        if found is None:
            length, count = self._lengths.doc_field_length, self._lengths.doc_count_all()
            found = self._fields[fieldname] = [length(n, fieldname) for n in range(count)]
        return found[docnum]


class ArrayPostingsWriter(W3PostingsWriter):
    """Writes the blocks of :class:`ArrayCodec`."""

    # The current block's statistics, as Whoosh's own writer keeps them.
    _maxweight: float
    _minlength: int | None
    _maxlength: int

    def add_posting(
        self, id_: int, weight: float, vbytes: bytes, length: int | None = None
    ) -> None:
        # Whoosh's own drops empty values, which would shift the rest against their ids.
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        self._values.append(vbytes)
        if weight > self._maxweight:
            self._maxweight = weight
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def _write_block(self, last: bool = False) -> None:
        self._terminfo.add_block(self)
        ids = self._ids
        gap_code, gaps = packed([b - a for a, b in pairwise(ids)])
        weight_code, weights = _packed_weights(self._weights)
        size = self._format.fixed_value_size()
        if size is not None and size >= 0:
            length_code, lengths = _ABSENT, b""
            values = b"".join(self._values) if size else b""
        else:
            length_code, lengths = packed([len(value) for value in self._values])
            values = b"".join(self._values)
        body = gaps + weights + lengths + values
        flags = _LAST if last else 0
        if self._compression and len(body) >= _WORTH_COMPRESSING:
            squeezed = zlib.compress(body, self._compression)
            if len(squeezed) < len(body):
                body, flags = squeezed, flags | _COMPRESSED
        header = _HEADER.pack(
            len(body),
            len(ids),
            ids[0],
            ids[-1],
            self._maxweight,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
            gap_code,
            weight_code,
            length_code,
            flags,
        )
        self._postfile.write(header)
        self._postfile.write(body)
        self._blockcount += 1
        self._new_block()


class ArrayLeafMatcher(W3LeafMatcher):
    """Reads the blocks of :class:`ArrayCodec`; otherwise Whoosh's own leaf matcher."""

    # The current block's arrays, read when first asked for.
    _ids: Sequence[int] | None
    _weights: Sequence[float] | None
    _values: Sequence[bytes | None] | None
    _data: tuple[bytes, int] | None

    def _read_header(self) -> None:
        self._baseoffset = self._startoffset

    def _goto(self, position: int) -> None:
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        (
            length,
            self._blocklength,
            self._minid,
            self._maxid,
            self._maxweight,
            shortest,
            longest,
            *self._codes,
            flags,
        ) = _HEADER.unpack(self._postfile.get(position, _HEADER.size))
        self._lastblock = bool(flags & _LAST)
        self._compressed = bool(flags & _COMPRESSED)
        self._dataoffset = position + _HEADER.size
        self._nextoffset = self._dataoffset + length
        self._minlength = byte_to_length(shortest)
        self._maxlength = byte_to_length(longest)

    def block_min_id(self) -> int:
        return self._minid

    def skip_to(self, targetid: int) -> None:
        # Whoosh's own steps through a block one posting at a time.
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        while targetid > self._maxid:
            self._next_block()
            if not self.is_active():
                return
        self._i = bisect_left(self._block_ids(), targetid, self._i)

    def _block_ids(self) -> Sequence[int]:
        if self._ids is None:
            self._read_data()
        assert self._ids is not None
        return self._ids

    def _read_data(self) -> None:
        body = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compressed:
            body = zlib.decompress(body)
        count = self._blocklength
        gap_code, weight_code, _ = self._codes
        gaps, at = _unpacked(gap_code, body, 0, count - 1)
        self._ids = tuple(accumulate(gaps or (), initial=self._minid))
        weights, at = _unpacked(weight_code, body, at, count)
        # Floats, as Whoosh's own matcher gives them; none stored: all the highest.
        self._weights = (self._maxweight,) * count if weights is None else array("f", weights)
        self._data = (body, at)

    _read_ids = _read_weights = _read_data

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        assert self._data is not None
        body, at = self._data
        count, size = self._blocklength, self._fixedsize
        lengths, at = _unpacked(self._codes[2], body, at, count)
        if lengths is not None:
            self._values = _Values(body, list(accumulate(lengths, initial=at)))
        elif size:
            self._values = _Values(body, list(range(at, len(body) + 1, size)))
        else:
            self._values = (None,) * count


class _Values(Sequence[bytes]):
    """The values of a block, each cut from the block's bytes when asked for: a search
    reads the positions of a few postings of the blocks it passes through, not all 128."""

    def __init__(self, body: bytes, ends: list[int]) -> None:
        self._body = body
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends) - 1

    def __iter__(self) -> Iterator[bytes]:
        # A phrase reads every value of a block: cut them in one go, not one call each.
        body, ends = self._body, self._ends
        return (body[a:b] for a, b in pairwise(ends))

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]
        # Whoosh asks for one posting's value by its index in the block, and nothing else.
        return self._body[self._ends[i] : self._ends[i + 1]]


def _packed_weights(weights: Sequence[float]) -> tuple[bytes, bytes]:
    # Weights are term frequencies in weight units: whole numbers, nearly all of a block
    # the same (a word that means one lemma once), which the header's highest holds.
    if all(weight == weights[0] for weight in weights):
        return _ABSENT, b""
    if all(0 <= weight < 2**32 and weight.is_integer() for weight in weights):
        return packed([int(weight) for weight in weights])
    return b"f", little_endian(array("f", weights))


def _unpacked(code: bytes, body: bytes, at: int, count: int) -> tuple[array[Any] | None, int]:
    """The array of ``count`` items of type ``code`` at ``body[at:]``, and where it ends."""
    if code == _ABSENT:
        return None, at
    items = unpacked(code.decode("ascii"), body, at, count)
    return items, at + count * items.itemsize
