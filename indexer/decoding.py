"""Bytes of a text file to text: the encoding guessed, newlines made ``\\n``.

Russian text comes in UTF-8 and UTF-16, but also in the single-byte code pages of three
decades (cp1251, koi8-r, cp866) that are easy to confuse with each other.
"""

from __future__ import annotations

import re

from .errors import UnreadableFileError

# Single-byte code pages that charset-normalizer confuses on short texts: Russian in
# cp1251, koi8-r and cp866 (DOS), and Western European text in cp1252.
_CONFUSABLE_CODEPAGES = ("cp1251", "koi8_r", "cp866", "cp1252")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# A lower-case letter after a lower-case letter of the same alphabet: frequent in any
# correctly decoded text, rare when a wrong code page scrambles letters and case.
_WORD_INNER_LOWER = re.compile(r"(?<=[а-яё])[а-яё]|(?<=[a-zß-ÿ])[a-zß-ÿ]")
_CYRILLIC_INNER_LOWER = re.compile(r"(?<=[а-яё])[а-яё]")
_EUROPEAN = re.compile(r"[\t\n\r\x20-\u052f\u2000-\u206f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# The encoding a document declares in its first bytes: an XML declaration (FB2, XHTML)
# or an HTML <meta> tag.
_DECLARED_ENCODING = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)|<meta[^>]*?charset\s*=\s*["']?([\w.:-]+)""",
    re.IGNORECASE,
)


def decode(data: bytes) -> str:
    """Decode the bytes of a text file, guessing its encoding; newlines become ``\\n``.

    UTF-8, and UTF-16/32 with a byte-order mark, are recognised directly. Other bytes
    go to charset-normalizer; among its guess and the single-byte code pages it often
    confuses on short texts (cp1251, koi8-r, cp866, cp1252), the reading with the most
    ordinary lower-case words wins.

    >>> decode("Привет".encode("koi8-r"))
    'Привет'

    :raises UnreadableFileError: for binary data or text in no known encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try_decode(data, encoding)
            if text is None:
                raise UnreadableFileError(f"not valid {encoding}")
            return _as_text(text)
    text = _try_decode(data, "utf-8")
    if text is None:
        text = _nearly_utf8(data)
    if text is not None and not _looks_binary(text):
        return _as_text(text)
    text = _try_utf16_without_bom(data)
    if text is not None:
        return _as_text(text)

    import charset_normalizer

    guess = charset_normalizer.from_bytes(
        data, cp_isolation=[*_CONFUSABLE_CODEPAGES, "cp1125", "latin_1", "iso8859_5"]
    ).best()
    if guess is None:
        raise UnreadableFileError("binary data or an unknown encoding")
    text = _most_wordlike(data, str(guess))
    if text is None or _looks_binary(text):
        raise UnreadableFileError("binary data, not text")
    return _as_text(text)


def decode_markup(data: bytes) -> str:
    """Decode an HTML page or an FB2 book: as UTF-8 when it is, else in the encoding it
    declares (FB2 books are often ``windows-1251``) unless a code page often confused
    with it reads as more ordinary words, else as :func:`decode` guesses.

    :raises UnreadableFileError: for binary data or text in no known encoding.
    """
    declared = _DECLARED_ENCODING.search(data[:4096])
    if (
        declared
        and not data.startswith(tuple(bom for bom, _ in _BOMS))
        and _try_decode(data, "utf-8") is None
        and _nearly_utf8(data) is None
    ):
        name = (declared.group(1) or declared.group(2)).decode("ascii")
        text = _most_wordlike(data, _try_decode(data, name))
        if text is not None and not _looks_binary(text):
            return _as_text(text)
    return decode(data)


def _nearly_utf8(data: bytes) -> str | None:
    # A UTF-8 text with a stray byte or two (a character from another code page pasted
    # in, a file cut in the middle of a character) is still UTF-8: reading it in some
    # code page, or skipping it, would lose all of it rather than those bytes.
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    others = len(text) - len(text.encode("ascii", "ignore")) - broken
    return text if broken and broken * 100 <= others else None


def _as_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    return len(_CONTROL.findall(text)) > len(text) // 100


def _try_utf16_without_bom(data: bytes) -> str | None:
    # UTF-16 puts zero bytes (or, for Cyrillic, 0x04) beside every character, on the
    # side that gives the byte order. Binary data decoded this way yields characters
    # from all over Unicode instead of European scripts.
    if len(data) % 2:
        return None
    odd = data[1::2]
    encoding = "utf-16-le" if odd.count(0) + odd.count(4) > len(data) // 4 else "utf-16-be"
    text = _try_decode(data, encoding)
    if text is None or len(_EUROPEAN.findall(text)) < 0.95 * len(text) or _looks_binary(text):
        return None
    return text


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):  # LookupError: an encoding Python lacks
        return None


def _most_wordlike(data: bytes, first: str | None) -> str | None:
    """Of ``first`` (a reading found otherwise) and the readings in the code pages
    often confused, the one with the most ordinary words; ``first`` wins a tie."""
    readings = [first, *(_try_decode(data, code) for code in _CONFUSABLE_CODEPAGES)]
    return max((r for r in readings if r is not None), key=_word_likeness, default=None)


def _word_likeness(text: str) -> tuple[int, int]:
    # Russian in Latin-1 (Ñòîðîíû) has as many letter pairs as in cp1251: on a tie
    # the Cyrillic reading wins.
    return len(_WORD_INNER_LOWER.findall(text)), len(_CYRILLIC_INNER_LOWER.findall(text))
