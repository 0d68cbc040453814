"""Exact word forms and prefixes, checked in a paragraph's stored text.

The index holds lemmas only: a field of surface forms would double its size and build
time (measured: 12.2 → 29.5 MB and 0.82 → 0.58 MB/s on 500 news articles, against
15.7 MB and 1.15 MB/s for lemmas alone). So ``=Россия`` is searched by its lemmas and
the candidates are kept if their text has that very form; a prefix likewise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from whoosh import query
from whoosh.matching import FilterMatcher

from .analysis import clean_word, words
from .morphology import fold_yo
from .schema import CONTENT

_LETTER = r"[^\W_]"
_NEEDS_TOKENIZER = re.compile(r"[\u0300-\u036f\u00ad]")


def surface_form(word: str) -> str:
    """How word forms are compared: lower case, ё folded, accents and soft hyphens gone.

    >>> surface_form("Ёлки"), surface_form("за\u0301мок")
    ('елки', 'замок')
    """
    return fold_yo(clean_word(word).lower())


def _form_regex(form: str, prefix: bool) -> re.Pattern[str]:
    letters = "".join("[её]" if c == "е" else re.escape(c) for c in form)
    end = "" if prefix else rf"(?!{_LETTER})"
    return re.compile(rf"(?<!{_LETTER}){letters}{end}", re.IGNORECASE)


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _form_regex(self.form, self.prefix))

    def __call__(self, text: str) -> bool:
        if _NEEDS_TOKENIZER.search(text):  # stress marks or soft hyphens inside words
            found = (surface_form(w.text) for w in words(text, mode="query"))
            if self.prefix:
                return any(f.startswith(self.form) for f in found)
            return self.form in found
        return self._regex.search(text) is not None

    def describe(self) -> str:
        """What the check keeps, for explanations."""
        return f"words starting «{self.form}»" if self.prefix else f"the exact form «{self.form}»"


@dataclass(frozen=True)
class PhraseCheck:
    """Whether a text has these exact forms next to each other (or within ``slop``)."""

    forms: tuple[str, ...]
    slop: int | None = None

    def __call__(self, text: str) -> bool:
        found = [surface_form(w.text) for w in words(text, mode="query")]
        n = len(self.forms)
        if self.slop is None:
            return any(tuple(found[i : i + n]) == self.forms for i in range(len(found) - n + 1))
        # Within slop: every form inside one window of n + slop * (n - 1) words.
        width = n + self.slop * (n - 1)
        return any(
            all(form in found[i : i + width] for form in self.forms)
            for i in range(max(1, len(found) - width + 1))
        )

    def describe(self) -> str:
        """What the check keeps, for explanations."""
        return f"the exact forms «{' '.join(self.forms)}» together"


class VerifiedQuery(query.WrappingQuery):
    """A Whoosh query whose paragraphs are kept only if their text passes a check."""

    def __init__(self, child: Any, check: FormCheck | PhraseCheck) -> None:
        super().__init__(child)
        self.check = check

    def _rewrap(self, child: Any) -> VerifiedQuery:
        return VerifiedQuery(child, self.check)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, VerifiedQuery)
            and self.child == other.child
            and self.check == other.check
        )

    def __hash__(self) -> int:
        return hash(self.child) ^ hash(self.check)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        keep = set()
        probe = self.child.matcher(searcher, context)
        while probe.is_active():
            if self.check(searcher.stored_fields(probe.id()).get(CONTENT, "")):
                keep.add(probe.id())
            probe.next()
        return VerifiedMatcher(self.child.matcher(searcher, context), keep, self.check)


class VerifiedMatcher(FilterMatcher):
    """The matcher of a :class:`VerifiedQuery`; it knows its check, for explanations."""

    def __init__(self, child: Any, ids: set[int], check: FormCheck | PhraseCheck) -> None:
        super().__init__(child, ids)
        self.check = check

    def _replacement(self, newchild: Any) -> VerifiedMatcher:
        return VerifiedMatcher(newchild, self._ids, self.check)

    def copy(self) -> VerifiedMatcher:
        return VerifiedMatcher(self.child.copy(), self._ids, self.check)
