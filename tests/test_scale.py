"""Whole corpora: folder trees with mixed encodings and junk, shards, parallel builds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ARTICLE, paragraphs
from indexer import Index

SENTENCE = "Переговоры о перемирии в Сирии продолжатся в Женеве на следующей неделе."


def make_tree(root: Path) -> dict[str, str]:
    """A folder tree like a real archive: every common encoding, and things to skip."""
    files = {
        "utf8.txt": ("utf-8", SENTENCE),
        "bom/utf8-bom.txt": ("utf-8-sig", SENTENCE),
        "windows/cp1251.txt": ("cp1251", SENTENCE),
        "old/koi8.txt": ("koi8-r", SENTENCE),
        "unicode/utf16.txt": ("utf-16", SENTENCE),
        "notes/readme.md": ("utf-8", "# " + SENTENCE),
    }
    for name, (encoding, text) in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (root / "empty.txt").write_bytes(b"")
    (root / "table.csv").write_text("не читается: не .txt и не .md", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "secret.txt").write_text(SENTENCE, encoding="utf-8")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    return {name: encoding for name, (encoding, _) in files.items()}


def test_a_tree_of_mixed_encodings_and_junk(tmp_path: Path) -> None:
    expected = make_tree(tmp_path / "tree")
    with Index(tmp_path / "ix") as index:
        report = index.sync([tmp_path / "tree"])
        found = {os.path.relpath(h.source, tmp_path / "tree") for h in index.search("перемирие")}
        assert found == set(expected)
        skipped = {os.path.basename(path): why for path, why in report.skipped}
        assert set(skipped) == {"image.txt", "dangling.txt"}
        assert skipped["dangling.txt"] == "broken symlink"
        assert "empty.txt" in {os.path.basename(p) for p in report.added}
        # Nothing changed: nothing is read, nothing is reported again.
        again = index.sync([tmp_path / "tree"])
        assert not again.changed and again.skipped == ()


def _build(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch, shards: int, workers: int):
    from indexer import sync
    from indexer.engines.whoosh import storage

    monkeypatch.setattr(storage, "default_shards", lambda: shards)
    monkeypatch.setattr(sync, "PARALLEL_MIN_BYTES", 0)
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        corpus.mkdir()
        lines = ARTICLE.read_text(encoding="utf-8").splitlines()
        for number in range(12):
            text = "\n\n".join(lines[number % len(lines) :] + lines[: number % len(lines)])
            (corpus / f"{number:02}.txt").write_text(text, encoding="utf-8")
    index = Index(tmp_path / name)
    index.sync([corpus], workers=workers)
    return index


QUERIES = ["переговоры", "Лавров Керри", '"прекращение огня"', "Сирия -перемирие", "27 февраля"]


def test_shards_and_processes_do_not_change_the_answers(tmp_path, monkeypatch) -> None:
    single = _build(tmp_path, "one", monkeypatch, shards=1, workers=1)
    parallel = _build(tmp_path, "two", monkeypatch, shards=3, workers=2)
    try:
        assert parallel._engine._storage.shards == 3
        for query in QUERIES:
            # Every hit, not the top ten: the copies tie, and ties may come in any order.
            a = [
                (os.path.basename(h.source), h.paragraph, h.score)
                for h in single.search(query, limit=500)
            ]
            b = [
                (os.path.basename(h.source), h.paragraph, h.score)
                for h in parallel.search(query, limit=500)
            ]
            assert sorted(a) == sorted(b), query
    finally:
        single.close()
        parallel.close()


def test_a_parallel_sync_updates_only_what_changed(tmp_path, monkeypatch) -> None:
    index = _build(tmp_path, "ix", monkeypatch, shards=2, workers=2)
    try:
        changed = tmp_path / "corpus" / "03.txt"
        changed.write_text("Совсем новый текст о переговорах.", encoding="utf-8")
        (tmp_path / "corpus" / "07.txt").unlink()
        report = index.sync([tmp_path / "corpus"], workers=2)
        assert [os.path.basename(p) for p in report.updated] == ["03.txt"]
        assert [os.path.basename(p) for p in report.removed] == ["07.txt"]
        assert len(report.unchanged) == 10
        found = index.search("переговоры", limit=50)
        assert "03.txt" in {os.path.basename(h.source) for h in found}
        assert paragraphs(index.search("=переговорах")) == [1]
    finally:
        index.close()


def test_a_build_seldom_walks_all_objects_and_leaves_the_collector_as_it_was(
    tmp_path: Path, monkeypatch
) -> None:
    import gc

    from indexer import sync

    seen = []
    apply = sync.apply

    def watched(*args, **kwargs):
        seen.append(gc.get_threshold())
        return apply(*args, **kwargs)

    monkeypatch.setattr(sync, "apply", watched)
    before = gc.get_threshold()
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(SENTENCE, encoding="utf-8")
    with Index(tmp_path / "index") as index:
        index.sync([tmp_path / "corpus"])
    assert seen and all(during[2] >= 1000 for during in seen)
    assert gc.get_threshold() == before


def test_overlapping_writes_put_the_collector_back_as_it_was() -> None:
    import gc

    from indexer.sync import _few_full_collections

    before = gc.get_threshold()
    first, second = _few_full_collections(), _few_full_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[2] >= 1000  # the second write is still under way
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), _few_full_collections():
        raise RuntimeError("a failed write")
    assert gc.get_threshold() == before
