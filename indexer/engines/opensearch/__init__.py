"""A paragraph index in an OpenSearch cluster, at ``http(s)://[user:password@]host:port/name``.

Several nodes may be named, separated by commas (``http://a:9200,b:9200/news``), so that
the index answers while one of them is down. Documents and queries are analysed by our
own code in Python and sent pre-analysed (:mod:`.mapping`); the engine matches plans
(:mod:`.compiler`) and its best candidates are scored again in Python by the plan's own
evaluation, so that the answers are the embedded index's (:mod:`.engine`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...engine import Engine


def accepts(location: str) -> bool:
    """Whether ``location`` is an ``http://`` or ``https://`` address."""
    return location.lower().startswith(("http://", "https://"))


def open(location: str) -> Engine:  # noqa: A001 — the engines' common entry point
    """The engine of the index at ``location`` (created empty when new).

    :raises IndexLocationError: the cluster cannot be reached, is not a supported
        OpenSearch, or the name is not a valid index name or holds an index not ours.
    """
    from .engine import OpenSearchEngine

    return OpenSearchEngine(location)
