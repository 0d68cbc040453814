"""The seam between the search core and the engines that store and match paragraphs.

The core (analysis, query plans, ranking, highlighting, corrections, sync) decides what
to index and how to rank; an engine stores the analysed paragraphs and answers a few
questions about them. An engine lives in a subpackage of :mod:`indexer.engines` and is
found by the location it is opened at (a folder, an ``http(s)://`` URL…), so adding one
needs no edit here.

::

    Index ── sync ─────────────► Engine.file_records, Engine.batch → Batch.writer
      │                                                              (replace, delete, commit)
      └── search ── plan ──────► Engine.candidates(plan, depth)   the best paragraphs
                    ranking ───► Engine.statistics, Engine.positions   re-ranking, explain
                    correction ► Engine.vocabulary
                    hits ──────► Engine.paragraphs
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from .analysis import Occurrences
from .plan import Node
from .ranking import Statistics

#: How an engine names a paragraph between calls (valid until the next write).
ParagraphId: TypeAlias = int | str


def partition(source: str, parts: int) -> int:
    """The part of ``parts`` a source is written by: stable across processes and runs.

    >>> partition("/news/a.txt", 4) == partition("/news/a.txt", 4)
    True
    """
    return zlib.crc32(source.encode("utf-8")) % parts


@dataclass(frozen=True)
class FileRecord:
    """What the index remembers of a source: its fingerprint, or why it gave no text."""

    size: int | None
    mtime_ns: int | None
    sha: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """A stored paragraph: where it comes from, its text, and its length as BM25 counts
    it (its lemmas, those stacked on one word each counted, rounded up by
    :func:`indexer.ranking.counted_length`)."""

    source: str
    number: int
    text: str
    length: int


@dataclass(frozen=True)
class Candidates:
    """The best paragraphs for a plan with their scores, best first, and how many match
    in all (an upper estimate where the engine skipped what could not rank)."""

    top: list[tuple[ParagraphId, float]]
    total: int
    #: Where the engine bounded its work (a prefix standing for too many words), one
    #: sentence each, for the user.
    notes: tuple[str, ...] = ()


#: At most this many paragraphs past the ``depth`` asked for are handed over because they
#: tie with the last one (which of a bigger crowd of equals come is the engine's choice).
TIES = 1000


def with_ties(
    ranked: Sequence[tuple[ParagraphId, float]], depth: int
) -> list[tuple[ParagraphId, float]]:
    """The first ``depth`` of paragraphs ranked best first, and those after them that
    score the same as the last (at most :data:`TIES` of them).

    >>> with_ties([("a", 3.0), ("b", 2.0), ("c", 2.0), ("d", 1.0)], 2)
    [('a', 3.0), ('b', 2.0), ('c', 2.0)]
    """
    if len(ranked) <= depth:
        return list(ranked)
    last = ranked[depth - 1][1]
    end = depth
    while end < min(len(ranked), depth + TIES) and ranked[end][1] == last:
        end += 1
    return list(ranked[:end])


class Vocabulary(Protocol):
    """The lemmas an index holds, looked up by spelling."""

    def similar(self, lemma: str, edits: int) -> Iterable[str]:
        """Indexed lemmas within ``edits`` Damerau–Levenshtein edits of ``lemma`` that
        share its first letter (a slip there is rare, and every engine can then look in
        one part of its word list)."""
        ...


class ParagraphWriter(Protocol):
    """Writes the paragraphs of sources, each with its file record, in one transaction."""

    def replace(self, source: str, paragraphs: Sequence[str], record: FileRecord) -> None:
        """Put ``paragraphs`` (maybe none) and ``record`` in place of what ``source`` had."""
        ...

    def update_record(self, source: str, record: FileRecord) -> None:
        """Replace only the file record of ``source`` (touched, not changed)."""
        ...

    def delete(self, source: str) -> None:
        """Delete the paragraphs and the record of ``source``."""
        ...

    def commit(self) -> None:
        """Make everything written visible and durable. An engine that cannot write all
        or nothing (a cluster) must at least write a source's record after its
        paragraphs, so that a sync cut short is redone by the next."""
        ...

    def cancel(self) -> None:
        """Forget what was written since the writer was opened, or what is not sent yet
        where that is all an engine can do."""
        ...


class Batch(Protocol):
    """What a sync writes into: the sources split into ``parts``, each written by a
    writer of its own, maybe in another process (a batch is pickled there)."""

    @property
    def parts(self) -> int:
        """How many writers may work at once."""
        ...

    def part_of(self, source: str) -> int:
        """The part a source is written by (stable across processes and runs)."""
        ...

    def writer(self, part: int, concurrent: int = 1) -> ParagraphWriter:
        """A writer for one part, sharing the engine's writing resources with
        ``concurrent - 1`` others.

        :raises IndexBusyError: another process is writing that part (where the engine
            locks by part).
        """
        ...


class Engine(Protocol):
    """Stores analysed paragraphs and the file records of their sources; matches plans.

    Raises :class:`~indexer.errors.SchemaMismatchError` from anything that reads or
    writes an index built by another version (except ``batch(fresh=True)``),
    :class:`~indexer.errors.IndexLocationError` when the location cannot be used.
    """

    #: Where the index is, as the user named it.
    location: str

    def file_records(self) -> Mapping[str, FileRecord]:
        """The record of every source in the index."""
        ...

    def batch(self, *, fresh: bool = False) -> AbstractContextManager[Batch]:
        """Write into the index; with ``fresh``, into a new empty index that replaces
        this one when the block ends without an error (until then searches see the old).

        :raises IndexBusyError: another process is writing (the embedded engine says
            so here only for ``fresh``, and otherwise when a writer opens).
        """
        ...

    def reading(self) -> AbstractContextManager[None]:
        """Within the block, every call reads one state of the index (the paragraph ids
        of one call mean the same in the next), whatever other threads or processes
        write meanwhile; an engine shared by threads makes them take turns if it must."""
        ...

    def statistics(self) -> Statistics:
        """Collection statistics of the paragraphs, for scores."""
        ...

    def vocabulary(self) -> Vocabulary:
        """The indexed lemmas, for corrections."""
        ...

    def candidates(self, plan: Node, depth: int) -> Candidates:
        """The ``depth`` best paragraphs for a plan, scored as :mod:`indexer.plan` says
        (every related lemma in it counts: the core leaves out those that do not,
        :func:`indexer.plan.counting_relatives`), and every other paragraph that scores
        the same as the last of them (up to :data:`TIES`): which of equal paragraphs
        rank is decided by their sources and numbers (:class:`indexer.Index`),
        never by where an engine happened to store them."""
        ...

    def positions(
        self,
        paragraphs: Sequence[ParagraphId],
        lemmas: Collection[str],
        prefixes: Collection[str] = (),
    ) -> dict[ParagraphId, dict[str, Occurrences]]:
        """For each paragraph, the word positions of each of ``lemmas`` it has, and of
        every lemma it has that starts with one of ``prefixes``, in order (a lemma that
        two parts of one word share is listed twice there by the embedded engine), with
        the lemma's term frequency as indexed (:class:`indexer.analysis.Occurrences`)."""
        ...

    def paragraphs(self, ids: Sequence[ParagraphId]) -> list[Paragraph]:
        """The stored paragraphs of ``ids``, in that order."""
        ...

    def close(self) -> None:
        """Release what the engine holds open."""
        ...
