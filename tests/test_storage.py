"""The index directory under failure and concurrency: writes that fail, are interrupted or
race with searches leave an index that is whole, searchable and ours alone."""

from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import threading
from pathlib import Path

import pytest

from conftest import ARTICLE, CORPUS, ROOT, paragraphs, touch_later
from indexer import Index, IndexDamagedError, IndexWriteError
from indexer.cli import main


def _files(index_dir: Path) -> set[str]:
    """The files of an index but its (empty) lock files."""
    return {name for name in os.listdir(index_dir) if not name.endswith(("lock", "LOCK"))}


def _fail_writes_after(monkeypatch: pytest.MonkeyPatch, created: int, code: int) -> None:
    """Let Whoosh create ``created`` files in the index directory, then fail with ``code``
    (a full disk, a read-only directory), as the file system would."""
    from whoosh.filedb.filestore import FileStorage

    original = FileStorage.create_file
    count = {"n": 0}

    def create_file(self: FileStorage, name: str, **kwargs: object) -> object:
        count["n"] += 1
        if count["n"] > created:
            raise OSError(code, os.strerror(code), name)
        return original(self, name, **kwargs)

    monkeypatch.setattr(FileStorage, "create_file", create_file)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
@pytest.mark.parametrize("created", [0, 3])
def test_a_write_that_fails_leaves_nothing_behind_and_the_index_searchable(
    tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch, code: int, created: int
):
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        before = _files(tmp_path / "ix")
        (workdir / "new.txt").write_text("Переговоры продолжатся в Женеве.", encoding="utf-8")
        _fail_writes_after(monkeypatch, created, code)
        with pytest.raises(IndexWriteError, match=os.strerror(code)):
            index.sync([workdir])
        assert _files(tmp_path / "ix") == before
        assert paragraphs(index.search("переговоры")) == [1, 3]
        monkeypatch.undo()
        assert index.sync([workdir]).added == (str(workdir / "new.txt"),)


