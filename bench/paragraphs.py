"""How text files of news are cut into paragraphs: by shape (``auto``) against blocks.

    python bench/paragraphs.py [--corpus ../shared/corpora/news_rt_ng] [--width 72]

Each article (title and text) is a file as a site saves it: a paragraph per line, with
the blank lines some articles have. Counted: the articles with blank lines, how many of
them ``auto`` reads as a paragraph per line, and how many give a paragraph of 5,000
characters or more when cut into blocks between blank lines (the old rule) and with
``auto``. Then every seventh article is hard-wrapped (``textwrap.fill`` at ``--width``,
paragraphs between blank lines, as an editor saves prose), and counted: how many of
those ``auto`` keeps as whole paragraphs (articles of one paragraph are left out: a
file without blank lines has a paragraph per line whatever its shape).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import news

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.paragraphs import split_paragraphs

GLUED = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--width", type=int, default=72, help="where hard-wrapped lines end")
    args = parser.parse_args()
    articles = with_blank = per_line = glued_blocks = glued_auto = 0
    wrapped = wrapped_whole = 0
    for number, (_, record) in enumerate(news.records(args.corpus)):
        articles += 1
        text = f"{record['title']}\n{record['content']}".replace("\r\n", "\n")
        blocks = split_paragraphs(text, "blocks")
        if len(blocks) > 1:
            with_blank += 1
            auto = split_paragraphs(text)
            per_line += auto == split_paragraphs(text, "lines")
            glued_blocks += max(map(len, blocks)) >= GLUED
            glued_auto += max(map(len, auto)) >= GLUED
        kept = [p.strip() for p in record["content"].split("\n") if len(p.strip()) >= 40]
        if number % 7 == 0 and len(kept) > 1:
            fill = textwrap.TextWrapper(args.width, break_long_words=False, break_on_hyphens=False)
            hard = "\n\n".join(fill.fill(p) for p in kept)
            if "\n" in hard.replace("\n\n", ""):
                wrapped += 1
                whole = [" ".join(p.split()) for p in split_paragraphs(hard)]
                wrapped_whole += whole == [" ".join(p.split()) for p in kept]
    print(f"{articles} articles, {with_blank} with blank lines")
    print(f"  read as a paragraph per line by auto: {per_line}")
    print(f"  with a paragraph of {GLUED:,}+ characters: blocks {glued_blocks}, auto {glued_auto}")
    print(f"hard-wrapped at {args.width}: {wrapped_whole} of {wrapped} kept whole by auto")


if __name__ == "__main__":
    main()
