"""The index directory: a marker file, the live commit of every shard, and the files.

``indexer.json`` names the live generation, how many shards it has and, for each shard,
which commit of it (which Whoosh table of contents, ``_g3s0_7.toc``) is live. Each shard
is a Whoosh index of its own (named ``g3s0``, ``g3s1``, …), so that a big build can
write the shards in parallel processes; searches read the live commits of all shards
through one ``MultiReader``, so scores use statistics of the whole collection whatever
the split. A source always lives in the same shard (a hash of its name).

A write holds ``indexer.lock``, writes a new commit in each shard it changes (Whoosh
deletes nothing meanwhile), and then replaces the marker in one rename: the new commits
of every shard become live together, or, if anything fails or is interrupted before,
none does and the files written are deleted. A rebuild is the same with a new
generation. The files of the commits just replaced are kept for a while
(:data:`GRACE_SECONDS`), so that a search in another process that read the marker
before the switch still finds them. Only files whose names Whoosh or this module write
are ever deleted, and nothing executable is loaded from the directory.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pickle
import re
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...analysis import ANALYSIS_VERSION
from ...engine import partition
from ...errors import (
    IndexBusyError,
    IndexDamagedError,
    IndexLocationError,
    SchemaMismatchError,
)

MARKER = "indexer.json"
#: Held by whoever writes to the index, for the whole write.
LOCK = "indexer.lock"
_FORMAT = "indexer paragraph index"
#: More shards than cores buys nothing; one per core, up to this many.
MAX_SHARDS = 4
#: Memory for the posting buffers of the writers at work, shared among them (Whoosh's
#: own estimate; a process peaks at about 1.3 times it). A writer whose postings fit
#: never spills them to disk and merges them back, the slowest part of a big build:
#: the news corpus's shards fit in 1,024 MB and built 1.4 times faster than in 256.
WRITER_MEMORY_MB = 1024
#: How long the files of a replaced commit outlive it, for searches that opened it.
GRACE_SECONDS = 10.0
#: Every name Whoosh or this module writes in the directory, and the generation it
#: belongs to: tables of contents (and their temporary files), segment files, writer
#: locks and temporary folders of shards, copies of the file records.
_NAMES = re.compile(
    r"_(?P<toc>(?P<g1>g\d+)s\d+_\d+)\.toc(\.\d+(\.\d+)?)?"
    r"|(?P<segment>(?P<g2>g\d+)s\d+_[0-9a-z]{16})\.(trm|pst|vps|seg|_[a-z_]+\.col)"
    r"|(?P<g3>g\d+)s\d+(_WRITELOCK|\.tmp)"
    r"|(?P<g4>g\d+)_manifest\.(json|pickle)(\.\d+\.tmp)?"
    r"|\.indexer\.json(\.\d+)?\.tmp"
)


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


def generation_of(name: str) -> str | None:
    """The generation a file of the index directory belongs to; None for a temporary
    marker, and for any file that is not one Whoosh or this module writes (never
    deleted)."""
    found = _NAMES.fullmatch(name)
    if not found:
        return None
    return next((g for g in found.group("g1", "g2", "g3", "g4") if g), None)


@dataclass(frozen=True)
class Commit:
    """A state of the index: a generation and the live commit of each of its shards."""

    generation: str
    shards: int
    #: The Whoosh table of contents of each shard.
    tocs: tuple[int, ...]

    def toc_names(self) -> list[str]:
        return [f"_{shard_name(self.generation, s)}_{toc}.toc" for s, toc in enumerate(self.tocs)]

    def as_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "shards": self.shards, "tocs": list(self.tocs)}


class Storage:
    """An index directory, checked on opening and created when new or empty.

    :raises IndexLocationError: the directory is a file, cannot be created or written,
        or holds files that are not an index of ours.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        #: Why the index cannot be read (a damaged marker); only a rebuild may write it.
        self.damaged: str | None = None
        #: Commits replaced less than :data:`GRACE_SECONDS` ago, and when.
        self.replaced: list[tuple[Commit, float]] = []
        self.stale = False
        self._seen: tuple[int, int, int] | None = None
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise IndexLocationError(f"index location «{self.path}» is a file, not a directory")
        try:
            _make_private_dirs(self.path)
            entries = os.listdir(self.path)
        except OSError as exc:
            raise IndexLocationError(
                f"cannot use «{self.path}» as an index: {exc.strerror}"
            ) from exc
        ours = [name for name in entries if generation_of(name)]
        if MARKER in entries:
            try:
                self.refresh()
            except IndexDamagedError as exc:
                if not any(name.endswith(".toc") for name in ours):
                    raise IndexLocationError(
                        f"«{self.path}» holds an {MARKER} that is not ours; "
                        "choose another directory for the index"
                    ) from exc
                self.damaged = str(exc)
            else:
                self.tidy()
        elif entries and len(ours) == len(entries) and any(n.endswith(".toc") for n in ours):
            self.damaged = f"the index in «{self.path}» has lost its {MARKER}"
        elif entries:
            raise IndexLocationError(
                f"«{self.path}» is not empty and holds no index of ours; "
                "choose an empty or new directory for the index"
            )
        else:
            self.live = Commit("g1", default_shards(), (0,) * default_shards())
            try:
                self.create_generation(self.live.generation, self.live.shards)
                self._write_marker(self.live, [])
            except OSError as exc:
                raise IndexLocationError(
                    f"cannot write to index «{self.path}»: {exc.strerror}"
                ) from exc

    # -- the marker ------------------------------------------------------------------

    @property
    def marker(self) -> str:
        return os.path.join(self.path, MARKER)

    @property
    def generation(self) -> str:
        """The live generation."""
        return self.live.generation

    @property
    def shards(self) -> int:
        """How many shards the live generation has."""
        return self.live.shards

    def changed(self) -> bool:
        """Whether another write replaced the marker since it was last read."""
        try:
            st = os.stat(self.marker)
        except OSError:
            return True
        return (st.st_ino, st.st_mtime_ns, st.st_size) != self._seen

    def refresh(self) -> None:
        """Read the marker again: what is live now.

        :raises IndexDamagedError: the marker cannot be read or is not ours.
        """
        from .schema import SCHEMA_VERSION

        try:
            with open(self.marker, encoding="utf-8") as file:
                st = os.fstat(file.fileno())
                marker = json.load(file)
            if marker.get("format") != _FORMAT:
                raise ValueError(marker.get("format"))
            live = self._commit(marker)
            replaced = [(self._commit(r), float(r["at"])) for r in marker.get("replaced", [])]
            stale = (marker["schema"], marker.get("analysis")) != (
                SCHEMA_VERSION,
                ANALYSIS_VERSION,
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IndexDamagedError(
                f"the index in «{self.path}» is damaged: its {MARKER} cannot be read; "
                "rebuild it (--rebuild, or sync(..., rebuild=True))"
            ) from exc
        self.live, self.replaced, self.stale = live, replaced, stale
        self._seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        self.damaged = None

    def _commit(self, marker: dict[str, Any]) -> Commit:
        generation, shards = str(marker["generation"]), int(marker.get("shards", 1))
        if not re.fullmatch(r"g\d+", generation) or not 0 < shards <= 64:
            raise ValueError(generation)
        tocs = marker.get("tocs")
        if tocs is None:  # written before the marker named the commits: the newest
            storage = file_storage(self.path)
            tocs = [_newest_toc(storage, shard_name(generation, s)) for s in range(shards)]
        if len(tocs) != shards:
            raise ValueError(tocs)
        return Commit(generation, shards, tuple(int(toc) for toc in tocs))

    def _write_marker(self, live: Commit, replaced: list[tuple[Commit, float]]) -> None:
        from .schema import SCHEMA_VERSION

        marker = {
            "format": _FORMAT,
            "schema": SCHEMA_VERSION,
            "analysis": ANALYSIS_VERSION,
            **live.as_json(),
            "replaced": [{**commit.as_json(), "at": at} for commit, at in replaced],
        }
        temporary = os.path.join(self.path, f".{MARKER}.{os.getpid()}.tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump(marker, file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.marker)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise
        self.refresh()

    # -- writing: one writer at a time, all shards' commits or none ------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock, and tidy what a failed write left.

        :raises IndexBusyError: another process is writing.
        :raises OSError: the lock cannot be created (a read-only directory).
        """
        lock = file_storage(self.path).lock(LOCK)
        if not lock.acquire(blocking=False):
            raise IndexBusyError(f"another process is updating the index in «{self.path}»")
        try:
            if not self.damaged:
                self.refresh()
            self.collect()
            yield
        finally:
            lock.release()

    def switch(self, generation: str, shards: int) -> None:
        """Make the newest commit of every shard of ``generation`` live, in one rename
        of the marker (called holding :meth:`writing`)."""
        storage = file_storage(self.path)
        tocs = tuple(_newest_toc(storage, shard_name(generation, s)) for s in range(shards))
        replaced = [] if self.damaged else [(self.live, time.time()), *self._recent()]
        self._write_marker(Commit(generation, shards, tocs), replaced)
        self.collect()

    def _recent(self) -> list[tuple[Commit, float]]:
        """The commits replaced less than :data:`GRACE_SECONDS` ago."""
        return [(commit, at) for commit, at in self.replaced if time.time() - at < GRACE_SECONDS]

    def collect(self) -> None:
        """Delete every file of ours that neither the live commit nor one replaced less
        than :data:`GRACE_SECONDS` ago needs: what a failed or interrupted write left,
        and what commits replaced before that."""
        keep: set[str] = set()
        commits = [] if self.damaged else [self.live, *(c for c, _ in self._recent())]
        storage = file_storage(self.path)
        for commit in commits:
            keep.update(commit.toc_names())
            keep.add(f"{commit.generation}_manifest.json")
            for shard, toc in enumerate(commit.tocs):
                name = shard_name(commit.generation, shard)
                keep.add(f"{name}_WRITELOCK")
                with contextlib.suppress(OSError, ValueError, EOFError, *DAMAGE):
                    keep.update(f"{name}_{s.segid}" for s in _segments(storage, name, toc))
        for entry in os.listdir(self.path):
            found = _NAMES.fullmatch(entry)
            if not found or entry in keep or found.group("segment") in keep:
                continue
            where = os.path.join(self.path, entry)
            with contextlib.suppress(OSError):
                if os.path.isdir(where):
                    shutil.rmtree(where)
                else:
                    os.remove(where)

    def tidy(self) -> None:
        """Delete the files of a commit replaced more than :data:`GRACE_SECONDS` ago,
        if no one is writing and the directory can be written."""
        if len(self._recent()) == len(self.replaced):
            return
        with contextlib.suppress(IndexBusyError, OSError), self.writing():
            self._write_marker(self.live, self._recent())
            self.collect()

    # -- generations -----------------------------------------------------------------

    def new_generation(self) -> tuple[str, int]:
        """Create the empty shards of a generation after every one in the directory, as
        many as :func:`default_shards` says now; returns its name and shard count."""
        numbers = [int(g[1:]) for g in map(generation_of, os.listdir(self.path)) if g]
        generation, shards = f"g{max(numbers, default=0) + 1}", default_shards()
        self.create_generation(generation, shards)
        return generation, shards

    def create_generation(self, generation: str, shards: int) -> None:
        """Create the empty shards of a new generation (commit 0 of each)."""
        from .schema import build_schema

        schema = build_schema()
        for shard in range(shards):
            file_storage(self.path).create_index(schema, shard_name(generation, shard))

    @property
    def manifest_cache(self) -> str:
        """Where the live generation keeps a copy of its file records."""
        return os.path.join(self.path, f"{self.generation}_manifest.json")

    def check_current(self) -> None:
        """Raise if the index is damaged or the live generation was built by another
        version."""
        if self.damaged:
            raise IndexDamagedError(self.damaged)
        if self.stale:
            raise SchemaMismatchError(
                f"the index in «{self.path}» was built by another version of this tool; "
                "rebuild it (--rebuild, or sync(..., rebuild=True))"
            )

    # -- reading ---------------------------------------------------------------------

    def reader(self) -> Any:
        """One reader over every segment of the live commit of every shard.

        A write in another process may switch the marker and delete the files of the
        commit before the one it replaced between reading the marker and opening them:
        then the marker is read again.

        :raises IndexDamagedError: a file the marker names is missing or damaged.
        """
        from whoosh.reading import EmptyReader, MultiReader, SegmentReader

        from .schema import build_schema

        schema = build_schema()
        storage = file_storage(self.path)
        for attempt in range(5):
            if attempt or self.changed():
                self.refresh()
            self.check_current()
            live = self.live
            try:
                leaves = []
                for shard, toc in enumerate(live.tocs):
                    segments = _segments(storage, shard_name(live.generation, shard), toc)
                    leaves += [SegmentReader(storage, schema, s) for s in segments]
                if not leaves:
                    return EmptyReader(schema)
                return leaves[0] if len(leaves) == 1 else MultiReader(leaves)
            except FileNotFoundError as exc:
                if not self.changed():
                    raise self.damage(exc) from exc
            except OSError as exc:
                raise IndexLocationError(
                    f"cannot read the index in «{self.path}»: {exc.strerror or exc}"
                ) from exc
            except DAMAGE as exc:
                raise self.damage(exc) from exc
        raise IndexBusyError(f"the index in «{self.path}» changes too fast to be read")

    def damage(self, exc: BaseException) -> IndexDamagedError:
        """The error that says a file of the index is damaged, naming it where known."""
        what = os.path.basename(getattr(exc, "filename", None) or "") or type(exc).__name__
        return IndexDamagedError(
            f"the index in «{self.path}» is damaged ({what}: {exc}); "
            "rebuild it (--rebuild, or sync(..., rebuild=True))"
        )


#: What reading a damaged file of the index raises (a missing one: FileNotFoundError).
DAMAGE: tuple[type[BaseException], ...] = (
    FileNotFoundError, ValueError, EOFError, IndexError, KeyError, TypeError, AttributeError,
    pickle.UnpicklingError, struct.error, zlib.error,
)  # fmt: skip


#: What only a damaged file raises while it is read (never a mistake in our code).
DECODING: tuple[type[BaseException], ...] = (
    EOFError, pickle.UnpicklingError, struct.error, zlib.error,
)  # fmt: skip


def _newest_toc(storage: Any, name: str) -> int:
    from whoosh.index import TOC

    return int(TOC._latest_generation(storage, name))


def _segments(storage: Any, name: str, toc: int) -> list[Any]:
    from .internals import read_toc

    return read_toc(storage, name, toc)


def open_writer(
    path: str, generation: str, shard: int, toc: int, memory_mb: int = WRITER_MEMORY_MB
) -> Any:
    """A Whoosh writer on one shard of a generation, starting from its commit ``toc``
    (also used in worker processes), buffering up to ``memory_mb`` of postings; its
    commit deletes nothing (see :mod:`.storage`). It takes no lock of its own: the
    caller holds the index's (:meth:`Storage.writing`), which Whoosh's per-shard lock
    would only duplicate (and leak when a writer fails to open).
    """
    from .codec import ArrayCodec
    from .internals import PinnedIndex, deferred_clean_writer
    from .schema import build_schema

    index = PinnedIndex(file_storage(path), build_schema(), shard_name(generation, shard), toc)
    # Separate segment files, each mapped on its own (see file_storage): Whoosh copies
    # every file out of a compound segment when it opens one, which cost a search of
    # the full news corpus from the command line 0.2 s of its 0.5.
    return deferred_clean_writer(
        index, _lk=False, limitmb=memory_mb, compound=False, codec=ArrayCodec()
    )


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
