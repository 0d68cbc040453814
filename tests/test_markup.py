"""HTML pages and FictionBook books: their paragraphs, encodings, zipped books, broken markup."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.errors import UnreadableFileError
from indexer.ingest import document_paragraphs, walk
from indexer.markup import markup_paragraphs

FORMATS = Path(__file__).resolve().parent / "formats"
PAGE = FORMATS / "news_page.html"
BOOK = FORMATS / "winter_morning.fb2"

PAGE_PARAGRAPHS = [
    "Лавров и Керри обсудили прекращение огня в Сирии",
    "В среду, 24 февраля, состоялись телефонные переговоры главы МИД России Сергея Лаврова"
    " и государственного секретаря США Джона Керри.",
    "Главы внешнеполитических ведомств продолжили обсуждение координации усилий по"
    " прекращению боевых действий в Сирии — сообщает МИД.",
    "«Стороны договорились о дальнейших контактах»,\nотметили в ведомстве.",
    "Перемирие в Арабской Республике должно начаться с 27 февраля",
    "© 2016 Редакция",
]
BOOK_PARAGRAPHS = [
    "Александр Пушкин",
    "Зимнее утро",
    "Мороз и солнце; день чудесный!",
    "Мороз и солнце; день чудесный!\nЕще ты дремлешь, друг прелестный —\n"
    "Пора, красавица, проснись:\nОткрой сомкнуты негой взоры",
    "Вечор, ты помнишь, вьюга злилась,\nНа мутном небе мгла носилась;",
    "Стихотворение написано 3 ноября 1829 года в селе Павловском[1].",
    "1",
    "Имение Вульфов в Тверской губернии.",
]


def test_a_page_gives_its_text_without_head_scripts_or_menus() -> None:
    # The last <p> is never closed: the end of the article still ends it.
    assert document_paragraphs(str(PAGE), PAGE.read_bytes()) == PAGE_PARAGRAPHS


def test_a_book_in_its_declared_code_page_gives_titles_verses_and_notes() -> None:
    data = BOOK.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    # Stanzas keep their lines together; the description and the cover picture are
    # not text.
    assert document_paragraphs(str(BOOK), data) == BOOK_PARAGRAPHS


def test_a_zipped_book_reads_as_the_book(tmp_path: Path) -> None:
    zipped = tmp_path / "winter_morning.fb2.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(BOOK, BOOK.name)
    assert document_paragraphs(str(zipped), zipped.read_bytes()) == BOOK_PARAGRAPHS


def test_a_broken_or_bookless_zip_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="zip"):
        document_paragraphs("book.fb2.zip", BOOK.read_bytes()[:200])
    empty = tmp_path / "notes.fb2.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "Не книга")
    with pytest.raises(UnreadableFileError, match=r"no \.fb2 book"):
        document_paragraphs(str(empty), empty.read_bytes())


def test_a_declaration_does_not_override_valid_utf8() -> None:
    page = '<meta charset="windows-1251"><p>Переговоры в Женеве</p>'
    assert document_paragraphs("page.html", page.encode("utf-8")) == ["Переговоры в Женеве"]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_an_undeclared_code_page_is_guessed(encoding: str) -> None:
    page = "<p>Стороны договорились о прекращении огня.</p><p>Переговоры продолжатся.</p>"
    assert document_paragraphs("page.htm", page.encode(encoding)) == [
        "Стороны договорились о прекращении огня.",
        "Переговоры продолжатся.",
    ]


def test_an_unknown_declared_encoding_falls_back_to_guessing() -> None:
    page = '<?xml version="1.0" encoding="x-no-such"?><p>Зимнее утро</p>'
    assert document_paragraphs("book.fb2", page.encode("cp1251")) == ["Зимнее утро"]


def test_a_page_whose_head_is_never_closed_keeps_its_body() -> None:
    page = "<html><head><title>Сайт<body><p>Текст статьи.</p><p>Второй абзац."
    assert markup_paragraphs(page) == ["Текст статьи.", "Второй абзац."]


def test_preformatted_text_is_split_like_a_plain_text_file() -> None:
    # lib.ru keeps whole books in one <pre>, paragraphs separated by blank lines.
    page = "<pre>Глава первая\n\nЖил-был  старик\nсо своею старухой.\n\nУ самого синего моря.</pre>"
    assert markup_paragraphs(page) == [
        "Глава первая",
        "Жил-был  старик\nсо своею старухой.",
        "У самого синего моря.",
    ]


@given(st.text(alphabet=st.characters(blacklist_characters="<&\x00", codec="utf-8")))
def test_text_in_a_paragraph_comes_back_with_its_spaces_collapsed(text: str) -> None:
    expected = [" ".join(text.split())] if text.split() else []
    assert markup_paragraphs(f"<p>{text}</p>") == expected


@given(st.text(alphabet="<>/&;#pbrv =\"'!-абв xyz\n"))
def test_any_markup_is_read_without_an_error(text: str) -> None:
    for paragraph in markup_paragraphs(text):
        assert paragraph.strip() == paragraph != ""


def test_a_folder_of_pages_and_books_is_searchable(tmp_path: Path) -> None:
    from indexer import Index

    docs = tmp_path / "library"
    shutil.copytree(FORMATS, docs)
    with zipfile.ZipFile(docs / "copy.fb2.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(BOOK, "copy.fb2")
    (docs / "broken.fb2.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (docs / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))

    found = walk([str(docs)])
    assert sorted(Path(p).name for p in found.files) == [
        "broken.fb2.zip",
        "copy.fb2.zip",
        "news_page.html",
        "winter_morning.fb2",
    ]
    with Index(tmp_path / "index") as index:
        report = index.sync([str(docs)])
        assert [Path(path).name for path, _ in report.skipped] == ["broken.fb2.zip"]
        hits = index.search("мгла")  # «мгла носилась» in a stanza
        assert sorted(Path(hit.source).name for hit in hits) == [
            "copy.fb2.zip",
            "winter_morning.fb2",
        ]
        assert hits[0].text == BOOK_PARAGRAPHS[4]
        (hit,) = index.search("перемирия")
        assert (Path(hit.source).name, hit.paragraph) == ("news_page.html", 5)
        assert not index.search("реклама")  # a script's text is not indexed
