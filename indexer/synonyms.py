"""Synonyms: groups of words or phrases that match each other, applied to queries.

A query word that belongs to a group also searches the group's other members, so no
index needs rebuilding when the groups change. A member is matched as the query word
itself would be, in any form: a word by its lemmas, a phrase as a phrase.

The format of a synonym file, UTF-8 text, one group per line::

    # a comment runs from # to the end of the line
    РФ, Россия, Российская Федерация
    ЦБ, Центробанк, Центральный банк

Members are separated by commas; a member of several words is a phrase. Blank lines
are skipped; a group needs at least two members. A word belongs to a group when the
group has it as a one-word member, in any form (the member's most likely lemma is one
of the word's): «России» belongs to the group above, «российский» does not; so does a
quoted phrase that is a member («"Российской Федерации"»).

>>> groups = Synonyms.parse("РФ, Россия, Российская Федерация  # the country")
>>> groups.of(("рф",))
Expansion(lemmas=('россия',), phrases=((('российский',), ('федерация',)),))
>>> groups.of(("сирия",))
Expansion(lemmas=(), phrases=())
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from .errors import SynonymsError

#: The built-in groups: unambiguous abbreviations and what they stand for.
BUILTIN_FILE = os.path.join(os.path.dirname(__file__), "data", "synonyms.txt")

#: A member of a group as the query analyser sees it: each word's lemmas, in order.
Member = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Expansion:
    """What a query word searches beside itself: the lemmas of its one-word synonyms,
    and its phrase synonyms (each word's lemmas, in order)."""

    lemmas: tuple[str, ...] = ()
    phrases: tuple[Member, ...] = ()


class Synonyms:
    """Groups of words or phrases that match each other in queries.

    Build it from groups of strings, from a file (:meth:`read`) or text (:meth:`parse`);
    join two with ``|``. :data:`BUILTIN_SYNONYMS` holds the built-in abbreviations.
    """

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        self.groups: tuple[tuple[str, ...], ...] = tuple(
            tuple(dict.fromkeys(m.strip() for m in group if m.strip())) for group in groups
        )
        for group in self.groups:
            if len(group) < 2:
                raise SynonymsError(f"a synonym group needs two members or more: «{group[0]}»")

    @classmethod
    def parse(cls, text: str, origin: str = "synonyms") -> Synonyms:
        """The groups of synonym-file text (the format is the module's).

        :raises SynonymsError: a line has fewer than two members.
        """
        groups = []
        for number, line in enumerate(text.splitlines(), 1):
            members = [m.strip() for m in line.split("#", 1)[0].split(",")]
            members = [m for m in members if m]
            if not members:
                continue
            if len(members) < 2:
                raise SynonymsError(
                    f"{origin}, line {number}: a group needs two members or more, "
                    f"separated by commas: «{line.strip()}»"
                )
            groups.append(members)
        return cls(groups)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Synonyms:
        """The groups of a synonym file.

        :raises SynonymsError: the file cannot be read, is not UTF-8 text, or a line
            has fewer than two members.
        """
        name = os.fspath(path)
        try:
            with open(name, encoding="utf-8-sig") as file:
                text = file.read()
        except UnicodeDecodeError:
            raise SynonymsError(f"the synonym file «{name}» is not UTF-8 text") from None
        except OSError as exc:
            raise SynonymsError(
                f"cannot read the synonym file «{name}»: {exc.strerror or exc}"
            ) from None
        return cls.parse(text, origin=name)

    def __or__(self, other: Synonyms) -> Synonyms:
        return Synonyms((*self.groups, *other.groups))

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __repr__(self) -> str:
        return f"Synonyms({len(self.groups)} groups)"

    @cached_property
    def _analysed(self) -> tuple[tuple[Member, ...], ...]:
        # Analysed on first use: the morphology is slow to load, and most runs never ask.
        from .analysis import QUERY

        analysed = []
        for group in self.groups:
            members = (tuple(w.lemmas for w in QUERY(member)) for member in group)
            analysed.append(tuple(dict.fromkeys(m for m in members if m)))
        return tuple(analysed)

    @cached_property
    def _starting(self) -> dict[str, list[int]]:
        """The groups by the likeliest lemma of their members' first words."""
        found: dict[str, list[int]] = {}
        for number, group in enumerate(self._analysed):
            for member in group:
                numbers = found.setdefault(member[0][0], [])
                if number not in numbers:
                    numbers.append(number)
        return found

    def of(self, *words: tuple[str, ...]) -> Expansion:
        """The synonyms of a query word with these lemmas, or of a phrase of several
        such words, itself left out."""
        own = {lemma for word in words for lemma in word} if len(words) == 1 else set()
        lemmas: dict[str, None] = {}
        phrases: dict[Member, None] = {}
        # Only the groups with a member that starts as the words may: a query asks for
        # each of its words, and most words are in no group.
        starting = self._starting
        numbers = sorted(
            {n for lemma in (words[0] if words else ()) for n in starting.get(lemma, ())}
        )
        for group in (self._analysed[n] for n in numbers):
            same = [m for m in group if _matches(m, words)]
            if not same:
                continue
            for member in group:
                if member in same:
                    continue
                if len(member) > 1:
                    phrases[member] = None
                else:
                    lemmas.update((lemma, None) for lemma in member[0] if lemma not in own)
        return Expansion(tuple(lemmas), tuple(phrases))


def _matches(member: Member, words: tuple[tuple[str, ...], ...]) -> bool:
    """Whether query words are a member of a group: as many words, each with the
    likeliest lemma of the member's word among its own."""
    return len(member) == len(words) and all(
        mine[0] in word for mine, word in zip(member, words, strict=True)
    )


#: The built-in synonyms (``indexer/data/synonyms.txt``), on by default.
BUILTIN_SYNONYMS = Synonyms.read(BUILTIN_FILE)
