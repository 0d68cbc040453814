"""The seam between core and engines: the core never loads Whoosh, engines are found by
location, and the embedded engine's reach into Whoosh's insides is what it names."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import indexer
from conftest import ARTICLE, ROOT

CORE = sorted(
    f"indexer.{m.name}" for m in pkgutil.iter_modules(indexer.__path__) if m.name != "engines"
)


def test_the_core_is_every_module_but_the_engines() -> None:
    assert {"indexer.analysis", "indexer.plan", "indexer.ranking", "indexer.engine"} <= set(CORE)
    assert len(CORE) >= 20


@pytest.mark.parametrize("module", [*CORE, "indexer.engines"])
def test_a_core_module_never_imports_whoosh(module: str) -> None:
    code = f"import sys, {module}\nassert 'whoosh' not in sys.modules, 'whoosh loaded'\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_no_core_module_names_whoosh() -> None:
    # Not even lazily, inside a function: the core works with any engine.
    for module in CORE:
        base = ROOT / "indexer" / module.removeprefix("indexer.")
        for path in sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]:
            assert "whoosh" not in path.read_text(encoding="utf-8").lower(), path.name


def test_an_engine_is_found_by_its_location_without_naming_it_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexer.engines
    from indexer import Index
    from indexer.errors import IndexLocationError

    with pytest.raises(IndexLocationError, match="no search engine"):
        Index("memo://notes")
    # A new engine is a package beside the others: nothing else lists it.
    package = tmp_path / "memo"
    package.mkdir()
    (package / "__init__.py").write_text(
        "class Opened:\n"
        "    def __init__(self, location):\n"
        "        self.location = location\n"
        "def accepts(location):\n"
        "    return location.startswith('memo://')\n"
        "def open(location):\n"
        "    return Opened(location)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(indexer.engines, "__path__", [*indexer.engines.__path__, str(tmp_path)])
    assert Index("memo://notes").location == "memo://notes"
    assert Index(tmp_path / "ix").location == str(tmp_path / "ix")


# -- the embedded engine's touch points -------------------------------------------------


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from indexer.engines.whoosh.engine import WhooshEngine

    engine = WhooshEngine(str(tmp_path_factory.mktemp("ix")))
    with engine.batch() as batch:
        writer = batch.writer(0)
        text = ARTICLE.read_text(encoding="utf-8")
        # Enough paragraphs for posting lists of several blocks.
        writer.replace("article", text.splitlines() * 30, _record())
        writer.commit()
    yield engine.searcher()
    engine.close()


def _record():  # type: ignore[no-untyped-def]
    from indexer.engine import FileRecord

    return FileRecord(1, 1, "0")


def test_block_arrays_and_next_block_walk_a_posting_list_as_whoosh_does(searcher) -> None:
    from indexer.engines.whoosh.codec import ArrayLeafMatcher
    from indexer.engines.whoosh.internals import block_arrays, next_block
    from indexer.engines.whoosh.schema import CONTENT

    (leaf, _), *_ = searcher.reader().leaf_readers()
    matcher = leaf.postings(CONTENT, "сирия")
    assert isinstance(matcher, ArrayLeafMatcher)
    blocks = []
    while matcher.is_active():
        ids, weights = block_arrays(matcher)
        blocks.append((list(ids), list(weights)))
        next_block(matcher)
    assert len(blocks) > 1
    one_by_one = leaf.postings(CONTENT, "сирия")
    expected = []
    while one_by_one.is_active():
        expected.append((one_by_one.id(), one_by_one.weight()))
        one_by_one.next()
    assert [pair for ids, ws in blocks for pair in zip(ids, ws, strict=True)] == expected


def test_length_bytes_are_the_lengths_whoosh_gives(searcher) -> None:
    from whoosh.util.numeric import byte_to_length

    from indexer.engines.whoosh.internals import length_bytes
    from indexer.engines.whoosh.schema import CONTENT

    (leaf, _), *_ = searcher.reader().leaf_readers()
    encoded = length_bytes(leaf, CONTENT)
    assert len(encoded) > 100
    for docnum, code in enumerate(encoded):
        assert byte_to_length(code) == leaf.doc_field_length(docnum, CONTENT, 0)


def test_mapped_files_read_what_is_on_disk(tmp_path: Path) -> None:
    import mmap

    from whoosh.filedb.filestore import FileStorage

    from indexer.engines.whoosh.internals import file_path, mapped_file

    (tmp_path / "f").write_bytes(b"\x01\x02\x03\x04")
    path = file_path(FileStorage(str(tmp_path)), "f")
    assert Path(path).read_bytes() == b"\x01\x02\x03\x04"
    with open(path, "rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    found = mapped_file(mapped, "f")
    assert found.get(1, 2) == b"\x02\x03"
    assert found.read_byte() == 1
    found.close()


def test_whooshs_codec_still_has_what_the_array_codec_builds_on() -> None:
    from whoosh.codec.whoosh3 import (
        W3Codec,
        W3FieldWriter,
        W3LeafMatcher,
        W3PostingsWriter,
        W3TermInfo,
    )
    from whoosh.filedb.filestore import RamStorage

    from indexer.engines.whoosh.internals import (
        CODEC_ATTRIBUTES,
        CODEC_FIELD_WRITER_ATTRIBUTES,
        CODEC_MATCHER_ATTRIBUTES,
        CODEC_WRITER_ATTRIBUTES,
    )
    from indexer.engines.whoosh.schema import LemmaPositions

    codec = W3Codec()
    assert [name for name in CODEC_ATTRIBUTES if not hasattr(codec, name)] == []
    assert [n for n in CODEC_FIELD_WRITER_ATTRIBUTES if not hasattr(W3FieldWriter, n)] == []
    storage = RamStorage()
    postfile = storage.create_file("postings")
    writer = codec.postings_writer(postfile)
    assert isinstance(writer, W3PostingsWriter)
    fmt = LemmaPositions()
    writer.start_postings(fmt, W3TermInfo())
    for docnum in range(300):
        writer.add_posting(docnum, 1.0, fmt.encode([docnum % 5]), 10)
    assert [name for name in CODEC_WRITER_ATTRIBUTES if not hasattr(writer, name)] == []
    terminfo = writer.finish_postings()
    postfile.close()
    matcher = codec.postings_reader(storage.open_file("postings"), terminfo, fmt)
    assert isinstance(matcher, W3LeafMatcher)
    matcher.value()  # reads the block's values
    missing = [name for name in CODEC_MATCHER_ATTRIBUTES if not hasattr(matcher, name)]
    assert missing == []


def test_tables_of_contents_read_and_written_as_whoosh_does(tmp_path: Path) -> None:
    """:func:`read_toc` reads Whoosh's own table of contents, and the writer that defers
    deleting files still writes one Whoosh reads."""
    from whoosh.index import TOC
    from whoosh.writing import SegmentWriter

    from indexer.engines.whoosh.internals import PinnedIndex, deferred_clean_writer, read_toc
    from indexer.engines.whoosh.schema import build_schema
    from indexer.engines.whoosh.storage import file_storage

    assert callable(SegmentWriter._commit_toc) and callable(TOC._latest_generation)
    storage = file_storage(str(tmp_path))
    storage.create_index(build_schema(), "t")
    writer = deferred_clean_writer(PinnedIndex(storage, build_schema(), "t", 0), _lk=False)
    writer.add_document(content="Переговоры в Женеве.", source="a", paragraph=1)
    writer.commit()
    writer = deferred_clean_writer(PinnedIndex(storage, build_schema(), "t", 1), _lk=False)
    writer.add_document(content="Перемирие в Сирии.", source="b", paragraph=1)
    writer.commit(optimize=True)
    assert TOC._latest_generation(storage, "t") == 2
    for commit in (1, 2):
        ours = [s.segment_id() for s in read_toc(storage, "t", commit)]
        assert ours == [s.segment_id() for s in TOC.read(storage, "t", commit).segments]
    # The merged-away segment of commit 1 is still on disk.
    first = read_toc(storage, "t", 1)[0]
    assert any(name.startswith(first.segment_id()) for name in storage.list())
