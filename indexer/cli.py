"""The command line: a thin layer over :class:`indexer.Index` and :mod:`indexer.cache`.

Exit status is grep's: 0 when something was found, 1 when nothing was, 2 for a usage
or input error (a one-line message on stderr, never a traceback). Messages are in
English, as the option names are; the text found is shown as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, NoReturn

from .errors import (
    IndexBusyError,
    IndexerError,
    IndexNotUpdatedError,
    QuerySyntaxError,
    SchemaMismatchError,
    SourceNotFoundError,
)

if TYPE_CHECKING:
    from .index import Index
    from .results import Hit, SearchResults
    from .synonyms import Synonyms


def _default_corpus() -> str:
    package = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(package)
    # In a checkout, the documented data/ at its root; once installed, the package's
    # copy of the same article (a test keeps the two identical).
    if os.path.isfile(os.path.join(root, "pyproject.toml")) and os.path.isdir(
        os.path.join(root, "data")
    ):
        return os.path.join(root, "data")
    return os.path.join(package, "data")


DEFAULT_CORPUS = _default_corpus()

#: Hits shown when no --limit is given (-l, -c and --total count every match).
DEFAULT_LIMIT = 10

_USAGE = """\
%(prog)s QUERY [PATH ...] [options]
       %(prog)s --indexes | --where [PATH ...] | --drop [PATH ...]"""

_EPILOG = """\
query syntax:
  переговоры              any form of the word (переговоров, переговорах, …)
  Лавров Керри            paragraphs with more of the words rank higher
  "прекращение огня"      the words next to each other, each in any form
  "огня прекращение"~2    the words in any order, at most 2 words between them
  =Россия  !Россия        only this word form (="прекращения огня": these forms)
  перегов*                words of the text starting so (not lemmatised)
  Сирия -перемирие        leave out paragraphs with a word (also NOT, НЕ)
  +Лавров переговоры      require a word
  Лавров AND (Керри OR Обама)
                          boolean operators (also И, ИЛИ); OR binds tighter than AND
  source:lavrov*          only documents whose name or path matches
  Common words (в, и, что, кто, …) are left out unless quoted, required or =exact.
  A query that starts with - goes after --: %(prog)s -- -перемирие

