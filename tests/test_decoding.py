"""Guessing the encoding of real Russian prose, and saying when a guess is doubtful.

``texts/prose.txt`` holds lines of Russian classics (public domain), with the
guillemets, dashes, ellipses, capital «Я» and «ё» that made long news articles in cp1251
read as Latin-1. ``bench/decoding.py`` measures the same on a thousand news articles.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.decoding import decode, read_text
from indexer.errors import UnreadableFileError

PROSE = (Path(__file__).resolve().parent / "texts" / "prose.txt").read_text(encoding="utf-8")
LINES = PROSE.splitlines()
# Python's names; "utf-16" writes a byte-order mark, "utf-16-le" and "-be" do not.
UNICODE = ["utf-8", "utf-16", "utf-16-le", "utf-16-be"]
CODE_PAGES = ["cp1251", "koi8-r", "cp866", "mac-cyrillic"]
ENCODINGS = UNICODE + CODE_PAGES


def saved(text: str, encoding: str) -> tuple[bytes, str]:
    """The bytes of ``text`` saved in ``encoding`` (a character the code page lacks
    becomes «?», as an editor saving it would do) and the text they stand for."""
    data = text.encode(encoding, errors="replace")
    return data, data.decode(encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_the_whole_text_is_read_right_in_each_encoding(encoding: str) -> None:
    data, text = saved(PROSE, encoding)
    decoded = read_text(data)
    assert decoded.text == text
    assert not decoded.doubtful


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("line", LINES, ids=[f"line{n}" for n in range(1, len(LINES) + 1)])
def test_each_sentence_alone_is_read_right(line: str, encoding: str) -> None:
    data, text = saved(line, encoding)
    assert decode(data) == text


def test_long_cp1251_with_quotes_and_dashes_is_not_read_as_latin1() -> None:
    # The news article shape: capital «Я», «ё», guillemets and dashes over several
    # paragraphs; Latin-1 read it as «Ãîâîðèëè, ÷òî íà íàáåðåæíîé».
    data, text = saved("\n".join(LINES[3:9]) * 3, "cp1251")
    assert read_text(data) == read_text(text.encode("cp1251"))
    assert read_text(data).encoding == "cp1251"
    assert decode(data) == text


def test_a_text_in_an_alphabet_we_do_not_read_is_doubtful() -> None:
    greek = "Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο. " * 5
    decoded = read_text(greek.encode("cp1253"))
    assert decoded.doubtful
    assert decoded.encoding != "utf-8"


def test_utf8_and_plain_ascii_are_never_doubtful() -> None:
    assert not read_text("Η γρήγορη καφέ αλεπού".encode()).doubtful
    assert read_text(b"plain ASCII text") == read_text(b"plain ASCII text")
    assert not read_text(b"plain ASCII text").doubtful


@pytest.mark.parametrize(
    ("start", "end"), [(0, -1), (0, -2), (1, None), (1, -1)], ids=["1", "2", "head", "both"]
)
def test_a_short_utf8_text_cut_inside_a_character_stays_utf8(start: int, end: int | None) -> None:
    data = "Ёлка, мир —".encode()[start:end]  # «Ё» and «—» are two and three bytes
    decoded = read_text(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.strip("\ufffd") in "Ёлка, мир —"
    assert decoded.text.count("\ufffd") == (start > 0) + (end is not None)


@pytest.mark.parametrize("cut", [1, 3])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_cut_inside_a_character_stays_utf16(encoding: str, cut: int) -> None:
    text = LINES[8] + " 😀"  # the last character is two UTF-16 units
    decoded = read_text(text.encode(encoding)[:-cut])
    assert decoded.text == text[:-1] + "\ufffd"
    assert not decoded.doubtful


def test_ascii_with_one_high_byte_at_the_end_is_a_code_page_not_cut_utf8() -> None:
    # «Я» in cp1251 starts a UTF-8 character too, but with no character beyond ASCII
    # before it, a code page is likelier.
    assert read_text(b"Rossiya i " + "Я".encode("cp1251")).encoding != "utf-8"


def test_random_bytes_are_still_refused() -> None:
    with pytest.raises(UnreadableFileError):
        decode(bytes(range(256)) * 8)


def test_a_doubtful_file_is_indexed_with_a_warning_naming_it(capsys, tmp_path: Path) -> None:
    from indexer import Index
    from indexer.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_bytes(PROSE.encode("koi8-r", errors="replace"))
    greek = "Η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο. " * 5
    (docs / "greek.txt").write_bytes(greek.encode("cp1253"))
    with Index(tmp_path / "ix") as index:
        report = index.sync([docs])
        assert len(report.added) == 2 and report.skipped == ()
        (warned,) = report.warnings
        assert warned[0] == str(docs / "greek.txt") and "encoding may be wrong" in warned[1]
    (docs / "greek.txt").write_bytes(greek.encode("cp1253") * 2)
    assert main(["Облонских", str(docs), "--index", str(tmp_path / "ix"), "--quiet"]) == 0
    assert "warning: " in (err := capsys.readouterr().err) and "greek.txt" in err
