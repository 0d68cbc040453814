"""Recovering a query word the index does not know: keyboard layout, transliteration, typos.

Every guess is checked against what the index contains, so a correction is only ever a
word that can be found. Nothing here runs for a word the index already has.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz.distance import OSA

from .analysis import QUERY
from .engine import Vocabulary
from .forms import surface_form
from .morphology import MAX_ANALYSED_LENGTH, is_known, parses
from .plan import STOP_LEMMAS, CompiledQuery, QueryWord
from .query import Mode, replace_words
from .ranking import Statistics

_LATIN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
_RUSSIAN_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю." + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
_TO_RUSSIAN = str.maketrans(_LATIN_KEYS, _RUSSIAN_KEYS)
# Back only from letters: a Russian full stop must not turn into a slash.
_TO_LATIN = str.maketrans(
    {ru: en for en, ru in zip(_LATIN_KEYS, _RUSSIAN_KEYS, strict=True) if ru.isalpha()}
)

# Latin → Cyrillic, longest spellings first; the common romanisations (BGN/PCGN, GOST,
# passports, informal) agree on most letters, and fuzzy matching settles the rest.
_TRANSLIT = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("tz", "ц"),
    ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ju", "ю"), ("ya", "я"), ("ja", "я"),
    ("yo", "ё"), ("jo", "ё"), ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("'", "ь"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("y", "ы"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"), ("h", "х"), ("c", "к"), ("x", "кс"), ("q", "к"),
]  # fmt: skip
_TRANSLIT_RE = re.compile("|".join(re.escape(latin) for latin, _ in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)
_LATIN_WORD = re.compile(r"[a-z']+")
_RUN = re.compile(r'[^\s"()]+')


class Reason(StrEnum):
    """How a correction was found."""

    LAYOUT = "layout"
    TRANSLITERATION = "transliteration"
    SPELLING = "spelling"


@dataclass(frozen=True)
class Correction:
    """A query word the index does not have, and what to search instead."""

    typed: str
    position: int
    replacement: str
    reason: Reason


def transliterate(word: str) -> str:
    """Latin letters to Cyrillic, as Russian words are usually romanised.

    >>> transliterate("peregovory"), transliterate("Lavrov"), transliterate("Shchukin")
    ('переговоры', 'лавров', 'щукин')
    """
    return _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group()], word.lower())


def switch_layout(text: str) -> str:
    """Retype text on the other keyboard layout (Latin ↔ Russian ЙЦУКЕН).

    >>> switch_layout("gthtvbhbt"), switch_layout("ызщке")
    ('перемирие', 'sport')
    """
    if re.search("[a-zA-Z]", text):
        return text.translate(_TO_RUSSIAN)
    return text.translate(_TO_LATIN)


class Lexicon:
    """What an index contains, for corrections: its lemmas and how common each is."""

    def __init__(self, vocabulary: Vocabulary, statistics: Statistics) -> None:
        self.vocabulary = vocabulary
        self.statistics = statistics

    def has_word(self, word: str) -> bool:
        """Whether any form of ``word`` is indexed (by one of its lemmas)."""
        lemmas = [lemma for w in QUERY(word) for lemma in w.lemmas]
        return any(self.statistics.frequencies(lemmas).values())

    def lemmas_near(self, lemma: str, edits: int) -> list[tuple[int, int, str]]:
        """Indexed lemmas within ``edits`` edits, closest and most frequent first, as
        ``(edits, -frequency, lemma)``."""
        candidates = {
            candidate
            for candidate in self.vocabulary.similar(lemma, edits)
            if candidate != lemma and candidate.isalpha() == lemma.isalpha()
        }
        frequencies = self.statistics.frequencies(candidates)
        found = [(_edits(c, lemma), -frequencies[c], c) for c in candidates]
        return sorted(found)


#: The shortest word corrected: a word of two letters is a slip of too many others.
MIN_CORRECTED = 3

_CYRILLIC_WORD = re.compile(r"[а-яёА-ЯЁ-]+")


def _is_symbol(char: str) -> bool:
    # A wildcard, or a mathematical, currency or other symbol: «C++» is no typo of «С».
    return char == "*" or unicodedata.category(char).startswith("S")


def _chunk(text: str, position: int) -> str:
    """The run of non-space characters of ``text`` around ``position``."""
    start = position
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = position
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def can_be_slip(word: QueryWord, query_text: str, lexicon: Lexicon) -> bool:
    """Whether a query word may be a slip worth correcting.

    Not a word the index has, a prefix, a number, a word of fewer than
    :data:`MIN_CORRECTED` letters or more than
    :data:`indexer.morphology.MAX_ANALYSED_LENGTH`, a word glued to a wildcard or a
    symbol («*ция», «C++»), nor a word of the Russian dictionary («удалёнка» is right
    even where the index lacks it).
    """
    if word.mode is Mode.PREFIX or any(c.isdigit() for c in word.surface):
        return False
    if not MIN_CORRECTED <= len(word.surface) <= MAX_ANALYSED_LENGTH:
        return False
    # A common word («кто», «в») is a real word even where an index lacks it.
    if word.lemmas and word.lemmas[0] in STOP_LEMMAS:
        return False
    if any(_is_symbol(c) for c in _chunk(query_text, word.position)):
        return False
    if _CYRILLIC_WORD.fullmatch(word.surface) and is_known(word.surface.lower()):
        return False
    # A word the index has in some form is no typo, even when asked for exactly.
    return not lexicon.has_word(word.surface)


def correct_word(word: QueryWord, query_text: str, lexicon: Lexicon) -> Correction | None:
    """A replacement for a query word the index does not have, or None (also for a
    word that cannot be a slip: :func:`can_be_slip`)."""
    if not can_be_slip(word, query_text, lexicon):
        return None
    run = _RUN.match(query_text, word.position)
    typed = run.group() if run else word.surface
    switched = switch_layout(typed)
    # Retyped, it must be as many words as typed: «абвг» is no «f,dug».
    same_shape = len(list(QUERY(switched))) == len(list(QUERY(typed)))
    if switched != typed and same_shape and lexicon.has_word(switched):
        return Correction(typed, word.position, switched, Reason.LAYOUT)
    guess: str | None
    if _LATIN_WORD.fullmatch(word.surface.lower()):
        reason, guess = Reason.TRANSLITERATION, transliterate(word.surface)
        if not lexicon.has_word(guess):
            guess = _nearest_word(guess, lexicon)
    else:
        reason, guess = Reason.SPELLING, _nearest_word(word.surface, lexicon)
    if guess is None:
        return None
    return Correction(word.surface, word.position, _like(word.surface, guess), reason)


def _nearest_word(typed: str, lexicon: Lexicon) -> str | None:
    # The closest indexed lemma, put into the form pymorphy guesses for the typed word:
    # «перимирия» → перемирие → «перемирия», so the correction keeps the user's form.
    return _inflect_nearest_lemma(typed, lexicon, _max_edits(typed))


def _inflect_nearest_lemma(typed: str, lexicon: Lexicon, limit: int) -> str | None:
    # pymorphy can only guess at a misspelt word: try its likeliest guesses and keep
    # the inflected lemma that comes closest to what was typed.
    best: tuple[int, str] | None = None
    near: dict[str, list[tuple[int, int, str]]] = {}  # each walk of the word list once

    def lemmas_near(text: str) -> list[tuple[int, int, str]]:
        if text not in near:
            near[text] = lexicon.lemmas_near(text, limit)
        return near[text]

    for parse in parses(typed.lower())[:3]:
        wanted = set(parse.tag.grammemes) & _INFLECTIONAL
        guessed = lemmas_near(surface_form(typed)) + lemmas_near(surface_form(parse.normal_form))
        for _, _, lemma in guessed:
            for candidate in parses(lemma):
                if surface_form(candidate.normal_form) != lemma:
                    continue
                # A guessed gender is often wrong, and a noun's gender is not its to change.
                form = candidate.inflect(wanted) or candidate.inflect(wanted & _CASE_AND_NUMBER)
                word = form.word if form else lemma
                edits = _edits(typed, word)
                if edits <= limit + 1 and (best is None or edits < best[0]):
                    best = (edits, word)
    return best[1] if best else None


_CASE_AND_NUMBER = frozenset("sing plur nomn gent datv accs ablt loct voct gen2 acc2 loc2".split())
_INFLECTIONAL = _CASE_AND_NUMBER | frozenset("masc femn neut past pres futr 1per 2per 3per".split())


def _edits(a: str, b: str) -> int:
    # Optimal string alignment: Levenshtein with transpositions, as engines count them.
    return int(OSA.distance(surface_form(a), surface_form(b)))


def _like(typed: str, word: str) -> str:
    """``word`` in the letter case of ``typed`` (Capitalised, UPPER or lower)."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


#: Query words looked up for a correction: each costs a walk of the index's word list.
MAX_CORRECTIONS = 3


def corrections(
    compiled: CompiledQuery, vocabulary: Vocabulary, statistics: Statistics
) -> list[Correction]:
    """Corrections for the words of a query that the index does not have (the first
    :data:`MAX_CORRECTIONS` of them that can be slips)."""
    lexicon = Lexicon(vocabulary, statistics)
    found = []
    slips = (word for word in compiled.words if can_be_slip(word, compiled.text, lexicon))
    for word in itertools.islice(slips, MAX_CORRECTIONS):
        correction = correct_word(word, compiled.text, lexicon)
        if correction is not None:
            found.append(correction)
    return found


def corrected_text(text: str, found: Iterable[Correction]) -> str:
    """The query with its corrections in place."""
    return replace_words(text, {c.position: (c.typed, c.replacement) for c in found})
