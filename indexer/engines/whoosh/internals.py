"""Every place the embedded engine reaches past Whoosh's public API, by name.

Two shortcuts make search fast and need Whoosh's insides: a posting list read a block
of 128 postings at a time (:func:`block_arrays`, :func:`block_values`,
:func:`next_block`), and the encoded
paragraph lengths of a segment read in one go (:func:`length_bytes`); the storage maps
files into memory (:func:`file_path`, :func:`mapped_file`) and reads and writes a
shard's table of contents itself (:func:`read_toc`, :class:`PinnedIndex`,
:func:`deferred_clean_writer`), and the array codec
(:mod:`.codec`) subclasses Whoosh's own and keeps its attributes
(:data:`CODEC_WRITER_ATTRIBUTES`, :data:`CODEC_MATCHER_ATTRIBUTES`).

Nothing here falls back quietly: an upgrade of whoosh-reloaded that removes one of
these raises, and ``tests/test_seam.py`` names which.
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
#: What :class:`.codec.ArrayFieldWriter` overrides of Whoosh's field writer, to hand it
#: a segment's field lengths read once per document.
CODEC_FIELD_WRITER_ATTRIBUTES = ("add_postings",)


def block_arrays(matcher: Any) -> tuple[Sequence[int], Sequence[float]]:
    """The document numbers and weights of the block a leaf matcher is in, whole."""
    matcher.id(), matcher.weight()  # loads the block's arrays
    return matcher._ids, matcher._weights


def block_values(matcher: Any) -> Sequence[bytes]:
    """The encoded values (positions) of the block a leaf matcher is in, whole."""
    matcher.value()  # loads the block's values
    return matcher._values


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


#: What a table of contents of Whoosh's may hold besides plain data: its segments, their
#: codec and their field lengths. Nothing else is ever built from an index's files.
TOC_CLASSES = {
    ("whoosh.codec.whoosh3", "W3Segment"),
    ("whoosh.codec.whoosh3", "W3Codec"),
    ("indexer.engines.whoosh.codec", "ArrayCodec"),
    ("collections", "defaultdict"),
    ("builtins", "int"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
}


def read_toc(storage: Any, indexname: str, commit: int) -> list[Any]:
    """The segments of one commit of a Whoosh index (its ``_<name>_<commit>.toc``),
    read as Whoosh's ``TOC.read`` does but never unpickling the schema (ours is known)
    and unpickling the segment list with :data:`TOC_CLASSES` only: a planted file
    cannot run code.

    :raises pickle.UnpicklingError: the file names anything else.
    """
    import io
    import pickle

    from whoosh.index import _CURRENT_TOC_VERSION, TOC

    class SegmentsOnly(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) not in TOC_CLASSES:
                raise pickle.UnpicklingError(f"{module}.{name} in a table of contents")
            return super().find_class(module, name)

    stream = storage.open_file(TOC._filename(indexname, commit))
    try:
        for _ in range(3):  # the sizes of int, long and float
            stream.read_varint()
        if stream.read_int() != -12345 or stream.read_int() != _CURRENT_TOC_VERSION:
            raise ValueError("not a table of contents of this Whoosh version")
        for _ in range(3):  # the Whoosh release that wrote it
            stream.read_varint()
        stream.skip_string()  # the pickled schema
        if stream.read_int() != commit:
            raise ValueError("a table of contents of another commit")
        stream.read_int()
        segments = SegmentsOnly(io.BytesIO(stream.read())).load()
    finally:
        stream.close()
    if not isinstance(segments, list):
        raise ValueError("a table of contents without a segment list")
    return segments


class PinnedIndex:
    """What a Whoosh ``SegmentWriter`` asks of its index, at a given commit of it rather
    than at the newest table of contents in the directory (which may be a commit that
    was never made live), read with :func:`read_toc`."""

    def __init__(self, storage: Any, schema: Any, indexname: str, commit: int) -> None:
        self.storage, self.schema, self.indexname, self.commit = storage, schema, indexname, commit

    def lock(self, name: str) -> Any:
        return self.storage.lock(f"{self.indexname}_{name}")

    def _read_toc(self) -> Any:
        from whoosh.index import TOC

        segments = read_toc(self.storage, self.indexname, self.commit)
        return TOC(self.schema, segments, self.commit)


def deferred_clean_writer(index: PinnedIndex, **options: Any) -> Any:
    """A Whoosh ``SegmentWriter`` whose commit writes the shard's next table of contents
    and deletes nothing: the files of the commit it replaces stay until the storage
    makes the new commits of all shards live at once, and searches still read them."""
    from whoosh.index import TOC
    from whoosh.writing import SegmentWriter

    class DeferredCleanWriter(SegmentWriter):
        def _commit_toc(self, segments: list[Any]) -> None:
            TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)

    return DeferredCleanWriter(index, **options)
