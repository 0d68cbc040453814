"""What the library hands back: search hits, their explanations and sync reports, as frozen
records."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    """One part of a score: what it is, how much it adds, and the parts it is made of."""

    description: str
    score: float
    children: tuple[Explanation, ...] = ()

    def lines(self, indent: int = 0) -> Iterator[str]:
        """The explanation as indented text lines."""
        yield f"{'  ' * indent}{self.score:.4f}  {self.description}"
        for child in self.children:
            yield from child.lines(indent + 1)


@dataclass(frozen=True)
class Hit:
    """A paragraph that answers a query.

    ``spans`` are ``(start, end)`` character offsets into ``text`` of the words that
    matched, in order and never overlapping.
    """

    source: str
    paragraph: int
    text: str
    score: float
    spans: tuple[tuple[int, int], ...] = ()
    #: Why the paragraph scored what it did; only with ``search(..., explain=True)``.
    explanation: Explanation | None = None


@dataclass(frozen=True)
class SearchResults:
    """The best hits of a search, best first; iterate over it like a list."""

    query: str
    hits: tuple[Hit, ...]
    #: How many paragraphs matched in all (``len()`` counts only those returned); an
    #: upper estimate when the search skipped blocks of postings too weak to rank.
    total: int
    #: Words of the query left out as too common to search for.
    dropped: tuple[str, ...] = ()
    #: The query that was searched instead, when the one typed found nothing and a
    #: spelling, keyboard-layout or transliteration fix did.
    corrected: str | None = None
    #: A better spelling of the query, when the one typed found something anyway.
    suggestion: str | None = None
    #: How many paragraphs the query as typed found when ``corrected`` was searched
    #: all the same: a Latin word the index has only rarely, read in Cyrillic, or a run
    #: typed in the wrong layout whose pieces the index has («j» of «j,cnhtk»).
    typed_total: int = 0
    #: What was searched otherwise than typed, one sentence each: a query that did
    #: not parse searched as plain words, work left out to keep a search fast.
    notes: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index: int) -> Hit:
        return self.hits[index]

    def counts(self) -> dict[str, int]:
        """How many of the hits each source has, sources in the order of their best hit
        (``grep -c``; search with ``limit=None`` to count every match).

        >>> hits = (Hit("b.txt", 3, "", 2.0), Hit("a.txt", 1, "", 1.5), Hit("b.txt", 1, "", 1.0))
        >>> SearchResults("запрос", hits, 3).counts()
        {'b.txt': 2, 'a.txt': 1}
        """
        counts: dict[str, int] = {}
        for hit in self.hits:
            counts[hit.source] = counts.get(hit.source, 0) + 1
        return counts

    def sources(self) -> list[str]:
        """The sources of the hits, each once, in the order of their best hit (``grep -l``)."""
        return list(self.counts())


@dataclass(frozen=True)
class SyncReport:
    """What a sync did: sources (absolute paths) by what happened to them."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    #: Files that are not text or could not be read, with the reason; nothing of
    #: them is indexed.
    skipped: tuple[tuple[str, str], ...] = ()
    #: Files indexed although their text may be wrong (an encoding that is a doubtful
    #: guess), with the reason.
    warnings: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the index now differs from before the sync."""
        return bool(self.added or self.updated or self.removed)
