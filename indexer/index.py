"""The paragraph index on disk: open or create it, keep it in sync, search it.

An index directory holds a marker file (``indexer.json``) and the files of one Whoosh
index "generation". A rebuild writes a new generation beside the old one and switches
the marker only once it is committed, so an interrupted rebuild leaves the previous
index searchable.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from .errors import IndexBusyError, IndexLocationError, SchemaMismatchError
from .results import Hit, SearchResults, SyncReport

MARKER = "indexer.json"
_FORMAT = "indexer paragraph index"


def default_index_dir(paths: Iterable[str]) -> str:
    """Where the CLI keeps the index of a set of paths: one per set, in the user cache.

    ``$XDG_CACHE_HOME/indexer/`` (``~/.cache/indexer/`` by default), in a folder named
    after the first path and a hash of all resolved paths.
    """
    roots = sorted({os.path.realpath(p) for p in paths})
    digest = hashlib.sha1("\0".join(roots).encode()).hexdigest()[:12]
    stem = os.path.basename(roots[0].rstrip(os.sep)) if roots else "index"
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "indexer", f"{stem or 'root'}-{digest}")


class Index:
    """A searchable index of paragraphs, stored in a directory.

    >>> import tempfile
    >>> with Index(tempfile.mkdtemp()) as index:
    ...     index.add("новости", "Лавров и Керри провели переговоры.")
    ...     [hit.paragraph for hit in index.search("переговорах")]
    [1]

    Opening a directory that does not exist creates an empty index there.

    :raises IndexLocationError: the directory is a file, cannot be created or written,
        or holds files that are not an index of ours.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.path.abspath(path)
        self._searcher: Any = None
        self._generation, self.stale = self._prepare()

    # -- the directory ---------------------------------------------------------------

    def _prepare(self) -> tuple[str, bool]:
        from .schema import SCHEMA_VERSION

        path = self.path
        if os.path.exists(path) and not os.path.isdir(path):
            raise IndexLocationError(f"index location «{path}» is a file, not a directory")
        try:
            os.makedirs(path, exist_ok=True)
            entries = os.listdir(path)
        except OSError as exc:
            raise IndexLocationError(f"cannot use «{path}» as an index: {exc.strerror}") from exc
        if MARKER in entries:
            marker = self._read_marker()
            return marker["generation"], marker["schema"] != SCHEMA_VERSION
        if entries:
            raise IndexLocationError(
                f"«{path}» is not empty and holds no index of ours; "
                "choose an empty or new directory for the index"
            )
        generation = "g1"
        self._create_generation(generation)
        self._write_marker(generation)
        return generation, False

    def _read_marker(self) -> dict[str, Any]:
        try:
            with open(os.path.join(self.path, MARKER), encoding="utf-8") as file:
                marker = json.load(file)
            if marker.get("format") != _FORMAT:
                raise ValueError(marker.get("format"))
            return {"generation": str(marker["generation"]), "schema": marker["schema"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IndexLocationError(
                f"«{self.path}» holds an {MARKER} that is not ours; "
                "choose another directory for the index"
            ) from exc

    def _write_marker(self, generation: str) -> None:
        from .schema import SCHEMA_VERSION

        marker = {"format": _FORMAT, "schema": SCHEMA_VERSION, "generation": generation}
        temporary = os.path.join(self.path, f".{MARKER}.tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump(marker, file)
            os.replace(temporary, os.path.join(self.path, MARKER))
        except OSError as exc:
            raise IndexLocationError(
                f"cannot write to index «{self.path}»: {exc.strerror}"
            ) from exc

    def _create_generation(self, generation: str) -> None:
        from whoosh import index as whoosh_index

        from .schema import build_schema

        if not os.access(self.path, os.W_OK):
            raise IndexLocationError(f"index directory «{self.path}» is not writable")
        try:
            whoosh_index.create_in(self.path, build_schema(), indexname=generation)
        except OSError as exc:
            raise IndexLocationError(
                f"cannot write to index «{self.path}»: {exc.strerror}"
            ) from exc

    def _whoosh(self, generation: str | None = None) -> Any:
        from whoosh import index as whoosh_index

        if generation is None and self.stale:
            raise SchemaMismatchError(
                f"the index in «{self.path}» was built by another version of this tool; "
                "rebuild it (--rebuild, or sync(..., rebuild=True))"
            )
        return whoosh_index.open_dir(self.path, indexname=generation or self._generation)

    def _drop_generation(self, generation: str) -> None:
        for name in os.listdir(self.path):
            if name.startswith((f"_{generation}_", f"{generation}_")):
                # A reader on another platform may still hold a file; harmless.
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(self.path, name))

    # -- writing ---------------------------------------------------------------------

    def _writer(self, ix: Any) -> Any:
        from whoosh.index import LockError

        if not os.access(self.path, os.W_OK):
            raise IndexLocationError(f"index directory «{self.path}» is not writable")
        try:
            return ix.writer(limitmb=256, timeout=1.0)
        except LockError as exc:
            raise IndexBusyError(f"another process is updating the index in «{self.path}»") from exc

    def _commit(self, writer: Any, work: Callable[[Any], Any]) -> Any:
        try:
            result = work(writer)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._reset_searcher()
        return result

    def sync(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        rebuild: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> SyncReport:
        """Bring the index in step with text files and folders of text files.

        Files that appeared or changed under ``paths`` are (re)indexed, the paragraphs
        of vanished ones dropped; nothing is written when nothing changed. Sources
        outside ``paths`` are left alone. ``rebuild`` reads every file afresh into a
        new index that replaces the old one once complete.

        :raises SourceNotFoundError: a path does not exist or cannot be read.
        :raises IndexBusyError: another process is writing to the index.
        """
        from . import ingest, sync

        roots = [ingest.source_root(os.fspath(p)) for p in paths]
        walk = ingest.walk(roots, skip=self.path)
        if rebuild:
            return self._rebuild(walk, roots, progress)
        ix = self._whoosh()
        with ix.searcher() as searcher:
            manifest = sync.load_manifest(searcher)
        plan = sync.plan(manifest, walk, roots)
        if not plan.has_work:
            return SyncReport(unchanged=tuple(plan.unchanged))
        writer = self._writer(ix)
        return self._commit(writer, lambda w: sync.apply(plan, w, manifest, progress))

    def _rebuild(self, walk: Any, roots: list[str], progress: Any) -> SyncReport:
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import LockError

        from . import sync

        old = self._generation
        new = f"g{int(old.lstrip('g') or 0) + 1}"
        # Hold the old generation's lock too, so that no sync writes to it meanwhile.
        lock = FileStorage(self.path).lock(f"{old}_WRITELOCK")
        try:
            if not lock.acquire(blocking=False):
                raise LockError
        except LockError as exc:
            raise IndexBusyError(f"another process is updating the index in «{self.path}»") from exc
        try:
            self._drop_generation(new)
            self._create_generation(new)
            writer = self._writer(self._whoosh(new))
            plan = sync.plan({}, walk, roots)
            report = self._commit(writer, lambda w: sync.apply(plan, w, {}, progress))
            self._write_marker(new)
            self._generation, self.stale = new, False
        finally:
            lock.release()
        self._reset_searcher()
        self._drop_generation(old)
        return report

    def add(self, name: str, text: str) -> None:
        """Add a document from a string, or replace the one of that name."""
        from . import sync

        record = sync.FileRecord(
            len(text.encode("utf-8")), None, sync.fingerprint(text.encode("utf-8"))
        )

        def work(writer: Any) -> None:
            writer.delete_by_term("source", name)
            sync.add_document(writer, name, text, record)

        self._commit(self._writer(self._whoosh()), work)

    def remove(self, name: str) -> bool:
        """Remove a document (its paragraphs and record); False if there was none."""
        searcher = self._get_searcher()
        if searcher.document_number(source=name) is None:
            return False
        self._commit(self._writer(self._whoosh()), lambda w: w.delete_by_term("source", name))
        return True

    # -- searching -------------------------------------------------------------------

    def _get_searcher(self) -> Any:
        from .scoring import ParagraphBM25

        if self._searcher is None:
            self._searcher = self._whoosh().searcher(weighting=ParagraphBM25())
        return self._searcher

    def _reset_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        literal: bool = False,
        correct: bool = True,
        explain: bool = False,
    ) -> SearchResults:
        """The paragraphs that best answer ``query``, best first, with matches marked.

        ``literal`` searches the words as plain words, without query syntax. With
        ``correct``, a query word the index does not have is fixed (typo, keyboard
        layout, transliteration): if the query found nothing, the corrected one is
        searched (``results.corrected``), otherwise it is offered as
        ``results.suggestion``. ``explain`` attaches to each hit why it scored so.

        :raises QueryError: the query is malformed or has nothing to search for.
        """
        from .correction import corrected_text, corrections
        from .errors import QueryError
        from .query import compile_query

        if limit < 1:
            raise ValueError("limit must be at least 1")
        searcher = self._get_searcher()
        compiled = compile_query(query, literal=literal, sources=self.sources)
        hits, total = self._run(compiled, limit, explain)
        corrected = suggestion = None
        fixes = corrections(compiled, searcher.reader()) if correct else []
        if fixes:
            alternative = corrected_text(query, fixes)
            if hits:
                suggestion = alternative
            else:
                try:
                    retry = compile_query(alternative, literal=literal, sources=self.sources)
                except QueryError:
                    retry = None
                if retry is not None:
                    compiled, corrected = retry, alternative
                    hits, total = self._run(compiled, limit, explain)
        return SearchResults(
            query, hits, total, compiled.dropped, corrected=corrected, suggestion=suggestion
        )

    def _run(self, compiled: Any, limit: int, explain: bool) -> tuple[tuple[Hit, ...], int]:
        from whoosh.query import Term

        from .explain import explain as explain_hit
        from .highlight import match_spans

        searcher = self._get_searcher()
        results = searcher.search(compiled.query, limit=limit, mask=Term("kind", "file"))
        hits = []
        for result in results:
            text = result["content"]
            hits.append(
                Hit(
                    source=result["source"],
                    paragraph=result["paragraph"],
                    text=text,
                    score=round(result.score, 4),
                    spans=match_spans(text, compiled.lemmas, compiled.forms, compiled.prefixes),
                    explanation=explain_hit(compiled, searcher, result.docnum) if explain else None,
                )
            )
        return tuple(hits), len(results)

    def sources(self) -> list[str]:
        """The names of the documents in the index, in sorted order."""
        from .sync import load_manifest

        return sorted(load_manifest(self._get_searcher()))

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Release the files held open for searching."""
        self._reset_searcher()

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({self.path!r})"
