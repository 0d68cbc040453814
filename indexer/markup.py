"""Paragraphs of marked-up documents: HTML pages and FictionBook (FB2) books.

Both go through the standard library's lenient HTML parser, which also reads FB2's XML
(its paragraphs are ``<p>`` too) and, unlike an XML parser, does not give up on the
broken markup that scanned-and-converted books often have. A block element (``<p>``,
``<div>``, ``<li>``, headings, cells, FB2's ``<stanza>``, ``<subtitle>``…) ends a
paragraph; ``<br>`` and FB2's verse lines ``<v>`` break a line inside one. Scripts,
styles, a page's ``<head>`` and menus, a book's ``<description>`` and its embedded
``<binary>`` pictures are not text. Text in ``<pre>`` (lib.ru keeps whole books so) is
split like a plain text file.
"""

from __future__ import annotations

from html.parser import HTMLParser

from .ingest import split_paragraphs

_BLOCKS = frozenset(
    # HTML
    "address article aside blockquote caption dd div dl dt figcaption figure footer form"
    " h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th title tr ul"
    # FictionBook
    " annotation body cite empty-line epigraph poem stanza subtitle text-author".split()
)
_LINE_BREAKS = frozenset({"br"})
_LINES = frozenset({"v"})  # FB2 verse lines: a line each, a stanza together
_NOT_TEXT = frozenset(
    {"script", "style", "head", "nav", "noscript", "template", "svg", "binary", "description"}
)
# Stands for a line break while a paragraph is collected: a newline in the markup is
# only a space.
_BREAK = "\x00"


def markup_paragraphs(text: str) -> list[str]:
    """The paragraphs of an HTML page or an FB2 book, entities decoded, spaces collapsed.

    >>> markup_paragraphs("<p>Первый&nbsp;абзац,\\n  строка.</p><p>Второй<br>и строка.</p>")
    ['Первый абзац, строка.', 'Второй\\nи строка.']
    """
    parser = _ParagraphParser()
    parser.feed(text)
    parser.close()
    return parser.paragraphs


class _ParagraphParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._parts: list[str] = []
        self._hidden = 0  # depth inside elements that hold no text
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "body":
            # A page whose <head> was never closed still has its text.
            self._hidden = 0
        if tag in _NOT_TEXT:
            self._hidden += 1
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre += 1
        elif tag in _LINE_BREAKS:
            self._parts.append(_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in _NOT_TEXT:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag in _LINES:
            self._parts.append(_BREAK)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        # <br/>, <empty-line/>: no end tag follows, and an element that holds no text
        # must not hide what comes after it.
        if tag not in _NOT_TEXT:
            self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._end_paragraph()

    def _end_paragraph(self) -> None:
        text = "".join(self._parts)
        self._parts.clear()
        if self._pre:
            self.paragraphs += split_paragraphs(text.replace(_BREAK, "\n"))
            return
        lines = (" ".join(line.split()) for line in text.split(_BREAK))
        if paragraph := "\n".join(line for line in lines if line):
            self.paragraphs.append(paragraph)
