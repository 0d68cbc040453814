"""A local web page to search the index and read its documents (``search.py --serve``).

>>> from indexer.web import is_loopback
>>> is_loopback("::1")
True

Needs Flask (``pip install 'indexer[web]'``), which is imported only here.
"""

from __future__ import annotations

from .app import create_app
from .live import LiveIndex, SyncStatus
from .server import DEFAULT_HOST, DEFAULT_PORT, WebServer, is_loopback, serve

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "LiveIndex",
    "SyncStatus",
    "WebServer",
    "create_app",
    "is_loopback",
    "serve",
]
