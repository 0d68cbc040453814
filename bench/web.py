"""The web page's answer time against the API's own, on the news corpus.

    python bench/web.py [--corpus ../shared/corpora/news_rt_ng] [--limit ARTICLES]

The corpus is unpacked as ``build.py`` does and indexed; then ``search.py --serve``
runs on that index in a process of its own, as a user would start it, and each query
of ``bench/news_queries.txt`` is asked both of ``Index.search`` in this process (ten
hits, as a page shows) and of the page over HTTP (the whole HTML answer read), in
turn, warm: each once to warm up, then three timed rounds. Prints p50 / p95 of both
and the page's extra time (the target: within 100 ms of the API's time).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import build
import news

ROOT = Path(__file__).resolve().parent.parent
QUERIES = (ROOT / "bench" / "news_queries.txt").read_text(encoding="utf-8").splitlines()
TARGET_MS = 100.0


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of seconds, in milliseconds."""
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def start_server(corpus: Path, index_dir: Path) -> tuple[subprocess.Popen[str], str]:
    """``search.py --serve`` on the index, once its start-up sync is done."""
    command = [sys.executable, str(ROOT / "search.py"), "--serve", str(corpus)]
    command += ["--index", str(index_dir), "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url = server.stdout.readline().split()[1]
    while json.load(urllib.request.urlopen(url + "status"))["running"]:
        time.sleep(0.2)
    return server, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="articles to use (default: all)")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and index here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from indexer import Index

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-web-"))
    corpus, index_dir = work / "corpus", work / "index"
    if not corpus.exists():
        files, paragraphs, size = build.unpack(args.corpus, args.limit, corpus)
        print(f"corpus: {files} articles, {paragraphs} paragraphs, {size / 1e6:.1f} MB")
    start = time.perf_counter()
    with Index(index_dir) as index:
        index.sync([corpus])
    print(f"index ready in {time.perf_counter() - start:.1f} s")

    server, url = start_server(corpus, index_dir)
    api: list[float] = []
    page: list[float] = []
    try:
        with Index(index_dir) as index:

            def ask_api(query: str) -> float:
                begin = time.perf_counter()
                [hit.text for hit in index.search(query, limit=10)]
                return time.perf_counter() - begin

            def ask_page(query: str) -> float:
                address = url + "?" + urllib.parse.urlencode({"q": query})
                begin = time.perf_counter()
                with urllib.request.urlopen(address) as answer:
                    answer.read()
                return time.perf_counter() - begin

            for query in QUERIES:
                ask_api(query)
                ask_page(query)
            for _ in range(3):
                for query in QUERIES:
                    api.append(ask_api(query))
                    page.append(ask_page(query))
    finally:
        server.terminate()
        server.wait()

    api50, api95 = percentiles(api)
    page50, page95 = percentiles(page)
    extra = [p - a for p, a in zip(page, api, strict=True)]
    extra50, extra95 = percentiles(extra)
    print(f"{len(QUERIES)} queries × 3 rounds, warm")
    print(f"API  Index.search : p50 {api50:7.1f} ms   p95 {api95:7.1f} ms")
    print(f"page over HTTP    : p50 {page50:7.1f} ms   p95 {page95:7.1f} ms")
    most = max(extra) * 1000
    print(f"page − API        : p50 {extra50:7.1f} ms   p95 {extra95:7.1f} ms   max {most:.1f} ms")
    verdict = "within" if extra95 <= TARGET_MS else "NOT within"
    print(f"p95 of the page's extra time is {verdict} {TARGET_MS:.0f} ms of the API's time")


if __name__ == "__main__":
    main()
