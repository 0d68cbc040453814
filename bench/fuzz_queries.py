"""Generated queries against an index: no traceback, and how long the slowest take.

    python bench/fuzz_queries.py [--corpus DIR] [--limit ARTICLES] [--workdir DIR]
                                 [--count 20000] [--cli 2000] [--argv 200] [--seed 1]

Queries are made of the indexed text's own words and their pieces, the query
language's operators in every place (``AND OR NOT И ИЛИ НЕ - + = ! * " ( ) ~N
source:``), quotes of other kinds, Latin and keyboard-layout words, digits glued to
words, odd Unicode (Tangut, combining marks, zero-width and bidi controls, lone
surrogates, NUL, line breaks, emoji) and long strings (a word or a phrase repeated up
to 18,000 characters). Each one is searched:

- through the API (``Index.search``, also with ``strict``, ``literal``, ``explain`` and
  without correction), on the news corpus (``bench/build.py``'s unpacking): every
  exception but a documented :class:`indexer.QueryError` is a failure, and the time of
  each search is measured (p50, p95, p99, max, and the slowest queries);
- through the CLI in this process (``indexer.cli.main``, on the bundled article): the
  exit status must be 0, 1 or 2, stderr one line per message and no traceback;
- through the CLI as a program (``search.py``) for ``--argv`` of them, given as bytes
  that are not always UTF-8 (a surrogate-escaped argv).

It prints the failures (query and traceback, at most 10 of each kind) and the figures;
the exit status is 1 if anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import build

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTICLE = ROOT / "data" / "lavrov_kerry_syria.txt"
PROG = os.path.basename(sys.argv[0])
OPERATORS = ["AND", "OR", "NOT", "И", "ИЛИ", "НЕ", "и", "не", "-", "+", "=", "!", "*", "~2"]
BRACKETS = ['"', '"', "(", ")", "«", "»", "„", "“", "'", "[", "]", "{", "}"]
ODD = [
    "\U0001726d",  # a Tangut ideograph: no name in some Unicode databases
    "\u0301", "\u0306", "\u00ad", "\u200b", "\u200d", "\u200e", "\u202e", "\ufeff",
    "\udcff", "\ud800", "\x00", "\n", "\r\n", "\t", "\u2028", "\x1b[31m", "\x85",
    "😀", "👍🏽", "Ａ", "ﬁ", "Ω", "ß", "İ", "ǅ", "٣", "²", "½", "ⅷ", "\ufffd", "中文",
    "…", "–", "—", "№", "%", "$", "@", "#", "&", "|", "\\", "/", ":", ";", "?", ",", ".",
]  # fmt: skip
LATIN = ["Lavrov", "peregovory", "gthtvbhbt", "C++", "Sky+", "google", "Kerry", "x", "SQL"]


def corpus_words(texts: list[str]) -> list[str]:
    """The distinct words of some texts, as the generator's vocabulary."""
    found: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"\w+(?:-\w+)*", text):
            found[word] = None
    return list(found)


