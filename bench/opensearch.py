"""The OpenSearch engine against the embedded one: the same news text, the same run.

    python bench/opensearch.py [--corpus DIR] [--limit ARTICLES] [--workdir DIR] [--url URL]

Without ``--url`` it starts a real two-node cluster on 127.0.0.1 from
``tests/opensearch_node`` (Java 17 and Maven; 512 MB of heap per node), on this machine:
the cluster and the build share its cores. It builds the news corpus (as
``bench/build.py`` unpacks it) into:

- the embedded index, with 2 worker processes;
- the cluster (one replica), with 2 processes analysing and sending bulk requests;

and prints build throughput, where the cluster build's time goes (our analysis in
Python, measured alone, against the rest), warm query latency p50/p95 over
``bench/news_queries.txt`` on both (the two searched in turn, query by query, so that
the machine's other work weighs on both alike) and where a cluster search's time goes,
and for how many of those queries the top 10 is
the same (the same paragraphs in the same order; then, allowing the order of
paragraphs whose scores are within 1% to differ).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import news
from build import QUERIES, unpack

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def latencies(*searches: Callable[[str], object]) -> list[tuple[float, float]]:
    """Warm p50 and p95 of each search over the queries, run in turn query by query, so
    that whatever else the machine does weighs on them alike."""
    for query in QUERIES:
        for search in searches:
            search(query)
    times: list[list[float]] = [[] for _ in searches]
    for _ in range(3):
        for query in QUERIES:
            for search, taken in zip(searches, times, strict=True):
                taken.append(timed(lambda q=query, s=search: s(q)))
    return [(statistics.median(t), sorted(t)[int(len(t) * 0.95)]) for t in times]


class RequestClock:
    """Times the cluster's search requests: as the client waits for them, and as the
    cluster says it spent on them (``took``)."""

    def __init__(self, index: object) -> None:
        self.waited = self.took = 0.0
        client = index._engine._client  # type: ignore[attr-defined]
        search = client.search

        def timed_search(*args: object, **kwargs: object) -> dict:
            start = time.perf_counter()
            answer = search(*args, **kwargs)
            self.waited += time.perf_counter() - start
            self.took += answer["took"] / 1000
            return answer

        client.search = timed_search


def analysis_seconds(corpus: Path) -> float:
    """Our analysis of every paragraph into the fields the cluster takes, in one process."""
    from indexer.engines.opensearch.mapping import paragraph_fields
    from indexer.paragraphs import split_paragraphs

    texts = [p for f in sorted(corpus.iterdir()) for p in split_paragraphs(f.read_text("utf-8"))]
    return timed(lambda: [paragraph_fields(text) for text in texts])


def same_top(embedded: object, clustered: object) -> tuple[int, int]:
    """How many queries have the same top 10: exactly, and but for near-ties (where the
    two differ at a rank, the two scores there are within 1% of each other)."""
    exact = close = 0
    for query in QUERIES:
        a = [(Path(h.source).name, h.paragraph, h.score) for h in embedded.search(query)]
        b = [(Path(h.source).name, h.paragraph, h.score) for h in clustered.search(query)]
        if [x[:2] for x in a] == [x[:2] for x in b]:
            exact += 1
            close += 1
        elif len(a) == len(b) and all(
            x[:2] == y[:2] or abs(x[2] - y[2]) <= 0.01 * max(x[2], y[2])
            for x, y in zip(a, b, strict=True)
        ):
            close += 1
    return exact, close


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="articles to use (default: all)")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and the index here")
    parser.add_argument("--url", help="an existing cluster, http://host:port[,host:port]")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}; pass --corpus")

    from indexer import Index

    work = args.workdir or Path(tempfile.mkdtemp(prefix="indexer-opensearch-bench-"))
    corpus = work / "corpus"
    files, paragraphs, size = unpack(args.corpus, args.limit, corpus)
    megabytes = size / 1e6
    print(f"corpus: {files} articles, {paragraphs} paragraphs, {megabytes:.1f} MB")

    cluster = None
    url = args.url
    if url is None:
        from opensearch_node.cluster import Cluster

        cluster = Cluster(nodes=2, quick_start=False)
        started = timed(lambda: (cluster.start(), cluster.wait("green")))
        url = cluster.url
        print(f"a 2-node cluster on 127.0.0.1, green in {started:.1f} s: {url}")
    try:
        embedded_dir = work / f"embedded-{time.time_ns()}"
        embedded = Index(embedded_dir)
        embedded_s = timed(lambda: embedded.sync([corpus], workers=2))
        clustered = Index(f"{url}/bench-{time.time_ns()}?replicas=1")
        clustered_s = timed(lambda: clustered.sync([corpus], workers=2))
        analysis_s = analysis_seconds(corpus)

        print()
        print(f"{'build':34} {'seconds':>8} {'MB/s':>6} {'para/s':>8}")
        for name, seconds in (("embedded, 2 processes", embedded_s), ("cluster", clustered_s)):
            print(
                f"{name:34} {seconds:8.1f} {megabytes / seconds:6.2f} {paragraphs / seconds:8.0f}"
            )
        print(f"cluster / embedded throughput: {embedded_s / clustered_s:.2f}×")
        print(
            f"where the cluster build's time goes: our analysis {analysis_s:.1f} s of CPU "
            f"({analysis_s / 2:.1f} s over 2 processes, {analysis_s / 2 / clustered_s:.0%} "
            "of the wall time); the rest is reading files, sending and the cluster indexing"
        )

        print()
        clock = RequestClock(clustered)
        (e50, e95), (c50, c95) = latencies(
            lambda q: [h.text for h in embedded.search(q)],
            lambda q: [h.text for h in clustered.search(q)],
        )
        print(f"query latency, embedded: p50 {e50 * 1000:6.1f} ms, p95 {e95 * 1000:6.1f} ms")
        print(f"query latency, cluster : p50 {c50 * 1000:6.1f} ms, p95 {c95 * 1000:6.1f} ms")
        print(f"query p50 ratio cluster/embedded: {c50 / e50:.2f}×")
        searches = 4 * len(QUERIES)
        print(
            f"a cluster search, mean: the cluster {clock.took / searches * 1000:.1f} ms, "
            f"its request in all {clock.waited / searches * 1000:.1f} ms; the rest is ours "
            "(rescoring the candidates, proximity, highlighting)"
        )
        exact, close = same_top(embedded, clustered)
        print(
            f"top 10 identical: {exact} of {len(QUERIES)} queries "
            f"({exact / len(QUERIES):.0%}); but for near-ties: {close} ({close / len(QUERIES):.0%})"
        )
        embedded.close()
        clustered.close()
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
