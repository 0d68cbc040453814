"""Ranking quality on real questions: ours against two Whoosh baselines, same data, same run.

    python bench/relevance.py [--xquad PATH] [--corpus DIR] [--distractors 30000]
                              [--workdir DIR] [--misses N] [--engine opensearch [--url URL]]

XQuAD-ru (1,190 questions, each answered by one of 240 Wikipedia paragraphs) is mixed
with the first 30,000 news paragraphs as distractors, written as text files (one per
article, paragraphs separated by blank lines) and indexed three ways:

- ours, through ``Index.sync``, each question searched as typed with ``Index.search``
  (the CLI's path: query syntax, stop words, corrections and all);
- Whoosh with its own ``LanguageAnalyzer("ru")`` (Snowball stems), the question's
  stems OR-ed: what a Whoosh user gets;
- Whoosh with pymorphy's first lemma per word and nothing else of ours.

``--systems ours,ours-no-synonyms`` compares ours (as shipped: with the built-in
synonyms) with the same index searched without them.

``--engine opensearch`` puts ours in an OpenSearch cluster too (``ours-opensearch``: an
existing one at ``--url http://host:port``, else a real two-node cluster started on
127.0.0.1 from ``tests/opensearch_node``) and compares it with the embedded index.

It prints MRR@10, Recall@1, Recall@10, nDCG@10 and warm query latency p50/p95 for each
half of the questions, split by question id. Ranking is tuned on the ``tune`` half only;
the ``held-out`` half is the result. ``--misses N`` lists the tune half's worst questions.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import news
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer

ROOT = Path(__file__).resolve().parent.parent

HALVES = ("tune", "held-out")
DEPTH = 10


@dataclass(frozen=True)
class Question:
    """A question and where its answer is: a file of the corpus and a paragraph number."""

    id: str
    text: str
    source: str
    paragraph: int
    #: Characters in the answering paragraph.
    length: int

    @property
    def half(self) -> str:
        return HALVES[zlib.crc32(self.id.encode()) % 2]


# -- the corpus -------------------------------------------------------------------------


def write_corpus(xquad: Path, corpus: Path, distractors: int, target: Path) -> list[Question]:
    """Write the mixed corpus under ``target`` (once) and return the questions."""
    data = json.loads(xquad.read_text(encoding="utf-8-sig"))["data"]
    questions: list[Question] = []
    files: dict[str, str] = {}
    for number, article in enumerate(data):
        name = f"xquad/{number:02}-{article['title']}.txt"
        contexts = []
        for paragraph, item in enumerate(article["paragraphs"], 1):
            # A context is one paragraph: no blank line may split it.
            contexts.append(" ".join(item["context"].lstrip("\ufeff").split()))
            for qa in item["qas"]:
                questions.append(
                    Question(qa["id"], qa["question"], name, paragraph, len(contexts[-1]))
                )
        files[name] = "\n\n".join(contexts) + "\n"
    left = distractors
    for name, kept in news.articles(corpus):
        if left <= 0:
            break
        files[f"news/{name}.txt"] = "\n\n".join(kept[:left]) + "\n"
        left -= len(kept[:left])
    stamp = target / "corpus.json"
    key = {"distractors": distractors, "files": len(files)}
    if not stamp.exists() or json.loads(stamp.read_text()) != key:
        for name, text in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(text, encoding="utf-8")
        stamp.write_text(json.dumps(key))
    return questions


# -- the systems ------------------------------------------------------------------------

Search = Callable[[str], list[tuple[str, int]]]


def ours(
    corpus: Path, index_dir: Path, location: str | None = None, synonyms: bool = True
) -> Search:
    from indexer import BUILTIN_SYNONYMS, Index
    from indexer.errors import QueryError

    index = Index(location or index_dir, synonyms=BUILTIN_SYNONYMS if synonyms else None)
    news.synced(index, corpus)

    def search(question: str) -> list[tuple[str, int]]:
        try:
            hits = index.search(question, limit=DEPTH)
        except QueryError:
            return []
        return [(str(Path(h.source).relative_to(corpus)), h.paragraph) for h in hits]

    return search


def whoosh_system(corpus: Path, index_dir: Path, analyzer) -> Search:
    """A plain Whoosh index of the corpus with ``analyzer``; the question's terms OR-ed."""
    from whoosh import fields, index, query

    if not index.exists_in(str(index_dir)):
        index_dir.mkdir(parents=True, exist_ok=True)
        schema = fields.Schema(
            content=fields.TEXT(analyzer=analyzer, stored=True),
            source=fields.ID(stored=True),
            paragraph=fields.STORED(),
        )
        ix = index.create_in(str(index_dir), schema)
        writer = ix.writer(limitmb=256)
        for path in sorted(corpus.rglob("*.txt")):
            text = path.read_text(encoding="utf-8")
            source = str(path.relative_to(corpus))
            for number, paragraph in enumerate(text.strip().split("\n\n"), 1):
                writer.add_document(content=paragraph, source=source, paragraph=number)
        writer.commit()
    searcher = index.open_dir(str(index_dir)).searcher()

    def search(question: str) -> list[tuple[str, int]]:
        terms = [query.Term("content", t.text) for t in analyzer(question)]
        hits = searcher.search(query.Or(terms), limit=DEPTH)
        return [(hit["source"], hit["paragraph"]) for hit in hits]

    return search


