"""Exact word forms and prefixes, checked in a paragraph's stored text.

The embedded index holds lemmas only: a field of surface forms would double its size and
build time (measured: 12.2 → 29.5 MB and 0.82 → 0.58 MB/s on 500 news articles, against
15.7 MB and 1.15 MB/s for lemmas alone). So ``=Россия`` is searched by its lemmas and
the candidates are kept if their text has that very form; a prefix likewise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analysis import QUERY, clean_word, fold_lookalikes
from .morphology import fold_yo

_LETTER = r"[^\W_]"
# Stress marks or soft hyphens inside words, or Latin look-alikes beside Cyrillic letters
# («Москвa»): words the analysis reads otherwise than their letters.
_NEEDS_TOKENIZER = re.compile(
    r"[\u0300-\u036f\u00ad]|[а-яё][a-z\u00c0-\u024f]|[a-z\u00c0-\u024f][а-яё]", re.IGNORECASE
)
# Runs of the letters and marks any match of _NEEDS_TOKENIZER holds one of: scanning a
# whole paragraph with that pattern costs tens of microseconds (three classes tried at
# every character), and most Russian text has no such letter, or a few runs of them.
_LATIN_OR_MARKS = re.compile(r"[a-z\u00c0-\u024f\u0300-\u036f\u00ad]+", re.IGNORECASE)


def _needs_tokenizer(text: str) -> bool:
    """Whether ``text`` has a word the analysis reads otherwise than its letters: a
    stress mark or soft hyphen, or Latin letters beside Cyrillic ones."""
    return any(
        _NEEDS_TOKENIZER.search(text, max(0, run.start() - 1), run.end() + 1)
        for run in _LATIN_OR_MARKS.finditer(text)
    )


def surface_form(word: str) -> str:
    """How word forms are compared: lower case, ё folded, accents and soft hyphens gone,
    Latin look-alikes in a Cyrillic word read as Cyrillic.

    >>> surface_form("Ёлки"), surface_form("за\u0301мок"), surface_form("Москвa")
    ('елки', 'замок', 'москва')
    """
    return fold_yo(fold_lookalikes(clean_word(word)).lower())


def _letters(form: str) -> str:
    return "".join("[её]" if c == "е" else re.escape(c) for c in form)


def _form_regex(form: str, prefix: bool) -> re.Pattern[str]:
    end = "" if prefix else rf"(?!{_LETTER})"
    return re.compile(rf"(?<!{_LETTER}){_letters(form)}{end}", re.IGNORECASE)


@dataclass(frozen=True)
class FormCheck:
    """Whether a text has a word of exactly this form, or starting with it (``prefix``).

    >>> FormCheck("россия")("Песков: Россия сконцентрирована"), FormCheck("россия")("в России")
    (True, False)
    >>> FormCheck("перегов", prefix=True)("Переговоры состоялись")
    True
    """

    form: str
    prefix: bool = False
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _anywhere: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _form_regex(self.form, self.prefix))
        # The form's letters, inside words too: found several times faster than by the
        # regex, which looks behind at every character, and most texts lack them.
        object.__setattr__(self, "_anywhere", re.compile(_letters(self.form), re.IGNORECASE))

    def __str__(self) -> str:
        return f"«{self.form}*»" if self.prefix else f"«={self.form}»"

    def __call__(self, text: str) -> bool:
        if _needs_tokenizer(text):
            found = (surface_form(w.text) for w in QUERY(text))
            if self.prefix:
                return any(f.startswith(self.form) for f in found)
            return self.form in found
        return self._anywhere.search(text) is not None and self._regex.search(text) is not None


@dataclass(frozen=True)
class PhraseCheck:
    """Whether a text has these exact forms next to each other (or within ``slop``)."""

    forms: tuple[str, ...]
    slop: int | None = None

    def __str__(self) -> str:
        return f'«="{" ".join(self.forms)}"»'

    def __call__(self, text: str) -> bool:
        found = [surface_form(w.text) for w in QUERY(text)]
        n = len(self.forms)
        if self.slop is None:
            return any(tuple(found[i : i + n]) == self.forms for i in range(len(found) - n + 1))
        # Within slop: every form inside one window of n + slop * (n - 1) words.
        width = n + self.slop * (n - 1)
        return any(
            all(form in found[i : i + width] for form in self.forms)
            for i in range(max(1, len(found) - width + 1))
        )
