"""The engines an index can live in, one subpackage each.

An engine's package says which locations are its own (``accepts(location)``) and opens
them (``open(location)``, an :class:`indexer.engine.Engine`); both must be cheap to
import, loading the engine's dependencies only when an index is opened. Adding an engine
is adding a package here: nothing else lists them.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from ..errors import IndexLocationError

if TYPE_CHECKING:
    from ..engine import Engine


def open_engine(location: str) -> Engine:
    """The engine of the index at ``location``.

    :raises IndexLocationError: no engine serves such a location.
    """
    for found in pkgutil.iter_modules(__path__):
        engine = importlib.import_module(f"{__name__}.{found.name}")
        if engine.accepts(location):
            return engine.open(location)
    raise IndexLocationError(f"no search engine here can keep an index at «{location}»")
