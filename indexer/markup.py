"""Paragraphs of marked-up documents: HTML pages and FictionBook (FB2) books.

Both go through the standard library's lenient HTML parser, which also reads FB2's XML
(its paragraphs are ``<p>`` too) and, unlike an XML parser, does not give up on the
broken markup that scanned-and-converted books often have. A block element (``<p>``,
``<div>``, ``<li>``, headings, table rows, FB2's ``<stanza>``, ``<subtitle>``…) ends a
paragraph, and so do two line breaks in a row; one ``<br>``, or an FB2 verse line
``<v>``, breaks a line inside a paragraph. Scripts, styles, a page's ``<head>`` and
menus, a book's ``<description>``, stylesheet and embedded ``<binary>`` pictures are not
text. Text in ``<pre>`` (lib.ru keeps whole books so) is split like a plain text file.

Nothing is lost to markup that is never closed: when an element that hides its text
(a menu, say) is still open at the end, the document is read again hiding only scripts,
styles and pictures, whose ends the parser always finds.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from .errors import UnreadableFileError
from .paragraphs import split_paragraphs

_BLOCKS = frozenset(
    # HTML
    "address article aside blockquote body caption center dd details dialog div dl dt"
    " fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main"
    " menu ol option p pre section summary table title tr ul"
    # FictionBook
    " annotation cite empty-line epigraph poem stanza subtitle text-author".split()
)
_LINE_BREAKS = frozenset({"br"})
_LINES = frozenset({"v"})  # FB2 verse lines: a line each, a stanza together
# Inline elements whose text is a word of its own, not the end of the word before it:
# cells of a row, footnote marks («Павловском<sup>1</sup>», FB2's note links), labels.
_SEPARATE = frozenset({"td", "th", "sup", "sub", "button", "label"})
_NOT_TEXT = frozenset(
    {"script", "style", "head", "nav", "noscript", "template", "svg", "textarea"}
    | {"binary", "description", "stylesheet"}
)
# The parser ends these whatever is inside, so hiding them can never hide the rest.
_ALWAYS_CLOSED = frozenset({"script", "style", "binary"})
# Stands for a line break while a paragraph is collected: a newline in the markup is
# only a space.
_BREAK = "\x00"
_PARAGRAPH_BREAK = re.compile(f"{_BREAK}\\s*{_BREAK}")
# How html.parser finds the end of a tag, a comment, a CDATA section and an MS Office
# conditional section.
_TAG_END = re.compile(">")
_COMMENT_END = re.compile(r"--\s*>")
_SECTION_END = re.compile(r"]\s*]\s*>")
_CONDITIONAL_END = re.compile(r"]\s*>")


def markup_paragraphs(text: str) -> list[str]:
    """The paragraphs of an HTML page or an FB2 book, entities decoded, spaces collapsed.

    >>> markup_paragraphs("<p>Первый&nbsp;абзац,\\n  строка.</p><p>Второй<br>и строка.</p>")
    ['Первый абзац, строка.', 'Второй\\nи строка.']

    :raises UnreadableFileError: markup the parser cannot get through.
    """
    parser = _ParagraphParser(_NOT_TEXT)
    _parse(parser, text)
    if parser.hidden:
        parser = _ParagraphParser(_ALWAYS_CLOSED)
        _parse(parser, text)
    return parser.paragraphs


def _parse(parser: _ParagraphParser, text: str) -> None:
    try:
        parser.feed(text)
        parser.close()
    except AssertionError as exc:  # html.parser's way of giving up on a declaration
        raise UnreadableFileError(f"markup that cannot be parsed ({exc})") from exc


class _ParagraphParser(HTMLParser):
    # Python's newer parsers take <title> as plain text, tags and all: FB2's titles hold
    # paragraphs.
    RCDATA_CONTENT_ELEMENTS = ()  # type: ignore[misc]  # the parser's own, overridden

    def __init__(self, hide: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        #: The elements that hide their text, open where the parser is now.
        self.hidden: list[str] = []
        self._hidden_count: Counter[str] = Counter()
        self._hide = hide
        self._parts: list[str] = []
        self._pre = 0
        self._fb2 = False
        self._scanned = ""
        self._last_end: dict[re.Pattern[str], int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = self._local(tag)
        if tag == "fictionbook":
            # FB2's <style> is styled text, not a stylesheet: parse inside it.
            self._fb2, self.CDATA_CONTENT_ELEMENTS = True, ("script",)  # type: ignore[misc]
        if self.hidden and self.hidden[-1] == "head" and tag in _BLOCKS and tag != "title":
            # A page may leave out </head> and <body>: its first block ends the head.
            self._hidden_count[self.hidden.pop()] -= 1
        if tag in self._hide and not (self._fb2 and tag == "style"):
            self.hidden.append(tag)
            self._hidden_count[tag] += 1
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre += 1
        elif tag in _LINE_BREAKS:
            self._parts.append(_BREAK)
        elif tag in _SEPARATE or (tag == "a" and ("type", "note") in attrs):
            self._parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        tag = self._local(tag)
        if self._hidden_count[tag]:
            # It ends, and so does whatever was left open inside it (counted, not
            # looked for: thousands of open elements cost no time).
            while (last := self.hidden.pop()) != tag:
                self._hidden_count[last] -= 1
            self._hidden_count[tag] -= 1
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag in _LINES:
            self._parts.append(_BREAK)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <empty-line/>: no end tag follows, so nothing may stay open.
        tag = self._local(tag)
        if tag in _BLOCKS:
            self._end_paragraph()
        elif tag in _LINE_BREAKS:
            self._parts.append(_BREAK)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._parts.append(data)

    # html.parser looks for the end of each tag, comment or section that starts in the
    # rest of the document; where it finds none, the «<» is text and the next «<» is
    # looked at, so 120 KB of «<a <a <a» cost minutes of scanning to the end again and
    # again. Where the document has no such end after a «<» at all, the parser is told
    # at once that the construct is unfinished, which it takes as the same text.

    def check_for_whole_start_tag(self, i: int) -> int:
        return super().check_for_whole_start_tag(i) if self._ends_after(_TAG_END, i) else -1

    def parse_endtag(self, i: int) -> int:
        return super().parse_endtag(i) if self._ends_after(_TAG_END, i) else -1

    def parse_pi(self, i: int) -> int:
        return super().parse_pi(i) if self._ends_after(_TAG_END, i) else -1

    def parse_html_declaration(self, i: int) -> int:
        return super().parse_html_declaration(i) if self._ends_after(_TAG_END, i) else -1

    def parse_comment(self, i: int, report: bool = True) -> int:
        return super().parse_comment(i, report) if self._ends_after(_COMMENT_END, i) else -1

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        keyword = self.rawdata[i + 3 : i + 12].lstrip().lower()
        end = _CONDITIONAL_END if keyword.startswith(("if", "else", "endif")) else _SECTION_END
        if not self._ends_after(end, i):
            return -1
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            # «<![ if ]>» and the like: skipped to their end, the text around them kept.
            closing = self.rawdata.find(">", i)
            return closing + 1 if closing >= 0 else -1

    def _ends_after(self, end: re.Pattern[str], i: int) -> bool:
        # The parser keeps the text it has not consumed in ``rawdata``, a new string
        # after each feed: the last end of each kind is found once per string.
        if self.rawdata is not self._scanned:
            self._scanned, self._last_end = self.rawdata, {}
        if end not in self._last_end:
            self._last_end[end] = max((m.start() for m in end.finditer(self.rawdata)), default=-1)
        return self._last_end[end] > i

    def unknown_decl(self, data: str) -> None:
        if data.startswith("CDATA["):
            self.handle_data(data[len("CDATA[") :])

    def close(self) -> None:
        super().close()
        self._end_paragraph()

    @staticmethod
    def _local(tag: str) -> str:
        # FB2 written with a namespace prefix: <fb:p>.
        return tag.rpartition(":")[2]

    def _end_paragraph(self) -> None:
        text = "".join(self._parts)
        self._parts.clear()
        if self._pre:
            self.paragraphs += split_paragraphs(text.replace(_BREAK, "\n"))
            return
        for block in _PARAGRAPH_BREAK.split(text):
            lines = (" ".join(line.split()) for line in block.split(_BREAK))
            if paragraph := "\n".join(line for line in lines if line):
                self.paragraphs.append(paragraph)