def generate(rng: random.Random, words: list[str]) -> str:
    """One query: a few pieces of text, operators, brackets and odd characters."""
    kind = rng.random()
    if kind < 0.04:  # long: a word, a phrase or an operator repeated
        unit = rng.choice([rng.choice(words), " ".join(rng.sample(words, 3)), "НЕ", "(", "п*"])
        unit += rng.choice(["", " ", " AND ", " OR ", "-"])
        return unit * rng.randint(50, 18_000 // max(1, len(unit)))
    if kind < 0.06:  # deep nesting
        depth = rng.randint(20, 400)
        return "(" * depth + rng.choice(words) + ")" * rng.randint(0, depth)
    pieces = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.45:
            word = rng.choice(words)
            if rng.random() < 0.2:
                word = word[: rng.randint(1, len(word))] + "*"
            elif rng.random() < 0.1:
                word = rng.choice(["*", "**", ""]) + word[rng.randint(0, len(word) - 1) :]
            elif rng.random() < 0.1:
                word += str(rng.randint(0, 2026))
            pieces.append(word)
        elif roll < 0.65:
            pieces.append(rng.choice(OPERATORS))
        elif roll < 0.8:
            pieces.append(rng.choice(BRACKETS))
        elif roll < 0.92:
            pieces.append(rng.choice(ODD) * rng.randint(1, 3))
        elif roll < 0.96:
            pieces.append(rng.choice(LATIN))
        else:
            pieces.append("source:" + rng.choice(["lavrov*", "*.txt", "[", "ng_0*", "?"]))
    glue = rng.choice([" ", " ", " ", "", "\n"])
    return glue.join(pieces)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Failures:
    """Failures by kind, keeping a few examples of each."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}

    def add(self, kind: str, query: str, detail: str) -> None:
        self.counts[kind] += 1
        shown = self.examples.setdefault(kind, [])
        if len(shown) < 10:
            shown.append(f"{query[:200]!r}\n{detail}")

    def report(self) -> None:
        for kind, count in self.counts.items():
            print(f"\nFAILED {count}× {kind}")
            for example in self.examples[kind]:
                print("  " + example.replace("\n", "\n  "))


def run_api(index_path: str, queries: list[str], failures: Failures) -> list[tuple[float, str]]:
    """Search each query through the API; returns (seconds, query) per search."""
    from indexer import Index, QueryError

    options = [{}, {}, {}, {"strict": True}, {"literal": True}, {"explain": True},
               {"correct": False}]  # fmt: skip
    times = []
    with Index(index_path) as index:
        for number, query in enumerate(queries):
            kwargs = options[number % len(options)]
            start = time.perf_counter()
            try:
                index.search(query, **kwargs)
            except QueryError:
                pass
            except Exception as exc:
                failures.add(f"API {type(exc).__name__}", query, traceback.format_exc(limit=-4))
            times.append((time.perf_counter() - start, query))
    return times


def run_cli(corpus: str, index_path: str, queries: list[str], failures: Failures) -> Counter[int]:
    """Each query through the CLI's ``main`` in this process."""
    from indexer.cli import main

    statuses: Counter[int] = Counter()
    for query in queries:
        err = io.StringIO()
        argv = [query, corpus, "--index", index_path, "-n", "3"]
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                status = main(argv)
        except BaseException as exc:
            failures.add(f"CLI {type(exc).__name__}", query, traceback.format_exc(limit=-4))
            continue
        statuses[status] += 1
        check_cli_output(query, status, err.getvalue(), failures)
    return statuses


def check_cli_output(query: str, status: int, stderr: str, failures: Failures) -> None:
    if status not in (0, 1, 2):
        failures.add(f"CLI exit status {status}", query, stderr)
    if "Traceback" in stderr:
        failures.add("CLI traceback", query, stderr)
    for line in stderr.splitlines():
        if not line.startswith((f"{PROG}:", "search.py:", "poisk:")):
            failures.add("CLI message over several lines", query, stderr)
            break


def run_argv(corpus: str, index_path: str, queries: list[str], failures: Failures) -> None:
    """A few queries through ``search.py`` as a program, some as bytes that are not UTF-8."""
    for number, query in enumerate(queries):
        data = query.encode("utf-8", "surrogatepass" if number % 2 else "replace")
        if number % 3 == 0:
            data = query.encode("cp1251", "replace") + b"\xff"
        data = data.replace(b"\x00", b"")  # no argv can hold NUL
        argv = [sys.executable, str(ROOT / "search.py"), data, corpus, "--index", index_path]
        done = subprocess.run(argv, capture_output=True, timeout=120, check=False)
        stderr = done.stderr.decode("utf-8", "replace")
        check_cli_output(query, done.returncode, stderr, failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=build.news.DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="articles of the news corpus (default: all)")
    parser.add_argument("--workdir", type=Path, help="keep the unpacked corpus and index here")
    parser.add_argument("--count", type=int, default=20_000, help="queries through the API")
    parser.add_argument("--cli", type=int, default=2_000, help="queries through cli.main")
    parser.add_argument("--argv", type=int, default=200, help="queries through search.py")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from indexer import Index

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fuzz-queries-"))
    texts, index_path = workdir / "news", workdir / "index"
    if not texts.exists():
        files, paragraphs, size = build.unpack(args.corpus, args.limit, texts)
        print(f"news corpus: {files} articles, {paragraphs} paragraphs, {size / 1e6:.1f} MB")
    start = time.perf_counter()
    with Index(index_path) as index:
        report = index.sync([texts], workers=2)
    print(f"index: {len(report.added)} added in {time.perf_counter() - start:.0f} s")

    sample = sorted(texts.glob("*.txt"))[:300]
    words = corpus_words([ARTICLE.read_text("utf-8")] + [p.read_text("utf-8") for p in sample])
    rng = random.Random(args.seed)
    failures = Failures()

    queries = [generate(rng, words) for _ in range(args.count)]
    times = run_api(str(index_path), queries, failures)
    seconds = [t for t, _ in times]
    print(f"\nAPI: {len(queries)} queries on the news corpus ({index_path})")
    print(
        f"latency: p50 {percentile(seconds, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(seconds, 0.95) * 1000:.1f} ms, "
        f"p99 {percentile(seconds, 0.99) * 1000:.1f} ms, max {max(seconds) * 1000:.0f} ms, "
        f"mean {statistics.mean(seconds) * 1000:.1f} ms"
    )
    print("slowest:")
    for took, query in sorted(times, reverse=True)[:5]:
        print(f"  {took * 1000:7.0f} ms  {query[:100]!r}{' …' if len(query) > 100 else ''}")

    cli_index = str(workdir / "article-index")
    cli_queries = [generate(rng, words) for _ in range(args.cli)]
    statuses = run_cli(str(ARTICLE), cli_index, cli_queries, failures)
    print(f"\nCLI in process: {len(cli_queries)} queries, exit statuses {dict(statuses)}")
    run_argv(str(ARTICLE), cli_index, [generate(rng, words) for _ in range(args.argv)], failures)
    print(f"CLI as a program: {args.argv} queries")

    failures.report()
    total = sum(failures.counts.values())
    print(f"\nfailures: {total} of {args.count + args.cli + args.argv} queries")
    return 1 if total else 0


if __name__ == "__main__":
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="fuzz-cache-"))
    sys.exit(main())
