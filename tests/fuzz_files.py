"""Junk files synced into an index: no traceback, and every file indexed or named.

    python tests/fuzz_files.py [--count 1000] [--seed 1] [--workdir DIR]

Makes ``--count`` files of many kinds in a folder tree — random bytes, UTF-8 and UTF-16
cut anywhere, real Russian in every code page, lines of a megabyte, control characters,
HTML nested thousands deep or never closed, tag soup, damaged FB2 books and zips, zip
bombs, empty files, named pipes, links (dangling, to ``/dev/zero``, out of the tree, in a
loop), and names of odd bytes (Latin-1, cp1251, control characters, 255 bytes long) —
then syncs the folder into a fresh index, twice, searches it through the API and the
command line, and counts:

- tracebacks: any exception out of ``sync`` or ``search``, and "Traceback" on the
  command line's stderr (whose exit status must be 0 or 1);
- lost files: a file that is neither indexed (``added``) nor named in ``skipped``.

``tests/test_fuzz_files.py`` runs a smaller version of it in the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Index  # noqa: E402
from indexer.ingest import source_name  # noqa: E402

PROSE = (Path(__file__).resolve().parent / "texts" / "prose.txt").read_text(encoding="utf-8")
BOOK = (Path(__file__).resolve().parent / "formats" / "winter_morning.fb2").read_bytes()
SUFFIXES = [".txt", ".md", ".html", ".htm", ".xhtml", ".fb2", ".fb2.zip"]
CODECS = ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1251", "koi8-r", "cp866", "mac-cyrillic"]
TAGS = ["p", "div", "nav", "head", "script", "style", "a", "br", "pre", "title", "v", "binary"]


def _prose(rng: random.Random, lines: int) -> str:
    chosen = PROSE.splitlines()
    return "\n".join(rng.choice(chosen) for _ in range(lines))


def _zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _damaged(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out[: rng.randint(0, len(out))] if rng.random() < 0.3 else out)


def _tag_soup(rng: random.Random, size: int) -> str:
    pieces = []
    while sum(map(len, pieces)) < size:
        tag = rng.choice(TAGS)
        pieces.append(
            rng.choice(
                [
                    f"<{tag}>",
                    f"</{tag}>",
                    f"<{tag} a='{rng.random()}",
                    "<!--",
                    "-->",
                    "<![CDATA[",
                    "]]>",
                    "<!",
                    "<?",
                    "&#" + str(rng.randrange(10**8)),
                    "&amp",
                    "<",
                    ">",
                    rng.choice(PROSE.split()),
                    " ",
                ]
            )
        )
    return "".join(pieces)


def _content(rng: random.Random, kind: str) -> bytes:
    """The bytes of a junk file of ``kind``."""
    text = _prose(rng, rng.randint(1, 30))
    if kind == "random":
        return rng.randbytes(rng.choice([1, 7, 100, 5000, 40000]))
    if kind == "empty":
        return b""
    if kind == "cut-utf8":
        data = text.encode()
        return data[rng.randrange(4) : rng.randint(1, len(data))]
    if kind == "cut-utf16":
        data = text.encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
        return data[: rng.randint(1, len(data))]
    if kind == "codepage":
        return text.encode(rng.choice(CODECS), errors="replace")
    if kind == "huge-line":
        return (" ".join(PROSE.split()) + " ").encode() * rng.randint(100, 1000)
    if kind == "controls":  # a stray control character now and then, NULs included
        return "".join(c + chr(rng.randrange(32)) * (rng.random() < 0.005) for c in text).encode()
    if kind == "nested":
        tag, depth = rng.choice(TAGS), rng.randint(1000, 30000)
        closing = f"</{tag}>" * depth if rng.random() < 0.5 else ""
        return (f"<{tag}>" * depth + text + closing).encode()
    if kind == "unclosed":
        return (rng.choice(["<a ", "<!--", "</", "<?", "<![CDATA[", "<p x='"]) * 20000).encode()
    if kind == "soup":
        return _tag_soup(rng, rng.randint(10, 60000)).encode()
    if kind == "book":
        return _damaged(rng, BOOK)
    if kind == "zip":
        data = _zipped({"book.fb2": BOOK}, rng.choice([0, 8, 12, 14]))
        return _damaged(rng, data) if rng.random() < 0.8 else data
    if kind == "bomb":
        return _zipped({"book.fb2": b"<p>\xd0\xb0</p>" * (1 << rng.randint(17, 19))})
    raise ValueError(kind)


KINDS = [
    "random",
    "empty",
    "cut-utf8",
    "cut-utf16",
    "codepage",
    "huge-line",
    "controls",
    "nested",
    "unclosed",
    "soup",
    "book",
    "zip",
    "bomb",
]
#: Kinds that are not files with content.
SPECIAL = ["fifo", "dangling-link", "device-link", "outside-link", "loop-link", "folder-link"]


def _name(rng: random.Random, number: int, suffix: str) -> bytes:
    stem = rng.choice(
        [
            f"file{number}".encode(),
            f"Документ {number}".encode(),
            f"Документ {number}".encode("cp1251"),  # a Windows archive's name
            f"\xe9t\xe9 {number}".encode("latin-1"),
            bytes([rng.randrange(1, 256) for _ in range(rng.randint(1, 30))]).replace(b"/", b"_")
            + str(number).encode(),
            b"x" * 200 + str(number).encode(),
            f"tab\tnew\nline {number}".encode(),
        ]
    )
    if stem.startswith(b"."):
        stem = b"_" + stem
    return (stem + suffix.encode())[-255:] if len(stem) > 240 else stem + suffix.encode()


@dataclass
class Made:
    """The files made: the kind of each, by its path as the OS names it."""

    paths: dict[bytes, str] = field(default_factory=dict)

    def kinds(self) -> Counter[str]:
        """How many files of each kind."""
        return Counter(self.paths.values())


def make_junk(folder: Path, count: int, seed: int) -> Made:
    """``count`` junk files of every kind in ``folder`` and a few folders inside it."""
    rng = random.Random(seed)
    made = Made()
    outside = folder.parent / f"{folder.name}-outside"
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text("Секретные переговоры в Женеве.", encoding="utf-8")
    base = os.fsencode(folder)
    folders = [base, base + b"/sub", base + b"/sub/deeper", base + "/папка".encode("cp1251")]
    for path in folders:
        os.makedirs(path, exist_ok=True)
    for number in range(count):
        kind = rng.choice(KINDS + SPECIAL) if number >= 20 else (KINDS + SPECIAL)[number % 19]
        if kind == "huge-line" and rng.random() < 0.7:
            kind = "codepage"  # a few are enough, and each takes seconds to index
        suffix = {"zip": ".fb2.zip", "bomb": ".fb2.zip", "book": ".fb2"}.get(kind)
        if kind in ("nested", "unclosed", "soup"):
            suffix = rng.choice([".html", ".htm", ".xhtml", ".fb2"])
        path = rng.choice(folders) + b"/" + _name(rng, number, suffix or rng.choice(SUFFIXES))
        if os.path.lexists(path):
            continue
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "dangling-link":
            os.symlink(b"/nonexistent/" + path[-20:], path)
        elif kind == "device-link":
            os.symlink(b"/dev/zero", path)
        elif kind == "outside-link":
            os.symlink(os.fsencode(outside / "secret.txt"), path)
        elif kind == "loop-link":
            os.symlink(path, path)
        elif kind == "folder-link":
            os.symlink(os.fsencode(outside), path)
        else:
            with open(path, "wb") as file:
                file.write(_content(rng, kind))
        made.paths[path] = kind
    return made


@dataclass
class Outcome:
    """What a fuzz run found."""

    files: int = 0
    indexed: int = 0
    skipped: int = 0
    warned: int = 0
    lost: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _in_time(call, seconds: float):
    result: list[object] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # every failure counts, whatever it is
            failure.append(exc)
            traceback.print_exc()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no answer in {seconds:.0f} s")
    if failure:
        raise failure[0]
    return result[0]


def check(folder: Path, index_dir: Path, made: Made, timeout: float = 900) -> Outcome:
    """Sync ``folder`` into a fresh index at ``index_dir`` and search it; count what broke."""
    outcome = Outcome(files=len(made.paths))
    start = time.perf_counter()
    try:
        with Index(index_dir) as index:
            report = _in_time(lambda: index.sync([folder]), timeout)
            again = _in_time(lambda: index.sync([folder]), timeout)
            if again.changed or again.skipped:
                outcome.tracebacks.append(f"a second sync changed things: {again}")
            for query in ["переговоры", "Женеве", "source:*xe9* дом", '"чудное мгновенье"']:
                index.search(query)
    except Exception as exc:
        outcome.tracebacks.append(f"{type(exc).__name__}: {exc}")
        return outcome
    indexed = set(report.added)
    named = {path for path, _ in report.skipped}
    outcome.indexed, outcome.skipped, outcome.warned = (
        len(indexed),
        len(named),
        len(report.warnings),
    )
    for path in made.paths:
        name = source_name(os.fsdecode(path))
        if name not in indexed and name not in named:
            outcome.lost.append(name)
    command = [sys.executable, str(ROOT / "search.py"), "переговоры", str(folder)]
    done = subprocess.run(
        [*command, "--index", str(index_dir), "-n", "3"],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
    )
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        outcome.tracebacks.append(f"CLI exit {done.returncode}: {done.stderr[-500:]}")
    outcome.seconds = time.perf_counter() - start
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="junk files to make")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="where to make them (default: a temp dir)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fuzz-files-"))
    made = make_junk(workdir / "junk", args.count, args.seed)
    print(f"{len(made.paths)} junk files in {workdir / 'junk'}:")
    print("  " + ", ".join(f"{kind} {n}" for kind, n in sorted(made.kinds().items())))
    outcome = check(workdir / "junk", workdir / "index", made)
    print(
        f"indexed {outcome.indexed} ({outcome.warned} with a warning), "
        f"skipped by name {outcome.skipped}; "
        f"lost {len(outcome.lost)}, tracebacks {len(outcome.tracebacks)}; "
        f"{outcome.seconds:.1f} s"
    )
    for line in outcome.lost[:10] + outcome.tracebacks[:10]:
        print("  ", line)
    sys.exit(1 if outcome.lost or outcome.tracebacks else 0)


if __name__ == "__main__":
    main()
