"""The command line: a thin layer over :class:`indexer.Index`.

Exit status is grep's: 0 when something was found, 1 when nothing was, 2 for a usage
or input error (a one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, NoReturn

from .errors import (
    IndexBusyError,
    IndexerError,
    IndexNotUpdatedError,
    QuerySyntaxError,
    SchemaMismatchError,
    SourceNotFoundError,
)

if TYPE_CHECKING:
    from .results import SearchResults

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

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

A word the index lacks is fixed when the query finds nothing: a typo (перимирия),
the wrong keyboard layout (gthtvbhbt), transliteration (peregovory); --no-correct
turns this off. Several words must be quoted as one argument: "прекращение огня".
The index lives in ~/.cache/indexer/ (one per set of paths) and is brought up to date
before each search: only files that changed are read again.

exit status: 0 found, 1 nothing found, 2 usage or input error.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got «{value}»") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``search.py`` (also the ``poisk`` command)."""
    parser = _Parser(
        description="Search Russian text by keyword, in every word form, paragraph by paragraph.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", help="what to search for (quote several words as one argument)")
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files, or folders of text, HTML and FB2 files (default: the bundled article)",
    )
    parser.add_argument(
        "-n", "--limit", type=_positive, default=10, help="at most N hits (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per hit and line")
    parser.add_argument(
        "--index",
        metavar="DIR|URL",
        help="keep the index in DIR, or in OpenSearch at http(s)://host:port/name",
    )
    parser.add_argument("--rebuild", action="store_true", help="index every file afresh")
    parser.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="processes for a big build (default: one per core)",
    )
    parser.add_argument(
        "--literal", action="store_true", help="search the words as typed, no syntax"
    )
    parser.add_argument(
        "--no-correct",
        dest="correct",
        action="store_false",
        help="never fix typos, keyboard layout or transliteration",
    )
    parser.add_argument(
        "--explain", action="store_true", help="show why each hit scored what it did"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return int(exc.code or 0)
    try:
        return search(args, parser.prog)
    except QuerySyntaxError as exc:
        print(
            f"{parser.prog}: {exc} in «{args.query}»; "
            "to search the words as plain words, add --literal",
            file=sys.stderr,
        )
        return 2
    except IndexerError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted; the index is as it was before", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (| head); stop quietly, like grep.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def search(args: argparse.Namespace, prog: str) -> int:
    """Sync the index of ``args.paths`` and print the hits of ``args.query``."""
    from .index import Index, default_index_dir
    from .plan import compile_query

    paths = args.paths or [DEFAULT_CORPUS]
    _check_paths(paths, args.query, prog)
    compile_query(args.query, literal=args.literal)  # a bad query fails before any indexing
    note = _Notes(prog, quiet=args.quiet)
    build = {"rebuild": args.rebuild, "workers": args.workers, "progress": not args.quiet}
    with Index(args.index or default_index_dir(paths)) as index:
        try:
            try:
                report = index.sync(paths, **build)
            except SchemaMismatchError:
                note("the index was built by another version; rebuilding it")
                report = index.sync(paths, **{**build, "rebuild": True})
        except IndexNotUpdatedError as exc:  # busy, read-only, or a full disk
            busy = isinstance(exc, IndexBusyError)
            note(f"{exc}; searching the index as it is", always=not busy)
        else:
            if report.changed:
                note(
                    f"indexed: {len(report.added)} added, {len(report.updated)} updated, "
                    f"{len(report.removed)} removed, {len(report.unchanged)} unchanged"
                )
            if report.skipped:
                listed = ", ".join(f"{_display(p)} ({why})" for p, why in report.skipped)
                note(
                    f"warning: skipped {len(report.skipped)} unreadable file(s): {listed}",
                    always=True,
                )
        results = index.search(
            args.query,
            limit=args.limit,
            literal=args.literal,
            correct=args.correct,
            explain=args.explain,
        )
    if results.corrected:
        note(f"«{args.query}» found nothing; showing results for «{results.corrected}»", True)
    elif results.suggestion:
        note(f"did you mean «{results.suggestion}»?", True)
    out = sys.stdout
    if args.json:
        for hit in results:
            record = {
                "source": _display(hit.source),
                "paragraph": hit.paragraph,
                "score": hit.score,
                "text": hit.text,
                "spans": [list(span) for span in hit.spans],
            }
            if results.corrected:
                record["corrected_query"] = results.corrected
            if hit.explanation:
                record["explanation"] = list(hit.explanation.lines())
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        _print_hits(results, out)
    out.flush()
    if not len(results):
        note(f"no paragraph matches «{args.query}»")
        return 1
    return 0


def _check_paths(paths: list[str], query: str, prog: str) -> None:
    for path in paths:
        if not os.path.exists(path) and os.sep not in path and "." not in path:
            words = " ".join([query, *paths[: paths.index(path) + 1]])
            raise SourceNotFoundError(
                f"no file or folder «{path}»; to search for several words, "
                f'quote them as one argument: {prog} "{words}"'
            )


class _Notes:
    def __init__(self, prog: str, quiet: bool) -> None:
        self.prog, self.quiet = prog, quiet

    def __call__(self, message: str, always: bool = False) -> None:
        if always or not self.quiet:
            print(f"{self.prog}: {message}", file=sys.stderr)


def _display(source: str) -> str:
    """A source as the user would type it: relative to the current folder if inside."""
    if not os.path.isabs(source):
        return source
    relative = os.path.relpath(source)
    return source if relative.startswith(os.pardir) else relative


def _print_hits(results: SearchResults, out: IO[str]) -> None:
    from .highlight import best_fragment

    colour = out.isatty() and "NO_COLOR" not in os.environ
    mark = ("\x1b[1;31m", "\x1b[0m") if colour else ("[[", "]]")
    for number, hit in enumerate(results):
        if number:
            out.write("\n")
        where = f"{_display(hit.source)}:{hit.paragraph}"
        if colour:
            where = f"\x1b[35m{_display(hit.source)}\x1b[0m:\x1b[32m{hit.paragraph}\x1b[0m"
        out.write(f"{where}  score {hit.score:.2f}\n")
        start, end = best_fragment(hit.text, hit.spans)
        pieces = ["…" if start > 0 else ""]
        cursor = start
        for a, b in hit.spans:
            if a < start or b > end:
                continue
            pieces += [hit.text[cursor:a], mark[0], hit.text[a:b], mark[1]]
            cursor = b
        pieces += [hit.text[cursor:end], "…" if end < len(hit.text) else ""]
        out.write("  " + "".join(pieces).replace("\n", " ") + "\n")
        if hit.explanation:
            out.writelines(f"    {line}\n" for line in hit.explanation.lines())
