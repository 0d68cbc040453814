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
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_XQUAD = ROOT.parent / "shared" / "eval" / "xquad_ru" / "xquad.ru.json"


def serve(root: Path, index_dir: Path, corpus: Path) -> None:
    """Index ``corpus`` with the code under ``root``, then answer queries read from
    stdin, one JSON line each: the top 10 as ``[source, paragraph]`` and the seconds."""
    sys.path.insert(0, str(root))
    from indexer import Index
    from indexer.errors import QueryError

    index = Index(index_dir)
    index.sync([corpus])
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        query = json.loads(line)
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            top = [[hit.source, hit.paragraph] for hit in index.search(query, limit=10)]
        except QueryError:
            top = []
        cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start
        print(json.dumps({"top": top, "cpu": cpu, "wall": wall}), flush=True)


class Server:
    """A version's search process."""

    def __init__(self, root: Path, index_dir: Path, corpus: Path) -> None:
        command = [sys.executable, __file__, "--serve", str(root), str(index_dir), str(corpus)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.answer()  # indexed and ready

    def ask(self, query: str) -> dict:
        assert self.process.stdin
        self.process.stdin.write(json.dumps(query) + "\n")
        self.process.stdin.flush()
        return self.answer()

    def answer(self) -> dict:
        assert self.process.stdout
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"a search process failed (status {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


def queries(args: argparse.Namespace) -> list[str]:
    if args.xquad:
        data = json.loads(args.xquad.read_text(encoding="utf-8-sig"))["data"]
        found = [qa["question"] for a in data for p in a["paragraphs"] for qa in p["qas"]]
    else:
        found = args.queries.read_text(encoding="utf-8").splitlines()
    return found[: args.limit]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, help="a checkout of the version to compare with")
    parser.add_argument("--corpus", type=Path, help="a folder of text files to index")
    parser.add_argument(
        "--xquad",
        type=Path,
        nargs="?",
        const=DEFAULT_XQUAD,
        help=f"search XQuAD's questions (default file: {DEFAULT_XQUAD})",
    )
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "news_queries.txt")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/indexer-versions"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, help="the first N queries only")
    parser.add_argument("--serve", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()  # fmt: skip
    if args.serve:
        serve(*args.serve)
        return
    if args.other is None or not (args.other / "indexer").is_dir():
        raise SystemExit("--other must name a checkout of the project (with indexer/)")
    if args.corpus is None or not args.corpus.is_dir():
        raise SystemExit("--corpus must name a folder of text files")
    if args.xquad and not args.xquad.is_file():
        raise SystemExit(f"no XQuAD file at {args.xquad}; pass --xquad PATH")
    texts = queries(args)
    print(f"{len(texts)} queries, {args.rounds} rounds; indexing {args.corpus} twice", flush=True)
    servers = {
        "this": Server(ROOT, args.workdir / "this", args.corpus),
        "other": Server(args.other.resolve(), args.workdir / "other", args.corpus),
    }
    try:
        for query in texts:
            for server in servers.values():
                server.ask(query)
        cpu: dict[str, list[float]] = {name: [] for name in servers}
        wall: dict[str, list[float]] = {name: [] for name in servers}
        per_query: dict[str, dict[str, list[float]]] = {q: {"this": [], "other": []} for q in texts}
        differ = set()
        for lap in range(args.rounds):
            for i, query in enumerate(texts):
                names = ["this", "other"] if (i + lap) % 2 == 0 else ["other", "this"]
                answers = {name: servers[name].ask(query) for name in names}
                for name, answer in answers.items():
                    cpu[name].append(answer["cpu"])
                    wall[name].append(answer["wall"])
                    per_query[query][name].append(answer["cpu"])
                if answers["this"]["top"] != answers["other"]["top"]:
                    differ.add(query)
    finally:
        for server in servers.values():
            server.close()
    for name in servers:
        print(
            f"{name:5}: CPU p50 {1000 * statistics.median(cpu[name]):6.2f} ms, "
            f"p95 {1000 * percentile(cpu[name], 0.95):6.2f} ms; wall p50 "
            f"{1000 * statistics.median(wall[name]):6.2f} ms, "
            f"p95 {1000 * percentile(wall[name], 0.95):6.2f} ms"
        )
    ratio = {
        share: percentile(cpu["this"], share) / percentile(cpu["other"], share)
        for share in (0.5, 0.95)
    }
    medians = {
        q: {n: statistics.median(t) for n, t in times.items()} for q, times in per_query.items()
    }
    ratios = sorted(
        ((m["this"] / max(m["other"], 1e-9), q) for q, m in medians.items()), reverse=True
    )
    print(
        f"this / other, CPU: p50 {ratio[0.5]:.3f}×, p95 {ratio[0.95]:.3f}×; "
        f"wall p50 {statistics.median(wall['this']) / statistics.median(wall['other']):.3f}×; "
        f"median of the per-query ratios {statistics.median(r for r, _ in ratios):.3f}×"
    )
    print(f"queries whose top 10 differ: {len(differ)} of {len(texts)}")
    print("slowed most (CPU ms, other → this):")
    for r, q in ratios[:5]:
        before, after = 1000 * medians[q]["other"], 1000 * medians[q]["this"]
        print(f"  {r:5.2f}×  {before:6.1f} → {after:6.1f}  {q}")


if __name__ == "__main__":
    main()
