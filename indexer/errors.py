"""Exceptions raised by the library; all derive from :class:`IndexerError`.

Each message is one line that says what went wrong and what to do about it; the CLI
prints it as it is and exits with status 2.
"""

from __future__ import annotations


class IndexerError(Exception):
    """Base class of every error this library raises on purpose."""


class QueryError(IndexerError):
    """The query cannot be searched as written (syntax, or nothing to search for)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        #: 0-based character offset in the query where the problem is, if known.
        self.position = position


class QuerySyntaxError(QueryError):
    """The query has an unclosed quote or parenthesis, or a dangling operator."""

    def __init__(
        self, message: str, position: int | None = None, *, punctuation: bool = False
    ) -> None:
        super().__init__(message, position)
        #: Whether the error is only unbalanced quotes or parentheses, as pasted prose
        #: has, rather than a misplaced operator.
        self.punctuation = punctuation


class EmptyQueryError(QueryError):
    """The query has no words to search for (empty, punctuation, or only common words)."""


class SourceNotFoundError(IndexerError):
    """A path given to sync does not exist or cannot be read."""


class UnreadableFileError(IndexerError):
    """A file is binary or cannot be decoded as text."""


class IndexLocationError(IndexerError):
    """The index directory cannot be used: it is a file, not writable, or not ours."""


class SchemaMismatchError(IndexerError):
    """The index was built by another version of this library and must be rebuilt."""


class IndexNotUpdatedError(IndexerError):
    """The index could not be updated; it is unchanged and still searchable as it is."""


class IndexBusyError(IndexNotUpdatedError):
    """Another process is writing to the index; the index is still searchable as it is."""


class IndexWriteError(IndexNotUpdatedError):
    """Writing to the index failed (a read-only directory, a full disk); nothing of the
    failed write is left behind and the index is searchable as it was."""


class IndexDamagedError(IndexerError):
    """A file of the index is missing or damaged; rebuilding the index fixes it."""


class SynonymsError(IndexerError):
    """A synonym file cannot be read, or a group in it has fewer than two members."""