A word the index lacks is fixed when the query finds nothing: a typo (перимирия),
the wrong keyboard layout (gthtvbhbt), transliteration (peregovory); --no-correct
turns this off. Several words must be quoted as one argument: "прекращение огня".
The index lives in ~/.cache/indexer/ (one per set of paths; a subfolder is searched in
its folder's index) and is brought up to date before each search: only files that
changed are read again. --indexes lists those indexes, --where names the one for some
paths, --drop deletes it.

exit status: 0 found, 1 nothing found (also when only a corrected query did),
2 usage or input error.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        if re.search(r"unrecognized arguments: -+[^\W\d_a-zA-Z]", message):
            message += f"; a query that starts with - goes after --: {self.prog} -- -слово"
        self.exit(2, f"{self.prog}: {_one_line(message)} (see --help)\n")


class _UsageError(Exception):
    """A combination of options that does not make sense (exit status 2)."""


class _OutputError(Exception):
    """The results could not be written (a full disk, an I/O error)."""


def _number(minimum: int) -> Any:
    def number(value: str) -> int:
        try:
            parsed = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got «{value}»") from None
        if parsed < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {parsed}")
        return parsed

    return number


#: A whole number of at least 1, as options take it.
_positive = _number(1)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``search.py`` (also the ``poisk`` command and
    ``python -m indexer``); options may come before, between or after the arguments."""
    parser = _Parser(
        prog=prog,
        usage=_USAGE,
        description="Search Russian text by keyword, in every word form, paragraph by paragraph.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "query", nargs="?", help="what to search for (quote several words as one argument)"
    )
    index = parser.add_argument_group("the index")
    add_location_arguments(parser, index)
    number, count = _positive, _number(0)
    shown = parser.add_argument_group("what to print")
    shown.add_argument(
        "-n",
        "--limit",
        type=number,
        metavar="N",
        help=f"at most N hits (default {DEFAULT_LIMIT}; with -l, -c, --total: every match)",
    )
    only = shown.add_mutually_exclusive_group()
    only.add_argument(
        "-l", "--files-with-matches", action="store_true", help="only the sources that match"
    )
    only.add_argument(
        "-c", "--count", action="store_true", help="how many paragraphs of each source match"
    )
    only.add_argument("--total", action="store_true", help="only how many paragraphs match")
    shown.add_argument("--json", action="store_true", help="one JSON object per line")
    shown.add_argument(
        "-C", "--context", type=count, metavar="N", help="N paragraphs before and after each hit"
    )
    shown.add_argument("-B", "--before-context", type=count, metavar="N", help="N before")
    shown.add_argument("-A", "--after-context", type=count, metavar="N", help="N after")
    shown.add_argument(
        "--full", action="store_true", help="whole paragraphs, not ~600 characters around hits"
    )
    shown.add_argument(
        "--color",
        "--colour",
        choices=("never", "auto", "always"),
        default="auto",
        help="colour the matches (auto: on a terminal, unless NO_COLOR is set)",
    )
    shown.add_argument(
        "--markers", action="store_true", help="mark the matches with [[ ]] when not in colour"
    )
    shown.add_argument(
        "--explain", action="store_true", help="show why each hit scored what it did"
    )
    query = parser.add_argument_group("how to read the query")
    query.add_argument(
        "--literal", action="store_true", help="search the words as typed, no syntax"
    )
    query.add_argument(
        "--strict",
        action="store_true",
        help="refuse a query that does not parse, even one that reads as prose",
    )
    query.add_argument(
        "--no-correct",
        dest="correct",
        action="store_false",
        help="never fix typos, keyboard layout or transliteration",
    )
    query.add_argument(
        "--synonyms",
        metavar="FILE",
        help="also match the synonyms in FILE: one group a line, separated by commas",
    )
    query.add_argument(
        "--no-builtin-synonyms",
        dest="builtin_synonyms",
        action="store_false",
        help="not the built-in synonyms (РФ = Россия = Российская Федерация …); "
        "those of --synonyms still count",
    )
    index.add_argument("--rebuild", action="store_true", help="index every file afresh")
    index.add_argument(
        "--paragraphs",
        choices=("auto", "lines", "blocks"),
        default="auto",
        help="a text file's paragraphs: a line each, blocks between blank lines, or "
        "by the shape of each file (default)",
    )
    index.add_argument(
        "--workers",
        type=number,
        metavar="N",
        help="processes for a big build (default: one per core)",
    )
    manage = index.add_mutually_exclusive_group()
    manage.add_argument(
        "--indexes", action="store_true", help="list the indexes in the cache, with their sizes"
    )
    manage.add_argument(
        "--where", action="store_true", help="print where the index of the PATHs is"
    )
    manage.add_argument("--drop", action="store_true", help="delete the index of the PATHs")
    parser.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="instead of searching, serve a web page to search and read (see --serve --help)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return parser


def add_location_arguments(parser: argparse.ArgumentParser, index_group: Any = None) -> None:
    """``PATH ...`` and ``--index`` (in ``index_group`` if given): what to index and
    where, for searching and serving alike."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files, or folders of text, HTML and FB2 files (default: the bundled article; "
        "with --index and no PATH, the index as it is)",
    )
    (index_group or parser).add_argument(
        "--index",
        metavar="DIR|URL",
        help="keep the index in DIR, or in OpenSearch at http(s)://host:port/name",
    )


