"""How likely each lemma of a word form is where it stands: a posting's weight.

A form can belong to several words: «стали» is «стать» (became) and «сталь» (steel).
The index keeps every lemma of a form, so that any reading is found, but a lemma counts
in a paragraph by how likely the form means it there (:func:`in_context`): pymorphy3's
probability of each parse, refined by the neighbouring words where the grammar says
more —

- a word after a preposition is a noun, adjective or pronoun in a case other than the
  nominative («из стали» → сталь);
- a word before an infinitive is a verb («стали делать» → стать);
- a word after an adjective that agrees with it in case and number (and gender, in
  the singular) is that noun («нержавеющей стали» → сталь);
- a capitalised word inside a sentence is a name («Лавров сказал» → Лавров, not лавр),
  a lower-case one is not («рада» → рад, «Рада» → рада).

Each rule multiplies the probability of the parses it favours by :data:`FAVOURED`; the
lemma with the most probable parses then counts 1, the others by their share of its
probability, at least :data:`MIN_WEIGHT` (an unlikely reading is still found, only
ranked lower). Every rule was kept for what it bought on ``bench/ambiguity.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

from .morphology import LEMMA_CACHE_SIZE, fold_yo, get_morph, parses

#: A lemma counts at least this much for a form that may mean it.
MIN_WEIGHT = 0.05
#: How much more likely a parse becomes when a rule of the context favours it.
FAVOURED = 1000.0
#: Weights are kept in hundredths: a term frequency is a whole number of them, which
#: both engines store and count alike.
WEIGHT_UNITS = 100

_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
_CASES = frozenset({"gent", "datv", "accs", "ablt", "loct", "voct", "gen2", "acc2", "loc2"})
_NOUNS = frozenset({"NOUN", "ADJF", "PRTF", "NPRO", "NUMR"})
_ADJECTIVES = frozenset({"ADJF", "PRTF"})


class Reading(NamedTuple):
    """A parse of a word form, reduced to what the rules ask of it."""

    lemma: str
    score: float
    pos: str | None
    case: str | None
    number: str | None
    gender: str | None
    proper: bool


@functools.lru_cache(maxsize=LEMMA_CACHE_SIZE)
def readings(form: str) -> tuple[Reading, ...]:
    """pymorphy's parses of a lower-case word form (none for one it does not know).

    >>> [(r.lemma, r.pos) for r in readings("стали")][:2]
    [('стать', 'VERB'), ('сталь', 'NOUN')]
    """
    found = parses(form)
    if not found or not get_morph().word_is_known(form):
        return ()
    return tuple(
        Reading(
            fold_yo(p.normal_form),
            p.score,
            p.tag.POS,
            p.tag.case,
            p.tag.number,
            p.tag.gender,
            bool(_PROPER & p.tag.grammemes),
        )
        for p in found
    )


def weights(probabilities: Sequence[float]) -> tuple[float, ...]:
    """Each lemma's weight from its probability: the likeliest counts 1, the others by
    their share of it, at least :data:`MIN_WEIGHT`.

    >>> weights([0.975, 0.025])
    (1.0, 0.05)
    """
    top = max(probabilities, default=0.0)
    if top <= 0:
        return tuple(1.0 for _ in probabilities)
    return tuple(max(MIN_WEIGHT, p / top) for p in probabilities)


def units(weight: float) -> int:
    """A summed weight in :data:`WEIGHT_UNITS`, at least one.

    >>> units(1.05), units(0.001)
    (105, 1)
    """
    return max(1, round(weight * WEIGHT_UNITS))


def _favoured(
    reading: Reading,
    before: tuple[Reading, ...],
    after: tuple[Reading, ...],
    capitalised: bool | None,
) -> int:
    """How many rules of the context favour a reading."""
    count = 0
    if before and before[0].pos == "PREP":
        count += reading.pos in _NOUNS and reading.case in _CASES
    if after and after[0].pos == "INFN":
        count += reading.pos == "VERB"
    if reading.pos == "NOUN" and any(
        other.pos in _ADJECTIVES
        and other.case == reading.case
        and other.number == reading.number
        and (reading.number != "sing" or other.gender in (reading.gender, None))
        for other in before
    ):
        count += 1
    if capitalised is not None:
        count += reading.proper == capitalised
    return count


def in_context(
    form: str,
    lemmas: Sequence[str],
    before: str | None,
    after: str | None,
    capitalised: bool | None,
) -> tuple[float, ...] | None:
    """The weights of ``lemmas`` of a lower-case ``form`` between the words ``before``
    and ``after`` (lower case, None at either end of a sentence); ``capitalised`` says
    whether it was written so inside a sentence (None: where that says nothing, at the
    start of one or in a word all in capitals). None where the context changes nothing.

    >>> in_context("стали", ("стать", "сталь"), "из", "на", None)
    (0.05, 1.0)
    >>> in_context("стали", ("стать", "сталь"), "цены", "расти", None)
    (1.0, 0.05)
    """
    found = readings(form)
    if not found:
        return None
    around_before = readings(before) if before else ()
    around_after = readings(after) if after else ()
    probability = dict.fromkeys(lemmas, 0.0)
    changed = False
    for reading in found:
        favoured = _favoured(reading, around_before, around_after, capitalised)
        changed = changed or bool(favoured)
        if reading.lemma in probability:
            probability[reading.lemma] += reading.score * FAVOURED**favoured
    if not changed:
        return None
    return weights(list(probability.values()))
