"""Query latency of this checkout against another version's, taking turns query by query.

    python bench/versions.py --other DIR --corpus DIR [--xquad PATH | --queries FILE]
                             [--workdir DIR] [--rounds 3] [--limit N]

``--other`` is a checkout of the version to compare with (``git worktree add ../old
19a878e``). Each version indexes ``--corpus`` (a folder of text files, such as the one
``relevance.py`` or ``build.py`` writes in its workdir) into an index of its own under
``--workdir`` (the index format may differ between versions), then serves searches in a
process of its own, each query searched as a user would (``Index.search``, the top 10,
each version as shipped). The two processes take turns query by query, in alternating
order, so that the other work of a shared machine slows both alike, and each reports
the CPU time of its searches. It prints both versions' p50 and p95 in CPU and wall
time, the ratios (this / other), the median of the per-query ratios, how many queries
give a different top 10, and the queries slowed most. Warm: every query is searched
once before the timed rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import news
from turns import serve, timed

ROOT = Path(__file__).resolve().parent.parent


def serve_version(root: Path, index_dir: Path, corpus: Path) -> None:
    """Index ``corpus`` with the code under ``root``, then serve searches of it (the top
    10 as ``[source, paragraph]``)."""
    sys.path.insert(0, str(root))
    from indexer import Index
    from indexer.errors import QueryError

    index = news.synced(Index(index_dir), corpus)

    def search(query: str) -> list[Any]:
        try:
            return [[hit.source, hit.paragraph] for hit in index.search(query, limit=10)]
        except QueryError:
            return []

    serve(search)


def queries(args: argparse.Namespace) -> list[str]:
    if args.xquad:
        data = json.loads(args.xquad.read_text(encoding="utf-8-sig"))["data"]
        found = [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]]
    else:
        found = args.queries.read_text(encoding="utf-8").splitlines()
    return found[: args.limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, help="a checkout of the version to compare with")
    parser.add_argument("--corpus", type=Path, help="a folder of text files to index")
    parser.add_argument(
        "--xquad",
        type=Path,
        nargs="?",
        const=news.DEFAULT_XQUAD,
        help=f"search XQuAD's questions (default file: {news.DEFAULT_XQUAD})",
    )
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "news_queries.txt")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/indexer-versions"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, help="the first N queries only")
    parser.add_argument("--serve", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()  # fmt: skip
    if args.serve:
        serve_version(*args.serve)
        return
    if args.other is None or not (args.other / "indexer").is_dir():
        raise SystemExit("--other must name a checkout of the project (with indexer/)")
    if args.corpus is None or not args.corpus.is_dir():
        raise SystemExit("--corpus must name a folder of text files")
    if args.xquad and not args.xquad.is_file():
        raise SystemExit(f"no XQuAD file at {args.xquad}; pass --xquad PATH")
    texts = queries(args)
    print(f"{len(texts)} queries, {args.rounds} rounds; indexing {args.corpus} twice", flush=True)
    roots = {"this": ROOT, "other": args.other.resolve()}
    commands = {
        name: [
            sys.executable,
            __file__,
            "--serve",
            str(root),
            str(args.workdir / name),
            str(args.corpus),
        ]
        for name, root in roots.items()
    }
    timings = timed(commands, texts, args.rounds)
    figures = {name: timings[name].figures() for name in commands}
    for name, f in figures.items():
        print(
            f"{name:5}: CPU p50 {1000 * f['cpu_p50']:6.2f} ms, p95 {1000 * f['cpu_p95']:6.2f} ms;"
            f" wall p50 {1000 * f['p50']:6.2f} ms, p95 {1000 * f['p95']:6.2f} ms"
        )
    this, other = figures["this"], figures["other"]
    medians = {
        query: {name: statistics.median(timings[name].cpu[query]) for name in commands}
        for query in texts
    }
    ratios = sorted(
        ((m["this"] / max(m["other"], 1e-9), q) for q, m in medians.items()), reverse=True
    )
    print(
        f"this / other, CPU: p50 {this['cpu_p50'] / other['cpu_p50']:.3f}×, "
        f"p95 {this['cpu_p95'] / other['cpu_p95']:.3f}×; "
        f"wall p50 {this['p50'] / other['p50']:.3f}×; "
        f"median of the per-query ratios {statistics.median(r for r, _ in ratios):.3f}×"
    )
    differ = [q for q in texts if timings["this"].found[q] != timings["other"].found[q]]
    print(f"queries whose top 10 differ: {len(differ)} of {len(texts)}")
    print("slowed most (CPU ms, other → this):")
    for r, q in ratios[:5]:
        before, after = 1000 * medians[q]["other"], 1000 * medians[q]["this"]
        print(f"  {r:5.2f}×  {before:6.1f} → {after:6.1f}  {q}")


if __name__ == "__main__":
    main()
