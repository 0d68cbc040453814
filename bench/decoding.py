"""How often a real article saved in each common encoding is read back right.

    python bench/decoding.py [--corpus ../shared/corpora/news_rt_ng] [--per-source 600]
                             [--misses N]

Takes the first ``--per-source`` articles of each news source (Nezavisimaya Gazeta and
RT), title and text as one file, and saves each in every encoding Russian text comes
in: UTF-8, UTF-16 with a byte-order mark and without one (both byte orders), cp1251,
koi8-r, cp866 and mac-cyrillic (a character the code page lacks — «, —, № in some —
becomes ``?``, as an editor saving it would). Each file is read back by
:func:`indexer.decoding.decode` and, as the baseline in the same run, by
charset-normalizer alone; a reading is right when it equals the text in the encoding it
was saved in. Also counted: how many right readings were nevertheless flagged as
doubtful (a false warning), and the time per file.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import news

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.decoding import read_text  # noqa: E402

# Python's codec names; "utf-16" writes a byte-order mark, the -le/-be ones do not.
ENCODINGS = (
    "utf-8",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "cp1251",
    "koi8-r",
    "cp866",
    "mac-cyrillic",
)


def sample(corpus: Path, per_source: int) -> list[tuple[str, str]]:
    """``(name, title + text)`` of the first ``per_source`` articles of each source."""
    taken: dict[str, int] = {}
    out = []
    for name, record in news.records(corpus):
        source = name.rsplit("_", 1)[0]
        if taken.get(source, 0) < per_source:
            taken[source] = taken.get(source, 0) + 1
            out.append((name, f"{record['title']}\n{record['content']}"))
    return out


def baseline(data: bytes) -> str | None:
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    return None if best is None else str(best).replace("\r\n", "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--per-source", type=int, default=600, help="articles per source")
    parser.add_argument("--misses", type=int, default=0, help="show the first N misses")
    args = parser.parse_args()
    articles = sample(args.corpus, args.per_source)
    sources = sorted({name.rsplit("_", 1)[0] for name, _ in articles})
    print(f"{len(articles)} articles ({', '.join(sources)}), {len(ENCODINGS)} encodings")
    print(f"{'encoding':<14}{'ours':>8}{'baseline':>10}{'flagged':>9}{'ms/file':>9}{'base ms':>9}")
    shown = 0
    worst = 1.0
    for encoding in ENCODINGS:
        right = base_right = flagged = 0
        ours_time = base_time = 0.0
        for name, text in articles:
            data = text.encode(encoding, errors="replace")
            expected = data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
            start = time.perf_counter()
            try:
                decoded = read_text(data)
                got, doubtful = decoded.text, decoded.doubtful
            except Exception as exc:  # a refusal is a miss, whatever its kind
                got, doubtful = f"<{type(exc).__name__}: {exc}>", False
            middle = time.perf_counter()
            base = baseline(data)
            base_time += time.perf_counter() - middle
            ours_time += middle - start
            right += got == expected
            flagged += got == expected and doubtful
            base_right += base == expected
            if got != expected and shown < args.misses:
                shown += 1
                print(f"  miss {name} {encoding}: {got[:70]!r}")
        n = len(articles)
        worst = min(worst, right / n)
        print(
            f"{encoding:<14}{right / n:>8.2%}{base_right / n:>10.2%}{flagged:>9}"
            f"{1000 * ours_time / n:>9.2f}{1000 * base_time / n:>9.2f}"
        )
    print(f"worst encoding: {worst:.2%} of {len(articles)} read right")


if __name__ == "__main__":
    main()
