"""From files on disk to paragraphs: walking, decoding, splitting.

Nothing here knows about the index; :mod:`indexer.sync` decides what to read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from .errors import SourceNotFoundError, UnreadableFileError

#: File name endings of HTML pages and FictionBook books (see :mod:`indexer.markup`).
MARKUP_SUFFIXES = (".html", ".htm", ".xhtml", ".fb2")
#: A zipped FictionBook book, as Russian online libraries hand them out.
ZIPPED_BOOK_SUFFIX = ".fb2.zip"
#: File name endings read when a directory is walked (a file named explicitly is
#: read whatever its name: as markup or a zipped book by these endings, else as text).
DOCUMENT_SUFFIXES = (".txt", ".md", *MARKUP_SUFFIXES, ZIPPED_BOOK_SUFFIX)
#: A zipped book unpacks to no more than this (the longest novels are a few MB): a zip
#: that claims more is refused, not unpacked.
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024

# Single-byte code pages that charset-normalizer confuses on short texts: Russian in
# cp1251, koi8-r and cp866 (DOS), and Western European text in cp1252.
_CONFUSABLE_CODEPAGES = ("cp1251", "koi8_r", "cp866", "cp1252")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# A lower-case letter after a lower-case letter of the same alphabet: frequent in any
# correctly decoded text, rare when a wrong code page scrambles letters and case.
_WORD_INNER_LOWER = re.compile(r"(?<=[а-яё])[а-яё]|(?<=[a-zß-ÿ])[a-zß-ÿ]")
_CYRILLIC_INNER_LOWER = re.compile(r"(?<=[а-яё])[а-яё]")
_EUROPEAN = re.compile(r"[\t\n\r\x20-\u052f\u2000-\u206f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The encoding a document declares in its first bytes: an XML declaration (FB2, XHTML)
# or an HTML <meta> tag.
_DECLARED_ENCODING = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)|<meta[^>]*?charset\s*=\s*["']?([\w.:-]+)""",
    re.IGNORECASE,
)


