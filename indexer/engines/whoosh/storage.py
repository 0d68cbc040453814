"""The index directory: a marker file, the live generation, and its shards.

``indexer.json`` names the live generation and how many shards it has. Each shard is
a Whoosh index of its own (named ``g3s0``, ``g3s1``, …), so that a big build can write
the shards in parallel processes; searches read all shards through one ``MultiReader``,
so scores use statistics of the whole collection whatever the split. A source always
lives in the same shard (a hash of its name). A rebuild writes a new generation beside
the old one and switches the marker once every shard is committed.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Iterable
from typing import Any

from ...analysis import ANALYSIS_VERSION
from ...engine import partition
from ...errors import IndexBusyError, IndexLocationError, SchemaMismatchError

MARKER = "indexer.json"
_FORMAT = "indexer paragraph index"
#: More shards than cores buys nothing; one per core, up to this many.
MAX_SHARDS = 4
#: Memory for the posting buffers of the writers at work, shared among them (Whoosh's
#: own estimate; a process peaks at about 1.3 times it). A writer whose postings fit
#: never spills them to disk and merges them back, the slowest part of a big build:
#: the news corpus's shards fit in 1,024 MB and built 1.4 times faster than in 256.
WRITER_MEMORY_MB = 1024


def default_shards() -> int:
    """How many shards a new generation gets: one per core, at most :data:`MAX_SHARDS`."""
    return max(1, min(os.cpu_count() or 1, MAX_SHARDS))


def shard_of(source: str, shards: int) -> int:
    """The shard a source lives in (stable across processes and runs)."""
    return partition(source, shards)


def _make_private_dirs(path: str) -> None:
    """Create a folder and the folders above it that are missing, readable by this user
    only: an index holds the text of the documents it was made from."""
    mask = os.umask(0o077)
    try:
        os.makedirs(path, exist_ok=True)
    finally:
        os.umask(mask)


def shard_name(generation: str, shard: int) -> str:
    """The Whoosh index name of one shard of a generation."""
    return f"{generation}s{shard}"


class Storage:
    """An index directory, checked on opening and created when new or empty.

    :raises IndexLocationError: the directory is a file, cannot be created or written,
        or holds files that are not an index of ours.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        if os.path.exists(path) and not os.path.isdir(path):
            raise IndexLocationError(f"index location «{path}» is a file, not a directory")
        try:
            _make_private_dirs(path)
            entries = os.listdir(path)
        except OSError as exc:
            raise IndexLocationError(f"cannot use «{path}» as an index: {exc.strerror}") from exc
        if MARKER in entries:
            self._read_marker()
        elif entries:
            raise IndexLocationError(
                f"«{path}» is not empty and holds no index of ours; "
                "choose an empty or new directory for the index"
            )
        else:
            self.generation, self.shards = "g1", default_shards()
            self.create_generation(self.generation, self.shards)
            self.switch(self.generation, self.shards)

    # -- the marker ------------------------------------------------------------------

    def _read_marker(self) -> None:
        from .schema import SCHEMA_VERSION

        try:
            with open(os.path.join(self.path, MARKER), encoding="utf-8") as file:
                marker = json.load(file)
            if marker.get("format") != _FORMAT:
                raise ValueError(marker.get("format"))
            self.generation = str(marker["generation"])
            self.shards = int(marker.get("shards", 1))
            self.stale = (marker["schema"], marker.get("analysis")) != (
                SCHEMA_VERSION,
                ANALYSIS_VERSION,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IndexLocationError(
                f"«{self.path}» holds an {MARKER} that is not ours; "
                "choose another directory for the index"
            ) from exc

    def switch(self, generation: str, shards: int) -> None:
        """Make a committed generation the live one, and drop the one it replaces."""
        from .schema import SCHEMA_VERSION

        old = getattr(self, "generation", None)
        marker = {
            "format": _FORMAT,
            "schema": SCHEMA_VERSION,
            "analysis": ANALYSIS_VERSION,
            "generation": generation,
            "shards": shards,
        }
        temporary = os.path.join(self.path, f".{MARKER}.tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump(marker, file)
            os.replace(temporary, os.path.join(self.path, MARKER))
        except OSError as exc:
            raise IndexLocationError(
                f"cannot write to index «{self.path}»: {exc.strerror}"
            ) from exc
        self.generation, self.shards, self.stale = generation, shards, False
        if old is not None and old != generation:
            self.drop_generation(old)

    # -- generations -----------------------------------------------------------------

    def new_generation(self) -> tuple[str, int]:
        """Create the empty shards of a generation after the live one, as many as
        :func:`default_shards` says now; returns its name and shard count."""
        generation, shards = f"g{int(self.generation.lstrip('g') or 0) + 1}", default_shards()
        self.create_generation(generation, shards)
        return generation, shards

    def create_generation(self, generation: str, shards: int) -> None:
        """Create the empty shards of a new generation (replacing leftovers of that name)."""

        from .schema import build_schema

        self.check_writable()
        self.drop_generation(generation)
        schema = build_schema()
        try:
            for shard in range(shards):
                file_storage(self.path).create_index(schema, shard_name(generation, shard))
        except OSError as exc:
            raise IndexLocationError(
                f"cannot write to index «{self.path}»: {exc.strerror}"
            ) from exc

    def drop_generation(self, generation: str) -> None:
        """Delete the files of a generation (never anything else)."""
        # Whoosh names a shard's files _g3s0_1.toc, g3s0_<segment>.seg, g3s0_WRITELOCK.
        ours = re.compile(rf"_?{re.escape(generation)}(s\d+)?_")
        for name in os.listdir(self.path):
            if ours.match(name):
                # A reader on another platform may still hold a file; harmless.
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(self.path, name))

    @property
    def manifest_cache(self) -> str:
        """Where the live generation keeps a copy of its file records."""
        return os.path.join(self.path, f"{self.generation}_manifest.pickle")

    def check_writable(self) -> None:
        """Raise unless files can be written in the index directory."""
        if not os.access(self.path, os.W_OK):
            raise IndexLocationError(f"index directory «{self.path}» is not writable")

    def check_current(self) -> None:
        """Raise if the live generation was built by another version."""
        if self.stale:
            raise SchemaMismatchError(
                f"the index in «{self.path}» was built by another version of this tool; "
                "rebuild it (--rebuild, or sync(..., rebuild=True))"
            )

    # -- opening ---------------------------------------------------------------------

    def open_shard(self, shard: int, generation: str | None = None) -> Any:
        """The Whoosh index of one shard."""

        return file_storage(self.path).open_index(shard_name(generation or self.generation, shard))

    def reader(self) -> Any:
        """One reader over every segment of every shard of the live generation."""
        from whoosh.reading import MultiReader

        self.check_current()
        leaves = []
        for shard in range(self.shards):
            reader = self.open_shard(shard).reader()
            leaves += [leaf for leaf, _offset in reader.leaf_readers()]
        return leaves[0] if len(leaves) == 1 else MultiReader(leaves)

    def hold_locks(self, generation: str, shards: int) -> list[Any]:
        """Take the writer locks of a generation's shards, so no sync writes meanwhile.

        :raises IndexBusyError: another process holds one of them.
        """
        storage = file_storage(self.path)
        held: list[Any] = []
        for shard in range(shards):
            lock = storage.lock(f"{shard_name(generation, shard)}_WRITELOCK")
            if not lock.acquire(blocking=False):
                release(held)
                raise IndexBusyError(f"another process is updating the index in «{self.path}»")
            held.append(lock)
        return held


def open_writer(path: str, generation: str, shard: int, memory_mb: int = WRITER_MEMORY_MB) -> Any:
    """A Whoosh writer on one shard of a generation (also used in worker processes),
    buffering up to ``memory_mb`` of postings.

    :raises IndexBusyError: another process holds the shard's writer lock.
    """
    from whoosh.index import LockError

    from .codec import ArrayCodec

    if not os.access(path, os.W_OK):
        raise IndexLocationError(f"index directory «{path}» is not writable")

    ix = file_storage(path).open_index(shard_name(generation, shard))
    try:
        # Separate segment files, each mapped on its own (see file_storage): Whoosh
        # copies every file out of a compound segment when it opens one, which cost a
        # search of the full news corpus from the command line 0.2 s of its 0.5.
        return ix.writer(limitmb=memory_mb, timeout=1.0, compound=False, codec=ArrayCodec())
    except LockError as exc:
        raise IndexBusyError(f"another process is updating the index in «{path}»") from exc


def release(locks: Iterable[Any]) -> None:
    """Release locks taken with :meth:`Storage.hold_locks`."""
    for lock in locks:
        lock.release()


def file_storage(path: str) -> Any:
    """Whoosh's storage of the index directory, reading its files as memory maps.

    Whoosh reads a separate segment file with a system call per read; mapped, a read is
    a slice of memory, as in a compound segment, without copying the file at opening.
    """
    return _mapped_storage_class()(path)


@functools.cache
def _mapped_storage_class() -> type:
    import mmap

    from whoosh.filedb.filestore import FileStorage

    from .internals import file_path, mapped_file

    class MappedFileStorage(FileStorage):
        def open_file(self, name: str, **kwargs: Any) -> Any:
            with open(file_path(self, name), "rb") as file:
                try:
                    mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                except (ValueError, OSError):  # an empty file cannot be mapped
                    return super().open_file(name, **kwargs)
            return mapped_file(mapped, name)

    return MappedFileStorage
