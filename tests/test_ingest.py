"""Reading files: encodings, binary data, paragraphs, walking folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ARTICLE
from indexer.decoding import decode
from indexer.errors import SourceNotFoundError, UnreadableFileError
from indexer.ingest import source_root, split_paragraphs, walk

TEXT = ARTICLE.read_text(encoding="utf-8")
FIRST = TEXT.splitlines()[0]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1251", "koi8-r", "cp866"]
)
def test_russian_text_in_each_common_encoding(encoding: str) -> None:
    assert decode(TEXT.encode(encoding)) == TEXT


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_a_single_short_sentence_is_decoded_too(encoding: str) -> None:
    sentence = "Переговоры в Женеве продолжились."
    assert decode(sentence.encode(encoding)) == sentence


def test_windows_line_endings_become_newlines() -> None:
    assert decode("одна\r\nдве\rтри".encode()) == "одна\nдве\nтри"


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n" + bytes(200) + os.urandom(500)],
    ids=["all-bytes", "png"],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(UnreadableFileError):
        decode(data)


# text                                   paragraphs, separated by ||
PARAGRAPHS = [
    ("Строка один.\nСтрока два.\n", "Строка один.||Строка два."),
    ("Абзац\nпродолжается.\n\nВторой абзац.", "Абзац\nпродолжается.||Второй абзац."),
    ("\n\n  Отступ.  \n   \n\n\nКонец.\n\n", "Отступ.||Конец."),
    ("Одна строка без перевода", "Одна строка без перевода"),
    ("   \n\n", ""),
    # A book with indented first lines: blank lines only between chapters.
    (
        "     Жил старик со своею старухой\nу самого синего моря.\n     Старик ловил неводом"
        "\nрыбу.\n\n\tГлава вторая.\n\tВ первый раз закинул он невод,\nпришёл невод с тиной.",
        "Жил старик со своею старухой\nу самого синего моря.||Старик ловил неводом\nрыбу."
        "||Глава вторая.||В первый раз закинул он невод,\nпришёл невод с тиной.",
    ),
    # A hanging indent continues its line; a block indented throughout is one paragraph.
    (
        "Список:\n- пункт\n  его продолжение\n\nКонец.",
        "Список:\n- пункт\n  его продолжение||Конец.",
    ),
    (
        "  Цитата в отступе,\n  вторая строка.\n\nКонец.",
        "Цитата в отступе,\n  вторая строка.||Конец.",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PARAGRAPHS)
def test_paragraphs(text: str, expected: str) -> None:
    assert split_paragraphs(text) == (expected.split("||") if expected else [])


def test_the_article_has_a_paragraph_per_line() -> None:
    assert split_paragraphs(TEXT)[0] == FIRST
    assert len(split_paragraphs(TEXT)) == 11


def test_walk_reads_text_files_in_order_and_skips_hidden_and_index(tmp_path: Path) -> None:
    for name in ["b.txt", "a.md", "c.pdf", ".hidden.txt", "sub/d.TXT", ".git/e.txt", "idx/f.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("текст")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    found = walk([str(tmp_path)], skip=str(tmp_path / "idx"))
    names = [os.path.relpath(p, tmp_path) for p in found.files]
    assert names == ["a.md", "b.txt", os.path.join("sub", "d.TXT")]
    assert found.problems == [(str(tmp_path / "broken.txt"), "broken symlink")]


def test_missing_paths_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="огня"):
        source_root(str(tmp_path / "огня"))
