"""An index that answers searches while a sync brings it up to date in another thread."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import IndexBusyError, IndexerError, SchemaMismatchError
from ..index import Index
from ..results import SearchResults, SyncReport


@dataclass(frozen=True)
class SyncStatus:
    """Where the latest sync stands: running (with bytes read of bytes to read; 0 to
    read while it is still looking for changed files), or how it ended."""

    running: bool = False
    done: int = 0
    total: int = 0
    #: What the finished sync did.
    report: SyncReport | None = None
    #: Another process was writing the index, so this sync did not run.
    busy: bool = False
    #: Why the sync failed (the library's one-line message).
    error: str | None = None


class LiveIndex:
    """An :class:`~indexer.Index` for searches, kept up to date with ``paths``.

    :meth:`update` syncs in a background thread through an index object of its own;
    until it ends, searches answer from the index as it was, and :attr:`status` says
    how far the sync got. Searches and documents are read one at a time (an engine's
    searcher is not shared between threads).
    """

    def __init__(self, location: str, paths: Sequence[str], *, workers: int | None = None) -> None:
        self.paths = list(paths)
        self.workers = workers
        self._lock = threading.Lock()
        self._index = Index(location)
        #: Where the index is, as :attr:`indexer.Index.location` says.
        self.location = self._index.location
        self.status = SyncStatus()
        self._thread: threading.Thread | None = None

    def update(self) -> None:
        """Start syncing ``paths`` in the background, unless a sync is running."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self.status = SyncStatus(running=True)
            # A daemon: stopping the server must not wait for a long build, which
            # leaves the index as its last commit had it.
            self._thread = threading.Thread(target=self._sync, name="sync", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> SyncStatus:
        """Wait for the running sync (if any) to end; returns the status."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status

    def _progress(self, done: int, total: int) -> None:
        self.status = SyncStatus(running=True, done=done, total=total)

    def _sync(self) -> None:
        status = SyncStatus(error="the sync stopped unexpectedly")
        try:
            index = Index(self.location)
            try:
                workers, progress = self.workers, self._progress
                try:
                    report = index.sync(self.paths, workers=workers, progress=progress)
                except SchemaMismatchError:
                    report = index.sync(
                        self.paths, rebuild=True, workers=workers, progress=progress
                    )
                status = SyncStatus(report=report)
            finally:
                index.close()
        except IndexBusyError:
            status = SyncStatus(busy=True)
        except (IndexerError, OSError) as exc:
            status = SyncStatus(error=str(exc))
        finally:
            # Searches see what the sync wrote once the search index is opened again.
            with self._lock:
                try:
                    fresh = Index(self.location)
                except IndexerError as exc:
                    status = SyncStatus(error=str(exc))
                else:
                    stale, self._index = self._index, fresh
                    stale.close()
            self.status = status

    def search(
        self, query: str, *, limit: int = 10, correct: bool = True, explain: bool = False
    ) -> SearchResults:
        """:meth:`indexer.Index.search` on the index as it is now."""
        with self._lock:
            return self._index.search(query, limit=limit, correct=correct, explain=explain)

    def document(self, source: str) -> tuple[str, ...]:
        """:meth:`indexer.Index.document` on the index as it is now."""
        with self._lock:
            return self._index.document(source)

    def highlight(self, query: str, texts: Sequence[str]) -> list[tuple[tuple[int, int], ...]]:
        """:meth:`indexer.Index.highlight` on the index as it is now."""
        with self._lock:
            return self._index.highlight(query, texts)

    def close(self) -> None:
        """Close the search index (a running sync ends on its own)."""
        with self._lock:
            self._index.close()
