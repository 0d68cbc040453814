"""How big the index grows under edits: repeated syncs against a fresh build's size.

    python bench/index_size.py [--corpus ../shared/corpora/news_rt_ng] [--articles 500]
                               [--rounds 50] [--share 0.1]

A folder of news articles is indexed; then, round after round, ``--share`` of the files
get a paragraph appended and the index is synced. The index's size on disk is printed
every tenth round as a multiple of the size of a fresh build of the same files, and the
time the syncs took, twice in this run: with Whoosh's own merge policy (merge small
segments; the baseline) and with ours (also rewrite a segment once more than
``MAX_DELETED_SHARE`` of it is deleted). The files a replaced commit keeps for searches
that still read it are not counted (the grace period is set to zero here).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import news

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def size(path: str) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())


def run(corpus: Path, articles: int, rounds: int, share: float, deleted_share: float) -> None:
    from indexer import Index
    from indexer.engines.whoosh import engine, storage

    storage.GRACE_SECONDS = 0.0
    engine.MAX_DELETED_SHARE = deleted_share
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "docs")
        folder.mkdir()
        for count, (name, kept) in enumerate(news.articles(corpus)):
            if count >= articles:
                break
            (folder / f"{name}.txt").write_text("\n\n".join(kept) + "\n", encoding="utf-8")
        files = sorted(folder.iterdir())
        step = max(1, round(1 / share))
        index_dir = os.path.join(tmp, "index")
        took = 0.0
        with Index(index_dir) as index:
            index.sync([folder])
            for number in range(1, rounds + 1):
                for path in files[number % step :: step]:
                    with path.open("a", encoding="utf-8") as file:
                        file.write(f"\nПравка {number}: переговоры о перемирии продолжатся.\n")
                started = time.perf_counter()
                index.sync([folder])
                took += time.perf_counter() - started
                if number % 10 == 0 or number == rounds:
                    grown = size(index_dir)
                    fresh_dir = os.path.join(tmp, f"fresh{number}")
                    with Index(fresh_dir) as fresh:
                        fresh.sync([folder])
                    live = size(fresh_dir)
                    print(
                        f"  round {number:3}: {grown / 1e6:7.1f} MB, "
                        f"{grown / live:5.2f}× a fresh build ({live / 1e6:.1f} MB); "
                        f"syncs so far {took:.1f} s"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--share", type=float, default=0.1)
    args = parser.parse_args()
    from indexer.engines.whoosh import engine

    ours = engine.MAX_DELETED_SHARE
    for label, deleted_share in (("Whoosh's policy (baseline)", 1.0), ("ours", ours)):
        print(label)
        run(args.corpus, args.articles, args.rounds, args.share, deleted_share)


if __name__ == "__main__":
    main()