def snowball(corpus: Path, index_dir: Path) -> Search:
    from whoosh.analysis import LanguageAnalyzer

    return whoosh_system(corpus, index_dir, LanguageAnalyzer("ru"))


@cache
def first_lemma(word: str) -> str:
    from indexer.morphology import get_morph

    return get_morph().parse(word)[0].normal_form


class FirstLemma(Filter):
    """pymorphy's first normal form of each token, nothing else."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = first_lemma(token.text)
            yield token


def first_lemma_system(corpus: Path, index_dir: Path) -> Search:
    return whoosh_system(corpus, index_dir, RegexTokenizer() | LowercaseFilter() | FirstLemma())


#: Where ``ours-opensearch`` keeps its index (set from the command line).
CLUSTER: dict[str, str] = {}


def ours_opensearch(corpus: Path, index_dir: Path) -> Search:
    return ours(corpus, index_dir, f"{CLUSTER['url']}/relevance?replicas=1")


def ours_without_synonyms(corpus: Path, index_dir: Path) -> Search:
    # The same index as ours: only the queries differ.
    return ours(corpus, index_dir.parent / "ours", synonyms=False)


SYSTEMS: dict[str, Callable[[Path, Path], Search]] = {
    "ours": ours,
    "ours-no-synonyms": ours_without_synonyms,
    "ours-opensearch": ours_opensearch,
    "whoosh-snowball": snowball,
    "whoosh-first-lemma": first_lemma_system,
}


# -- measuring --------------------------------------------------------------------------


@dataclass
class Run:
    """Where each question's answer came (1-based, ``None`` past the top 10), and times."""

    ranks: dict[str, int | None]
    seconds: dict[str, float]


def run(search: Search, questions: list[Question]) -> Run:
    for q in questions[:50]:  # warm caches before timing
        search(q.text)
    ranks: dict[str, int | None] = {}
    seconds: dict[str, float] = {}
    for q in questions:
        start = time.perf_counter()
        found = search(q.text)
        seconds[q.id] = time.perf_counter() - start
        answer = (q.source, q.paragraph)
        ranks[q.id] = found.index(answer) + 1 if answer in found else None
    return Run(ranks, seconds)


def figures(result: Run, questions: list[Question]) -> dict[str, float]:
    ranks = [result.ranks[q.id] for q in questions]
    times = sorted(result.seconds[q.id] for q in questions)
    return {
        "MRR@10": statistics.fmean(1 / r if r else 0.0 for r in ranks),
        "R@1": statistics.fmean(r == 1 for r in ranks),
        "R@10": statistics.fmean(r is not None for r in ranks),
        "nDCG@10": statistics.fmean(1 / math.log2(r + 1) if r else 0.0 for r in ranks),
        "p50 ms": 1000 * statistics.median(times),
        "p95 ms": 1000 * times[int(0.95 * (len(times) - 1))],
    }


