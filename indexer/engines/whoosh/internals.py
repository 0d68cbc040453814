"""Every place the embedded engine reaches past Whoosh's public API, by name.

Two shortcuts make search fast and need Whoosh's insides: a posting list read a block
of 128 postings at a time (:func:`block_arrays`, :func:`next_block`), and the encoded
paragraph lengths of a segment read in one go (:func:`length_bytes`); the storage maps
files into memory (:func:`file_path`, :func:`mapped_file`), and the array codec
(:mod:`.codec`) subclasses Whoosh's own and keeps its attributes
(:data:`CODEC_WRITER_ATTRIBUTES`, :data:`CODEC_MATCHER_ATTRIBUTES`).

Nothing here falls back quietly: an upgrade of whoosh-reloaded that removes one of
these raises, and ``tests/test_whoosh_internals.py`` names which.
"""

from __future__ import annotations

import mmap
from collections.abc import Sequence
from typing import Any

#: What :class:`.codec.ArrayPostingsWriter` reads and sets of Whoosh's postings writer.
CODEC_WRITER_ATTRIBUTES = (
    "_ids", "_weights", "_values", "_maxweight", "_minlength", "_maxlength", "_blocklimit",
    "_terminfo", "_format", "_compression", "_postfile", "_blockcount", "_new_block",
)  # fmt: skip
#: What :class:`.codec.ArrayLeafMatcher` reads and sets of Whoosh's leaf matcher.
CODEC_MATCHER_ATTRIBUTES = (
    "_startoffset", "_baseoffset", "_data", "_ids", "_weights", "_values", "_i",
    "_blocklength", "_maxid", "_maxweight", "_lastblock", "_minlength", "_maxlength",
    "_postfile", "_next_block", "_fixedsize", "_read_header", "_goto", "_read_ids",
    "_read_weights", "_read_values",
)  # fmt: skip
#: What the codec reads of Whoosh's codec: its block size, compression and inlining.
CODEC_ATTRIBUTES = ("_blocklimit", "_compression", "_inlinelimit")


def block_arrays(matcher: Any) -> tuple[Sequence[int], Sequence[float]]:
    """The document numbers and weights of the block a leaf matcher is in, whole."""
    matcher.id(), matcher.weight()  # loads the block's arrays
    return matcher._ids, matcher._weights


def next_block(matcher: Any) -> None:
    """Move a leaf matcher to the first posting of its next block."""
    matcher._next_block()


def length_bytes(reader: Any, fieldname: str) -> bytes:
    """A segment's column of encoded field lengths: a byte per document up to the last
    that has the field (none in a segment that only holds file records)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:
        return b""
    return bytes(column._dbfile.get(column._basepos, column._count))


def file_path(storage: Any, name: str) -> str:
    """Where a file of a Whoosh ``FileStorage`` is on disk."""
    return str(storage._fpath(name))


def mapped_file(mapped: mmap.mmap, name: str) -> Any:
    """A Whoosh ``BufferFile`` that reads a memory map without copying it."""
    from whoosh.filedb.structfile import BufferFile

    found = BufferFile.__new__(BufferFile)
    found._buf = found.file = mapped
    found._name, found.onclose = name, None
    found.is_real = found.is_closed = False
    return found
