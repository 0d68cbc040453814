"""The paragraph index: keep it in step with files, add and remove texts, search it.

``Index`` is the core's face: it analyses, plans, ranks and marks; where and how the
paragraphs are stored and matched is the business of an engine
(:mod:`indexer.engine`), chosen by the location the index is opened at. Deciding what
to (re)index is :mod:`indexer.sync`'s.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, TypeAlias

from .results import Explanation, Hit, SearchResults, SyncReport
from .synonyms import BUILTIN_SYNONYMS, Synonyms

if TYPE_CHECKING:
    from .engine import Engine, Paragraph, ParagraphId
    from .paragraphs import ParagraphMode
    from .plan import CompiledQuery, Sources
    from .progress import ProgressReport
    from .ranking import RerankSignal

#: One file or folder, or several.
Paths: TypeAlias = "str | os.PathLike[str] | Iterable[str | os.PathLike[str]]"


def cache_dir() -> str:
    """The folder of the CLI's indexes: ``$XDG_CACHE_HOME/indexer/`` (``~/.cache/indexer/``
    by default)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "indexer")


def default_index_dir(paths: Paths) -> str:
    """Where the CLI keeps the index of a set of paths: one per set, in :func:`cache_dir`,
    in a folder named after the first path and a hash of all resolved paths.
    (:func:`indexer.cache.where` also finds an index that covers the paths.)
    """
    roots = sorted({os.path.realpath(p) for p in as_paths(paths)})
    digest = hashlib.sha1(os.fsencode("\0".join(roots))).hexdigest()[:12]
    stem = os.path.basename(roots[0].rstrip(os.sep)) if roots else "index"
    return os.path.join(cache_dir(), f"{stem or 'root'}-{digest}")


def as_paths(paths: Paths) -> list[str]:
    """A path or an iterable of paths as a list of paths: a lone string is one path,
    never its characters.

    >>> as_paths("docs"), as_paths(["a", "b"])
    (['docs'], ['a', 'b'])
    """
    if isinstance(paths, str | os.PathLike):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


