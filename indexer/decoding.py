"""Bytes of a text file to text: the encoding guessed, newlines made ``\\n``.

Russian text comes in UTF-8 and UTF-16, but also in the single-byte code pages of three
decades (cp1251, koi8-r, cp866, mac-cyrillic) that are easy to confuse with each other.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .errors import UnreadableFileError

# Single-byte code pages that charset-normalizer confuses on short texts: Russian in
# cp1251, koi8-r, cp866 (DOS) and mac-cyrillic, and Western European text in cp1252.
_CONFUSABLE_CODEPAGES = ("cp1251", "koi8_r", "cp866", "mac_cyrillic", "cp1252")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Ordinary words: Russian ones, or Latin ones (Western European accents allowed), lower
# case after an optional capital, between spaces, ASCII punctuation or markup, and the
# quotes and dashes of Russian typography. A wrong code page scrambles letters and their
# case and mixes in letters of other alphabets and symbols («поЯснЯЯ», «Њосква»,
# «июл€», «Ãîâîðèëè»): such words are not counted.
_NOT_BETWEEN_WORDS = r"[^\s\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e«»„“”‘’‐–—…]"
_LETTERS_AROUND = f"(?<!{_NOT_BETWEEN_WORDS})(?:{{}})(?!{_NOT_BETWEEN_WORDS})"
_RUSSIAN_WORD = re.compile(_LETTERS_AROUND.format("[А-ЯЁа-яё][а-яё]+"))
_LATIN_WORD = re.compile(_LETTERS_AROUND.format("[A-Za-zÀ-ÖØ-Þ][a-zß-öø-ÿ]+"))
_LETTER = re.compile(r"[^\W\d_]")
_EUROPEAN = re.compile(r"[\t\n\r\x20-\u052f\u2000-\u206f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
#: How much of a long file its possible readings are compared on.
_SAMPLE_BYTES = 1 << 14
# The encoding a document declares in its first bytes: an XML declaration (FB2, XHTML)
# or an HTML <meta> tag.
_DECLARED_ENCODING = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)|<meta[^>]*?charset\s*=\s*["']?([\w.:-]+)""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Decoded:
    """The text of a file and how it was read."""

    text: str
    #: The encoding it was read in (a Python codec name).
    encoding: str
    #: The encoding was guessed, most bytes are beyond ASCII, and yet few of the
    #: letters read make ordinary Russian words: the guess may well be wrong.
    doubtful: bool = False


def decode(data: bytes) -> str:
    """Decode the bytes of a text file, guessing its encoding; newlines become ``\\n``.

    UTF-8, and UTF-16/32 with a byte-order mark, are recognised directly. Other bytes
    go to charset-normalizer; among its guess and the single-byte code pages it often
    confuses (cp1251, koi8-r, cp866, mac-cyrillic, cp1252), the reading with the most
    letters in ordinary words wins, the commoner code page on a tie.

    >>> decode("Привет".encode("koi8-r"))
    'Привет'

    :raises UnreadableFileError: for binary data or text in no known encoding.
    """
    return read_text(data).text


def decode_markup(data: bytes) -> str:
    """Decode an HTML page or an FB2 book: as UTF-8 when it is, else in the encoding it
    declares (FB2 books are often ``windows-1251``) unless a code page often confused
    with it reads as more ordinary words, else as :func:`decode` guesses.

    :raises UnreadableFileError: for binary data or text in no known encoding.
    """
    return read_text(data, markup=True).text


def read_text(data: bytes, *, markup: bool = False) -> Decoded:
    """:func:`decode` (or with ``markup``, :func:`decode_markup`), saying which encoding
    was used and whether the reading is doubtful.

    >>> read_text("Переговоры в Женеве".encode("cp1251"))
    Decoded(text='Переговоры в Женеве', encoding='cp1251', doubtful=False)

    :raises UnreadableFileError: for binary data or text in no known encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode_to_the_cut(data, encoding)
            if text is None:
                raise UnreadableFileError(f"not valid {encoding}")
            return Decoded(_as_text(text), encoding)
    text = _try_decode(data, "utf-8")
    if text is None:
        text = _nearly_utf8(data)
    if text is not None and not _looks_binary(text):
        return Decoded(_as_text(text), "utf-8")
    declared = _DECLARED_ENCODING.search(data[:4096]) if markup else None
    if declared and text is None:
        name = (declared.group(1) or declared.group(2)).decode("ascii")
        chosen = _most_wordlike(data, declared=name)
        if chosen is not None:
            return _guessed(data, *chosen)
    utf16 = _try_utf16_without_bom(data)
    if utf16 is not None:
        return _guessed(data, *utf16)

    import charset_normalizer

    guess = charset_normalizer.from_bytes(
        data,
        cp_isolation=[*_CONFUSABLE_CODEPAGES, "cp1125", "latin_1", "iso8859_5"],
    ).best()
    chosen = _most_wordlike(data, guessed=guess.encoding if guess else None)
    if chosen is None:
        raise UnreadableFileError("binary data or an unknown encoding")
    return _guessed(data, *chosen)


