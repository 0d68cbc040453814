"""From files on disk to paragraphs: walking folders, reading each file by its format.

Nothing here knows about the index; :mod:`indexer.sync` decides what to read.
"""

from __future__ import annotations

import os
import stat
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
#: A file larger than this is not read but skipped with a warning: the longest novels
#: are a few MB, and text is read whole into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: A zipped book unpacks to no more than this: a zip that claims more is refused, not
#: unpacked.
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
#: Nor to more than this many times its own size, once past :data:`MAX_UNZIPPED_BYTES`
#: / 64: text packs to a third or a fifth of itself, a zip bomb to a thousandth.
MAX_ZIP_RATIO = 50


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
            too_big = _too_big_to_unzip(unpacked, len(data))
            if members and not too_big:
                # zipfile stops at the size a member claims (and then finds its checksum
                # wrong), so what is read is what was counted.
                return [archive.read(m) for m in members]
    # Archives fail in many ways (bad headers, corrupt deflate, bzip2 or lzma data,
    # passwords, unknown methods, undecodable names): each one means no book.
    except Exception as exc:
        raise UnreadableFileError(f"unreadable zip archive ({exc})") from exc
    if not members:
        raise UnreadableFileError("no .fb2 book in the zip archive")
    raise UnreadableFileError(f"the zip archive unpacks to {too_big}")


def _too_big_to_unzip(unpacked: int, packed: int) -> str | None:
    if unpacked > MAX_UNZIPPED_BYTES:
        return f"more than {MAX_UNZIPPED_BYTES >> 20} MB"
    if unpacked > MAX_UNZIPPED_BYTES >> 6 and unpacked > MAX_ZIP_RATIO * packed:
        return f"{unpacked // packed} times its size (a zip bomb?)"
    return None


def _is_book(member: str) -> bool:
    # Finder's zips add «__MACOSX/._book.fb2», resource forks that are not books.
    folder, _, base = member.lower().replace("\\", "/").rpartition("/")
    return base.endswith(".fb2") and not base.startswith(".") and "__macosx" not in folder


@dataclass(frozen=True)
class FileStat:
    """What is known of a file without reading it."""

    size: int
    mtime_ns: int
    #: Where to read it, when that is not its name (see :func:`source_name`).
    path: str | None = None


@dataclass
class Walk:
    """The text files found under some paths by their :func:`source_name`, and the ones
    that could not be looked at, with the reason."""

    files: dict[str, FileStat] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)


def source_name(path: str) -> str:
    r"""How a path is named in the index and in messages: as it is when it is valid
    Unicode; a name in another encoding than the system's (a file from a Windows
    archive) has each byte that does not decode written ``\xNN``.

    >>> source_name("/docs/\udce9t\udce9.txt")
    '/docs/\\xe9t\\xe9.txt'
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", errors="backslashreplace")
    return path


def source_root(path: str) -> str:
    """The absolute, symlink-free form of a path, as sources are named in the index.

    :raises SourceNotFoundError: the path does not exist or cannot be read.
    """
    if not os.path.exists(path):
        kind = "broken symlink" if os.path.islink(path) else "no such file or directory"
        raise SourceNotFoundError(f"{kind}: «{source_name(path)}»")
    if not os.access(path, os.R_OK):
        raise SourceNotFoundError(f"permission denied: «{source_name(path)}»")
    return os.path.realpath(path)


def walk(roots: Iterable[str], *, skip: str | None = None) -> Walk:
    """Find the text files under ``roots`` (absolute paths from :func:`source_root`).

    Directories are walked in a stable order; hidden files and folders, and the folder
    ``skip`` (the index itself), are left out. Only regular files are read: symbolic
    links found in a folder are not followed (as ripgrep does; a root given as a link
    is), and a named pipe, a device or a file over :data:`MAX_FILE_BYTES` is not read.
    Those, and files that cannot be looked at, are listed in ``problems`` with the
    reason instead of raising.
    """
    found = Walk()
    for root in roots:
        if os.path.isdir(root):
            _walk_dir(root, skip, found)
        else:
            _add_file(root, found)
    return found


def read_file(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, and its status when they were read.

    What is checked is what is read (one descriptor), so a file that became a named
    pipe or a link since it was found cannot hang or mislead the reader.

    :raises OSError: the file cannot be opened or read.
    :raises UnreadableFileError: not a regular file, or larger than
        :data:`MAX_FILE_BYTES`.
    """
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    # Opening a named pipe waits for a writer unless it is non-blocking.
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    with open(os.open(path, flags), "rb") as file:
        status = os.fstat(file.fileno())
        problem = _not_readable(status)
        if problem:
            raise UnreadableFileError(problem)
        # As much as the file holds, but never more than the limit, even if it grows.
        data = file.read(status.st_size + 1)
        if len(data) > status.st_size:
            data += file.read(MAX_FILE_BYTES + 1 - len(data))
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFileError(_too_big())
    return data, status


