"""Words that lemmas do not join: a country and its adjective, a verb's two aspects.

A question asks «Какой колумбийский президент посещал Гарвард?»; the answer says
«президент Колумбии … посетил Гарвард». Lemmatising joins «посещал» with «посещала»,
never with «посетил»: «посещать» and «посетить» are two dictionary words, as are
«Колумбия» and «колумбийский». Russian forms such pairs by a handful of regular suffix
alternations, listed below; a query word also searches the lemmas these rules derive
from its own, at a lower weight (:func:`indexer.ranking.related_weight`). A derived
lemma that is not a word («решать» → «решить» is one, «читать» → «читить» is not) simply
finds nothing in the index.
"""

from __future__ import annotations

import functools

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
    """Lemmas that the suffix alternations derive from ``lemma``, in table order.

    >>> related_lemmas("сирия")[:2]
    ('сирийский', 'сирский')
    >>> related_lemmas("обсуждать")[0]
    'обсудить'
    >>> related_lemmas("колумбийский")[0]
    'колумбия'
    """
    found: dict[str, None] = {}
    if not lemma.isalpha():  # «из-за», «2016»: no suffixes to speak of
        return ()
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