def _wants_server(argv: Sequence[str]) -> bool:
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--serve" in options or argv[:1] == ["serve"]


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the command line; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser(prog)
    argv = list(sys.argv[1:] if argv is None else argv)
    if _wants_server(argv):
        try:
            from .web.command import serve
        except ImportError as exc:
            print(f"{parser.prog}: the web page needs {exc.name}: "
                  "pip install 'indexer[web]'", file=sys.stderr)  # fmt: skip
            return 2
        return serve(argv, parser.prog)
    try:
        args = parse_arguments(parser, sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return int(exc.code or 0)
    out = _Output(sys.stdout)
    if args.query is not None:
        args.query = _text(args.query)
    try:
        code = _run(args, parser.prog, out)
        out.flush()
        return code
    except _UsageError as exc:
        print(f"{parser.prog}: {exc} (see --help)", file=sys.stderr)
        return 2
    except QuerySyntaxError as exc:
        say = _Notes(parser.prog, quiet=False)
        shown = _shown(args.query or "")
        say(f"{exc} in «{shown}»; to search the words as plain words, add --literal")
        return 2
    except IndexerError as exc:
        _Notes(parser.prog, quiet=False)(str(exc))
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; the index is as it was before", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, like grep.
        _discard_stdout()
        return 0
    except _OutputError as exc:
        _discard_stdout()
        print(f"{parser.prog}: cannot write the results: {exc}", file=sys.stderr)
        return 2


def parse_arguments(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Options anywhere among the arguments; everything after ``--`` is an argument
    (argparse's intermixed parsing loses those)."""
    argv = list(argv)
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_intermixed_args(argv[:cut])
    rest = argv[cut + 1 :]
    if rest and args.query is None:
        args.query, rest = rest[0], rest[1:]
    args.paths += rest
    return args


def _run(args: argparse.Namespace, prog: str, out: _Output) -> int:
    if args.indexes:
        return list_indexes(args, out)
    if args.where or args.drop:
        paths = [args.query, *args.paths] if args.query is not None else []
        return manage_index(args, paths, prog, out)
    if args.query is None:
        raise _UsageError("the query is missing")
    return search(args, prog, out)


def _text(argument: str) -> str:
    """An argument as text: bytes that were not UTF-8 (lone surrogates) as U+FFFD."""
    try:
        return os.fsencode(argument).decode("utf-8", "replace")
    except UnicodeEncodeError:  # not from a command line: surrogates of no byte
        from .plan import without_surrogates

        return without_surrogates(argument)


def search(args: argparse.Namespace, prog: str, out: _Output) -> int:
    """Sync the index of ``args.paths`` and print the hits of ``args.query`` in them
    (with ``--index`` and no PATH, search that index as it is)."""
    from . import cache
    from .index import Index, default_index_dir
    from .plan import compile_query

    # A bad query fails before any indexing.
    compile_query(args.query, literal=args.literal, strict=args.strict)
    synonyms = _synonyms(args)
    note = _Notes(prog, quiet=args.quiet)
    paths: list[str] | None
    if args.index and not args.paths:
        if args.rebuild:
            raise _UsageError("--rebuild needs the files or folders to index")
        location, paths = args.index, None
        if "://" not in location and not os.path.isdir(location):
            raise SourceNotFoundError(
                f"no index at «{location}»; give the files or folders to index"
            )
    else:
        paths = args.paths or [DEFAULT_CORPUS]
        _check_paths(paths, args.query, prog)
        location = args.index or (default_index_dir(paths) if args.rebuild else cache.reuse(paths))
    new = "://" not in location and not os.path.exists(location)
    listing = args.files_with_matches or args.count or args.total
    limit = args.limit or (None if listing else DEFAULT_LIMIT)
    before = args.before_context if args.before_context is not None else args.context or 0
    after = args.after_context if args.after_context is not None else args.context or 0
    with Index(location, synonyms=synonyms) as index:
        if paths is not None:
            try:
                _sync(index, paths, args, note)
            except BaseException:
                # Leave no empty index behind (what a first build committed stays, for
                # the next sync to go on from).
                with contextlib.suppress(IndexerError):
                    if new and not index.sources():
                        index.close()
                        cache.drop(location)
                raise
            if not args.index:
                cache.remember(location, paths)
        results = index.search(
            args.query,
            limit=limit,
            literal=args.literal,
            strict=args.strict,
            correct=args.correct,
            explain=args.explain,
            paths=paths,
            highlight=not listing,
        )
        context = _context(index, results, before, after) if before or after else {}
    for message in results.notes:
        note(message)
    if results.corrected:
        found = (
            f"found {results.typed_total:,} paragraph(s) by what reads as a slip"
            if results.typed_total
            else "found nothing"
        )
        note(
            f"«{_shown(args.query)}» {found}; showing results for "
            f"«{_shown(results.corrected)}» "
            "(exit status 1)",
            True,
        )
    elif results.suggestion:
        note(f"did you mean «{_shown(results.suggestion)}»?", True)
    if listing:
        _print_listing(args, results, out)
    elif args.json:
        _print_json(results, context, out)
    else:
        _print_hits(results, context, _Style.of(args, out), out)
    if not len(results):
        note(f"no paragraph matches «{_shown(args.query)}»")
    # Whether the query as typed found something: hits of a corrected query are shown,
    # but a script asked about what it typed.
    return 0 if len(results) and not results.corrected else 1


def _synonyms(args: argparse.Namespace) -> Synonyms | None:
    """The synonyms the options ask for: the built-in ones and those of a file."""
    from .synonyms import BUILTIN_SYNONYMS, Synonyms

    chosen = BUILTIN_SYNONYMS if args.builtin_synonyms else Synonyms()
    if args.synonyms is not None:
        chosen |= Synonyms.read(args.synonyms)
    return chosen or None


def _sync(index: Index, paths: list[str], args: argparse.Namespace, note: _Notes) -> None:
    from . import cache

    build = {
        "rebuild": args.rebuild,
        "workers": args.workers,
        "progress": not args.quiet,
        "paragraphs": args.paragraphs,
    }
    try:
        try:
            report = index.sync(paths, **build)
        except SchemaMismatchError:
            note("the index was built by another version; rebuilding it")
            # An index that serves these paths from a folder above them is rebuilt whole.
            made_for = [p for p in cache.recorded_paths(index.location) if os.path.exists(p)]
            report = index.sync(made_for or paths, **{**build, "rebuild": True})
    except IndexNotUpdatedError as exc:  # busy, read-only, or a full disk
        busy = isinstance(exc, IndexBusyError)
        note(f"{exc}; searching the index as it is", always=not busy)
        return
    if report.changed:
        note(
            f"indexed: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged"
        )
    if report.skipped:
        listed = ", ".join(f"{_display(p)} ({why})" for p, why in report.skipped)
        note(f"warning: skipped {len(report.skipped)} unreadable file(s): {listed}", always=True)
    for path, why in report.warnings:
        note(f"warning: {_display(path)}: {why}", always=True)


def list_indexes(args: argparse.Namespace, out: _Output) -> int:
    """Print the indexes in the cache (:func:`indexer.cache.indexes`)."""
    from . import cache

    for info in cache.indexes():
        if args.json:
            record = {
                "location": info.location,
                "paths": list(info.paths),
                "size": info.size,
                "sources": info.sources,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        sources = {None: "unreadable", 1: "1 file"}.get(info.sources, f"{info.sources} files")
        made_for = ", ".join(info.paths) or "paths not recorded"
        out.write(f"{info.location}  {_size(info.size)}  {sources}  {made_for}\n")
    return 0


def manage_index(args: argparse.Namespace, paths: list[str], prog: str, out: _Output) -> int:
    """``--where``: print where the index of ``paths`` is (:func:`indexer.cache.where`);
    ``--drop``: delete it (:func:`indexer.cache.drop`)."""
    from . import cache

    location = args.index or cache.where(paths or [DEFAULT_CORPUS])
    if args.where:
        out.write(f"{location}\n")
        return 0
    size = cache.index_size(location)
    cache.drop(location)
    _Notes(prog, quiet=args.quiet)(f"removed {location} ({_size(size)})")
    return 0


def _check_paths(paths: list[str], query: str, prog: str) -> None:
    from .ingest import source_name, source_root

    for path in paths:
        if not os.path.exists(path) and os.sep not in path and "." not in path:
            words = source_name(" ".join([query, *paths[: paths.index(path) + 1]]))
            raise SourceNotFoundError(
                f"no file or folder «{source_name(path)}»; to search for several words, "
                f'quote them as one argument: {prog} "{words}"'
            )
        source_root(path)


def _context(
    index: Index, results: SearchResults, before: int, after: int
) -> dict[tuple[str, int], tuple[list[tuple[int, str]], list[tuple[int, str]]]]:
    """The paragraphs around each hit, read once per source (``Index.paragraphs``)."""
    wanted: dict[str, set[int]] = {}
    for hit in results:
        numbers = range(hit.paragraph - before, hit.paragraph + after + 1)
        wanted.setdefault(hit.source, set()).update(numbers)
    texts = {source: index.paragraphs(source, numbers) for source, numbers in wanted.items()}
    context = {}
    for hit in results:
        have = texts[hit.source]
        first, number = hit.paragraph - before, hit.paragraph
        context[hit.source, number] = (
            [(n, have[n]) for n in range(first, number) if n in have],
            [(n, have[n]) for n in range(number + 1, number + after + 1) if n in have],
        )
    return context


class _Notes:
    def __init__(self, prog: str, quiet: bool) -> None:
        self.prog, self.quiet = prog, quiet

    def __call__(self, message: str, always: bool = False) -> None:
        if always or not self.quiet:
            print(f"{self.prog}: {_one_line(message)}", file=sys.stderr)


def _shown(query: str) -> str:
    """A query as a message quotes it: a long one cut after 200 characters."""
    return query if len(query) <= 200 else query[:200] + "…"


def _one_line(message: str) -> str:
    """A message on one line: line breaks and other control characters (a query may
    hold any) as spaces, so that positions in it still count right."""
    return "".join(" " if unicodedata.category(c) in _BREAKING else c for c in message)


_BREAKING = frozenset({"Cc", "Zl", "Zp"})


class _Output:
    """Standard output that turns a failed write into :class:`_OutputError` (a broken
    pipe stays a :class:`BrokenPipeError`, which ends the program quietly)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        with self._failures():
            self.stream.write(text)

    def flush(self) -> None:
        with self._failures():
            self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @contextlib.contextmanager
    def _failures(self) -> Any:
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputError(exc.strerror or str(exc)) from exc


def _discard_stdout() -> None:
    """Send what is left of the output nowhere, so that exiting does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _display(source: str) -> str:
    """A source as the user would type it: relative to the current folder if inside, on
    one line (a tab or a newline in a file name is shown as ``\\t``, ``\\n``)."""
    if os.path.isabs(source):
        relative = os.path.relpath(source)
        source = source if relative.startswith(os.pardir) else relative
    if source.isprintable():
        return source
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in source)


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size:.1f} GB"  # pragma: no cover


@dataclass(frozen=True)
class _Style:
    colour: bool
    marks: tuple[str, str]
    #: Characters shown around the matches of a paragraph (None: all of it).
    width: int | None

    @classmethod
    def of(cls, args: argparse.Namespace, out: _Output) -> _Style:
        colour = args.color == "always" or (
            args.color == "auto" and out.isatty() and not os.environ.get("NO_COLOR")
        )
        marks = ("\x1b[1;31m", "\x1b[0m") if colour else ("[[", "]]") if args.markers else ("", "")
        return cls(colour, marks, None if args.full else 600)

    def where(self, source: str, paragraph: int, separator: str) -> str:
        if self.colour:
            return f"\x1b[35m{source}\x1b[0m{separator}\x1b[32m{paragraph}\x1b[0m"
        return f"{source}{separator}{paragraph}"


def _print_hits(
    results: SearchResults,
    context: dict[tuple[str, int], tuple[list[tuple[int, str]], list[tuple[int, str]]]],
    style: _Style,
    out: _Output,
) -> None:
    from .highlight import marked

    def paragraph(text: str, spans: tuple[tuple[int, int], ...] = ()) -> None:
        shown = marked(text, spans, style.marks, style.width)
        shown = shown.replace("\n", "\n  ") if style.width is None else shown.replace("\n", " ")
        out.write(f"  {shown}\n")

    for number, hit in enumerate(results):
        if number:
            out.write("\n")
        source = _display(hit.source)
        before, after = context.get((hit.source, hit.paragraph), ([], []))
        for other, text in before:
            out.write(style.where(source, other, "-") + "\n")
            paragraph(text)
        out.write(f"{style.where(source, hit.paragraph, ':')}  score {hit.score:.2f}\n")
        paragraph(hit.text, hit.spans)
        if hit.explanation:
            for line in hit.explanation.lines():
                out.write(f"    {line}\n")
        for other, text in after:
            out.write(style.where(source, other, "-") + "\n")
            paragraph(text)


def _print_json(
    results: SearchResults,
    context: dict[tuple[str, int], tuple[list[tuple[int, str]], list[tuple[int, str]]]],
    out: _Output,
) -> None:
    for hit in results:
        record: dict[str, Any] = _hit_record(hit)
        if results.corrected:
            record["corrected_query"] = results.corrected
        if hit.explanation:
            record["explanation"] = list(hit.explanation.lines())
        if context:
            before, after = context[hit.source, hit.paragraph]
            record["before"] = [{"paragraph": n, "text": text} for n, text in before]
            record["after"] = [{"paragraph": n, "text": text} for n, text in after]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _hit_record(hit: Hit) -> dict[str, Any]:
    return {
        "source": _display(hit.source),
        "paragraph": hit.paragraph,
        "score": hit.score,
        "text": hit.text,
        "spans": [list(span) for span in hit.spans],
    }


def _print_listing(args: argparse.Namespace, results: SearchResults, out: _Output) -> None:
    """-l (``results.sources()``), -c (``results.counts()``) or --total (``len``)."""
    if args.total:
        out.write(json.dumps({"total": len(results)}) + "\n" if args.json else f"{len(results)}\n")
        return
    for source, count in results.counts().items():
        shown = _display(source)
        if args.json:
            record: dict[str, Any] = {"source": shown}
            if args.count:
                record["count"] = count
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(f"{shown}:{count}\n" if args.count else f"{shown}\n")
