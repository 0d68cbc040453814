"""From files on disk to paragraphs: walking folders, reading each file by its format.

Nothing here knows about the index; :mod:`indexer.sync` decides what to read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .decoding import read_text
from .errors import SourceNotFoundError, UnreadableFileError
from .markup import markup_paragraphs
from .paragraphs import ParagraphMode, split_paragraphs

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


@dataclass(frozen=True)
class Document:
    """What a file gave: its paragraphs, and why they may be wrong although it was read."""

    paragraphs: list[str]
    #: Set when the encoding was a doubtful guess (see :class:`indexer.decoding.Decoded`).
    warning: str | None = None


def read_document(name: str, data: bytes, *, paragraphs: ParagraphMode = "auto") -> Document:
    """The paragraphs of a file's bytes, read by the ending of its name: HTML and FB2
    as markup (:mod:`indexer.markup`), a ``.fb2.zip`` as the books inside it, anything
    else as plain text, cut into paragraphs as ``paragraphs`` says
    (:func:`indexer.paragraphs.split_paragraphs`).

    :raises UnreadableFileError: the data is binary, in no known encoding, or a zip
        archive with no readable book.
    """
    lower = name.lower()
    if lower.endswith(ZIPPED_BOOK_SUFFIX):
        books, problems = [], []
        for book in _zipped_books(data):
            try:
                books.append(read_document(".fb2", book))
            except UnreadableFileError as exc:
                problems.append(exc)
        if problems and not books:
            raise problems[0]
        warnings = [book.warning for book in books if book.warning]
        found = [paragraph for book in books for paragraph in book.paragraphs]
        return Document(found, warnings[0] if warnings else None)
    markup = lower.endswith(MARKUP_SUFFIXES)
    decoded = read_text(data, markup=markup)
    warning = None
    if decoded.doubtful:
        warning = (
            f"read as {decoded.encoding}, but few of its letters make Russian words: "
            "the encoding may be wrong"
        )
    if markup:
        return Document(markup_paragraphs(decoded.text), warning)
    return Document(split_paragraphs(decoded.text, paragraphs), warning)


def document_paragraphs(name: str, data: bytes, *, paragraphs: ParagraphMode = "auto") -> list[str]:
    """The paragraphs of :func:`read_document`.

    :raises UnreadableFileError: as :func:`read_document`.
    """
    return read_document(name, data, paragraphs=paragraphs).paragraphs


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
