"""The analysis of real Russian paragraphs, word by word, against a golden file.

Words (offsets, lemmas, positions, weights) from :data:`indexer.analysis.INDEX` and
:data:`~indexer.analysis.QUERY`, and each lemma's positions and term frequency from
``INDEX.positions``, for every paragraph of the texts beside the tests and the bundled
article: a change that makes analysis faster must leave all of it as it was.

A change meant to alter what text is analysed into (it also bumps
``ANALYSIS_VERSION``) writes the file afresh, and its diff shows what changed:

    python tests/test_analysis_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "analysis.txt"
TEXTS = [
    ROOT / "tests" / "texts" / "news_like.txt",
    ROOT / "tests" / "texts" / "prose.txt",
    ROOT / "data" / "lavrov_kerry_syria.txt",
]


def paragraphs() -> list[str]:
    """Every non-blank line of the texts (a paragraph, or a part of one)."""
    lines = (line.strip() for path in TEXTS for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def described(text: str) -> str:
    """What ``text`` is analysed into, one line per word and per lemma."""
    from indexer.analysis import INDEX, QUERY

    out = [f"# {text}"]
    for name, analyzer in (("index", INDEX), ("query", QUERY)):
        for w in analyzer(text):
            readings = " ".join(
                f"{lemma}={weight!r}" for lemma, weight in zip(w.lemmas, w.weights, strict=True)
            )
            out.append(f"{name} {w.position} {w.start}:{w.end} {w.text} {readings}")
    for lemma, found in INDEX.positions(text).items():
        out.append(f"tf {lemma} {found.units} {','.join(map(str, found))}")
    return "\n".join(out)


def golden() -> list[str]:
    """The golden file's descriptions, one per paragraph."""
    return GOLDEN.read_text("utf-8").split("\n\n")


def test_the_golden_file_describes_every_paragraph() -> None:
    assert [block.splitlines()[0] for block in golden()] == [f"# {p}" for p in paragraphs()]


@pytest.mark.parametrize("number", range(len(paragraphs())))
def test_analysis_is_as_golden(number: int) -> None:
    assert described(paragraphs()[number]) == golden()[number]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text("\n\n".join(described(text) for text in paragraphs()), "utf-8")
    print(f"wrote {GOLDEN}")