def report(results: dict[str, Run], questions: list[Question]) -> None:
    for half in HALVES:
        subset = [q for q in questions if q.half == half]
        print(f"\n{half} half: {len(subset)} questions")
        rows = {name: figures(result, subset) for name, result in results.items()}
        columns = list(next(iter(rows.values())))
        print(f"{'system':<20}" + "".join(f"{c:>10}" for c in columns))
        for name, row in rows.items():
            print(f"{name:<20}" + "".join(f"{row[c]:>10.3f}" for c in columns))
        baselines = {n: r for n, r in rows.items() if not n.startswith("ours")}
        if "ours" in rows and baselines:
            best = max(baselines.values(), key=lambda r: r["MRR@10"])
            base = rows.get("whoosh-snowball", best)
            print(
                f"ours vs best baseline: MRR@10 {rows['ours']['MRR@10'] - best['MRR@10']:+.3f};"
                f" p50 vs whoosh-snowball: {rows['ours']['p50 ms'] / base['p50 ms']:.2f}×"
            )
        if "ours" in rows and "ours-opensearch" in rows:
            ours, cluster = rows["ours"], rows["ours-opensearch"]
            print(
                f"ours in OpenSearch vs embedded: MRR@10 {cluster['MRR@10'] - ours['MRR@10']:+.3f};"
                f" p50 {cluster['p50 ms'] / ours['p50 ms']:.2f}×"
            )


def by_length(results: dict[str, Run], questions: list[Question]) -> None:
    """MRR@10 on questions with short and with long answering paragraphs (held-out half).

    Length normalisation favours short paragraphs; this shows whether a setting helps
    only because the answers are longer than the distractors.
    """
    subset = [q for q in questions if q.half == "held-out"]
    middle = statistics.median(q.length for q in subset)
    short = [q for q in subset if q.length <= middle]
    long = [q for q in subset if q.length > middle]
    print(f"\nheld-out MRR@10 by answer length (median {middle:.0f} characters):")
    print(f"{'system':<20}{'short':>10}{'long':>10}")
    for name, result in results.items():
        a, b = figures(result, short)["MRR@10"], figures(result, long)["MRR@10"]
        print(f"{name:<20}{a:>10.3f}{b:>10.3f}")


def show_misses(result: Run, questions: list[Question], count: int) -> None:
    tune = [q for q in questions if q.half == "tune"]
    worst = sorted(tune, key=lambda q: result.ranks[q.id] or DEPTH + 1, reverse=True)
    print(f"\nworst {count} of the tune half (rank, question, answer's file and paragraph):")
    for q in worst[:count]:
        print(f"{result.ranks[q.id] or '-':>3}  {q.text}  [{q.source} ¶{q.paragraph}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad", type=Path, default=news.DEFAULT_XQUAD)
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--distractors", type=int, default=30_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/indexer-relevance"))
    parser.add_argument("--systems", help="comma-separated (default: all but ours-opensearch)")
    parser.add_argument("--engine", choices=["whoosh", "opensearch"], default="whoosh")
    parser.add_argument("--url", help="an OpenSearch cluster for --engine opensearch")
    parser.add_argument("--misses", type=int, default=0, help="list our N worst questions")
    args = parser.parse_args()
    if not args.xquad.exists():
        raise SystemExit(f"no XQuAD-ru at {args.xquad} (give its path with --xquad)")

    corpus = args.workdir / "corpus"
    questions = write_corpus(args.xquad, args.corpus, args.distractors, corpus)
    print(f"{len(questions)} questions; corpus in {corpus}")
    default = (
        "ours,ours-opensearch"
        if args.engine == "opensearch"
        else "ours,whoosh-snowball,whoosh-first-lemma"
    )
    names = (args.systems or default).split(",")
    cluster = None
    if "ours-opensearch" in names:
        CLUSTER["url"] = args.url
        if not args.url:
            sys.path.insert(0, str(ROOT / "tests"))
            from opensearch_node.cluster import Cluster

            cluster = Cluster(nodes=2, quick_start=False)
            cluster.start()
            cluster.wait("green")
            CLUSTER["url"] = cluster.url
    results = {}
    try:
        for name in names:
            start = time.perf_counter()
            search = SYSTEMS[name](corpus, args.workdir / name)
            print(f"{name}: index ready in {time.perf_counter() - start:.1f} s", flush=True)
            results[name] = run(search, questions)
    finally:
        if cluster is not None:
            cluster.stop()
    report(results, questions)
    by_length(results, questions)
    if args.misses and "ours" in results:
        show_misses(results["ours"], questions, args.misses)


if __name__ == "__main__":
    main()