class Index:
    """A searchable index of paragraphs.

    >>> import tempfile
    >>> with Index(tempfile.mkdtemp()) as index:
    ...     index.add("новости", "Лавров и Керри провели переговоры.")
    ...     [hit.paragraph for hit in index.search("переговорах")]
    [1]

    ``location`` is a directory (the embedded engine; one that does not exist is
    created with an empty index) or the address of another engine's index.
    ``synonyms`` are what query words also match (:class:`indexer.Synonyms`): the
    built-in abbreviations by default («РФ» finds «России»), None for none.

    :raises IndexLocationError: the location cannot be used: a directory that is a
        file, cannot be created or written, or holds files that are not an index of
        ours; an address no engine serves.
    """

    def __init__(
        self, location: str | os.PathLike[str], *, synonyms: Synonyms | None = BUILTIN_SYNONYMS
    ) -> None:
        from .engines import open_engine

        self._engine: Engine = open_engine(os.fspath(location))
        #: What query words also match (:mod:`indexer.synonyms`): by default the
        #: built-in abbreviations ``BUILTIN_SYNONYMS``; None for none. Applied to each
        #: query, so it can change at any time.
        self.synonyms = synonyms
        #: Where the index is (an absolute path for a directory).
        self.location = self._engine.location
        self.path = self.location

    # -- writing ---------------------------------------------------------------------

    def sync(
        self,
        paths: Paths,
        *,
        rebuild: bool = False,
        workers: int | None = None,
        progress: bool | ProgressReport = False,
        paragraphs: ParagraphMode = "auto",
    ) -> SyncReport:
        """Bring the index in step with text files and folders of text files.

        ``paths`` is a path or an iterable of them. Files that appeared or changed under
        them are (re)indexed, the paragraphs of vanished ones dropped; nothing is
        written when nothing changed. Sources outside ``paths`` are left alone.
        ``rebuild`` reads every file afresh into a new index that replaces the old one
        once complete. A big build is spread over ``workers`` processes (default: one
        per core); ``progress`` draws a progress bar on stderr when it is a terminal and
        the build takes more than a second, or, given a function, calls it with the
        bytes read so far and the bytes to read. ``paragraphs`` says how plain text
        files are cut into paragraphs: ``"lines"``, ``"blocks"`` (between blank lines)
        or ``"auto"`` by the shape of each file (see
        :func:`indexer.paragraphs.split_paragraphs`); a file indexed with another
        setting is read again.

        :raises ValueError: ``paragraphs`` is none of those.
        :raises SourceNotFoundError: a path does not exist or cannot be read.
        :raises IndexBusyError: another process is writing to the index.
        :raises SchemaMismatchError: the index is of another version; pass ``rebuild``.
        """
        from . import ingest, sync
        from .paragraphs import check_mode

        check_mode(paragraphs)
        roots = [ingest.source_root(p) for p in as_paths(paths)]
        walk = ingest.walk(roots, skip=self.location)
        records = {} if rebuild else self._engine.file_records()
        names = [ingest.source_name(root) for root in roots]
        plan = sync.plan(records, walk, names, paragraphs)
        if not rebuild and not plan.has_work:
            return SyncReport(unchanged=tuple(sorted(plan.unchanged)))
        sizes = {path: stat.size for path, stat in walk.files.items()}
        with self._engine.batch(fresh=rebuild) as batch:
            return sync.run(
                batch, plan, records,
                workers=workers or os.cpu_count() or 1, sizes=sizes, show_progress=progress,
            )  # fmt: skip

    def add(self, name: str, text: str, *, paragraphs: ParagraphMode = "auto") -> None:
        """Add a document from a string, or replace the one of that name; ``paragraphs``
        as in :meth:`sync`."""
        from .engine import FileRecord
        from .paragraphs import split_paragraphs
        from .sync import fingerprint

        data = text.encode("utf-8")
        found = split_paragraphs(text, paragraphs)
        record = FileRecord(len(data), None, fingerprint(data, paragraphs))
        with self._engine.batch() as batch:
            writer = batch.writer(batch.part_of(name))
            try:
                writer.replace(name, found, record)
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
        limit: int | None = 10,
        literal: bool = False,
        strict: bool = False,
        correct: bool = True,
        explain: bool = False,
        paths: Paths | None = None,
        highlight: bool = True,
    ) -> SearchResults:
        """The paragraphs that best answer ``query``, best first, with matches marked.

        ``limit`` None returns every paragraph that matches (and ``total`` is exact).
        ``paths`` keeps only the paragraphs of sources under these files or folders.
        ``literal`` searches the words as plain words, without query syntax. A query
        that does not parse but reads as prose (an unbalanced quote or parenthesis, no
        operator word) is searched as plain words, and ``results.notes`` says so;
        ``strict`` raises :class:`QuerySyntaxError` for it instead. ``results.notes``
        also says where the work was bounded (words beyond the first 32, a prefix
        that stands for too many words). With
        ``correct``, a query word the index does not have is fixed (typo, keyboard
        layout, transliteration): if the query found nothing, the corrected one is
        searched (``results.corrected``), otherwise it is offered as
        ``results.suggestion``; a query whose only words found are a Latin word the
        index has only rarely while its Cyrillic reading is far more common
        («Lavrov» in an article's script) is searched in Cyrillic either way.
        ``explain`` attaches to each hit why it scored so. Without ``highlight`` the
        hits' ``spans`` are left empty, which saves most of the time of a search that
        only counts its hits.

        Threads may share an index: a search reads one state of it from start to end,
        whatever a sync in another thread or process writes meanwhile.

        :raises QueryError: the query is malformed or has nothing to search for.
        :raises IndexDamagedError: a file of the index is damaged; rebuild it.
        """
        from dataclasses import replace

        from .correction import Reason, corrected_text, corrections, replaces_all_found
        from .errors import QueryError
        from .plan import Filtered, compile_query, counting_relatives

        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1")
        engine = self._engine
        with engine.reading():
            within = self._within(paths)

            def compiled_query(text: str) -> CompiledQuery:
                compiled = compile_query(
                    text,
                    literal=literal,
                    strict=strict,
                    sources=self.sources,
                    synonyms=self.synonyms,
                )
                compiled = counting_relatives(compiled, engine.statistics())
                if within is None:
                    return compiled
                return replace(compiled, plan=Filtered(compiled.plan, required=(within,)))

            if limit is None:
                limit = max(1, engine.statistics().paragraphs)
            compiled = compiled_query(query)
            hits, total, limited = self._run(compiled, limit, explain, highlight)
            corrected = suggestion = None
            typed_total = 0
            fixes = (
                corrections(compiled, engine.vocabulary(), engine.statistics()) if correct else []
            )
            if fixes:
                alternative = corrected_text(compiled.text, fixes)
                # A query whose only words found are slips (a rare Latin token read in
                # Cyrillic) is searched corrected even when it found something; beside
                # other words found, a Latin word the index has is left as it is.
                if hits and not replaces_all_found(compiled, fixes, engine.statistics()):
                    offered = [
                        fix
                        for fix in fixes
                        if fix.reason is not Reason.TRANSLITERATION or not fix.replaces_present
                    ]
                    suggestion = corrected_text(compiled.text, offered) if offered else None
                else:
                    try:
                        retry = compiled_query(alternative)
                    except QueryError:
                        retry = None
                    retried = None if retry is None else self._run(retry, limit, explain, highlight)
                    if retry is not None and retried is not None and (retried[0] or not hits):
                        typed_total = total if hits else 0
                        compiled, corrected = retry, alternative
                        hits, total, limited = retried
                    elif hits:
                        suggestion = alternative
        return SearchResults(
            query,
            hits,
            total,
            compiled.dropped,
            corrected=corrected,
            suggestion=suggestion,
            typed_total=typed_total,
            notes=(*compiled.notes, *limited),
        )

    def _within(self, paths: Paths | None) -> Sources | None:
        """The sources under ``paths`` as a plan part, or None when that is all of them."""
        from .ingest import sources_under
        from .plan import Sources

        if paths is None:
            return None
        roots = [os.path.realpath(p) for p in as_paths(paths)]
        known = self.sources()
        inside = tuple(sources_under(known, roots))
        return None if len(inside) == len(known) else Sources(inside)

    def paragraphs(self, source: str, numbers: Iterable[int] | None = None) -> dict[int, str]:
        """The text of a source's paragraphs by number: those of ``numbers`` that it has,
        or all of them (for the context of a hit)."""
        from .plan import Sources

        engine = self._engine
        with engine.reading():
            found = engine.candidates(Sources((source,)), max(1, engine.statistics().paragraphs))
            stored = engine.paragraphs([pid for pid, _ in found.top])
        wanted = None if numbers is None else set(numbers)
        return {
            paragraph.number: paragraph.text
            for paragraph in sorted(stored, key=lambda p: p.number)
            if wanted is None or paragraph.number in wanted
        }

    def _run(
        self, compiled: CompiledQuery, limit: int, explain: bool, highlight: bool = True
    ) -> tuple[tuple[Hit, ...], int, tuple[str, ...]]:
        from collections import Counter

        from . import ranking
        from .highlight import match_spans

        engine = self._engine
        signals = [s for s in ranking.RERANK_SIGNALS if s.applies(compiled)]
        depth = max(limit, ranking.RERANK_DEPTH) if signals else limit
        found = engine.candidates(compiled.plan, depth)
        # The signals look at the best RERANK_DEPTH (and those that tie with the last)
        # however many hits are asked for: the first ten are the same in a list of ten
        # or of all, and a list of all reads no more to re-rank. They need each
        # paragraph's source: those are read at once.
        least = ranking.lowest_reranked(score for _, score in found.top) if signals else 0.0
        reranked = [(pid, score) for pid, score in found.top if score >= least] if signals else []
        ids = [pid for pid, _ in reranked]
        stored = dict(zip(ids, engine.paragraphs(ids), strict=True))
        bonuses = self._bonuses(compiled, reranked, stored, signals)
        scored = [(score + sum(bonuses.get(pid, ())), pid) for pid, score in found.top]
        # Equal scores (a paragraph copied from one article to another) in the order of
        # their sources and numbers, whatever order the engine found them in: only those
        # paragraphs are read before the shown ones.
        counts = Counter(score for score, _ in scored)
        tied = [pid for score, pid in scored if counts[score] > 1 and pid not in stored]
        stored.update(zip(tied, engine.paragraphs(tied), strict=True))

        def order(item: tuple[float, ParagraphId]) -> tuple[float, str, int]:
            paragraph = stored.get(item[1])
            return (
                (-item[0], paragraph.source, paragraph.number) if paragraph else (-item[0], "", 0)
            )

        ranked = sorted(scored, key=order)[:limit]
        shown = [pid for _, pid in ranked if pid not in stored]
        stored.update(zip(shown, engine.paragraphs(shown), strict=True))
        hits = []
        for score, pid in ranked:
            paragraph = stored[pid]
            explanation = None
            if explain:
                earned = zip(signals, bonuses[pid], strict=True) if pid in bonuses else ()
                explanation = self._explain(compiled, pid, earned, score)
            hits.append(
                Hit(
                    source=paragraph.source,
                    paragraph=paragraph.number,
                    text=paragraph.text,
                    score=round(score, 4),
                    spans=match_spans(
                        paragraph.text, compiled.lemmas, compiled.forms, compiled.prefixes
                    )
                    if highlight
                    else (),
                    explanation=explanation,
                )
            )
        return tuple(hits), found.total, found.notes

    def highlight(
        self, query: str, texts: Sequence[str], *, literal: bool = False
    ) -> list[tuple[tuple[int, int], ...]]:
        """Where ``query`` matches in each of ``texts``: spans as hits have them, for
        marking the words in paragraphs that were not hits (a document's neighbours).

        :raises QueryError: the query is malformed or has nothing to search for.
        """
        from .highlight import match_spans
        from .plan import compile_query, counting_relatives

        compiled = compile_query(query, literal=literal, synonyms=self.synonyms)
        with self._engine.reading():
            compiled = counting_relatives(compiled, self._engine.statistics())
        lemmas, forms, prefixes = compiled.lemmas, compiled.forms, compiled.prefixes
        return [match_spans(text, lemmas, forms, prefixes) for text in texts]

    def _bonuses(
        self,
        compiled: CompiledQuery,
        found: Sequence[tuple[ParagraphId, float]],
        stored: Mapping[ParagraphId, Paragraph],
        signals: Sequence[RerankSignal],
    ) -> dict[ParagraphId, list[float]]:
        """What each re-ranking signal adds to each of the best paragraphs (``found``,
        with their scores; ``stored`` has them all)."""
        from .analysis import INDEX
        from .forms import FormCheck, surface_form
        from .ranking import AsTyped, Candidate, Sure, informativeness, word_positions

        if not signals:
            return {}
        statistics = self._engine.statistics()
        idfs = [informativeness(lemmas, statistics) for lemmas in compiled.near]
        lemmas = {lemma for word in compiled.near for lemma in word}
        where = self._engine.positions([pid for pid, _ in found], lemmas)
        # Each candidate is asked only what the signals that apply need.
        typed = [
            {
                FormCheck(surface_form(w.surface))
                for w in compiled.words
                if len(w.lemmas) > 1 and not word.isdisjoint(w.lemmas)
            }
            if any(isinstance(signal, AsTyped) for signal in signals)
            else set()
            for word in compiled.near
        ]
        # A lone word's forms that can only mean what it means (:class:`Sure`).
        lone = [compiled.lone] if any(isinstance(signal, Sure) for signal in signals) else []
        candidates = []
        for pid, score in found:
            text = stored[pid].text
            positions = [word_positions(where.get(pid, {}), word) for word in compiled.near]
            # A form is looked for only where its word stands.
            has = [
                bool(at) and any(check(text) for check in checks)
                for at, checks in zip(positions, typed, strict=True)
            ]
            sure = (
                [
                    any(meant.issuperset(lemmas) for lemmas in INDEX.lemmas_at(text, at))
                    for at, meant in zip(positions, lone, strict=True)
                ]
                if lone
                else []
            )
            candidates.append(Candidate(stored[pid].source, score, positions, has, sure))
        each = [signal.bonuses(candidates, idfs) for signal in signals]
        return {pid: [bonuses[k] for bonuses in each] for k, (pid, _) in enumerate(found)}

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

    def document(self, source: str) -> tuple[str, ...]:
        """The paragraphs of a document as the index holds them, in order: paragraph
        ``n`` of hits is item ``n - 1``.

        Only a name in :meth:`sources` is a document; nothing is read from disk.

        >>> import tempfile
        >>> with Index(tempfile.mkdtemp()) as index:
        ...     index.add("заметка", "Первый абзац.\\n\\nВторой абзац.")
        ...     index.document("заметка")
        ('Первый абзац.', 'Второй абзац.')

        :raises SourceNotFoundError: the index has no document of that name.
        """
        from .errors import SourceNotFoundError

        if source not in self._engine.file_records():
            raise SourceNotFoundError(f"the index has no document «{source}»")
        return tuple(self.paragraphs(source).values())

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