def _guessed(data: bytes, text: str, encoding: str) -> Decoded:
    # Russian in a single-byte code page is mostly bytes beyond ASCII, and read right,
    # most of its letters make words of the dictionary (or Latin words). Gibberish in
    # Russian letters (Greek read as mac-cyrillic: «гсёгпсз кбцЁ») and text in another
    # alphabet are doubtful: in a Russian index likelier a wrong guess than not.
    sample = data[:_SAMPLE_BYTES]
    if len(_HIGH_BYTE.findall(sample)) * 4 <= len(sample):
        return Decoded(_as_text(text), encoding)
    from .morphology import get_morph

    start = text[:_SAMPLE_BYTES]
    known = get_morph().word_is_known
    real = sum(len(word) for word in _RUSSIAN_WORD.findall(start) if known(word.lower()))
    real += _latin_letters(start)
    return Decoded(_as_text(text), encoding, real * 2 < len(_LETTER.findall(start)))


def _nearly_utf8(data: bytes) -> str | None:
    # A UTF-8 text with a stray byte or two (a character from another code page pasted
    # in), or cut in the middle of a character at either end, is still UTF-8: reading
    # it in some code page, or skipping it, would lose all of it rather than those bytes.
    cut = _cut_utf8(data)
    if cut is not None:
        return cut
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    others = len(text) - len(text.encode("ascii", "ignore")) - broken
    return text if broken and broken * 100 <= others else None


def _cut_utf8(data: bytes) -> str | None:
    # At most three continuation bytes before the first character and an unfinished
    # character after the last; in between valid UTF-8 with characters beyond ASCII
    # (bytes that are ASCII but for an end byte are likelier a code page's).
    start = 0
    while start < min(3, len(data)) and 0x80 <= data[start] < 0xC0:
        start += 1
    text = _decode_to_the_cut(data[start:], "utf-8")
    if text is None or text.removesuffix("\ufffd").isascii():
        return None
    return "\ufffd" * bool(start) + text


def _decode_to_the_cut(data: bytes, encoding: str) -> str | None:
    # A file cut inside its last character (by a download, by ``head -c``) has all the
    # others: that character is shown as �.
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        text = decoder.decode(data, final=False)
    except UnicodeError:
        return None
    return text + "\ufffd" if decoder.getstate()[0] else text


def _as_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    return len(_CONTROL.findall(text)) > len(text) // 100


def _try_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    # UTF-16 puts zero bytes (or, for Cyrillic, 0x04) beside every character, on the
    # side that gives the byte order. Binary data decoded this way yields characters
    # from all over Unicode instead of European scripts.
    odd = data[1::2]
    encoding = "utf-16-le" if odd.count(0) + odd.count(4) > len(data) // 4 else "utf-16-be"
    text = _decode_to_the_cut(data, encoding)
    if text is None or len(_EUROPEAN.findall(text)) < 0.95 * len(text) or _looks_binary(text):
        return None
    return text, encoding


def _try_decode(data: bytes, encoding: str, *, final: bool = True) -> str | None:
    # Not ``final``: the bytes are the start of a file, maybe cut inside a character.
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except (UnicodeError, LookupError):  # LookupError: an encoding Python lacks
        return None


def _most_wordlike(
    data: bytes, *, declared: str | None = None, guessed: str | None = None
) -> tuple[str, str] | None:
    """Of the readings in the encoding a document ``declared``, in the code pages often
    confused and in the one charset-normalizer ``guessed``, the one with the most
    ordinary words, and its encoding. None when every reading looks binary.

    On a tie the reading with the fewest letters wins: the tied readings share their
    ordinary words, and a letter elsewhere stands where a symbol belongs (the Ukrainian
    cp1125 has «Ї» where cp866 has «°»); then the first in that order: what a document
    says of itself, then the code pages Russian text is most often in. Readings are
    compared on the start of a long file: a code page reads a byte the same way all
    through it.
    """
    sample = data[:_SAMPLE_BYTES]
    whole = len(sample) == len(data)
    scored = []
    candidates = [declared, *_CONFUSABLE_CODEPAGES, guessed]
    for encoding in dict.fromkeys(name for name in candidates if name):
        text = _try_decode(sample, encoding, final=whole)
        if text is not None and not _looks_binary(text):
            scored.append((_word_likeness(text), text, encoding))
    scored.sort(key=lambda reading: reading[0], reverse=True)
    tied = [reading for reading in scored if reading[0] == scored[0][0]]
    tied.sort(key=lambda reading: len(_LETTER.findall(reading[1])))
    for _, text, encoding in [*tied, *scored[len(tied) :]]:
        if whole:
            return text, encoding
        read = _try_decode(data, encoding)
        if read is not None and not _looks_binary(read):
            return read, encoding
    return None


def _word_likeness(text: str) -> tuple[int, int]:
    # The letters of ordinary words, then those of Russian ones.
    russian = sum(len(word) for word in _RUSSIAN_WORD.findall(text))
    return russian + _latin_letters(text), russian


def _latin_letters(text: str) -> int:
    # Only the ASCII letters of a Latin word count, or Russian read as Latin-1
    # («Ãîâîðèëè») would count as much as in cp1251.
    return sum(sum(char.isascii() for char in word) for word in _LATIN_WORD.findall(text))