def decode(data: bytes) -> str:
    """Decode the bytes of a text file, guessing its encoding; newlines become ``\\n``.

    UTF-8, and UTF-16/32 with a byte-order mark, are recognised directly. Other bytes
    go to charset-normalizer; among its guess and the single-byte code pages it often
    confuses on short texts (cp1251, koi8-r, cp866, cp1252), the reading with the most
    ordinary lower-case words wins.

    >>> decode("Привет".encode("koi8-r"))
    'Привет'

    :raises UnreadableFileError: for binary data or text in no known encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try_decode(data, encoding)
            if text is None:
                raise UnreadableFileError(f"not valid {encoding}")
            return _as_text(text)
    text = _try_decode(data, "utf-8")
    if text is None:
        text = _nearly_utf8(data)
    if text is not None and not _looks_binary(text):
        return _as_text(text)
    text = _try_utf16_without_bom(data)
    if text is not None:
        return _as_text(text)

    import charset_normalizer

    guess = charset_normalizer.from_bytes(
        data, cp_isolation=[*_CONFUSABLE_CODEPAGES, "cp1125", "latin_1", "iso8859_5"]
    ).best()
    if guess is None:
        raise UnreadableFileError("binary data or an unknown encoding")
    text = _most_wordlike(data, str(guess))
    if text is None or _looks_binary(text):
        raise UnreadableFileError("binary data, not text")
    return _as_text(text)


def decode_markup(data: bytes) -> str:
    """Decode an HTML page or an FB2 book: as UTF-8 when it is, else in the encoding it
    declares (FB2 books are often ``windows-1251``) unless a code page often confused
    with it reads as more ordinary words, else as :func:`decode` guesses.

    :raises UnreadableFileError: for binary data or text in no known encoding.
    """
    declared = _DECLARED_ENCODING.search(data[:4096])
    if (
        declared
        and not data.startswith(tuple(bom for bom, _ in _BOMS))
        and _try_decode(data, "utf-8") is None
        and _nearly_utf8(data) is None
    ):
        name = (declared.group(1) or declared.group(2)).decode("ascii")
        text = _most_wordlike(data, _try_decode(data, name))
        if text is not None and not _looks_binary(text):
            return _as_text(text)
    return decode(data)


def _nearly_utf8(data: bytes) -> str | None:
    # A UTF-8 text with a stray byte or two (a character from another code page pasted
    # in, a file cut in the middle of a character) is still UTF-8: reading it in some
    # code page, or skipping it, would lose all of it rather than those bytes.
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    others = len(text) - len(text.encode("ascii", "ignore")) - broken
    return text if broken and broken * 100 <= others else None


def _as_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    return len(_CONTROL.findall(text)) > len(text) // 100


def _try_utf16_without_bom(data: bytes) -> str | None:
    # UTF-16 puts zero bytes (or, for Cyrillic, 0x04) beside every character, on the
    # side that gives the byte order. Binary data decoded this way yields characters
    # from all over Unicode instead of European scripts.
    if len(data) % 2:
        return None
    odd = data[1::2]
    encoding = "utf-16-le" if odd.count(0) + odd.count(4) > len(data) // 4 else "utf-16-be"
    text = _try_decode(data, encoding)
    if text is None or len(_EUROPEAN.findall(text)) < 0.95 * len(text) or _looks_binary(text):
        return None
    return text


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):  # LookupError: an encoding Python lacks
        return None


def _most_wordlike(data: bytes, first: str | None) -> str | None:
    """Of ``first`` (a reading found otherwise) and the readings in the code pages
    often confused, the one with the most ordinary words; ``first`` wins a tie."""
    readings = [first, *(_try_decode(data, code) for code in _CONFUSABLE_CODEPAGES)]
    return max((r for r in readings if r is not None), key=_word_likeness, default=None)


def _word_likeness(text: str) -> tuple[int, int]:
    # Russian in Latin-1 (Ñòîðîíû) has as many letter pairs as in cp1251: on a tie
    # the Cyrillic reading wins.
    return len(_WORD_INNER_LOWER.findall(text)), len(_CYRILLIC_INNER_LOWER.findall(text))


def read_text(path: str) -> str:
    """Read a text file in whatever encoding it is in.

    :raises UnreadableFileError: the file cannot be opened or is not text.
    """
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        raise UnreadableFileError(exc.strerror or str(exc)) from exc
    return decode(data)


def document_paragraphs(name: str, data: bytes) -> list[str]:
    """The paragraphs of a file's bytes, read by the ending of its name: HTML and FB2
    as markup (:mod:`indexer.markup`), a ``.fb2.zip`` as the books inside it, anything
    else as plain text (:func:`split_paragraphs`).

    :raises UnreadableFileError: the data is binary, in no known encoding, or a zip
        archive with no readable book.
    """
    lower = name.lower()
    if lower.endswith(ZIPPED_BOOK_SUFFIX):
        books, problems = [], []
        for book in _zipped_books(data):
            try:
                books.append(document_paragraphs(".fb2", book))
            except UnreadableFileError as exc:
                problems.append(exc)
        if problems and not books:
            raise problems[0]
        return [paragraph for book in books for paragraph in book]
    if lower.endswith(MARKUP_SUFFIXES):
        from .markup import markup_paragraphs

        return markup_paragraphs(decode_markup(data))
    return split_paragraphs(decode(data))


def _zipped_books(data: bytes) -> list[bytes]:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if _is_book(m.filename)]
            unpacked = sum(m.file_size for m in members)
            if members and unpacked <= MAX_UNZIPPED_BYTES:
                return [archive.read(m) for m in members]
    # Archives fail in many ways (bad headers, corrupt deflate, bzip2 or lzma data,
    # passwords, unknown methods, undecodable names): each one means no book.
    except Exception as exc:
        raise UnreadableFileError(f"unreadable zip archive ({exc})") from exc
    if not members:
        raise UnreadableFileError("no .fb2 book in the zip archive")
    limit = MAX_UNZIPPED_BYTES >> 20
    raise UnreadableFileError(f"the zip archive unpacks to more than {limit} MB")


def _is_book(member: str) -> bool:
    # Finder's zips add «__MACOSX/._book.fb2», resource forks that are not books.
    folder, _, base = member.lower().replace("\\", "/").rpartition("/")
    return base.endswith(".fb2") and not base.startswith(".") and "__macosx" not in folder


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


@dataclass(frozen=True)
class FileStat:
    """What is known of a file without reading it."""

    size: int
    mtime_ns: int


@dataclass
class Walk:
    """The text files found under some paths, and the ones that could not be looked at."""

    files: dict[str, FileStat] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


def source_root(path: str) -> str:
    """The absolute, symlink-free form of a path, as sources are named in the index.

    :raises SourceNotFoundError: the path does not exist or cannot be read.
    """
    if not os.path.exists(path):
        kind = "broken symlink" if os.path.islink(path) else "no such file or directory"
        raise SourceNotFoundError(f"{kind}: «{path}»")
    if not os.access(path, os.R_OK):
        raise SourceNotFoundError(f"permission denied: «{path}»")
    return os.path.realpath(path)


def walk(roots: Iterable[str], *, skip: str | None = None) -> Walk:
    """Find the text files under ``roots`` (absolute paths from :func:`source_root`).

    Directories are walked in a stable order; hidden files and folders, and the folder
    ``skip`` (the index itself), are left out. Files that cannot be looked at are
    listed in ``problems`` instead of raising.
    """
    found = Walk()
    for root in roots:
        if os.path.isdir(root):
            _walk_dir(root, skip, found)
        else:
            _add_file(root, found)
    return found


def _walk_dir(root: str, skip: str | None, found: Walk) -> None:
    def on_error(exc: OSError) -> None:
        found.problems.append((exc.filename or root, exc.strerror or str(exc)))

    for folder, dirs, names in os.walk(root, onerror=on_error):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and os.path.join(folder, d) != skip
        )
        for name in sorted(names):
            if not name.startswith(".") and name.lower().endswith(DOCUMENT_SUFFIXES):
                _add_file(os.path.join(folder, name), found)


def _add_file(path: str, found: Walk) -> None:
    try:
        st = os.stat(path)
    except OSError as exc:
        reason = "broken symlink" if os.path.islink(path) else exc.strerror or str(exc)
        found.problems.append((path, reason))
        return
    found.files[path] = FileStat(st.st_size, st.st_mtime_ns)
