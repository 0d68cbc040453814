"""Files that are not what they seem: pipes, devices, links, bombs, odd names, markup
that never closes. Each is read, or skipped with its name and the reason; none hangs,
fills memory or breaks the folder's other files."""

from __future__ import annotations

import html.parser
import io
import os
import threading
import zipfile
from pathlib import Path

import pytest

from conftest import ARTICLE
from indexer import Index, ingest
from indexer.cli import main
from indexer.errors import UnreadableFileError
from indexer.markup import markup_paragraphs

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def sync_in_time(index: Index, paths: list[Path]):
    """``index.sync(paths)``, failing instead of hanging when it does not return."""
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(index.sync(paths)), daemon=True)
    worker.start()
    worker.join(60)
    assert done, "the sync hung"
    return done[0]


def skipped(report) -> dict[str, str]:
    return {Path(path).name: why for path, why in report.skipped}


@needs_fifo
def test_a_named_pipe_is_skipped_not_waited_for(tmp_path: Path, workdir: Path) -> None:
    os.mkfifo(workdir / "x.txt")
    with Index(tmp_path / "ix") as index:
        report = sync_in_time(index, [workdir])
        assert skipped(report) == {"x.txt": "not a regular file"}
        assert report.added == (str(workdir / ARTICLE.name),)
    with Index(tmp_path / "ix2") as index:
        report = sync_in_time(index, [workdir / "x.txt"])
        assert skipped(report) == {"x.txt": "not a regular file"}
    # Nor when it turns up where a file was found.
    with pytest.raises(UnreadableFileError, match="not a regular file"):
        ingest.read_file(str(workdir / "x.txt"))


def test_a_device_given_by_a_link_is_not_read(tmp_path: Path, workdir: Path) -> None:
    (workdir / "zero.txt").symlink_to("/dev/zero")
    with Index(tmp_path / "ix") as index:
        report = sync_in_time(index, [workdir])
        assert "not followed" in skipped(report)["zero.txt"]
        report = sync_in_time(index, [workdir / "zero.txt"])  # named: followed, refused
        assert skipped(report) == {"zero": "not a regular file"}


