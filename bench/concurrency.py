"""Searches while another process syncs and rebuilds the same index: none may fail.

    python bench/concurrency.py [--corpus ../shared/corpora/news_rt_ng] [--articles 300]
                                [--searches 500] [--rounds 30] [--searchers 2]

A folder of news articles (one text file each) is indexed once. Then one process
edits a tenth of the files and syncs, round after round, with a ``--rebuild`` every
third round, while ``--searchers`` processes run the command line's own code
(``indexer.cli.main``: open the index, sync it, search), until the writer has done
``--rounds`` rounds and the searchers ``--searches`` searches between them. A search
fails if it raises or exits with status 2; with the sync in another process, each
search either updates the index itself or says that another process is updating it
and searches the index as it is. Prints the failures,
what they were, and the searches' latency.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import news

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUERIES = (ROOT / "bench" / "news_queries.txt").read_text(encoding="utf-8").splitlines()


def unpack(corpus: Path, limit: int, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    files = []
    for name, kept in news.articles(corpus):
        if len(files) >= limit:
            break
        path = target / f"{name}.txt"
        path.write_text("\n\n".join(kept) + "\n", encoding="utf-8")
        files.append(path)
    return files


def writer(folder: str, index: str, rounds: int, written: Any) -> None:
    """Edit a tenth of the files and sync, ``rounds`` times; every third round rebuild."""
    from indexer import Index
    from indexer.errors import IndexBusyError

    files = sorted(Path(folder).iterdir())
    for number in range(1, rounds + 1):
        for path in files[number % 10 :: 10]:
            with path.open("a", encoding="utf-8") as file:
                file.write(f"\nПравка номер {number}: переговоры продолжатся в Женеве.\n")
        while True:  # a searcher's own sync may hold the lock for a moment
            try:
                with Index(index) as ix:
                    ix.sync([folder], rebuild=number % 3 == 0, workers=2)
                break
            except IndexBusyError:
                time.sleep(0.05)
    written.set()


def searcher(folder: str, index: str, number: int, done: Any, queue: Any) -> None:
    """Run the CLI's code until ``done``; report (seconds, failure or None) per search."""
    from indexer.cli import main

    n = 0
    while not done.is_set():
        n += 1
        query = QUERIES[(number * 7919 + n) % len(QUERIES)]
        err = io.StringIO()
        started = time.perf_counter()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                code = main([query, folder, "--index", index, "-n", "5"])
            failure = f"exit {code}: {err.getvalue().strip()}" if code == 2 else None
        except BaseException as exc:  # a traceback the user would have seen
            failure = "".join(traceback.format_exception_only(exc)).strip()
            failure += " @ " + traceback.extract_tb(exc.__traceback__)[-1].name
        seconds = time.perf_counter() - started
        queue.put((seconds, failure, err.getvalue().strip()[:200] if seconds > 2 else ""))
    queue.put(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--searchers", type=int, default=2)
    args = parser.parse_args()

    from indexer import Index

    with tempfile.TemporaryDirectory() as tmp:
        folder, index = os.path.join(tmp, "docs"), os.path.join(tmp, "index")
        files = unpack(args.corpus, args.articles, Path(folder))
        with Index(index) as ix:
            ix.sync([folder])
        print(f"{len(files)} articles indexed; {args.searchers} searchers, 1 writer")
        context = multiprocessing.get_context("fork")
        written, done, queue = context.Event(), context.Event(), context.Queue()
        write = context.Process(target=writer, args=(folder, index, args.rounds, written))
        write.start()
        searchers = [
            context.Process(target=searcher, args=(folder, index, n, done, queue))
            for n in range(args.searchers)
        ]
        for process in searchers:
            process.start()
        outcomes, running = [], args.searchers
        while running:
            outcome = queue.get()
            if outcome is None:
                running -= 1
                continue
            outcomes.append(outcome)
            if written.is_set() and len(outcomes) >= args.searches:
                done.set()
        for process in [*searchers, write]:
            process.join()
        print(f"writer: {args.rounds} rounds ({args.rounds // 3} of them rebuilds)")

    failures = [failure for _, failure, _ in outcomes if failure]
    times = sorted(seconds for seconds, _, _ in outcomes)
    print(f"searches: {len(outcomes)}, failed: {len(failures)}")
    for failure in sorted(set(failures)):
        print(f"  {failures.count(failure)}× {failure[:300]}")
    p50 = statistics.median(times)
    p99 = times[int(0.99 * (len(times) - 1))]
    print(
        f"latency of a search (sync + search): p50 {p50:.2f} s, p99 {p99:.2f} s, "
        f"max {times[-1]:.2f} s"
    )
    slow = [(seconds, note) for seconds, _, note in outcomes if seconds > 2]
    print(f"searches over 2 s: {len(slow)}")
    for seconds, note in sorted(slow, reverse=True)[:3]:
        print(f"  {seconds:.1f} s: {note or '(no note: the index was up to date)'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
