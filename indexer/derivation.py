"""Words that lemmas do not join: a country and its adjective, a verb's two aspects.

A question asks «Какой колумбийский президент посещал Гарвард?»; the answer says
«президент Колумбии … посетил Гарвард». Lemmatising joins «посещал» with «посещала»,
never with «посетил»: «посещать» and «посетить» are two dictionary words, as are
«Колумбия» and «колумбийский». Russian forms such pairs by a handful of regular suffix
alternations, listed below; a query word also searches the lemmas these rules derive
from its own, at a lower weight. A derived lemma that is not a word («решать» →
«решить» is one, «читать» → «читить» is not) simply finds nothing in the index.
"""

from __future__ import annotations

import functools
from typing import Any

from whoosh import query

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

#: How much a derived lemma counts against the word's own.
DERIVED_WEIGHT = 0.5
#: A word in more paragraphs than this searches no relatives: its relatives' posting
#: lists are as long as its own («Россия» → «российский» in news), and a word that
#: common adds little to a score (no change in MRR@10 on the relevance set).
COMMON_PARAGRAPHS = 5000
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


class DerivedTerm(query.Term):
    """A derived lemma of a query word, scored as the word's own lemma would be.

    Its score is the BM25 of its own postings with the idf of the word's own lemmas
    (``own``), times :data:`DERIVED_WEIGHT`: «сирийский» is rarer than «Сирия», and
    must not outrank the word itself for being so.
    """

    def __init__(
        self, fieldname: str, text: str, own: tuple[str, ...] = (), boost: float = DERIVED_WEIGHT
    ) -> None:
        super().__init__(fieldname, text, boost=boost)
        self.own = own

    def weight_in(self, searcher: Any) -> float:
        """The factor on this term's BM25 in ``searcher``: the idf ratio times the boost."""
        from .scoring import doc_frequency, idf_of_rarest, paragraph_idf

        frequencies = [doc_frequency(searcher, self.fieldname, lemma) for lemma in self.own]
        if max(frequencies, default=0) > COMMON_PARAGRAPHS:
            return 0.0
        mine = paragraph_idf(searcher, self.fieldname, self.text)
        # A word the index lacks is known here only through its relative.
        own = idf_of_rarest(searcher, frequencies) if any(frequencies) else mine
        return self.boost * own / mine if mine > 0 else 0.0

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        from whoosh.matching import NullMatcher

        boost = self.weight_in(searcher)
        if boost == 0:
            return NullMatcher()
        return query.Term(self.fieldname, self.text, boost=boost).matcher(searcher, context)
