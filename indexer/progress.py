"""How a long build reports progress: a bar on stderr (only on a terminal, only after a
second), or a function of the caller's."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Called with the bytes read so far and the bytes the build has to read in all.
ProgressReport = Callable[[int, int], None]


@contextmanager
def progress_bar(
    total_bytes: int, enabled: bool | ProgressReport
) -> Iterator[Callable[[int], None]]:
    """Yield a function that advances the progress by a number of bytes read.

    ``enabled`` may be a function, called with ``(done, total_bytes)`` at the start and
    after each advance. Otherwise nothing is drawn when ``enabled`` is false, when stderr
    is not a terminal, or before a second has passed (tqdm's ``delay``), so short syncs
    stay silent.
    """
    if callable(enabled):
        report, done = enabled, 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            report(done, total_bytes)

        report(0, total_bytes)
        yield advance
        return
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
