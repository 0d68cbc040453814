"""Plain text to paragraphs, each keeping its exact text."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Literal, TypeAlias, get_args

#: How a plain text is cut into paragraphs: ``"lines"``, a paragraph per line;
#: ``"blocks"``, a paragraph per block of lines between blank lines; ``"auto"``, by the
#: shape of the text (see :func:`split_paragraphs`).
ParagraphMode: TypeAlias = Literal["auto", "lines", "blocks"]
PARAGRAPH_MODES: tuple[ParagraphMode, ...] = get_args(ParagraphMode)

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")
# A line that ends a sentence: . ! ? … and maybe closing quotes or brackets after them.
_SENTENCE_END = re.compile(r"[.!?…][»\"”’')\]]*\s*$")


def split_paragraphs(text: str, mode: ParagraphMode = "auto") -> list[str]:
    """Split a document into paragraphs, keeping each paragraph's exact text.

    With ``mode="auto"``, blocks separated by blank lines are paragraphs (their
    hard-wrapped lines belong together), unless most lines inside the blocks end a
    sentence: then the text has a paragraph per line and a few blank lines besides, as
    news articles often do. A text with no blank line between its lines has a paragraph
    per line. In a block that starts with an indented line, every indented line starts a
    paragraph: books typed with indented first lines (lib.ru, scans) have no blank
    lines between paragraphs, only between chapters. ``"lines"`` and ``"blocks"`` say
    which shape the text has.

    >>> split_paragraphs("Первый абзац,\\nещё строка.\\n\\n  Второй.\\n")
    ['Первый абзац,\\nещё строка.', 'Второй.']
    >>> split_paragraphs("Строка один.\\nСтрока два.\\n\\nСтрока три.\\n")
    ['Строка один.', 'Строка два.', 'Строка три.']
    >>> split_paragraphs("     Жил старик\\nсо старухой.\\n     У моря.\\n")
    ['Жил старик\\nсо старухой.', 'У моря.']
    >>> split_paragraphs("Строка один.\\nСтрока два.\\n", "blocks")
    ['Строка один.\\nСтрока два.']
    """
    check_mode(mode)
    blocks = [block.strip("\n").split("\n") for block in _BLANK_LINES.split(text) if block.strip()]
    if mode == "auto" and len(blocks) > 1 and _lines_end_sentences(blocks):
        mode = "lines"
    paragraphs: list[str] = []
    for lines in blocks:
        if mode == "lines":
            paragraphs += lines
        elif mode == "blocks":
            paragraphs.append("\n".join(lines))
        elif _indent_marked(lines):
            starts = [i for i, line in enumerate(lines) if _indented(line)]
            paragraphs += ["\n".join(lines[a:b]) for a, b in pairwise([*starts, len(lines)])]
        elif len(blocks) > 1:
            paragraphs.append("\n".join(lines))
        else:
            paragraphs += lines
    return [paragraph.strip() for paragraph in paragraphs if paragraph.strip()]


def check_mode(mode: str) -> None:
    """Refuse what is not a :data:`ParagraphMode`.

    :raises ValueError: ``mode`` is none of ``auto``, ``lines``, ``blocks``.
    """
    if mode not in PARAGRAPH_MODES:
        raise ValueError(f"paragraphs must be one of {', '.join(PARAGRAPH_MODES)}, not {mode!r}")


def _lines_end_sentences(blocks: list[list[str]]) -> bool:
    # Hard-wrapped prose breaks its lines anywhere in a sentence (one line in five or so
    # ends one); a text with a paragraph per line breaks them at the end of a paragraph,
    # but for short headings, captions and credits: most of its text is in lines that
    # end a sentence.
    inner = [line.strip() for lines in blocks for line in lines[:-1]]
    ended = sum(len(line) for line in inner if _SENTENCE_END.search(line))
    return ended * 2 > sum(map(len, inner))


def _indent_marked(lines: list[str]) -> bool:
    # Only a block that starts indented and has lines that are not: indented lines after
    # an unindented first one continue it (a list item's hanging indent), and a block
    # indented throughout is a quotation.
    return len(lines) > 1 and _indented(lines[0]) and not all(map(_indented, lines[1:]))


def _indented(line: str) -> bool:
    return line.startswith("\t") or line[:2].isspace()
