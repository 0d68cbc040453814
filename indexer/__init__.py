"""Keyword search over Russian text, paragraph by paragraph, in every word form.

>>> from indexer import lemmas
>>> lemmas("Сирии")
('сирия',)

The heavy parts (Whoosh, pymorphy3) load on first use, so ``import indexer`` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    EmptyQueryError,
    IndexBusyError,
    IndexDamagedError,
    IndexerError,
    IndexLocationError,
    IndexNotUpdatedError,
    IndexWriteError,
    QueryError,
    QuerySyntaxError,
    SchemaMismatchError,
    SourceNotFoundError,
    SynonymsError,
    UnreadableFileError,
)

if TYPE_CHECKING:
    from .index import Index, default_index_dir
    from .morphology import lemmas
    from .results import Hit, SearchResults, SyncReport
    from .synonyms import BUILTIN_SYNONYMS, Synonyms

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_SYNONYMS",
    "EmptyQueryError",
    "Hit",
    "Index",
    "IndexBusyError",
    "IndexDamagedError",
    "IndexLocationError",
    "IndexNotUpdatedError",
    "IndexWriteError",
    "IndexerError",
    "QueryError",
    "QuerySyntaxError",
    "SchemaMismatchError",
    "SearchResults",
    "SourceNotFoundError",
    "SyncReport",
    "Synonyms",
    "SynonymsError",
    "UnreadableFileError",
    "__version__",
    "default_index_dir",
    "lemmas",
]

_LAZY = {
    "Index": "index",
    "default_index_dir": "index",
    "lemmas": "morphology",
    "Hit": "results",
    "SearchResults": "results",
    "SyncReport": "results",
    "Synonyms": "synonyms",
    "BUILTIN_SYNONYMS": "synonyms",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