def test_the_cli_searches_an_index_it_cannot_update_and_says_why(
    capsys, tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    ix = str(tmp_path / "ix")
    assert main(["переговоры", str(workdir), "--index", ix, "-q"]) == 0
    (workdir / "new.txt").write_text("Переговоры продолжатся в Женеве.", encoding="utf-8")
    capsys.readouterr()
    _fail_writes_after(monkeypatch, 2, errno.ENOSPC)
    assert main(["переговоры", str(workdir), "--index", ix, "-q"]) == 0
    out, err = capsys.readouterr()
    assert "No space left on device; searching the index as it is" in err
    assert len(err.splitlines()) == 1 and "new.txt" not in out
    assert main(["Женеве", str(workdir), "--index", ix, "-q"]) == 1


def test_an_interrupted_write_makes_no_shard_live(
    tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
):
    """Ctrl-C after one shard committed: neither shard's new paragraphs are searched."""
    from indexer.engines.whoosh import engine, storage

    monkeypatch.setattr(storage, "default_shards", lambda: 2)
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        before = index.sources()
        for number in range(20):
            text = f"Переговоры номер {number} о перемирии в Сирии продолжатся в Женеве."
            (workdir / f"{number:02}.txt").write_text(text, encoding="utf-8")
        commit = engine.ShardWriter.commit
        calls = []

        def commit_then_interrupt(self: engine.ShardWriter) -> None:
            calls.append(self)
            if len(calls) == 2:
                raise KeyboardInterrupt
            commit(self)

        monkeypatch.setattr(engine.ShardWriter, "commit", commit_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            index.sync([workdir])
        monkeypatch.setattr(engine.ShardWriter, "commit", commit)
        assert len(calls) == 2, "both shards had work"
        assert index.sources() == before
        assert paragraphs(index.search("переговоры")) == [1, 3]
        assert not index.search("Женеве")
        assert len(index.sync([workdir]).added) == 20
        assert index.search("Женеве").total == 20


def test_a_damaged_index_file_is_named_and_rebuild_fixes_it(capsys, tmp_path: Path, workdir):
    ix = tmp_path / "ix"
    assert main(["переговоры", str(workdir), "--index", str(ix), "-q"]) == 0
    for name in os.listdir(ix):
        if name.endswith(".toc") or name.endswith(".trm"):
            (ix / name).write_bytes(b"\x00garbage" * 3)
    capsys.readouterr()
    assert main(["переговоры", str(workdir), "--index", str(ix), "-q"]) == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and "--rebuild" in err and len(err.splitlines()) == 1
    with Index(ix) as index, pytest.raises(IndexDamagedError):
        index.search("переговоры")
    assert (
        main(["переговоры", str(workdir), "--index", str(ix), "-q", "--rebuild", "--markers"]) == 0
    )
    assert "[[переговоры]]" in capsys.readouterr().out


def test_a_damaged_marker_is_damage_not_a_foreign_directory(capsys, tmp_path: Path, workdir):
    ix = tmp_path / "ix"
    assert main(["переговоры", str(workdir), "--index", str(ix), "-q"]) == 0
    (ix / "indexer.json").write_bytes(b'{"format": "indexer paragr')
    capsys.readouterr()
    assert main(["переговоры", str(workdir), "--index", str(ix), "-q"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "indexer.json" in err and "--rebuild" in err
    assert main(["переговоры", str(workdir), "--index", str(ix), "-q", "--rebuild"]) == 0
    assert json.loads((ix / "indexer.json").read_text())["format"] == "indexer paragraph index"
    assert main(["переговоры", str(workdir), "--index", str(ix), "-q"]) == 0


class _Planted:
    """A pickle that creates a file when loaded."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, ...]:
        return (shutil.copy, (str(ARTICLE), str(self.target)))


def test_nothing_executable_is_loaded_from_the_index_directory(tmp_path: Path, workdir: Path):
    ix, target = tmp_path / "ix", tmp_path / "pwned"
    with Index(ix) as index:
        index.sync([workdir])
    # A copy of the file records, as older versions kept it, and a table of contents
    # whose segment list is a planted pickle.
    (ix / "g1_manifest.pickle").write_bytes(pickle.dumps(_Planted(target)))
    toc = next(name for name in os.listdir(ix) if name.startswith("_g1s0_"))
    data = (ix / toc).read_bytes()
    with Index(ix) as index:
        assert paragraphs(index.search("переговоры")) == [1, 3]
    # The segment list is the second pickle of the file (the schema is the first).
    header = data[: data.index(b"\x80", data.index(b"\x80") + 1)]
    (ix / toc).write_bytes(header + pickle.dumps(_Planted(target)))
    with Index(ix) as index, pytest.raises(IndexDamagedError):
        index.search("переговоры")
    assert not target.exists()


def test_a_rebuild_deletes_only_the_files_whoosh_and_we_write(tmp_path, workdir, monkeypatch):
    from indexer.engines.whoosh import storage

    ix = tmp_path / "ix"
    with Index(ix) as index:
        index.sync([workdir])
    mine = ["g1_notes.txt", "g1s0_notes.txt", "_g1s0_draft.txt", "g1s0.tmp.bak", "indexer.txt"]
    for name in mine:
        (ix / name).write_text("заметка", encoding="utf-8")
    monkeypatch.setattr(storage, "GRACE_SECONDS", 0.0)
    with Index(ix) as index:
        index.sync([workdir], rebuild=True)
        index.sync([workdir], rebuild=True)
        assert paragraphs(index.search("переговоры")) == [1, 3]
    left = os.listdir(ix)
    assert all(name in left for name in mine)
    old = ("g1s", "_g1s", "g2s", "_g2s")
    assert not any(name.startswith(old) for name in set(left) - set(mine))


def test_one_index_shared_with_a_thread_that_syncs(tmp_path: Path, workdir: Path):
    """Searches in one thread while another syncs edits into the same Index."""
    shutil.copytree(CORPUS, workdir / "corpus")
    errors: list[BaseException] = []
    stop = threading.Event()
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])

        def sync_edits() -> None:
            try:
                for number in range(15):
                    note = workdir / "note.txt"
                    note.write_text(f"Правка {number}: переговоры в Женеве.", encoding="utf-8")
                    touch_later(note)
                    index.sync([workdir])
            except BaseException as exc:
                errors.append(exc)
            finally:
                stop.set()

        thread = threading.Thread(target=sync_edits)
        thread.start()
        searched = 0
        while not stop.is_set() or searched < 20:
            found = index.search("переговоры", limit=50)
            assert {1, 3} <= {hit.paragraph for hit in found if hit.source.endswith(ARTICLE.name)}
            for hit in found:
                assert "ереговор" in hit.text  # the text of the paragraph that matched
            searched += 1
        thread.join()
    assert not errors


def test_cli_searches_while_another_process_syncs_and_rebuilds(capsys, tmp_path, workdir):
    """No search fails while another process rebuilds and syncs the same index (the
    bigger version is bench/concurrency.py)."""
    import subprocess
    import sys

    shutil.copytree(CORPUS, workdir / "corpus")
    ix = str(tmp_path / "ix")
    assert main(["переговоры", str(workdir), "--index", ix, "-q"]) == 0
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from indexer import Index, IndexBusyError\n"
        "note = Path(sys.argv[2]) / 'note.txt'\n"
        "for number in range(12):\n"
        "    note.write_text(f'Правка {number}: переговоры в Женеве.', encoding='utf-8')\n"
        "    while True:\n"
        "        try:\n"
        "            with Index(sys.argv[1]) as index:\n"
        "                index.sync([sys.argv[2]], rebuild=number % 2 == 0)\n"
        "            break\n"
        "        except IndexBusyError:\n"
        "            time.sleep(0.02)\n"
    )
    # From the project's root: this indexer, whatever folder a test left as current.
    child = subprocess.Popen([sys.executable, "-c", script, ix, str(workdir)], cwd=ROOT)
    codes = []
    while child.poll() is None or len(codes) < 30:
        codes.append(main(["переговоры", str(workdir), "--index", ix, "-q", "-n", "3"]))
    assert child.wait() == 0
    assert set(codes) == {0}, capsys.readouterr().err
