"""The paragraph index: keep it in step with files, add and remove texts, search it.

Where and how it is stored (the marker, generations, shards) is :mod:`indexer.storage`'s
business; deciding what to (re)index is :mod:`indexer.sync`'s.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from .results import Hit, SearchResults, SyncReport


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
        from .storage import Storage

        self.path = os.path.abspath(path)
        self._storage = Storage(self.path)
        self._searcher: Any = None

    # -- writing ---------------------------------------------------------------------

    def sync(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        rebuild: bool = False,
        workers: int | None = None,
        progress: bool = False,
    ) -> SyncReport:
        """Bring the index in step with text files and folders of text files.

        Files that appeared or changed under ``paths`` are (re)indexed, the paragraphs
        of vanished ones dropped; nothing is written when nothing changed. Sources
        outside ``paths`` are left alone. ``rebuild`` reads every file afresh into a
        new index that replaces the old one once complete. A big build is spread over
        ``workers`` processes (default: one per core); ``progress`` draws a progress
        bar on stderr when it is a terminal and the build takes more than a second.

        :raises SourceNotFoundError: a path does not exist or cannot be read.
        :raises IndexBusyError: another process is writing to the index.
        :raises SchemaMismatchError: the index is of another version; pass ``rebuild``.
        """
        from . import ingest, sync
        from .storage import default_shards, release

        storage = self._storage
        roots = [ingest.source_root(os.fspath(p)) for p in paths]
        walk = ingest.walk(roots, skip=self.path)
        workers = workers or default_shards()
        sizes = {path: stat.size for path, stat in walk.files.items()}
        if not rebuild:
            storage.check_current()
            manifest = sync.load_manifest(self._get_searcher(), self._storage.manifest_cache)
            plan = sync.plan(manifest, walk, roots)
            if not plan.has_work:
                return SyncReport(unchanged=tuple(sorted(plan.unchanged)))
            parts = sync.split(plan, storage.shards)
            report = sync.run(
                self.path, storage.generation, parts, manifest,
                workers=workers, sizes=sizes, show_progress=progress,
            )  # fmt: skip
            self._reset_searcher()
            return report
        # A rebuild writes a new generation while holding the live one's locks, so
        # that no other sync writes to an index about to be replaced.
        held = storage.hold_locks(storage.generation, storage.shards)
        try:
            generation, shards = storage.next_generation(), default_shards()
            storage.create_generation(generation, shards)
            parts = sync.split(sync.plan({}, walk, roots), shards)
            report = sync.run(
                self.path, generation, parts, {},
                workers=workers, sizes=sizes, show_progress=progress,
            )  # fmt: skip
            self._reset_searcher()
            storage.switch(generation, shards)
        finally:
            release(held)
        return report

    def add(self, name: str, text: str) -> None:
        """Add a document from a string, or replace the one of that name."""
        from . import sync
        from .ingest import split_paragraphs
        from .storage import shard_of

        self._storage.check_current()
        data = text.encode("utf-8")
        record = sync.FileRecord(len(data), None, sync.fingerprint(data))
        writer = self._storage.writer(shard_of(name, self._storage.shards))
        try:
            sync.delete_source(writer, name)
            sync.add_document(writer, name, split_paragraphs(text), record)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._reset_searcher()

    def remove(self, name: str) -> bool:
        """Remove a document (its paragraphs and record); False if there was none."""
        from .storage import shard_of
        from .sync import delete_source

        if self._get_searcher().document_number(file=name) is None:
            return False
        writer = self._storage.writer(shard_of(name, self._storage.shards))
        delete_source(writer, name)
        writer.commit()
        self._reset_searcher()
        return True

    # -- searching -------------------------------------------------------------------

    def _get_searcher(self) -> Any:
        from whoosh.searching import Searcher

        from .scoring import ParagraphBM25

        if self._searcher is None:
            self._searcher = Searcher(self._storage.reader(), weighting=ParagraphBM25())
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
        from .explain import explain as explain_hit
        from .explain import with_proximity
        from .highlight import match_spans
        from .proximity import RERANK_DEPTH, indexed_positions, proximity_bonus
        from .scoring import informativeness_of_lemmas

        searcher = self._get_searcher()
        near = compiled.near if len(compiled.near) > 1 else ()
        depth = max(limit, RERANK_DEPTH) if near else limit
        top, total = _top(compiled.query, searcher, depth)
        idfs = [informativeness_of_lemmas(searcher, lemmas) for lemmas in near]
        positions = indexed_positions(searcher, [docnum for docnum, _ in top], near) if near else {}
        ranked = []
        for docnum, score in top:
            bonus = proximity_bonus(positions[docnum], idfs) if near else 0.0
            ranked.append((score + bonus, bonus, docnum))
        # Stable: equal scores keep the first pass's order.
        ranked.sort(key=lambda item: -item[0])
        # Related lemmas are marked only where they counted.
        marked = compiled.lemmas | {t.text for t in compiled.related if t.weight_in(searcher)}
        hits = []
        for score, bonus, docnum in ranked[:limit]:
            stored = searcher.stored_fields(docnum)
            explanation = None
            if explain:
                explanation = with_proximity(explain_hit(compiled, searcher, docnum), bonus, score)
            text = stored["content"]
            hits.append(
                Hit(
                    source=stored["source"],
                    paragraph=stored["paragraph"],
                    text=text,
                    score=round(score, 4),
                    spans=match_spans(text, marked, compiled.forms, compiled.prefixes),
                    explanation=explanation,
                )
            )
        return tuple(hits), total

    def sources(self) -> list[str]:
        """The names of the documents in the index, in sorted order."""
        from .sync import load_manifest

        return sorted(load_manifest(self._get_searcher(), self._storage.manifest_cache))

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


def _top(q: Any, searcher: Any, depth: int) -> tuple[list[tuple[int, float]], int]:
    """The ``depth`` best paragraphs as ``(docnum, score)``, and how many match in all.

    A plain bag of words is scored term at a time (:func:`scoring.score_bag`); any
    other query goes through Whoosh's collector, whose block skipping makes the count
    an estimate.
    """
    import heapq

    from .scoring import score_bag

    scores = score_bag(q, searcher)
    if scores is not None:
        best = heapq.nsmallest(depth, scores.items(), key=lambda item: (-item[1], item[0]))
        return best, len(scores)
    results = searcher.search(q, limit=depth)
    total = len(results) if results.has_exact_length() else results.estimated_length()
    return [(hit.docnum, hit.score) for hit in results], total
