"""A smaller run of ``tests/fuzz_files.py``: junk files of every kind synced into an
index, with no traceback and every file indexed or named in a warning."""

from __future__ import annotations

import os
from pathlib import Path

import fuzz_files
import pytest


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and links need POSIX")
def test_junk_files_are_indexed_or_named_and_nothing_breaks(tmp_path: Path) -> None:
    made = fuzz_files.make_junk(tmp_path / "junk", 120, seed=7)
    assert set(made.kinds()) == set(fuzz_files.KINDS + fuzz_files.SPECIAL)
    outcome = fuzz_files.check(tmp_path / "junk", tmp_path / "index", made, timeout=300)
    assert outcome.tracebacks == []
    assert outcome.lost == []
    assert outcome.indexed + outcome.skipped == len(made.paths)
    assert outcome.indexed > 20 and outcome.skipped > 20
