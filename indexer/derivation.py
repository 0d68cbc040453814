"""Words that lemmas do not join: a country and its adjective, a verb's two aspects.

A question asks «Какой колумбийский президент посещал Гарвард?»; the answer says
«президент Колумбии … посетил Гарвард». Lemmatising joins «посещал» with «посещала»,
never with «посетил»: «посещать» and «посетить» are two dictionary words, as are
«Колумбия» and «колумбийский». Russian forms such pairs by a handful of regular suffix
alternations, listed below; a query word also searches the lemmas these rules derive
from its own, at a lower weight (:func:`indexer.ranking.related_weight`). A derived
lemma that is not a word («решать» → «решить» is one, «читать» → «читить» is not) simply
finds nothing in the index.

Pairs that no rule makes («Москва» — «московский», «посетить» — «посещение») come from
a table of derivations of Russian Wiktionary, MorphyNet's (``data/relatives.txt.gz``,
CC BY-SA 3.0, made by ``tools/relatives.py``); suppletive pairs («брать» — «взять») are
in neither.
"""

from __future__ import annotations

import functools
import gzip
import os
from bisect import bisect_left

#: Lemmas and their relatives by derivation, a sorted line each (MorphyNet's).
RELATIVES_FILE = os.path.join(os.path.dirname(__file__), "data", "relatives.txt.gz")

#: Pairs of lemma endings that mark the same stem: noun ↔ adjective, then
#: imperfective ↔ perfective verb. Each works both ways.
ALTERNATIONS: tuple[tuple[str, str], ...] = (
    ("ия", "ийский"),  # Сирия — сирийский, Колумбия — колумбийский
    ("ия", "ский"),  # Германия — германский
    ("а", "анский"),  # Америка — американский
    ("а", "ский"),  # Женева — женевский
    ("", "ский"),  # Гарвард — гарвардский
    ("ика", "ический"),  # экономика — экономический
    ("ция", "ционный"),  # коррупция — коррупционный
    ("ждать", "дить"),  # обсуждать — обсудить
    ("щать", "тить"),  # посещать — посетить
    ("жать", "зить"),  # выражать — выразить
    ("ять", "ить"),  # объявлять — объявить
    ("ать", "ить"),  # решать — решить
    ("ывать", "ать"),  # рассказывать — рассказать
    ("ивать", "ать"),  # подписывать — подписать
    ("вать", "ть"),  # создавать — создать
)

_MIN_STEM = 3
_NOT_CONSONANTS = frozenset("аеёиоуыэюяьй")


@functools.lru_cache(maxsize=4096)
def related_lemmas(lemma: str) -> tuple[str, ...]:
    """Lemmas related to ``lemma``: those the suffix alternations derive from it, in
    table order, then its relatives in MorphyNet's table (:func:`relatives`).

    >>> related_lemmas("сирия")[:2]
    ('сирийский', 'сирский')
    >>> related_lemmas("обсуждать")[0]
    'обсудить'
    >>> related_lemmas("колумбийский")[0]
    'колумбия'
    >>> related_lemmas("москва")
    ('москванский', 'москвский', 'московский')
    """
    found: dict[str, None] = {}
    if not lemma.isalpha():  # «из-за», «2016»: no suffixes to speak of
        return ()
    found.update(dict.fromkeys(alternations(lemma)))
    found.update(dict.fromkeys(r for r in relatives(lemma) if r != lemma))
    return tuple(found)


def alternations(lemma: str) -> tuple[str, ...]:
    """Lemmas that the suffix alternations derive from ``lemma`` (maybe not words).

    >>> alternations("сирия")[:2]
    ('сирийский', 'сирский')
    """
    found: dict[str, None] = {}
    for a, b in ALTERNATIONS:
        for old, new in ((a, b), (b, a)):
            # An ending added to a bare stem needs the stem to end in a consonant.
            if not old and lemma[-1] in _NOT_CONSONANTS:
                continue
            if lemma.endswith(old) and len(lemma) - len(old) >= _MIN_STEM:
                derived = lemma[: len(lemma) - len(old)] + new
                if derived != lemma:
                    found[derived] = None
    return tuple(found)


def relatives(lemma: str) -> tuple[str, ...]:
    """The relatives of ``lemma`` by derivation in MorphyNet's table, both ways.

    >>> relatives("посещать")
    ('посетить', 'посещаться')
    >>> "взять" in relatives("брать")  # suppletive: no derivation joins them
    False
    """
    lines = _relatives_table()
    key = lemma + "\t"
    at = bisect_left(lines, key)
    if at < len(lines) and lines[at].startswith(key):
        return tuple(lines[at][len(key) :].split())
    return ()


@functools.cache
def _relatives_table() -> list[str]:
    # Looked up by bisection in the sorted lines: quicker to load than a dict of 50,000.
    with gzip.open(RELATIVES_FILE, "rt", encoding="utf-8") as table:
        return [line for line in table.read().splitlines() if not line.startswith("#")]
