"""The news corpus the benchmarks share: RT and Nezavisimaya Gazeta, zipped JSON lines.

Each archive holds one ``.jsonlines`` file, one article per line, whose ``content``
separates paragraphs with a newline. Paragraphs shorter than :data:`MIN_PARAGRAPH`
characters are captions and credits, and are left out everywhere.
"""

from __future__ import annotations

import json
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This checkout's library, not one installed elsewhere, for every bench that reads news.
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "news_rt_ng"
DEFAULT_XQUAD = ROOT.parent / "shared" / "eval" / "xquad_ru" / "xquad.ru.json"
MIN_PARAGRAPH = 40


def records(corpus: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """``(name, record)`` per article as stored (``title``, ``content``…), in sorted
    file order; names are ``<archive>-<line number>``."""
    archives = sorted(corpus.glob("*.zip"))
    if not archives:
        raise SystemExit(f"no news corpus at {corpus} (give its folder with --corpus)")
    for archive in archives:
        with zipfile.ZipFile(archive) as zipped:
            for member in sorted(zipped.namelist()):
                for number, line in enumerate(zipped.open(member)):
                    yield f"{archive.stem}-{number:05}", json.loads(line)


def articles(corpus: Path) -> Iterator[tuple[str, list[str]]]:
    """``(name, paragraphs)`` per article with any paragraph kept, in sorted file order."""
    for name, record in records(corpus):
        kept = [p for p in record["content"].split("\n") if len(p.strip()) >= MIN_PARAGRAPH]
        if kept:
            yield name, kept


def paragraphs(corpus: Path, limit: int) -> list[str]:
    """The first ``limit`` paragraphs of the corpus."""
    out: list[str] = []
    for _, kept in articles(corpus):
        out += kept
        if len(out) >= limit:
            break
    return out[:limit]


def indexed(corpus: Path, limit: int, workdir: Path) -> tuple[Path, Any]:
    """The first ``limit`` articles of ``corpus`` as text files in ``workdir`` (written
    once), and this checkout's index of them beside, synced: built afresh where another
    version of the analysis made it."""
    from build import unpack

    from indexer import Index

    folder = workdir / f"corpus-{limit}"
    if not folder.exists():
        files, paragraphs, _ = unpack(corpus, limit, folder)
        print(f"{files} articles, {paragraphs} paragraphs in {folder}")
    start = time.perf_counter()
    index = synced(Index(workdir / f"index-{limit}"), folder)
    print(f"index ready in {time.perf_counter() - start:.1f} s\n")
    return folder, index


def synced(index: Any, folder: Path) -> Any:
    """``index`` synced with ``folder``: built afresh where another version of the
    analysis made it (whichever ``indexer`` comes first on ``sys.path``)."""
    from indexer.errors import SchemaMismatchError

    try:
        index.sync([folder])
    except SchemaMismatchError:
        index.sync([folder], rebuild=True)
    return index
