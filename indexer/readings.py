"""How likely each lemma of a word form is where it stands: a posting's weight.

A form can belong to several words: «стали» is «стать» (became) and «сталь» (steel).
The index keeps every lemma of a form, so that any reading is found, but a lemma counts
in a paragraph by how likely the form means it there: pymorphy3's probability of the
parses that name it (:func:`weights`), at least :data:`MIN_WEIGHT` (an unlikely reading
is still found, only ranked lower), refined where the text says more
(:func:`in_context`): a noun after an adjective that agrees with it in case and number
(and gender, in the singular) is that noun («нержавеющей стали» → сталь), and a form
that is a name or a common noun is the name where it is written with a capital inside a
sentence («Денис Волков»), the common noun where it is written in lower case («стая
волков»). A part of a compound that is a dictionary word counts less
(:data:`PART_WEIGHT`): «ток» in «ток-шоу» is no current.

Other rules were tried and left out, for they bought nothing on ``bench/ambiguity.py``
(the share of sure hits on news, the judge in context, and the share of UD-GSD's
ambiguous tokens whose likeliest reading is the hand-checked lemma): a word after a
preposition as a noun in an oblique case, a word before an infinitive as a verb, a
capital favouring a name over an adjective or a verb too, a lemma's summed weight below
one counted squared.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from .morphology import (
    Agreement,
    Reading,
    fold_yo,
    form,
    is_known,
    lemma_weights,
    word_forms,
)

#: A lemma counts at least this much for a form that may mean it.
MIN_WEIGHT = 0.01
#: How much more likely a parse becomes when the word before it favours it.
FAVOURED = 10.0
#: How much the other lemmas of a query word count when it is typed in the dictionary
#: form of one of its lemmas: «вина» means вина more than вино, «Лавров» the surname.
OTHER_READING = 0.1
#: ... where pymorphy gives the dictionary form's reading at least this probability.
TYPED_AT_LEAST = 0.15
#: How much a part of a compound word counts against the same word standing alone.
PART_WEIGHT = 0.5
#: Weights are kept in hundredths: a term frequency is a whole number of them, which
#: both engines store and count alike.
WEIGHT_UNITS = 100


def readings(word: str) -> tuple[Reading, ...]:
    """pymorphy's parses of a lower-case word form with more than one lemma (none for
    one it does not know, nor for one with a single lemma: there is nothing to weigh).

    >>> [(r.lemma, r.pos) for r in readings("стали")][:2]
    [('стать', 'VERB'), ('сталь', 'NOUN')]
    """
    return form(word).readings


def adjective(word: str) -> tuple[Agreement, ...]:
    """The case, number and gender of each adjective reading of a lower-case word form.

    >>> sorted(adjective("нержавеющей"))[0], adjective("цены")
    (('ablt', 'sing', 'femn'), ())
    """
    return form(word).adjective


def namesake(word: str) -> bool:
    """Whether a lower-case form with more than one lemma is a name or a common noun:
    all its readings nouns, some of them names. A capital tells those apart («Волков»,
    «волков»), not a name from an adjective («Красной площади», «Тверской», «Братском
    районе»).

    >>> namesake("волков"), namesake("красной"), namesake("стали")
    (True, False, False)
    """
    found = readings(word)
    return any(r.name for r in found) and all(r.pos == "NOUN" for r in found)


@functools.lru_cache(maxsize=4096)
def sharing(lemma: str) -> frozenset[str]:
    """The other words some form of a dictionary word is also a form of («путин»:
    «Путина» is also «путина»; «нефть» has none; nor has a word pymorphy does not know,
    as far as it can tell).

    >>> sorted(sharing("путин")), sharing("нефть"), sharing("бронкос")
    (['путина'], frozenset(), frozenset())
    """
    if not is_known(lemma):
        return frozenset()
    return frozenset(other for word in word_forms(lemma) for other, _ in lemma_weights(word)) - {
        lemma
    }


def weights(probabilities: Sequence[float]) -> tuple[float, ...]:
    """Each lemma's weight from its probability, at least :data:`MIN_WEIGHT`.

    >>> weights([0.975, 0.025, 0.0])
    (0.975, 0.025, 0.01)
    """
    return tuple(max(MIN_WEIGHT, p) for p in probabilities)


def units(weight: float) -> int:
    """A summed weight in :data:`WEIGHT_UNITS`, at least one.

    >>> units(1.05), units(0.001)
    (105, 1)
    """
    return max(1, round(weight * WEIGHT_UNITS))


def _agrees(reading: Reading, before: tuple[Agreement, ...]) -> bool:
    """Whether a noun reading agrees with an adjective reading of the word before."""
    return reading.pos == "NOUN" and any(
        case == reading.case
        and number == reading.number
        and (reading.number != "sing" or gender in (reading.gender, None))
        for case, number, gender in before
    )


def in_context(
    form: str, lemmas: Sequence[str], before: str | None, capital: bool | None = None
) -> tuple[float, ...] | None:
    """The weights of ``lemmas`` of a lower-case ``form`` after the word ``before``
    (lower case; None at the start of a sentence), written with a capital inside a
    sentence (``capital`` True) or in lower case (False; None at a sentence's start), or
    None where it changes nothing.

    >>> [round(w, 2) for w in in_context("стали", ("стать", "сталь"), "нержавеющей")]
    [0.85, 0.15]
    >>> in_context("стали", ("стать", "сталь"), "цены") is None
    True
    >>> [round(w, 2) for w in in_context("волков", ("волков", "волк"), "денис", True)]
    [0.95, 0.05]
    >>> [round(w, 2) for w in in_context("волков", ("волков", "волк"), "стая", False)]
    [0.15, 0.85]
    """
    around = adjective(before) if before else ()
    named = capital is not None and namesake(form)
    found = readings(form) if around or named else ()
    if not found:
        return None
    probability = dict.fromkeys(lemmas, 0.0)
    changed = False
    for reading in found:
        favoured = _agrees(reading, around) or (named and reading.name == capital)
        changed = changed or favoured
        if reading.lemma in probability:
            probability[reading.lemma] += reading.score * (FAVOURED if favoured else 1.0)
    if not changed:
        return None
    total = sum(probability.values()) or 1.0
    return weights([p / total for p in probability.values()])


def as_typed(word: str, lemmas: Sequence[str]) -> tuple[float, ...]:
    """The factor on each of a query word's ``lemmas`` by how the word is typed.

    A word typed in the dictionary form of some of its lemmas (ё as е, any case) means
    those, where pymorphy knows the word and gives that reading at least
    :data:`TYPED_AT_LEAST`: the others count :data:`OTHER_READING` (still found, only
    ranked lower). Any other word means each lemma alike: one that is the dictionary form
    of none («стали»), a guess («Лютера» is no surname «лютера»), or one whose
    dictionary reading is rare («лет» is «год» far more than «лёт»).

    >>> as_typed("Лавров", ("лавров", "лавр")), as_typed("стали", ("стать", "сталь"))
    ((1.0, 0.1), (1.0, 1.0))
    >>> as_typed("лет", ("год", "лет"))
    (1.0, 1.0)
    """
    typed = fold_yo(word.lower())
    even = (1.0,) * len(lemmas)
    if typed not in lemmas or len(lemmas) < 2 or not is_known(typed):
        return even
    if dict(lemma_weights(typed)).get(typed, 0.0) < TYPED_AT_LEAST:
        return even
    return tuple(1.0 if lemma == typed else OTHER_READING for lemma in lemmas)
