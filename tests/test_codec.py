"""The array codec: the same postings, block statistics and scores as Whoosh's, in less space."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Existence, Format

from conftest import ARTICLE, CORPUS
from indexer.engines.whoosh.codec import ArrayCodec
from indexer.engines.whoosh.schema import LemmaPositions


class FourByteValues(Format):
    """A format whose values all have the same size (Whoosh has none built in)."""

    def fixed_value_size(self) -> int:
        return 4


_POSITIONS = LemmaPositions()

# Weights as Whoosh keeps them (32-bit floats): ones, whole numbers small and large
# (beyond 32 bits too), boosted fractions.
_weights = st.one_of(
    st.just(1.0),
    st.integers(1, 70_000).map(float),
    st.integers(1, 2**20).map(lambda n: float(n << 14)),
    st.integers(1, 4000).map(lambda n: n / 8),
)
_posting = st.tuples(
    st.integers(1, 100_000),  # gap to the previous document number
    _weights,
    st.lists(st.integers(0, 70_000), min_size=1, max_size=6, unique=True),
    st.integers(1, 5000),  # field length
)
# Lists of any length up to three blocks of 128, the length drawn first so that long
# lists are as likely as short ones.
_postings = st.integers(1, 300).flatmap(lambda n: st.lists(_posting, min_size=n, max_size=n))


def _write(codec: Any, fmt: Any, postings: list[tuple[int, float, bytes, int]]) -> tuple:
    storage = RamStorage()
    postfile = storage.create_file("postings")
    writer = codec.postings_writer(postfile)
    writer.start_postings(fmt, W3TermInfo())
    for docnum, weight, value, length in postings:
        writer.add_posting(docnum, weight, value, length)
    terminfo = writer.finish_postings()
    postfile.close()
    return storage, terminfo


def _read(codec: Any, fmt: Any, storage: Any, terminfo: Any) -> tuple[list, list]:
    matcher = codec.postings_reader(storage.open_file("postings"), terminfo, fmt)
    postings, blocks = [], []
    while matcher.is_active():
        if matcher._i == 0:  # the first posting of a block
            blocks.append(
                (
                    matcher.block_min_id(),
                    matcher.block_max_id(),
                    matcher.block_max_weight(),
                    matcher.block_min_length(),
                    matcher.block_max_length(),
                )
            )
        postings.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return postings, blocks


def _as_postings(fmt: Any, chosen: list) -> list[tuple[int, float, bytes, int]]:
    docnum, postings = -1, []
    for gap, weight, positions, length in chosen:
        docnum += gap
        if isinstance(fmt, LemmaPositions):
            value = fmt.encode(sorted(positions))
        elif isinstance(fmt, FourByteValues):
            value = positions[0].to_bytes(4, "little")
        else:
            value = b""
        postings.append((docnum, weight, value, length))
    return postings


@settings(max_examples=60, deadline=None)
@given(_postings, st.sampled_from([_POSITIONS, Existence(), FourByteValues()]))
@example([(1, 1.0, [0], 1)], Existence())  # a block with no bytes of arrays at all
@example([(1, 2.0, [0, 3], 4)] * 128, _POSITIONS)  # exactly one full block
@example([(300, 70_000.0, [5], 9)] * 129, _POSITIONS)  # one posting over
@example([(1, 2.0**33, [1], 2)] * 3, _POSITIONS)  # a weight past 32 bits
def test_postings_read_back_as_written_with_whooshs_block_statistics(
    chosen: list, fmt: Any
) -> None:
    postings = _as_postings(fmt, chosen)
    ours_storage, ours_info = _write(ArrayCodec(), fmt, postings)
    whoosh_storage, whoosh_info = _write(W3Codec(), fmt, postings)

    ours, ours_blocks = _read(ArrayCodec(), fmt, ours_storage, ours_info)
    whooshs, whoosh_blocks = _read(W3Codec(), fmt, whoosh_storage, whoosh_info)

    expected_values = [value if fmt.fixed_value_size() != 0 else None for *_, value, _ in postings]
    assert [(d, w) for d, w, _ in ours] == [(d, w) for d, w, _, _ in postings]
    assert [v for *_, v in ours] == expected_values
    assert ours == whooshs
    assert ours_blocks == whoosh_blocks
    assert ours_info.to_bytes()[:23] == whoosh_info.to_bytes()[:23]  # the term's statistics


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3100), max_size=20))
def test_skipping_lands_where_whooshs_own_matcher_does(targets: list[int]) -> None:
    postings = [(3 * n, float(n % 4 + 1), _POSITIONS.encode([n % 7]), 10) for n in range(1000)]
    landed = []
    for codec in (ArrayCodec(), W3Codec()):
        storage, terminfo = _write(codec, _POSITIONS, postings)
        matcher = codec.postings_reader(storage.open_file("postings"), terminfo, _POSITIONS)
        trail = []
        for target in sorted(targets):
            if not matcher.is_active():
                break
            matcher.skip_to(target)
            active = matcher.is_active()
            trail.append((matcher.id(), matcher.weight(), matcher.value()) if active else None)
        landed.append(trail)
    assert landed[0] == landed[1]


def test_a_repetitive_block_is_stored_compressed() -> None:
    postings = [(n, 6.0, _POSITIONS.encode([0, 1, 2, 3, 4, 5]), 6) for n in range(128)]
    storage, terminfo = _write(ArrayCodec(), _POSITIONS, postings)
    assert storage.file_length("postings") < 200  # its arrays alone take 1,279 bytes
    assert _read(ArrayCodec(), _POSITIONS, storage, terminfo)[0] == [p[:3] for p in postings]


def _whoosh_index(path: Path, codec: Any) -> Any:
    """The article and the small corpus in three segments, one paragraph deleted, merged."""
    from whoosh.index import create_in

    from indexer.engines.whoosh.schema import build_schema
    from indexer.paragraphs import split_paragraphs

    path.mkdir()
    ix = create_in(str(path), build_schema())
    for source in (ARTICLE, *sorted(CORPUS.iterdir())):
        writer = ix.writer(codec=codec, compound=False)
        for number, paragraph in enumerate(split_paragraphs(source.read_text("utf-8")), 1):
            writer.add_document(content=paragraph, source=source.name, paragraph=number)
        writer.commit(merge=False)
    writer = ix.writer(codec=codec, compound=False)
    writer.delete_by_query(_parse(ix, "переговоры прекращение")[0])
    writer.commit(optimize=True)
    return ix


def _parse(ix: Any, text: str) -> list[Any]:
    from whoosh.qparser import QueryParser

    return [QueryParser("content", ix.schema).parse(text)]


def test_an_index_scores_and_matches_phrases_as_with_whooshs_own_codec(tmp_path: Path) -> None:
    ours = _whoosh_index(tmp_path / "ours", ArrayCodec())
    whooshs = _whoosh_index(tmp_path / "whoosh", W3Codec())
    queries = ["Лавров", "Лавров Керри Сирия", '"прекращения огня"', "ёлка OR елка", "год"]
    with ours.searcher() as ours_searcher, whooshs.searcher() as whoosh_searcher:
        assert ours_searcher.doc_count() == whoosh_searcher.doc_count() > 10
        for text in queries:
            (query,) = _parse(ours, text)
            ours_hits = [(h.docnum, h.score) for h in ours_searcher.search(query, limit=None)]
            whoosh_hits = [(h.docnum, h.score) for h in whoosh_searcher.search(query, limit=None)]
            assert ours_hits == whoosh_hits, text
            assert ours_hits, text


def test_postings_take_under_half_of_whooshs_space(tmp_path: Path) -> None:
    sizes = {}
    for name, codec in (("ours", ArrayCodec()), ("whoosh", W3Codec())):
        ix = _whoosh_index(tmp_path / name, codec)
        storage = ix.storage
        sizes[name] = sum(storage.file_length(f) for f in storage.list() if f.endswith(".pst"))
    assert sizes["ours"] < sizes["whoosh"] / 2


def test_the_index_writes_with_the_array_codec(tmp_path: Path) -> None:
    from indexer import Index

    with Index(tmp_path / "index") as index:
        index.sync([str(ARTICLE)])
        assert index.search("переговоры")
        reader = index._engine.searcher().reader()
        codecs = [leaf.codec() for leaf, _ in reader.leaf_readers() if leaf.doc_count_all()]
        assert codecs
        assert all(isinstance(codec, ArrayCodec) for codec in codecs)
