"""``python -m indexer QUERY [PATH ...]``: the command line (see ``--help``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m indexer"))
