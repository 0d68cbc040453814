"""The paragraph index: keep it in step with files, add and remove texts, search it.

``Index`` is the core's face: it analyses, plans, ranks and marks; where and how the
paragraphs are stored and matched is the business of an engine
(:mod:`indexer.engine`), chosen by the location the index is opened at. Deciding what
to (re)index is :mod:`indexer.sync`'s.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from .results import Explanation, Hit, SearchResults, SyncReport

if TYPE_CHECKING:
    from .engine import Engine, ParagraphId
    from .plan import CompiledQuery
    from .ranking import RerankSignal


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
    """A searchable index of paragraphs.

    >>> import tempfile
    >>> with Index(tempfile.mkdtemp()) as index:
    ...     index.add("новости", "Лавров и Керри провели переговоры.")
    ...     [hit.paragraph for hit in index.search("переговорах")]
    [1]

    ``location`` is a directory (the embedded engine; one that does not exist is
    created with an empty index) or the address of another engine's index.

    :raises IndexLocationError: the location cannot be used: a directory that is a
        file, cannot be created or written, or holds files that are not an index of
        ours; an address no engine serves.
    """

    def __init__(self, location: str | os.PathLike[str]) -> None:
        from .engines import open_engine

        self._engine: Engine = open_engine(os.fspath(location))
        #: Where the index is (an absolute path for a directory).
        self.location = self._engine.location
        self.path = self.location

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

        roots = [ingest.source_root(os.fspath(p)) for p in paths]
        walk = ingest.walk(roots, skip=self.location)
        records = {} if rebuild else self._engine.file_records()
        plan = sync.plan(records, walk, roots)
        if not rebuild and not plan.has_work:
            return SyncReport(unchanged=tuple(sorted(plan.unchanged)))
        sizes = {path: stat.size for path, stat in walk.files.items()}
        with self._engine.batch(fresh=rebuild) as batch:
            return sync.run(
                batch, plan, records,
                workers=workers or os.cpu_count() or 1, sizes=sizes, show_progress=progress,
            )  # fmt: skip

    def add(self, name: str, text: str) -> None:
        """Add a document from a string, or replace the one of that name."""
        from .engine import FileRecord
        from .paragraphs import split_paragraphs
        from .sync import fingerprint

        data = text.encode("utf-8")
        record = FileRecord(len(data), None, fingerprint(data))
        with self._engine.batch() as batch:
            writer = batch.writer(batch.part_of(name))
            try:
                writer.replace(name, split_paragraphs(text), record)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def remove(self, name: str) -> bool:
        """Remove a document (its paragraphs and record); False if there was none."""
        if name not in self._engine.file_records():
            return False
        with self._engine.batch() as batch:
            writer = batch.writer(batch.part_of(name))
            writer.delete(name)
            writer.commit()
        return True

    # -- searching -------------------------------------------------------------------

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

        Threads may share an index: a search reads one state of it from start to end,
        whatever a sync in another thread or process writes meanwhile.

        :raises QueryError: the query is malformed or has nothing to search for.
        :raises IndexDamagedError: a file of the index is damaged; rebuild it.
        """
        from .correction import corrected_text, corrections
        from .errors import QueryError
        from .plan import compile_query

        if limit < 1:
            raise ValueError("limit must be at least 1")
        engine = self._engine
        with engine.reading():
            compiled = compile_query(query, literal=literal, sources=self.sources)
            hits, total = self._run(compiled, limit, explain)
            corrected = suggestion = None
            fixes = (
                corrections(compiled, engine.vocabulary(), engine.statistics()) if correct else []
            )
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

    def _run(
        self, compiled: CompiledQuery, limit: int, explain: bool
    ) -> tuple[tuple[Hit, ...], int]:
        from collections import Counter

        from . import ranking
        from .highlight import match_spans

        engine = self._engine
        statistics = engine.statistics()
        signals = [s for s in ranking.RERANK_SIGNALS if s.applies(compiled.near)]
        depth = max(limit, ranking.RERANK_DEPTH) if signals else limit
        found = engine.candidates(compiled.plan, depth)
        ids = [pid for pid, _ in found.top]
        bonuses = self._bonuses(compiled, ids, signals)
        scored = [(score + sum(bonuses[pid]), pid) for pid, score in found.top]
        # Equal scores (a paragraph copied from one article to another) in the order of
        # their sources and numbers, whatever order the engine found them in: only those
        # paragraphs are read before the shown ones.
        counts = Counter(score for score, _ in scored)
        tied = [pid for score, pid in scored if counts[score] > 1]
        stored = dict(zip(tied, engine.paragraphs(tied), strict=True))

        def order(item: tuple[float, ParagraphId]) -> tuple[float, str, int]:
            paragraph = stored.get(item[1])
            return (
                (-item[0], paragraph.source, paragraph.number) if paragraph else (-item[0], "", 0)
            )

        ranked = sorted(scored, key=order)[:limit]
        shown = [pid for _, pid in ranked if pid not in stored]
        stored.update(zip(shown, engine.paragraphs(shown), strict=True))
        # Related lemmas are marked only where they counted.
        marked = compiled.lemmas | {
            lemma
            for word in compiled.related
            for lemma in word.related
            if ranking.related_weight(word.lemmas, lemma, statistics)
        }
        hits = []
        for score, pid in ranked:
            paragraph = stored[pid]
            explanation = None
            if explain:
                earned = zip(signals, bonuses[pid], strict=True)
                explanation = self._explain(compiled, pid, earned, score)
            hits.append(
                Hit(
                    source=paragraph.source,
                    paragraph=paragraph.number,
                    text=paragraph.text,
                    score=round(score, 4),
                    spans=match_spans(paragraph.text, marked, compiled.forms, compiled.prefixes),
                    explanation=explanation,
                )
            )
        return tuple(hits), found.total

    def _bonuses(
        self,
        compiled: CompiledQuery,
        paragraphs: Sequence[ParagraphId],
        signals: Sequence[RerankSignal],
    ) -> dict[ParagraphId, list[float]]:
        """What each re-ranking signal adds to each of the best paragraphs."""
        from .ranking import informativeness, word_positions

        if not signals:
            return {pid: [] for pid in paragraphs}
        statistics = self._engine.statistics()
        idfs = [informativeness(lemmas, statistics) for lemmas in compiled.near]
        lemmas = {lemma for word in compiled.near for lemma in word}
        found = self._engine.positions(paragraphs, lemmas)
        bonuses = {}
        for pid in paragraphs:
            have = found.get(pid, {})
            positions = [word_positions(have, word) for word in compiled.near]
            bonuses[pid] = [signal.bonus(positions, idfs) for signal in signals]
        return bonuses

    def _explain(
        self,
        compiled: CompiledQuery,
        paragraph: ParagraphId,
        bonuses: Iterable[tuple[RerankSignal, float]],
        score: float,
    ) -> Explanation:
        from .explain import explain

        explanation = explain(compiled, self._engine, paragraph)
        earned = [(signal, bonus) for signal, bonus in bonuses if bonus]
        if not earned:
            return explanation
        names = " and ".join(signal.name for signal, _ in earned)
        parts = [Explanation(signal.description, bonus) for signal, bonus in earned]
        return Explanation(f"the match plus {names}", score, (explanation, *parts))

    def sources(self) -> list[str]:
        """The names of the documents in the index, in sorted order."""
        return sorted(self._engine.file_records())

    # -- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        """Release what the index holds open for searching."""
        self._engine.close()

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
        return f"Index({self.location!r})"
