"""The Whoosh schema: one document per paragraph, plus one record per source file.

A file record (``kind="file"``) holds what sync needs to know without reading the file
again; it lives in the index itself so that it is committed together with the
paragraphs it describes. It names its source in a field of its own (``file``), so that
no query on paragraphs, ``source:`` included, can ever match it.
"""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from .analysis import LemmaPositions, russian_analyzer

#: Bumped whenever the schema or the analysis changes what is indexed; an index built
#: with another version must be rebuilt.
SCHEMA_VERSION = 8

#: The field that holds a paragraph's text, indexed by lemmas with positions.
CONTENT = "content"


def build_schema() -> Schema:
    """The schema of a paragraph index."""
    content = TEXT(analyzer=russian_analyzer(), phrase=True, stored=True)
    content.format = LemmaPositions(field_boost=content.format.field_boost)
    return Schema(
        # Paragraphs: their text, where they come from, and their number in it.
        content=content,
        source=ID(stored=True),
        paragraph=STORED(),
        # File records: the fingerprint sync compares, and why a file gave no text.
        kind=ID(),
        file=ID(stored=True),
        size=STORED(),
        mtime_ns=STORED(),
        sha=STORED(),
        problem=STORED(),
    )
