"""Plain text to paragraphs, each keeping its exact text."""

from __future__ import annotations

import re
from itertools import pairwise


def split_paragraphs(text: str) -> list[str]:
    """Split a document into paragraphs, keeping each paragraph's exact text.

    Blocks separated by blank lines are paragraphs (their hard-wrapped lines belong
    together); a text with no blank line between its lines has a paragraph per line.
    In a block that starts with an indented line, every indented line starts a
    paragraph: books typed with indented first lines (lib.ru, scans) have no blank
    lines between paragraphs, only between chapters.

    >>> split_paragraphs("Первый абзац,\\nещё строка.\\n\\n  Второй.\\n")
    ['Первый абзац,\\nещё строка.', 'Второй.']
    >>> split_paragraphs("Строка один.\\nСтрока два.\\n")
    ['Строка один.', 'Строка два.']
    >>> split_paragraphs("     Жил старик\\nсо старухой.\\n     У моря.\\n")
    ['Жил старик\\nсо старухой.', 'У моря.']
    """
    if re.search(r"\n[^\S\n]*\n", text.strip()):
        blocks = re.split(r"\n(?:[^\S\n]*\n)+", text)
    else:
        blocks = [text]
    paragraphs = []
    for block in blocks:
        lines = block.strip("\n").split("\n")
        if _indent_marked(lines):
            starts = [i for i, line in enumerate(lines) if _indented(line)]
            paragraphs += ["\n".join(lines[a:b]) for a, b in pairwise([*starts, len(lines)])]
        elif len(blocks) > 1:
            paragraphs.append(block)
        else:
            paragraphs += lines
    return [paragraph.strip() for paragraph in paragraphs if paragraph.strip()]


def _indent_marked(lines: list[str]) -> bool:
    # Only a block that starts indented and has lines that are not: indented lines after
    # an unindented first one continue it (a list item's hanging indent), and a block
    # indented throughout is a quotation.
    return len(lines) > 1 and _indented(lines[0]) and not all(map(_indented, lines[1:]))


def _indented(line: str) -> bool:
    return line.startswith("\t") or line[:2].isspace()
