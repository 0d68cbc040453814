"""The command line's indexes in the user's cache: which one serves some paths, list, drop.

Each index folder in :func:`indexer.index.cache_dir` remembers the files and folders it
was made for (``paths.json`` beside the index's own files), so that a later search of a
subfolder or a file inside them is served by the same index instead of a new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass

from .errors import IndexerError, IndexLocationError
from .index import Paths, cache_dir, default_index_dir

#: The file in an index folder of the cache that names the paths it was made for.
PATHS_FILE = "paths.json"
#: The file that makes a folder an index of ours (the embedded engine's marker).
_MARKER = "indexer.json"


@dataclass(frozen=True)
class IndexInfo:
    """An index in the cache: where it is, what it was made for, what it holds."""

    location: str
    #: The files and folders it was made for (absolute), or () if it does not say.
    paths: tuple[str, ...]
    #: Bytes on disk.
    size: int
    #: How many sources (files) it holds; None when it cannot be read (built by
    #: another version, or damaged).
    sources: int | None


def where(paths: Paths) -> str:
    """The cache folder of the index that serves a search of ``paths``: the one made for
    exactly them if there is one, else the smallest one made for folders that hold them
    all (a subfolder is searched in its parent's index), else a new one's
    (:func:`indexer.index.default_index_dir`).
    """
    from .index import as_paths
    from .ingest import is_under  # reading files: not needed to list indexes

    exact = default_index_dir(paths)
    if _is_index(exact):
        return exact
    roots = [os.path.realpath(p) for p in as_paths(paths)]
    covering = [
        location
        for location, made_for in _recorded()
        if made_for and all(is_under(root, made_for) for root in roots)
    ]
    return min(covering, key=lambda location: (index_size(location), location), default=exact)


def reuse(paths: Paths) -> str:
    """The cache folder of the index to sync ``paths`` into and search: :func:`where`'s,
    and when that is a new one, the biggest index made for some of these paths moves
    there first (searching a second folder beside an indexed one reads only the second).
    """
    from .index import as_paths
    from .ingest import is_under

    private_root()
    location = where(paths)
    if os.path.exists(location):
        return location
    roots = [os.path.realpath(p) for p in as_paths(paths)]
    inside = [
        (index_size(found), found)
        for found, made_for in _recorded()
        if made_for and all(is_under(path, roots) for path in made_for)
    ]
    if inside:
        _, found = max(inside)
        try:
            os.rename(found, location)
        except OSError:  # another process moved it first, or another file system
            return location
        _write_paths(location, roots)
    return location


def private_root() -> str:
    """The cache folder, created for this user only (0700, as new index folders are):
    an index holds the text of what it was made from. A folder an older version made
    readable by others is narrowed."""
    root = cache_dir()
    os.makedirs(root, mode=0o700, exist_ok=True)
    if os.stat(root).st_mode & 0o077:
        os.chmod(root, 0o700)
    return root


def remember(location: str, paths: Paths) -> None:
    """Note in a cache index the paths it is made for (once; a read-only cache is left
    as it is, and the index then only serves these very paths)."""
    from .index import as_paths

    if not os.path.exists(os.path.join(location, PATHS_FILE)):
        _write_paths(location, [os.path.realpath(p) for p in as_paths(paths)])


def _write_paths(location: str, roots: list[str]) -> None:
    target = os.path.join(location, PATHS_FILE)
    roots = sorted(set(roots))
    temporary = f"{target}.tmp{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump({"paths": roots}, file, ensure_ascii=False)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(temporary)


def indexes() -> list[IndexInfo]:
    """Every index in the cache, by location."""
    from .index import Index

    found = []
    for location in _locations():
        try:
            with Index(location) as index:
                sources: int | None = len(index.sources())
        except IndexerError:
            sources = None
        found.append(IndexInfo(location, recorded_paths(location), index_size(location), sources))
    return found


def drop(location: str | os.PathLike[str]) -> None:
    """Delete an index folder of ours, with everything in it.

    :raises IndexLocationError: there is no index of ours at ``location`` (a folder
        that holds anything else is never touched).
    """
    location = os.path.abspath(os.fspath(location))
    if not _is_index(location):
        raise IndexLocationError(f"no index at «{location}»")
    try:
        shutil.rmtree(location)
    except OSError as exc:
        raise IndexLocationError(f"cannot remove «{location}»: {exc.strerror}") from exc


def _is_index(location: str) -> bool:
    return os.path.isfile(os.path.join(location, _MARKER))


def _locations() -> list[str]:
    root = cache_dir()
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    return [os.path.join(root, name) for name in names if _is_index(os.path.join(root, name))]


def _recorded() -> list[tuple[str, tuple[str, ...]]]:
    return [(location, recorded_paths(location)) for location in _locations()]


def recorded_paths(location: str) -> tuple[str, ...]:
    """The paths an index of the cache was made for, or () if it does not say."""
    try:
        with open(os.path.join(location, PATHS_FILE), encoding="utf-8") as file:
            paths = json.load(file)["paths"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    return tuple(path for path in paths if isinstance(path, str))


def index_size(location: str) -> int:
    """The bytes the files of an index folder take."""
    total = 0
    for folder, _, names in os.walk(location):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total
