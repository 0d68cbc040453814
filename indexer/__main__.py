"""``python -m indexer QUERY [PATH ...]``: the command line (see ``--help``)."""

import sys

from .cli import main

sys.exit(main(prog="python -m indexer"))
