#!/usr/bin/env python3
"""Search Russian text by keyword: ``python search.py QUERY [PATH ...]`` (see --help)."""

import sys

from indexer.cli import main

if __name__ == "__main__":
    sys.exit(main())
