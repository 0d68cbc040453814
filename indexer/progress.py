"""A progress bar on stderr for long builds: only on a terminal, only after a second."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(total_bytes: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances the bar by a number of bytes read.

    Nothing is drawn when ``enabled`` is false, when stderr is not a terminal, or
    before a second has passed (tqdm's ``delay``), so short syncs stay silent.
    """
    if not enabled or not total_bytes or not sys.stderr.isatty():
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(
        total=total_bytes,
        unit="B",
        unit_scale=True,
        desc="indexing",
        delay=1.0,
        leave=False,
        file=sys.stderr,
    ) as bar:
        yield bar.update