def test_links_in_a_folder_are_not_followed_out_of_it(tmp_path: Path, workdir: Path) -> None:
    secret = tmp_path / "private"
    secret.mkdir()
    (secret / "passwords.txt").write_text("Пароль от переговорной: Женева", encoding="utf-8")
    (workdir / "passwords.txt").symlink_to(secret / "passwords.txt")
    (workdir / "folder").symlink_to(secret)
    (workdir / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    with Index(tmp_path / "ix") as index:
        report = index.sync([workdir])
        reasons = skipped(report)
        assert set(reasons) == {"passwords.txt", "folder", "dangling.txt"}
        assert "not followed" in reasons["passwords.txt"] and "not followed" in reasons["folder"]
        assert reasons["dangling.txt"] == "broken symlink"
        assert len(index.search("Женева")) == 0
        # A link named as a path is what the user asked for.
        index.sync([workdir / "passwords.txt"])
        assert [Path(h.source).name for h in index.search("Женева")] == ["passwords.txt"]


def test_a_file_over_the_size_limit_is_skipped_by_name(
    tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 10_000)
    (workdir / "big.txt").write_text("Переговоры. " * 500, encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        report = index.sync([workdir])
        assert skipped(report) == {"big.txt": "larger than 10000 bytes"}
        assert report.added == (str(workdir / ARTICLE.name),)
    # A file that grows past the limit after it was found is not read past it either.
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((0o100644, *[0] * 9)))
    with pytest.raises(UnreadableFileError, match="larger than"):
        ingest.read_file(str(workdir / "big.txt"))


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    # 8 MB of paragraphs in a 10 KB zip: under the size limit, but no book packs so.
    bomb = _zipped({"book.fb2": b"<p>\xd0\xb0</p>" * (1 << 20)})
    assert len(bomb) < 20_000
    with pytest.raises(UnreadableFileError, match="times its size"):
        ingest.read_document("bomb.fb2.zip", bomb)
    # A real book packs to a third of its size or so and is read.
    book = (Path(__file__).parent / "formats" / "winter_morning.fb2").read_bytes()
    assert ingest.read_document("book.fb2.zip", _zipped({"book.fb2": book * 200})).paragraphs


def test_a_name_that_is_not_utf8_is_indexed_searched_and_shown(
    capsys, tmp_path: Path, workdir: Path
) -> None:
    raw = os.fsencode(workdir) + b"/\xe9t\xe9.txt"  # Latin-1, from a Windows archive
    with open(raw, "wb") as file:
        file.write("Переговоры в Женеве".encode())
    shown = str(workdir / "\\xe9t\\xe9.txt")
    with Index(tmp_path / "ix") as index:
        assert index.sync([workdir]).added == tuple(sorted([shown, str(workdir / ARTICLE.name)]))
        assert [h.source for h in index.search("Женеве")] == [shown]
        assert [h.source for h in index.search("source:*xe9* переговоры")] == [shown]
    assert main(["Женеве", str(workdir), "--index", str(tmp_path / "ix"), "--json"]) == 0
    assert '\\\\xe9t\\\\xe9.txt", "paragraph": 1' in capsys.readouterr().out
    os.remove(raw)
    with Index(tmp_path / "ix") as index:
        assert index.sync([workdir]).removed == (shown,)
    assert main(["Женеве", os.fsdecode(b"\xe9")]) == 2
    assert "«\\xe9»" in capsys.readouterr().err


def test_a_name_that_reads_as_another_files_is_reported_not_lost(
    tmp_path: Path, workdir: Path
) -> None:
    with open(os.fsencode(workdir) + b"/\xe9.txt", "wb") as file:
        file.write("Переговоры в Женеве".encode())
    (workdir / "\\xe9.txt").write_text("Переговоры в Вене", encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        report = index.sync([workdir])
        assert len(report.added) == 2
        ((name, why),) = report.skipped
        assert name == str(workdir / "\\xe9.txt") and "another file" in why


class _Scanned:
    """A regular expression of html.parser's, counting the characters it looks at."""

    def __init__(self, pattern) -> None:
        self.pattern, self.count = pattern, 0

    def match(self, text: str, pos: int = 0):
        found = self.pattern.match(text, pos)
        self.count += (found.end() if found else len(text)) - pos
        return found

    def search(self, text: str, pos: int = 0):
        found = self.pattern.search(text, pos)
        self.count += (found.end() if found else len(text)) - pos
        return found


@pytest.mark.parametrize(
    "markup", ["<a " * 3000, "<!--" * 3000, "x <y" * 3000, "<![CDATA[" * 3000, "</" * 3000]
)
def test_markup_that_never_closes_is_read_in_one_pass(
    markup: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The parser looked for the end of each unclosed «<a» in the whole rest of the
    # page: 120 KB took minutes. Counted, not timed: at most a few looks per character.
    import _markupbase

    counters = []
    for module, name in [
        (html.parser, "locatestarttagend_tolerant"),
        (html.parser, "commentclose"),
        (html.parser, "endendtag"),
        (_markupbase, "_commentclose"),
        (_markupbase, "_markedsectionclose"),
    ]:
        if hasattr(module, name):
            counters.append(_Scanned(getattr(module, name)))
            monkeypatch.setattr(module, name, counters[-1])
    text = "Переговоры в Женеве. " + markup
    assert markup_paragraphs(text)[0].startswith("Переговоры в Женеве.")
    assert sum(counter.count for counter in counters) < 10 * len(text)


def test_nested_elements_left_open_are_closed_in_one_pass() -> None:
    deep = "<nav>" * 20000 + "<p>Текст</p>" + "</p>" * 20000 + "</nav>" * 20000
    assert markup_paragraphs(deep + "<p>Конец</p>") == ["Конец"]


def test_a_name_with_a_newline_is_shown_on_one_line(capsys, tmp_path: Path, workdir: Path) -> None:
    (workdir / "line\none.txt").write_bytes(bytes(range(256)) * 4)
    (workdir / "tab\there.txt").write_text("Переговоры в Женеве", encoding="utf-8")
    assert main(["Женеве", str(workdir), "--index", str(tmp_path / "ix"), "-q"]) == 0
    out, err = capsys.readouterr()
    assert "line\\none.txt" in err and len(err.splitlines()) == 1
    assert "tab\\there.txt:1" in out