def _too_big() -> str:
    megabytes, bytes_ = divmod(MAX_FILE_BYTES, 1 << 20)
    return f"larger than {megabytes} MB" if not bytes_ else f"larger than {MAX_FILE_BYTES} bytes"


_NOT_FOLLOWED = "a symbolic link (not followed; give its target to search it)"


def _not_readable(status: os.stat_result) -> str | None:
    if stat.S_ISLNK(status.st_mode):
        return _NOT_FOLLOWED
    if not stat.S_ISREG(status.st_mode):
        return "not a regular file"
    if status.st_size > MAX_FILE_BYTES:
        return _too_big()
    return None


def _walk_dir(root: str, skip: str | None, found: Walk) -> None:
    def on_error(exc: OSError) -> None:
        found.problems.append((source_name(exc.filename or root), exc.strerror or str(exc)))

    for folder, dirs, names in os.walk(root, onerror=on_error):
        shown = sorted(d for d in dirs if not d.startswith(".") and os.path.join(folder, d) != skip)
        links = {d for d in shown if os.path.islink(os.path.join(folder, d))}
        dirs[:] = [d for d in shown if d not in links]
        found.problems += [
            (source_name(os.path.join(folder, d)), _NOT_FOLLOWED) for d in sorted(links)
        ]
        for name in sorted(names):
            if not name.startswith(".") and name.lower().endswith(DOCUMENT_SUFFIXES):
                _add_file(os.path.join(folder, name), found, follow=False)


def _add_file(path: str, found: Walk, follow: bool = True) -> None:
    try:
        status = os.stat(path) if follow else os.lstat(path)
        problem = _not_readable(status)
        if problem == _NOT_FOLLOWED and not os.path.exists(path):
            problem = "broken symlink"
    except OSError as exc:
        problem = "broken symlink" if os.path.islink(path) else exc.strerror or str(exc)
    name = source_name(path)
    if name != path and (name in found.files or os.path.lexists(name)):
        problem = f"its name, not valid UTF-8, reads as that of another file: «{name}»"
    if problem:
        found.problems.append((name, problem))
    else:
        found.files[name] = FileStat(
            status.st_size, status.st_mtime_ns, (path if name != path else None)
        )


def is_under(source: str, roots: Iterable[str]) -> bool:
    """Whether a source (an absolute path) is one of ``roots`` or inside one of them.

    >>> is_under("/news/2016/a.txt", ["/news"]), is_under("/newsletter.txt", ["/news"])
    (True, False)
    """
    return bool(sources_under([source], roots))


def sources_under(sources: Iterable[str], roots: Iterable[str]) -> list[str]:
    """The sources (absolute paths) that :func:`is_under` keeps, in order.

    >>> sources_under(["/news/a.txt", "/newsletter.txt", "/news"], ["/news"])
    ['/news/a.txt', '/news']
    """
    exact = set(roots)
    folders = tuple(root.rstrip(os.sep) + os.sep for root in exact)
    return [source for source in sources if source in exact or source.startswith(folders)]
