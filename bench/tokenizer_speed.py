"""Our tokenizer against razdel on the same text: speed, and where they disagree.

    python -m pip install -e '.[bench]'
    python bench/tokenizer_speed.py [--corpus ../shared/corpora/news_rt_ng] [--limit 2000]

Without the news corpus it uses the bundled article, repeated.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import news  # noqa: E402

from indexer.analysis import WordTokenizer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/news_rt_ng")
    parser.add_argument("--limit", type=int, default=20000, help="paragraphs to tokenise")
    args = parser.parse_args()
    import razdel

    if args.corpus.is_dir():
        texts = news.paragraphs(args.corpus, args.limit)
        source = f"{len(texts)} news paragraphs"
    else:
        article = (ROOT / "data/lavrov_kerry_syria.txt").read_text(encoding="utf-8")
        texts = article.splitlines() * 200
        source = f"the bundled article ×200 ({len(texts)} lines; no corpus at {args.corpus})"
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    tokenizer = WordTokenizer()

    def ours(text: str) -> list[str]:
        return [match.group() for match in tokenizer(text)]

    def theirs(text: str) -> list[str]:
        return [t.text for t in razdel.tokenize(text) if any(c.isalnum() for c in t.text)]

    timings = {}
    outputs = {}
    for name, run in (("ours", ours), ("razdel", theirs)):
        start = time.perf_counter()
        outputs[name] = [run(text) for text in texts]
        timings[name] = time.perf_counter() - start
    differ = Counter()
    for a, b in zip(outputs["ours"], outputs["razdel"], strict=True):
        if a != b:
            differ.update(set(b) - set(a))
    words = sum(len(x) for x in outputs["razdel"])
    print(f"text: {source}, {megabytes:.1f} MB, {words} razdel word tokens")
    for name, seconds in timings.items():
        print(f"{name:7} {seconds:6.2f} s  {megabytes / seconds:6.2f} MB/s")
    print(f"ours/razdel speed: {timings['razdel'] / timings['ours']:.1f}×")
    share = sum(a == b for a, b in zip(outputs["ours"], outputs["razdel"], strict=True))
    print(f"paragraphs tokenised identically (word tokens only): {share / len(texts):.1%}")
    print("razdel tokens we split differently, most common:", differ.most_common(12))


if __name__ == "__main__":
    main()
