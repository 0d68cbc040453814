"""HTML pages and FictionBook books: their paragraphs, encodings, zipped books, broken markup."""

from __future__ import annotations

import contextlib
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
    "Стихотворение написано 3 ноября 1829 года в селе Павловском [1].",
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


@given(st.text(alphabet="<>/&;#[]!?:pbrvhead =\"'-абв xyz\n"))
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


# markup                                                   paragraphs, separated by ||
SHAPES = [
    ("<p>Первый</p><![ if !IE ]><p>Второй</p>", "Первый||Второй"),
    ("<p>Текст<![CDATA[ и данные]]></p>", "Текст и данные"),
    (
        "<div>Первый.<br><br>Второй.<br/> <br/>Третий.<br>строка</div>",
        "Первый.||Второй.||Третий.\nстрока",
    ),
    ("<p>в селе Павловском<sup>1</sup>.</p>", "в селе Павловском 1."),
    ("<table><tr><td>Москва</td><td>Париж</td></tr><tr><td>1</td></tr></table>", "Москва Париж||1"),
    ("<center>Заголовок</center>Перемирие", "Заголовок||Перемирие"),
    ("<html><head><title>Сайт</title><p>Текст без body", "Текст без body"),
    ("<nav><p>Меню<p>Статья, которую никто не закрыл", "Меню||Статья, которую никто не закрыл"),
    ("<pre/><p>Слова\n\n  через пробелы</p>", "Слова через пробелы"),
    ("<textarea>поле ввода</textarea><p>Текст</p>", "Текст"),
    (
        "<fb:FictionBook><fb:description><fb:p>Аннотация издателя</fb:p></fb:description>"
        "<fb:body><fb:p>Глава</fb:p></fb:body></fb:FictionBook>",
        "Глава",
    ),
    (
        "<FictionBook><stylesheet>p {color: red}</stylesheet><body><p>Было <style"
        ' name="bold"><emphasis>очень</emphasis> холодно</style>.</p></body></FictionBook>',
        "Было очень холодно.",
    ),
    (
        '<p>Сноска<a l:href="#n1" type="note">[1]</a>, ссылка <a href="/x">здесь</a>.</p>',
        "Сноска [1], ссылка здесь.",
    ),
]


@pytest.mark.parametrize(("markup", "expected"), SHAPES)
def test_shapes_of_real_pages_and_books(markup: str, expected: str) -> None:
    assert markup_paragraphs(markup) == expected.split("||")


TEXT = "Стороны договорились о прекращении огня и продолжат переговоры в Женеве."


@pytest.mark.parametrize(
    ("declared", "actual"),
    [
        ("windows-1251", "cp1251"),
        ("koi8-r", "koi8-r"),
        ("iso-8859-1", "cp1251"),
        ("koi8-r", "cp1251"),
        ("windows-1251", "koi8-r"),
        ("cp866", "cp1251"),
        ("utf-16", "cp1251"),
    ],
)
def test_a_declared_encoding_is_believed_only_when_it_reads_as_words(
    declared: str, actual: str
) -> None:
    page = f'<meta http-equiv="Content-Type" content="text/html; charset={declared}"><p>{TEXT}'
    data = page.encode(actual)
    assert document_paragraphs("page.html", data + b" " * (len(data) % 2)) == [TEXT]


@pytest.mark.parametrize("name", ["page.html", "page.txt"])
def test_utf8_with_a_stray_byte_is_read_as_utf8(name: str) -> None:
    # A «guillemet» pasted from a cp1251 file: one character lost, not the document.
    data = (TEXT * 3).encode("utf-8") + "«".encode("cp1251") + TEXT.encode("utf-8")
    (paragraph,) = document_paragraphs(name, data)
    assert paragraph == TEXT * 3 + "\ufffd" + TEXT


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path.read_bytes()


def test_a_zip_keeps_its_readable_books_and_ignores_finders_extras(tmp_path: Path) -> None:
    data = _zip(
        tmp_path / "books.fb2.zip",
        {
            "__MACOSX/._winter_morning.fb2": bytes(range(256)) * 4,
            "winter_morning.fb2": BOOK.read_bytes(),
            "broken.fb2": bytes(range(256)) * 4,
        },
    )
    assert document_paragraphs("books.fb2.zip", data) == BOOK_PARAGRAPHS


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_damaged_zip_is_only_ever_unreadable(tmp_path: Path, method: int) -> None:
    import random

    data = _zip(tmp_path / "book.fb2.zip", {"book.fb2": BOOK.read_bytes() * 20}, method)
    rng = random.Random(method)
    for _ in range(60):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        with contextlib.suppress(UnreadableFileError):  # and nothing else
            document_paragraphs("book.fb2.zip", bytes(damaged))


def test_a_zip_that_unpacks_too_big_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexer.ingest

    monkeypatch.setattr(indexer.ingest, "MAX_UNZIPPED_BYTES", 1000)
    data = _zip(tmp_path / "bomb.fb2.zip", {"bomb.fb2": b"<p>" + b"a" * 5000 + b"</p>"})
    with pytest.raises(UnreadableFileError, match="more than"):
        document_paragraphs("bomb.fb2.zip", data)


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html", "empty.fb2"])
def test_an_empty_file_has_no_paragraphs(name: str) -> None:
    assert document_paragraphs(name, b"") == []
