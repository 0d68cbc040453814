"""``search.py --serve`` (also ``poisk serve``): a thin layer over :func:`indexer.web.serve`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..cli import DEFAULT_CORPUS, _Parser, _positive, add_location_arguments
from ..errors import IndexerError
from .server import DEFAULT_HOST, DEFAULT_PORT
from .server import serve as serve_page


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port number (0 for any free one), got «{value}»"
        )
    return int(value)


def build_serve_parser(prog: str) -> argparse.ArgumentParser:
    """The argument parser of ``search.py --serve`` (also ``poisk serve``), called
    ``prog`` in messages."""
    parser = _Parser(
        prog=prog,
        description="Serve a web page on this computer to search the index and read its "
        "documents. The index is brought up to date in the background.",
    )
    add_location_arguments(parser)
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this computer only)",
    )
    parser.add_argument(
        "--open", dest="open_browser", action="store_true", help="open the page in a browser"
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="processes for a big build (default: one per core)",
    )
    return parser


def serve(argv: Sequence[str], prog: str) -> int:
    """Parse ``search.py --serve`` options and serve the page until Ctrl-C."""
    subcommand = argv[:1] == ["serve"]
    parser = build_serve_parser(f"{prog} serve" if subcommand else f"{prog} --serve")
    rest = list(argv[1:]) if subcommand else [a for a in argv if a != "--serve"]
    try:
        args = parser.parse_args(rest)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        serve_page(
            args.paths or [DEFAULT_CORPUS],
            index=args.index,
            host=args.host,
            port=args.port,
            open_browser=args.open_browser,
            workers=args.workers,
        )
    except KeyboardInterrupt:  # before the server was up; once up, Ctrl-C just stops it
        return 130
    except IndexerError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"{prog}: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    return 0
