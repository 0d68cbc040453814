"""The embedded engine: a Whoosh index in a local directory (see :mod:`.engine`).

Everything that names Whoosh lives in this package: the schema, the postings codec,
the storage of shards and generations, plans compiled to Whoosh queries, the matchers,
and the fast term-at-a-time path for bags of words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...engine import Engine


def accepts(location: str) -> bool:
    """Whether ``location`` is for this engine: a local directory, not an address."""
    return "://" not in location


def open(location: str) -> Engine:  # noqa: A001 — the engines' common entry point
    """The engine of the index in directory ``location`` (created when new or empty)."""
    from .engine import WhooshEngine

    return WhooshEngine(location)
