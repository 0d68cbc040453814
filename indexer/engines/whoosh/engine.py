"""The embedded engine: paragraphs in Whoosh indexes in a directory, one per shard."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from ...analysis import Occurrences
from ...engine import TIES, Candidates, FileRecord, Paragraph, ParagraphId, with_ties
from ...errors import IndexWriteError
from ...plan import Node
from .schema import CONTENT
from .statistics import WhooshStatistics, segment_frequency, statistics
from .storage import DAMAGE, DECODING, WRITER_MEMORY_MB, Storage, open_writer, shard_of

#: Seconds a search through Whoosh's collector may take; then the best hits found so
#: far are the answer, and the results say so.
SEARCH_TIME_LIMIT = 0.5


class WhooshEngine:
    """An index directory of ours (see :mod:`.storage`), searched through one reader
    over every shard, so that scores use statistics of the whole collection.

    One engine may be shared by threads: a lock keeps the searcher of a search
    (:meth:`reading`) from being swapped for a newer one until the search ends, and
    searches of one engine take turns.

    :raises IndexLocationError: the directory is a file, cannot be created or written,
        or holds files that are not an index of ours.
    """

    def __init__(self, location: str) -> None:
        self.location = os.path.abspath(location)
        self._storage = Storage(self.location)
        self._searcher: Any = None
        self._lock = threading.RLock()
        self._pinned = 0
        self._records: tuple[Any, dict[str, FileRecord]] | None = None

    # -- reading ---------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Read one state of the index until the block ends, whatever is written
        meanwhile (by this process's threads or by other processes)."""
        with self._lock:
            self.searcher()
            self._pinned += 1
            try:
                yield
            except DECODING as exc:  # a damaged file found only when a search read it
                raise self._storage.damage(exc) from exc
            finally:
                self._pinned -= 1

    def searcher(self) -> Any:
        """The Whoosh searcher over the live commit: opened again when a write (here or
        in another process) made another commit live, except during :meth:`reading`.

        :raises IndexDamagedError: a file of the index is missing or damaged.
        """
        from whoosh.searching import Searcher

        from .matchers import ParagraphBM25

        with self._lock:
            if self._searcher is None or (not self._pinned and self._storage.changed()):
                # No search of another thread is using the old one: they hold the lock.
                self._reset()
                self._searcher = Searcher(self._storage.reader(), weighting=ParagraphBM25())
            return self._searcher

    def statistics(self) -> WhooshStatistics:
        return statistics(self.searcher())

    def vocabulary(self) -> WhooshVocabulary:
        return WhooshVocabulary(self.searcher().reader())

    def candidates(self, plan: Node, depth: int) -> Candidates:
        """A plain bag of words and quoted phrases, synonyms and all, is scored term at
        a time (:func:`.compiler.score_bag`); any other plan goes through Whoosh's
        collector, whose block skipping makes the count an estimate."""
        import heapq

        from whoosh.collectors import TimeLimit

        from .compiler import compile_plan, score_bag
        from .matchers import Budget, PatientTimeLimit

        searcher = self.searcher()
        scores = score_bag(plan, searcher)
        if scores is not None:
            # The score of the last one wanted first (comparing bare floats), then the
            # few paragraphs that reach it in order: ordering all of them by score and
            # number cost a common word's search a seventh of its time.
            floor = heapq.nlargest(depth + 1, scores.values())[-1] if scores else 0.0
            reach = [item for item in scores.items() if item[1] >= floor]
            ranked = heapq.nsmallest(depth + 1, reach, key=lambda i: (-i[1], i[0]))
            best = ranked[:depth]
            if len(ranked) > depth and ranked[depth][1] == best[-1][1]:
                # Others tie with the last one (rarely: only then are all scores read).
                last, score = best[-1]
                tied = sorted(p for p, s in scores.items() if s == score and p > last)
                best += [(p, score) for p in tied[:TIES]]
            return Candidates([*best], len(scores))
        budget = Budget(SEARCH_TIME_LIMIT)
        query = compile_plan(plan, searcher, budget)
        limit = depth
        while True:
            collector = PatientTimeLimit(searcher.collector(limit=limit), budget.left, limit)
            try:
                searcher.search_with_collector(query, collector)
            except TimeLimit:
                budget.out_of_time()
            results = collector.results()
            top = [(hit.docnum, hit.score) for hit in results]
            # Until the paragraphs that tie with the last one asked for all fit.
            if (
                budget.notes
                or len(top) < limit
                or top[-1][1] != top[depth - 1][1]
                or limit > depth + TIES
            ):
                break
            limit *= 4
        total = len(results) if results.has_exact_length() else results.estimated_length()
        return Candidates(with_ties(top, depth), total, tuple(budget.notes))

    def positions(
        self,
        paragraphs: Sequence[ParagraphId],
        lemmas: Collection[str],
        prefixes: Collection[str] = (),
    ) -> dict[ParagraphId, dict[str, Occurrences]]:
        """Read from the postings, once per lemma and segment for all the paragraphs in
        it (in order, skipping the blocks between them): analysing the paragraphs' text
        again cost more than the search itself on a small index. Only the segments that
        have a lemma are asked for its postings (:func:`.statistics.segment_frequency`)."""
        from .compiler import prefix_lemmas

        order = sorted(int(p) for p in set(paragraphs))
        found: dict[ParagraphId, dict[str, Occurrences]] = {docnum: {} for docnum in order}
        reader = self.searcher().reader()
        expanded = {lemma for prefix in prefixes for lemma in prefix_lemmas(reader, prefix)[0]}
        wanted = {*lemmas, *expanded}
        for leaf, offset in reader.leaf_readers():
            end = offset + leaf.doc_count_all()
            inside = [docnum - offset for docnum in order if offset <= docnum < end]
            for lemma in wanted if inside else ():
                if not segment_frequency(leaf, lemma):
                    continue
                postings = leaf.postings(CONTENT, lemma)
                for docnum in inside:
                    postings.skip_to(docnum)
                    if not postings.is_active():
                        break
                    if postings.id() == docnum:
                        found[docnum + offset][lemma] = Occurrences(
                            postings.value_as("positions"), int(postings.weight())
                        )
        return found

    def paragraphs(self, ids: Sequence[ParagraphId]) -> list[Paragraph]:
        searcher = self.searcher()
        found = []
        for docnum in ids:
            stored = searcher.stored_fields(docnum)
            length = searcher.doc_field_length(docnum, CONTENT, 0)
            found.append(Paragraph(stored["source"], stored["paragraph"], stored[CONTENT], length))
        return found

    def file_records(self) -> dict[str, FileRecord]:
        with self.reading():
            searcher = self.searcher()
            # Read once per state of the index: a command-line search asks for them to
            # sync and again to list the sources it searches.
            if self._records is None or self._records[0] is not searcher:
                try:
                    self._records = (
                        searcher,
                        load_manifest(searcher, self._storage.manifest_cache),
                    )
                except DAMAGE as exc:
                    raise self._storage.damage(exc) from exc
            return dict(self._records[1])

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self, *, fresh: bool = False) -> Iterator[WhooshBatch]:
        """Write new commits of the live generation's shards, or, ``fresh``, a new
        generation, holding the index's lock; they all become live when the block ends,
        or, if it raises, none does and what was written is deleted.

        :raises IndexBusyError: another process is writing.
        :raises IndexWriteError: the directory cannot be written (read-only, full).
        """
        storage = self._storage
        if not fresh:
            storage.check_current()
        try:
            with storage.writing():
                if fresh:
                    generation, shards = storage.new_generation()
                    tocs = (0,) * shards
                else:
                    storage.check_current()
                    generation, shards, tocs = (
                        storage.live.generation,
                        storage.shards,
                        storage.live.tocs,
                    )
                try:
                    yield WhooshBatch(storage.path, generation, shards, tocs)
                    storage.switch(generation, shards)
                except BaseException:
                    with contextlib.suppress(OSError):
                        storage.collect()
                    raise
        except OSError as exc:
            raise IndexWriteError(
                f"cannot update the index in «{storage.path}»: {exc.strerror or exc}"
            ) from exc
        finally:
            self._reset()

    def _reset(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._records = None

    def close(self) -> None:
        self._reset()


class WhooshVocabulary:
    """The lemmas of the paragraph field, looked up among those with the same first
    letter, which are read from the word lists once per reader."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader

    def similar(self, lemma: str, edits: int) -> list[str]:
        # Whoosh's Levenshtein automaton walks the word list in Python, tens of ms a
        # lookup; the words of one first letter, compared in C, take a millisecond.
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        words = self._starting_with(lemma[:1])
        found = process.extract(lemma, words, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return [word for word, _, _ in found]

    def _starting_with(self, letter: str) -> list[str]:
        cached = _words_by_letter.setdefault(self.reader, {})
        if letter not in cached:
            cached[letter] = sorted(
                {
                    word.decode() if isinstance(word, bytes) else word
                    for leaf, _offset in self.reader.leaf_readers()
                    for word in leaf.expand_prefix(CONTENT, letter)
                }
            )
        return cached[letter]


_words_by_letter: WeakKeyDictionary[Any, dict[str, list[str]]] = WeakKeyDictionary()


@dataclass(frozen=True)
class WhooshBatch:
    """A generation's shards, each written by a writer of its own (picklable, so that a
    worker process can open its shard's writer)."""

    path: str
    generation: str
    shards: int
    #: The commit each shard's writer starts from.
    tocs: tuple[int, ...]

    @property
    def parts(self) -> int:
        return self.shards

    def part_of(self, source: str) -> int:
        return shard_of(source, self.shards)

    def writer(self, part: int, concurrent: int = 1) -> ShardWriter:
        # The writers at work share the posting buffer budget.
        memory = WRITER_MEMORY_MB // max(1, concurrent)
        return ShardWriter(open_writer(self.path, self.generation, part, self.tocs[part], memory))


#: A segment with more than this share of its paragraphs deleted (replaced by a newer
#: version, or gone with its file) is written again, without them, at the next commit
#: of its shard: without it, a big segment kept every paragraph ever replaced in it.
MAX_DELETED_SHARE = 0.25


def merge_policy(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's own policy (merge small segments together), and every segment more than
    :data:`MAX_DELETED_SHARE` deleted rewritten; returns the segments kept as they are."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL

    kept = []
    for segment in MERGE_SMALL(writer, segments):
        if segment.deleted_count() > MAX_DELETED_SHARE * segment.doc_count_all():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


class ShardWriter:
    """Paragraphs and file records through a Whoosh writer on one shard."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def replace(self, source: str, paragraphs: Sequence[str], record: FileRecord) -> None:
        self.delete(source)
        for number, paragraph in enumerate(paragraphs, 1):
            self._writer.add_document(content=paragraph, source=source, paragraph=number)
        self._add_record(source, record)

    def update_record(self, source: str, record: FileRecord) -> None:
        self._writer.delete_by_term("file", source)
        self._add_record(source, record)

    def delete(self, source: str) -> None:
        self._writer.delete_by_term("source", source)
        self._writer.delete_by_term("file", source)

    def _add_record(self, source: str, record: FileRecord) -> None:
        self._writer.add_document(
            kind="file",
            file=source,
            size=record.size,
            mtime_ns=record.mtime_ns,
            sha=record.sha,
            problem=record.problem,
        )

    def commit(self) -> None:
        self._writer.commit(mergetype=merge_policy)

    def cancel(self) -> None:
        self._writer.cancel()


def load_manifest(searcher: Any, cache: str | None = None) -> dict[str, FileRecord]:
    """The file records of an index, by source.

    Reading them one stored document at a time costs a search of a big folder more than
    the search itself, so a copy is kept in the JSON file ``cache`` (plain data, never
    anything that runs), valid only for the exact segments (and deletions) it was read
    from; anything else reads the index again.
    """
    segments = [leaf.segment() for leaf, _ in searcher.reader().leaf_readers()]
    state = [[seg.segment_id(), seg.deleted_count()] for seg in segments if seg is not None]
    if cache:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            with open(cache, encoding="utf-8") as file:
                saved = json.load(file)
            if saved["state"] == state:
                return {source: FileRecord(*record) for source, record in saved["records"].items()}
    manifest = {}
    for docnum in searcher.document_numbers(kind="file"):
        fields = searcher.stored_fields(docnum)
        manifest[fields["file"]] = FileRecord(
            fields.get("size"), fields.get("mtime_ns"), fields.get("sha"), fields.get("problem")
        )
    if cache:
        # A copy that cannot be written is only a missed shortcut.
        with contextlib.suppress(OSError):
            temporary = f"{cache}.{os.getpid()}.tmp"
            records = {
                source: [r.size, r.mtime_ns, r.sha, r.problem] for source, r in manifest.items()
            }
            try:
                with open(temporary, "w", encoding="utf-8") as file:
                    json.dump({"state": state, "records": records}, file, ensure_ascii=False)
                os.replace(temporary, cache)
            finally:
                with contextlib.suppress(OSError):
                    os.remove(temporary)
    return manifest
