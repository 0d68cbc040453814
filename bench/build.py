"""Build speed, index size, memory and query latency: ours against plain Whoosh.

    python bench/build.py [--corpus ../shared/corpora/news_rt_ng] [--limit ARTICLES]

The news corpus (zipped JSON lines) is unpacked into one text file per article,
paragraphs of 40 characters or more separated by blank lines. On that same text, in
this one run, it builds and measures:

- the baseline: Whoosh with its own ``LanguageAnalyzer("ru")`` (Snowball stemming),
  positions and the paragraph text stored, one process — what a Whoosh user gets;
- our index as shipped, through ``Index.sync``, with 1 and with 2 worker processes;

and prints build throughput, index size and peak RSS (each build runs in a process of
its own), the CPU time of analysis alone (ours and Whoosh's analyzer, each first with
empty caches, then again), warm query latency over ``bench/news_queries.txt`` (the
baseline, ours as shipped, with the built-in synonyms, and ours without them, each in a
process of its own, taking turns query by query: :mod:`turns`), and the CLI's wall time
for one search and for a sync of the unchanged corpus. Ratios are ours / baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import news
from turns import Search, serve, timed

ROOT = Path(__file__).resolve().parent.parent
QUERIES = (ROOT / "bench" / "news_queries.txt").read_text(encoding="utf-8").splitlines()


def unpack(corpus: Path, limit: int | None, target: Path) -> tuple[int, int, int]:
    """Write one text file per article; returns (files, paragraphs, bytes)."""
    target.mkdir(parents=True, exist_ok=True)
    files = paragraphs = size = 0
    for name, kept in news.articles(corpus):
        if limit is not None and files >= limit:
            break
        text = "\n\n".join(kept) + "\n"
        (target / f"{name}.txt").write_text(text, encoding="utf-8")
        files += 1
        paragraphs += len(kept)
        size += len(text.encode("utf-8"))
    return files, paragraphs, size


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# -- what runs in a child process -----------------------------------------------------


def baseline_schema():
    from whoosh import fields
    from whoosh.analysis import LanguageAnalyzer

    return fields.Schema(
        content=fields.TEXT(analyzer=LanguageAnalyzer("ru"), stored=True, phrase=True),
        source=fields.ID(stored=True),
        paragraph=fields.STORED(),
    )


def build_baseline(corpus: Path, index_dir: Path) -> None:
    from whoosh import index

    ix = index.create_in(str(index_dir), baseline_schema())
    writer = ix.writer(limitmb=256)
    for path in sorted(corpus.iterdir()):
        text = path.read_text(encoding="utf-8")
        for number, paragraph in enumerate(text.strip().split("\n\n"), 1):
            writer.add_document(content=paragraph, source=str(path), paragraph=number)
    writer.commit()


def build_ours(corpus: Path, index_dir: Path, workers: int) -> None:
    sys.path.insert(0, str(ROOT))
    from indexer import Index

    with Index(index_dir) as index:
        index.sync([corpus], workers=workers)


def search_of(kind: str, index_dir: Path) -> Search:
    """A warm search of one system, showing the top 10: the baseline, ours as shipped
    (with the built-in synonyms) or ours without them."""
    if kind == "baseline":
        from whoosh import index
        from whoosh.qparser import OrGroup, QueryParser

        ix = index.open_dir(str(index_dir))
        searcher = ix.searcher()
        parser = QueryParser("content", ix.schema, group=OrGroup)

        def baseline(q: str) -> list[Any]:
            return [len(hit["content"]) for hit in searcher.search(parser.parse(q), limit=10)]

        return baseline
    sys.path.insert(0, str(ROOT))
    from indexer import Index

    ours = Index(index_dir) if kind == "ours" else Index(index_dir, synonyms=None)

    def run(q: str) -> list[Any]:
        return [len(hit.text) for hit in ours.search(q, limit=10)]

    return run


#: The systems whose query latency is measured, and the index each searches.
SEARCHED = {"baseline": "index-baseline", "ours": "index-ours2", "ours-no-synonyms": "index-ours2"}


def query_latency(work: Path) -> dict[str, dict[str, float]]:
    """Warm, each system in a process of its own (:mod:`turns`): each query once to warm
    up, then three rounds in which the systems take turns query by query."""
    commands = {
        kind: [
            sys.executable,
            __file__,
            "--child",
            f"serve-{kind}",
            "--index-dir",
            str(work / folder),
        ]
        for kind, folder in SEARCHED.items()
    }
    timings = timed(commands, QUERIES, rounds=3)
    return {kind: found.figures() for kind, found in timings.items()}


def analysis_cpu(kind: str, corpus: Path) -> dict[str, float]:
    """CPU seconds to analyse every paragraph, with the analyzer's caches empty (but
    pymorphy's dictionaries loaded) and again with them full: what a build spends on
    analysis, without the index."""
    texts = [
        paragraph
        for path in sorted(corpus.iterdir())
        for paragraph in path.read_text(encoding="utf-8").strip().split("\n\n")
    ]
    if kind == "baseline":
        from whoosh.analysis import LanguageAnalyzer

        analyzer = LanguageAnalyzer("ru")

        def analyse(text: str) -> None:
            [token.text for token in analyzer(text)]

    else:
        sys.path.insert(0, str(ROOT))
        from indexer.analysis import INDEX
        from indexer.morphology import get_morph

        get_morph()
        analyse = INDEX.postings  # what the Whoosh engine indexes
    result = {}
    for state in ("cold", "warm"):
        start = time.process_time()
        for text in texts:
            analyse(text)
        result[state] = time.process_time() - start
    return result


def child(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    result: dict[str, float] = {}
    if args.child.startswith("serve-"):
        serve(search_of(args.child.removeprefix("serve-"), args.index_dir))
        return
    if args.child.startswith("analysis-"):
        result = analysis_cpu(args.child.split("-", 1)[1], args.corpus_dir)
    elif args.child == "baseline":
        build_baseline(args.corpus_dir, args.index_dir)
    else:
        build_ours(args.corpus_dir, args.index_dir, int(args.child[4:]))
    result["seconds"] = time.perf_counter() - start
    print(json.dumps(result))


# -- the parent -----------------------------------------------------------------------


def run_child(kind: str, corpus_dir: Path, index_dir: Path) -> dict[str, float]:
    """Run one measurement in a fresh process; adds its peak RSS in MB and its CPU
    seconds."""
    command = [sys.executable, __file__, "--child", kind]
    command += ["--corpus-dir", str(corpus_dir), "--index-dir", str(index_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{kind} failed with status {status}")
    result = json.loads(out.strip().splitlines()[-1])
    result["rss_mb"] = usage.ru_maxrss / 1024
    # User and system time of the process and of the workers it waited for: on a busy
    # machine, far steadier than wall time.
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def wall(command: list[str], repeat: int = 3) -> str:
    """Median wall time of a command and median CPU time, in seconds, said."""
    times, cpu = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return f"{statistics.median(times):.2f} s (CPU {statistics.median(cpu):.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="articles to use (default: all)")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and indexes here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}; pass --corpus")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="indexer-bench-"))
    corpus_dir = work / "corpus"
    shutil.rmtree(corpus_dir, ignore_errors=True)
    files, paragraphs, size = unpack(args.corpus, args.limit, corpus_dir)
    megabytes = size / 1e6
    print(f"corpus: {files} articles, {paragraphs} paragraphs, {megabytes:.1f} MB ({corpus_dir})")

    builds = {}
    for kind in ("baseline", "ours1", "ours2"):
        index_dir = work / f"index-{kind}"
        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        result = run_child(kind, corpus_dir, index_dir)
        result["size_mb"] = folder_size(index_dir) / 1e6
        builds[kind] = result
    base = builds["baseline"]
    names = {"baseline": "Whoosh LanguageAnalyzer(ru), 1 proc", "ours1": "ours, 1 process",
             "ours2": "ours, 2 processes"}  # fmt: skip
    print()
    print(
        f"{'build':38} {'MB/s':>6} {'para/s':>8} {'CPU s':>7} {'size MB':>8} {'RSS MB':>7}"
        "   ratios to baseline"
    )
    for kind, r in builds.items():
        speed = megabytes / r["seconds"]
        speedup, bigger = base["seconds"] / r["seconds"], r["size_mb"] / base["size_mb"]
        heavier, work_done = r["rss_mb"] / base["rss_mb"], r["cpu"] / base["cpu"]
        ratio = f"   speed {speedup:.2f}×, CPU {work_done:.2f}×, size {bigger:.2f}×"
        ratio += f", RSS {heavier:.2f}×"
        ratio = "" if kind == "baseline" else ratio
        print(f"{names[kind]:38} {speed:6.2f} {paragraphs / r['seconds']:8.0f} {r['cpu']:7.1f} "
              f"{r['size_mb']:8.1f} {r['rss_mb']:7.0f}{ratio}")  # fmt: skip

    print()
    base, ours = (run_child(f"analysis-{kind}", corpus_dir, work) for kind in ("baseline", "ours"))
    print(
        f"analysis alone, CPU s (caches empty / full): baseline {base['cold']:.2f} / "
        f"{base['warm']:.2f}, ours {ours['cold']:.2f} / {ours['warm']:.2f} "
        f"({ours['cold'] / base['cold']:.2f}× / {ours['warm'] / base['warm']:.2f}×)"
    )

    print()
    latency = query_latency(work)
    for kind, r in latency.items():
        print(
            f"query latency, {kind:16}: p50 {r['p50'] * 1000:6.1f} ms, "
            f"p95 {r['p95'] * 1000:6.1f} ms (CPU: p50 {r['cpu_p50'] * 1000:6.1f} ms, "
            f"p95 {r['cpu_p95'] * 1000:6.1f} ms)"
        )
    ours, plain, base = latency["ours"], latency["ours-no-synonyms"], latency["baseline"]
    print(
        f"query p50 ratio ours/baseline: {ours['p50'] / base['p50']:.2f}× "
        f"(CPU {ours['cpu_p50'] / base['cpu_p50']:.2f}×)"
    )
    print(
        f"built-in synonyms on/off: p50 {ours['p50'] / plain['p50']:.2f}×, "
        f"p95 {ours['p95'] / plain['p95']:.2f}× (CPU {ours['cpu_p50'] / plain['cpu_p50']:.2f}×, "
        f"{ours['cpu_p95'] / plain['cpu_p95']:.2f}×)"
    )

    print()
    index_dir = work / "index-ours2"
    search = [sys.executable, str(ROOT / "search.py"), "переговоры", str(corpus_dir)]
    search += ["--index", str(index_dir), "-q"]
    print(f"CLI search on the built index (wall, median of 3): {wall(search)}")
    sync = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
            "from indexer import Index; Index(sys.argv[2]).sync([sys.argv[3]])",
            str(ROOT), str(index_dir), str(corpus_dir)]  # fmt: skip
    print(f"sync of the unchanged corpus (wall, a fresh process): {wall(sync)}")


if __name__ == "__main__":
    main()
