"""The index on disk: incremental sync, add/remove, rebuild, faults that lose nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import ARTICLE, hold_writers, paragraphs, touch_later
from indexer import Index
from indexer.errors import (
    IndexBusyError,
    IndexLocationError,
    SchemaMismatchError,
    SourceNotFoundError,
)


def test_sync_reports_and_does_nothing_when_nothing_changed(tmp_path: Path, workdir: Path):
    with Index(tmp_path / "ix") as index:
        first = index.sync([workdir])
        assert first.added == (str(workdir / ARTICLE.name),) and first.changed
        again = index.sync([workdir])
        assert again.unchanged == first.added and not again.changed
        assert paragraphs(index.search("переговоры")) == [1, 3]


def test_sync_follows_edits_additions_removals_and_renames(tmp_path: Path, workdir: Path):
    article = workdir / ARTICLE.name
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        (workdir / "extra.txt").write_text("Новые переговоры в Женеве.\n", encoding="utf-8")
        report = index.sync([workdir])
        assert report.added == (str(workdir / "extra.txt"),)
        assert report.unchanged == (str(article),)

        article.write_text("Переговоры отменили.\n", encoding="utf-8")
        touch_later(article)
        assert index.sync([workdir]).updated == (str(article),)
        assert {h.text for h in index.search("переговоры")} == {
            "Переговоры отменили.",
            "Новые переговоры в Женеве.",
        }

        (workdir / "extra.txt").rename(workdir / "renamed.txt")
        report = index.sync([workdir])
        assert report.removed == (str(workdir / "extra.txt"),)
        assert report.added == (str(workdir / "renamed.txt"),)

        article.unlink()
        assert index.sync([workdir]).removed == (str(article),)
        assert [h.source for h in index.search("переговоры")] == [str(workdir / "renamed.txt")]


def test_a_touched_but_unchanged_file_is_not_indexed_again(tmp_path: Path, workdir: Path):
    article = workdir / ARTICLE.name
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        touch_later(article)
        report = index.sync([workdir])
        assert report.unchanged == (str(article),) and not report.changed
        # The new mtime was remembered: the next sync does not even read the file.
        assert index.sync([workdir]).unchanged == (str(article),)
        assert paragraphs(index.search("переговоры")) == [1, 3]


def test_sources_outside_the_synced_paths_are_left_alone(tmp_path: Path, workdir: Path):
    other = tmp_path / "other.txt"
    other.write_text("Перемирие в Сирии.", encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.sync([other])
        index.sync([workdir])
        assert {Path(s).name for s in index.sources()} == {"other.txt", ARTICLE.name}


def test_one_path_may_be_given_as_a_string_or_a_path(tmp_path: Path, workdir: Path):
    with Index(tmp_path / "ix") as index:
        assert index.sync(str(workdir)).added == (str((workdir / ARTICLE.name).resolve()),)
        assert list(index.sync(workdir).unchanged) == index.sources()


def test_search_within_some_paths_and_every_match(tmp_path: Path, workdir: Path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("Лавров прилетел.\n\nЛавров улетел.", encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.sync([workdir, other])
        index.add("заметка", "Лавров в Женеве.")
        within = index.search("Лавров", paths=other)
        assert [(Path(h.source).name, h.paragraph) for h in within] == [
            ("note.txt", 1),
            ("note.txt", 2),
        ]
        assert within.total == 2
        assert len(index.search("Лавров", paths=[workdir / ARTICLE.name])) == 3
        assert len(index.search("Лавров", paths=tmp_path / "nowhere")) == 0
        every = index.search("Лавров", limit=None)
        assert len(every) == every.total == 6 and all(hit.spans for hit in every)
        counted = index.search("Лавров", limit=None, highlight=False)
        assert counted.counts() == every.counts() and not any(hit.spans for hit in counted)
        article = str((workdir / ARTICLE.name).resolve())
        assert every.counts()[article] == 3 and set(every.sources()) == {
            article,
            str((other / "note.txt").resolve()),
            "заметка",
        }


def test_paragraphs_of_a_source_by_number(tmp_path: Path, workdir: Path):
    with Index(tmp_path / "ix") as index:
        index.sync(workdir)
        source = index.sources()[0]
        around = index.paragraphs(source, [0, 10, 11, 12])
        assert list(around) == [10, 11]
        assert around[11] == "Путин обсудил с Асадом сирийское урегулирование"
        assert list(index.paragraphs(source)) == list(range(1, 12))
        assert index.paragraphs("нет такого") == {}


def test_undecodable_and_binary_files_are_skipped_and_the_rest_indexed(tmp_path, workdir):
    (workdir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    (workdir / "cp1251.txt").write_bytes("Переговоры в Москве прошли успешно.".encode("cp1251"))
    with Index(tmp_path / "ix") as index:
        report = index.sync([workdir])
        assert [Path(p).name for p, _ in report.skipped] == ["image.txt"]
        found = {Path(h.source).name for h in index.search("переговоры")}
        assert found == {ARTICLE.name, "cp1251.txt"}
        # A skipped file is remembered and not reported again until it changes.
        assert index.sync([workdir]).skipped == ()


def test_add_and_remove_documents_from_strings(tmp_path: Path):
    with Index(tmp_path / "ix") as index:
        index.add("заметка", "Первый абзац о переговорах.\n\nВторой абзац о перемирии.")
        assert [(h.source, h.paragraph) for h in index.search("перемирие")] == [("заметка", 2)]
        index.add("заметка", "Теперь только о погоде.")
        assert len(index.search("перемирие")) == 0
        assert index.remove("заметка") is True
        assert index.remove("заметка") is False
        assert len(index.search("погода")) == 0


def test_an_interrupted_sync_leaves_the_previous_index(tmp_path, workdir, monkeypatch):
    from indexer import ingest

    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        (workdir / "new.txt").write_text("Переговоры продолжатся завтра.", encoding="utf-8")
        article = workdir / ARTICLE.name
        article.write_text("Совсем другой текст.", encoding="utf-8")
        touch_later(article)

        def interrupt(data: bytes, **options: object) -> str:
            raise KeyboardInterrupt

        monkeypatch.setattr(ingest, "read_text", interrupt)
        with pytest.raises(KeyboardInterrupt):
            index.sync([workdir])
        monkeypatch.undo()
        assert paragraphs(index.search("переговоры")) == [1, 3]
        report = index.sync([workdir])
        assert report.added == (str(workdir / "new.txt"),)
        assert report.updated == (str(article),)


def test_a_killed_build_leaves_a_consistent_index(tmp_path: Path, workdir: Path):
    import signal
    import subprocess
    import sys
    import time

    (tmp_path / "big").mkdir()
    for number in range(800):
        text = (
            "\n\n".join(ARTICLE.read_text(encoding="utf-8").splitlines()) + f"\n\nНомер {number}."
        )
        (tmp_path / "big" / f"{number:03}.txt").write_text(text, encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
    script = (
        "import sys; from indexer import Index; Index(sys.argv[1]).sync([sys.argv[2], sys.argv[3]])"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "ix"), str(workdir), str(tmp_path / "big")]
    )
    time.sleep(1.0)
    child.send_signal(signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL, "the build finished before it could be killed"
    with Index(tmp_path / "ix") as index:
        sources = index.sources()
        for hit in index.search("переговоры", limit=1000):
            assert hit.source in sources
        assert str(workdir / ARTICLE.name) in sources
        index.sync([workdir, tmp_path / "big"])
        assert index.search("переговоры").total == 2 * 801


def test_rebuild_starts_afresh_and_replaces_the_old_generation(tmp_path, workdir, monkeypatch):
    from indexer.engines.whoosh import storage

    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        before = set(os.listdir(tmp_path / "ix"))
        report = index.sync([workdir], rebuild=True)
        assert report.added == (str(workdir / ARTICLE.name),)
        assert paragraphs(index.search("переговоры")) == [1, 3]
    # The old generation stays a while for searches that opened it, then goes.
    assert any(name.startswith(("_g1s", "g1s")) for name in os.listdir(tmp_path / "ix"))
    monkeypatch.setattr(storage, "GRACE_SECONDS", 0.0)
    with Index(tmp_path / "ix") as index:
        assert paragraphs(index.search("переговоры")) == [1, 3]
    after = set(os.listdir(tmp_path / "ix"))
    assert not any(name.startswith(("_g1s", "g1s")) for name in after)
    assert any(name.startswith(("_g2s", "g2s")) for name in after)
    assert before != after


def test_an_index_of_another_version_must_be_rebuilt(tmp_path: Path, workdir: Path):
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
    marker = tmp_path / "ix" / "indexer.json"
    data = json.loads(marker.read_text())
    marker.write_text(json.dumps({**data, "schema": data["schema"] - 1}))
    with Index(tmp_path / "ix") as index:
        with pytest.raises(SchemaMismatchError, match="rebuild"):
            index.search("переговоры")
        with pytest.raises(SchemaMismatchError):
            index.sync([workdir])
        index.sync([workdir], rebuild=True)
        assert paragraphs(index.search("переговоры")) == [1, 3]


def test_a_busy_index_is_still_searchable(tmp_path: Path, workdir: Path):
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        (workdir / "new.txt").write_text("Переговоры.", encoding="utf-8")
        with hold_writers(tmp_path / "ix"):
            with pytest.raises(IndexBusyError):
                index.sync([workdir])
            with pytest.raises(IndexBusyError):
                index.sync([workdir], rebuild=True)
            assert paragraphs(index.search("переговоры")) == [1, 3]


@pytest.mark.parametrize("kind", ["file", "foreign", "foreign-marker"])
def test_never_touches_a_directory_that_is_not_ours(tmp_path: Path, kind: str):
    place = tmp_path / "place"
    if kind == "file":
        place.write_text("мой файл")
    else:
        place.mkdir()
        name = "notes.txt" if kind == "foreign" else "indexer.json"
        (place / name).write_text("{}")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(IndexLocationError):
        Index(place)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_missing_source_is_an_error(tmp_path: Path):
    with Index(tmp_path / "ix") as index, pytest.raises(SourceNotFoundError):
        index.sync([tmp_path / "nowhere"])


def test_the_file_list_copy_is_only_a_shortcut(tmp_path: Path, workdir: Path) -> None:
    from indexer.engines.whoosh.storage import Storage

    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        cache = Path(Storage(tmp_path / "ix").manifest_cache)
        assert cache.exists()
        # A copy from another state of the index is ignored, a broken one too.
        (workdir / "extra.txt").write_text("Переговоры в Женеве.\n", encoding="utf-8")
        stale = cache.read_bytes()
        assert index.sync([workdir]).added == (str(workdir / "extra.txt"),)
        cache.write_bytes(stale)
        assert not index.sync([workdir]).changed
        cache.write_bytes(b"not a pickle")
        assert not index.sync([workdir]).changed
        assert len(index.sources()) == 2


def test_a_document_reads_back_in_order_from_every_shard(tmp_path: Path, workdir: Path):
    article = ARTICLE.read_text(encoding="utf-8").splitlines()
    for number in range(12):
        text = "\n\n".join(f"Заметка {number}, абзац {n}: переговоры." for n in range(1, 40))
        (workdir / f"note{number}.txt").write_text(text, encoding="utf-8")
    with Index(tmp_path / "index") as index:
        index.sync([workdir])
        assert index.document(str(workdir / ARTICLE.name)) == tuple(line for line in article)
        note = index.document(str(workdir / "note7.txt"))
        assert note == tuple(f"Заметка 7, абзац {n}: переговоры." for n in range(1, 40))
        for hit in index.search("переговоры", limit=30):
            assert index.document(hit.source)[hit.paragraph - 1] == hit.text


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", str(ARTICLE), ""])
def test_only_a_document_of_the_index_can_be_read(tmp_path: Path, workdir: Path, name: str):
    with Index(tmp_path / "index") as index:
        index.sync([workdir])
        with pytest.raises(SourceNotFoundError, match="the index has no document"):
            index.document(name)


def test_sync_reports_progress_to_a_function(tmp_path: Path, workdir: Path):
    size = (workdir / ARTICLE.name).stat().st_size
    (workdir / "more.txt").write_text("Переговоры продолжатся.\n", encoding="utf-8")
    seen: list[tuple[int, int]] = []
    with Index(tmp_path / "index") as index:
        index.sync([workdir], progress=lambda done, total: seen.append((done, total)))
    total = size + len("Переговоры продолжатся.\n".encode())
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and len(seen) == 3


@pytest.mark.parametrize(
    "query",
    ["переговоры", "Лавров Керри", '"прекращение огня"', "Россией*", "=России", "Сирия -перемирие"],
)
def test_highlight_marks_any_text_as_the_hits_are_marked(article_index, query: str):
    hits = article_index.search(query, limit=20)
    assert hits and article_index.highlight(query, [hit.text for hit in hits]) == [
        hit.spans for hit in hits
    ]
    other = "Переговоры России с Россией и Сирией о прекращении огня: Лавров, Керри."
    assert article_index.highlight(query, [other])[0]
