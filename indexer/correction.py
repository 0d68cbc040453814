"""Recovering a query word the index does not know: keyboard layout, transliteration, typos.

Every guess is checked against what the index contains, so a correction is only ever a
word that can be found, and the likeliest is chosen as a noisy channel would: few and
likely slips, a common word. Nothing here changes a word the index has, but for a Latin
word it has only rarely, which is read in Cyrillic when that reading is far commoner.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .analysis import QUERY
from .engine import Vocabulary
from .forms import surface_form
from .morphology import MAX_ANALYSED_LENGTH, get_morph, is_known, parses, word_forms
from .plan import STOP_LEMMAS, CompiledQuery, QueryWord
from .query import Mode, replace_words
from .ranking import Statistics

# The Russian ЙЦУКЕН layout on the keys of the Latin QWERTY one, shifted keys too: a
# word typed in the wrong layout may need punctuation keys (б ю ж э х ъ ё are on
# `,.;'[]` and the backquote).
_LATIN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?&'
_RUSSIAN_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю." + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,?"
_TO_RUSSIAN = str.maketrans(_LATIN_KEYS, _RUSSIAN_KEYS)
# Back only from letters: a Russian full stop must not turn into a slash.
_TO_LATIN = str.maketrans(
    {ru: en for en, ru in zip(_LATIN_KEYS, _RUSSIAN_KEYS, strict=True) if ru.isalpha()}
)

# Latin → Cyrillic, longest spellings first, each with the readings the common
# romanisations (Wikipedia's, BGN/PCGN, passports, Yandex, informal) give it, the
# likeliest first. Every reading is tried against the index; spellings no scheme
# settles (a soft sign left out) are left to the edit distance.
_TRANSLIT: dict[str, tuple[str, ...]] = {
    "shch": ("щ",), "sch": ("щ", "ш"), "zh": ("ж",), "kh": ("х",), "ts": ("ц", "тс"),
    "tz": ("ц",), "tc": ("ц",), "ch": ("ч",), "sh": ("ш",), "yu": ("ю", "ью"), "ju": ("ю",),
    "iu": ("ю", "иу"), "ya": ("я", "ья"), "ja": ("я",), "ia": ("ия", "я"), "yo": ("е", "йо"),
    "jo": ("е",), "ye": ("е", "ье"), "ie": ("ие", "ье"),
    "ck": ("к",), "ph": ("ф",), "th": ("т",),
    "ee": ("и",), "oo": ("у",), "ou": ("у",), "'": ("ь",), "a": ("а",), "b": ("б",),
    "v": ("в",), "w": ("в", "у"), "g": ("г",), "d": ("д",), "e": ("е", "э"), "z": ("з",),
    "i": ("и", "й"), "y": ("ы", "й", "и", "ий"), "j": ("й", "дж", "ж"), "k": ("к",),
    "l": ("л",), "m": ("м",), "n": ("н",), "o": ("о",), "p": ("п",), "r": ("р",),
    "s": ("с",), "t": ("т",), "u": ("у", "а"), "f": ("ф",), "h": ("х", "г"),
    "c": ("к", "ц", "с"), "x": ("кс",), "q": ("к",),
}  # fmt: skip
# At the end of a word «y» is mostly an adjective's or a surname's ending.
_FINAL = {
    "iy": ("ий", "ый"), "yy": ("ый", "ий"), "ij": ("ий",), "y": ("ый", "ий", "ы", "й", "и"),
}  # fmt: skip
_TRANSLIT_RE = re.compile(
    "|".join([f"{end}$" for end in _FINAL if len(end) > 1] + sorted(_TRANSLIT, key=len)[::-1])
)
_LATIN_WORD = re.compile(r"[a-z']+")
#: The most readings of one Latin word tried (the likeliest, by how many letters take a
#: reading other than their first).
MAX_READINGS = 64


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
    #: The index has what was typed too, by a slip: a Latin word it has rarely read in
    #: Cyrillic, a run typed in the wrong layout with pieces it has («j» of «j,cnhtk»).
    #: The correction is searched even when the query as typed finds something, if
    #: nothing else of it is found (:func:`replaces_all_found`).
    replaces_present: bool = False


def readings(word: str) -> list[str]:
    """Cyrillic readings of a Latin word, the likeliest first (at most
    :data:`MAX_READINGS`): each spelling read as each romanisation writes it.

    >>> readings("Lavrov"), readings("Shoigu")[:2], readings("Navalny")[:2]
    (['лавров'], ['шоигу', 'шойгу'], ['навалный', 'навалний'])
    """
    return [reading for reading, _ in _readings(word)]


def _readings(word: str) -> list[tuple[str, int]]:
    # Each reading with how many of its letters take a reading other than their first.
    word = word.lower()
    pieces = [
        _FINAL[m.group()] if m.end() == len(word) and m.group() in _FINAL else _TRANSLIT[m.group()]
        for m in _TRANSLIT_RE.finditer(word)
    ]
    # The fewest second choices first: a reading that needs many is less likely. Only
    # spellings with a second choice are chosen from: a long word («Energiprojekt») has
    # thousands of sets of letters, nearly all holding one that has none.
    found: list[tuple[str, int]] = []
    choosable = [i for i, piece in enumerate(pieces) if len(piece) > 1]
    for changed in range(len(choosable) + 1):
        for chosen in itertools.combinations(choosable, changed):
            options = [piece[1:] if i in chosen else piece[:1] for i, piece in enumerate(pieces)]
            for letters in itertools.product(*options):
                found.append(("".join(letters), changed))
                if len(found) == MAX_READINGS:
                    return found
    return found


def transliterate(word: str) -> str:
    """Latin letters to Cyrillic, as Russian words are usually romanised (the likeliest
    of :func:`readings`).

    >>> transliterate("peremirie"), transliterate("Lavrov"), transliterate("Shchukin")
    ('перемирие', 'лавров', 'щукин')
    """
    return readings(word)[0]


def switch_layout(text: str) -> str:
    """Retype text on the other keyboard layout (Latin ↔ Russian ЙЦУКЕН), with the
    punctuation keys that carry Russian letters.

    >>> switch_layout("gthtvbhbt"), switch_layout("ызщке"), switch_layout("j,cnhtk")
    ('перемирие', 'sport', 'обстрел')
    """
    if re.search("[a-zA-Z]", text):
        return text.translate(_TO_RUSSIAN)
    return text.translate(_TO_LATIN)


class Lexicon:
    """What an index contains, for corrections: its lemmas and how common each is."""

    def __init__(self, vocabulary: Vocabulary, statistics: Statistics) -> None:
        self.vocabulary = vocabulary
        self.statistics = statistics
        self._near: dict[tuple[str, int], dict[str, int]] = {}

    def frequency(self, word: str) -> int:
        """How many paragraphs have ``word`` in some form (by its commonest lemma)."""
        lemmas = [lemma for w in QUERY(word) for lemma in w.lemmas]
        return max(self.statistics.frequencies(lemmas).values(), default=0)

    def has_word(self, word: str) -> bool:
        """Whether any form of ``word`` is indexed (by one of its lemmas)."""
        return self.frequency(word) > 0

    def lemmas_near(self, text: str, edits: int) -> dict[str, int]:
        """Indexed lemmas within ``edits`` edits of ``text`` (sharing its first letter),
        each with how many paragraphs have it."""
        key = (text, edits)
        if key not in self._near:
            # ``text`` itself too: an engine's suggester may leave out the word it was
            # asked about.
            found = {c for c in self.vocabulary.similar(text, edits) if c.isalpha()} | {text}
            frequencies = self.statistics.frequencies(found)
            self._near[key] = {lemma: n for lemma, n in frequencies.items() if n}
        return self._near[key]


#: The shortest word corrected: a word of two letters is a slip of too many others.
MIN_CORRECTED = 3

_CYRILLIC_WORD = re.compile(r"[а-яёА-ЯЁ-]+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Around a word typed in the wrong layout: query syntax, and sentence punctuation that
# may be meant as such («ghbdtn!»), tried with and without.
_OPERATORS = "()+-=!*"
_PUNCTUATION = "\".,;:?!'"

#: What one edit costs against how common a word is: a candidate one edit further must
#: be about e**COST times as common (a noisy channel's log-probabilities).
EDIT_COST = 5.0
#: What an edit of a Latin word's reading counts, against a typing slip.
TRANSLITERATION_EDIT = 1.5
#: An edit's worth of preferring the lemma to another of its forms at the same distance.
FORM_COST = 0.05
#: A reading of a Latin word that takes a less likely romanisation of a letter costs
#: this much more for each such letter.
READING_COST = 0.5
#: A Latin word the index has is read in Cyrillic only when the index has it in at
#: most this many paragraphs (a script in an article holds «lavrov») and the reading
#: is far likelier (about e**LATIN_MARGIN times as common): «Google», «Twitter»,
#: «hotel» stay as they are.
LATIN_RARE = 2
LATIN_MARGIN = 3.0


def _is_symbol(char: str) -> bool:
    # A wildcard, or a mathematical, currency or other symbol: «C++» is no typo of «С»;
    # but «`» and «~» are the keys of «ё» and «Ё».
    if char in _LATIN_KEYS:
        return False
    return char == "*" or unicodedata.category(char).startswith("S")


def _chunk_span(text: str, position: int) -> tuple[int, int]:
    """Where the run of non-space characters of ``text`` around ``position`` is."""
    start = position
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = position
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


# Slips that cost less than an edit: keys side by side on the ЙЦУКЕН layout, letters
# that sound alike (an unstressed vowel, a voiced consonant), a letter doubled or not,
# a soft sign or «й» left out.
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
_NEIGHBOURS = frozenset(
    pair for row in _ROWS for a, b in itertools.pairwise(row) for pair in ((a, b), (b, a))
) | frozenset(
    pair
    for upper, lower in itertools.pairwise(_ROWS)
    for i, a in enumerate(upper)
    for b in lower[max(0, i - 1) : i + 1]
    for pair in ((a, b), (b, a))
)
_ALIKE = frozenset(
    (a, b)
    for group in ("ао", "еиэя", "иы", "ьъ", "шщ", "зс", "дт", "бп", "вф", "гк", "жш", "юу")
    for a in group
    for b in group
    if a != b
)
_SILENT = frozenset("ьъй")
#: What a likely slip costs (:data:`_NEIGHBOURS`, :data:`_ALIKE`, a doubled letter).
CHEAP_EDIT = 0.6


def slip_cost(typed: str, word: str, keyboard: bool = True) -> float:
    """Edits from ``word`` to ``typed`` (Damerau's: two letters swapped is one), each
    likely slip (a swap too) counting :data:`CHEAP_EDIT`; keys side by side and letters
    that sound alike count as likely slips only for Russian typed on a ``keyboard``: a
    romanised word's reading has its vowels as they were spelled («python» is no
    «питан», whatever «питон» sounds like).

    >>> slip_cost("росии", "россии"), slip_cost("переговорав", "переговоров")
    (0.6, 0.6)
    >>> slip_cost("кори", "керри"), slip_cost("kfdhjd", "лавров")
    (1.6, 6.0)
    """
    rows, cols = len(typed) + 1, len(word) + 1
    # What each letter costs put in or left out, once: the table asks for it in every cell.
    put_in = [_gap_cost(typed, i, left_out=False) for i in range(len(typed))]
    left_out = [_gap_cost(word, j, left_out=True) for j in range(len(word))]
    d = [[0.0] * cols for _ in range(rows)]
    for i in range(1, rows):
        d[i][0] = d[i - 1][0] + put_in[i - 1]
    for j in range(1, cols):
        d[0][j] = d[0][j - 1] + left_out[j - 1]
    for i in range(1, rows):
        a = typed[i - 1]
        for j in range(1, cols):
            b = word[j - 1]
            if a == b:
                change = 0.0
            elif keyboard and ((a, b) in _ALIKE or (a, b) in _NEIGHBOURS):
                change = CHEAP_EDIT
            else:
                change = 1.0
            best = min(
                d[i - 1][j - 1] + change,
                d[i - 1][j] + put_in[i - 1],
                d[i][j - 1] + left_out[j - 1],
            )
            if i > 1 and j > 1 and a == word[j - 2] and typed[i - 2] == b:
                best = min(best, d[i - 2][j - 2] + CHEAP_EDIT)
            d[i][j] = best
    return round(d[-1][-1], 6)


def _gap_cost(text: str, i: int, left_out: bool) -> float:
    # A letter put in or left out: cheap when it doubles its neighbour, or when it is
    # a soft sign or «й» left out (people drop them; they rarely add one).
    char = text[i]
    doubled = (i > 0 and text[i - 1] == char) or (i + 1 < len(text) and text[i + 1] == char)
    return CHEAP_EDIT if doubled or (left_out and char in _SILENT) else 1.0


def _max_edits(word: str) -> int:
    # Two edits make a word of five letters into too many others («serve» read
    # «серве» is two from «Сергей»).
    return 1 if len(word) <= 5 else 2


def _may_be_slip(word: QueryWord, query_text: str) -> bool:
    # What can be told without the index (see can_be_slip), but for the length: a
    # short word may be part of a run typed in the wrong layout («hf,jn» is «работ»).
    if word.mode is Mode.PREFIX or any(c.isdigit() for c in word.surface):
        return False
    if len(word.surface) > MAX_ANALYSED_LENGTH:
        return False
    # A common word («кто», «в») is a real word even where an index lacks it.
    if word.lemmas and word.lemmas[0] in STOP_LEMMAS:
        return False
    start, end = _chunk_span(query_text, word.position)
    if any(_is_symbol(c) for c in query_text[start:end]):
        return False
    return not (_CYRILLIC_WORD.fullmatch(word.surface) and is_known(word.surface.lower()))


def _is_latin(word: str) -> bool:
    return _LATIN_WORD.fullmatch(word.lower()) is not None


def can_be_slip(word: QueryWord, query_text: str, lexicon: Lexicon) -> bool:
    """Whether a query word may be a slip worth correcting.

    Not a word the index has (except a Latin word in at most :data:`LATIN_RARE`
    paragraphs, which may be read in Cyrillic: :func:`correct_word`), a prefix, a
    number, a word of fewer than :data:`MIN_CORRECTED` letters (unless part of a
    longer run typed in the wrong layout) or more than
    :data:`indexer.morphology.MAX_ANALYSED_LENGTH`, a word glued to a wildcard or a
    symbol («*ция», «C++»), nor a word of the Russian dictionary («удалёнка» is right
    even where the index lacks it).
    """
    if not _may_be_slip(word, query_text):
        return False
    present = lexicon.frequency(word.surface)
    return not present or (_is_latin(word.surface) and present <= LATIN_RARE)


def _layout_runs(word: QueryWord, query_text: str) -> list[tuple[int, str]]:
    """Where a word typed in the other layout may be: the run of characters around it,
    without query syntax, with and without punctuation at either end, as
    ``(position, text)``."""
    start, end = _chunk_span(query_text, word.position)
    while start < end and query_text[start] in _OPERATORS:
        start += 1
    while end > start and query_text[end - 1] in _OPERATORS:
        end -= 1
    runs: list[tuple[int, str]] = []
    for lead, tail in ((0, 0), (0, 1), (1, 0), (1, 1)):
        a, b = start, end
        while lead and a < b and query_text[a] in _PUNCTUATION:
            a += 1
        while tail and b > a and query_text[b - 1] in _PUNCTUATION:
            b -= 1
        if a <= word.position < b and (a, query_text[a:b]) not in runs:
            runs.append((a, query_text[a:b]))
    return runs


def _layout_slip(word: QueryWord, query_text: str, lexicon: Lexicon) -> Correction | None:
    """The whole run of characters around a word retyped in the other layout, when it is
    one word the index has: «j,cnhtk» is «обстрел», comma and all."""
    for position, typed in _layout_runs(word, query_text):
        switched = switch_layout(typed)
        if switched == typed or len(switched) < MIN_CORRECTED:
            continue
        # One word, with no punctuation left over: «Симанcом?» (a Latin «c» in it) is
        # «Симансом», not «Симансом,».
        if _WORD.fullmatch(switched) and lexicon.has_word(switched):
            # Pieces of the run the index has («j» of «j,cnhtk») found nothing meant.
            pieces = any(lexicon.has_word(piece.text) for piece in QUERY(typed))
            return Correction(typed, position, switched, Reason.LAYOUT, pieces)
    return None


@dataclass(frozen=True, order=True)
class _Guess:
    score: float
    word: str
    reason: Reason


def _probes(reading: str) -> set[str]:
    # Where to look for lemmas: near the word as typed, near the lemmas pymorphy
    # guesses for it («перимирием» is three edits from «перемирие», one from its
    # guess), and near its stem, for a form far from its lemma («целевошго»: «целево»
    # is an edit from «целевой»).
    found = {reading}
    found.update(surface_form(parse.normal_form) for parse in parses(reading))
    found.update(reading[:-cut] for cut in (2, 3) if len(reading) - cut >= 5)
    return found


def _best_guess(
    options: list[tuple[str, float, Reason]],
    probes: set[str],
    lexicon: Lexicon,
    neighbours: bool = True,
) -> _Guess | None:
    """The likeliest word form of the index for any of ``options`` (a reading of what
    was typed, what the reading costs, and how it was read): few edits, common lemma;
    with ``neighbours``, also the dictionary's forms one edit from a reading."""
    pool: dict[str, int] = {}
    for probe in probes:
        # A lemma may be an edit further from a guess or a stem than its form is from
        # the word typed; the forms are held to the limit below.
        pool.update(lexicon.lemmas_near(probe, _max_edits(probe) + (len(probe) >= 8)))
    forms = [(form, lemma) for lemma in pool for form in word_forms(lemma)]
    best: _Guess | None = None
    for reading, prior, reason in options:
        limit = _max_edits(reading)
        for form, _edits, i in process.extract(
            reading, [f for f, _ in forms], scorer=OSA.distance, score_cutoff=limit, limit=None
        ):
            prior_form = prior + (form != forms[i][1]) * FORM_COST * EDIT_COST
            guess = _guess(reading, form, prior_form, reason, pool[forms[i][1]])
            best = guess if best is None or guess < best else best
    for reading, prior, reason in options[:MAX_NEIGHBOURED] if neighbours else ():
        for form in _known_neighbours(reading):
            frequency = lexicon.frequency(form)
            if frequency:
                # Counted as a form other than a lemma: a tie goes to the lemma.
                guess = _guess(reading, form, prior + FORM_COST * EDIT_COST, reason, frequency)
                best = guess if best is None or guess < best else best
    return best if best is not None and math.isfinite(best.score) else None


_SIGNS = str.maketrans("", "", "ьъ")


def _guess(reading: str, form: str, prior: float, reason: Reason, frequency: int) -> _Guess:
    """How likely ``form`` (of a lemma in ``frequency`` paragraphs) was meant by what
    was typed (read as ``reading``, at the cost ``prior``): a noisy channel's score,
    lower is likelier."""
    if reason is Reason.TRANSLITERATION:
        # Romanisations leave soft and hard signs out («Polsha», «Darya»), and a letter
        # read otherwise than every scheme reads it is less likely than a typing slip;
        # more than one such letter, and the Latin word is likely not Russian at all
        # («remote» is no «ремонте»).
        signless = reading.translate(_SIGNS), form.translate(_SIGNS)
        edits = TRANSLITERATION_EDIT * slip_cost(*signless, keyboard=False)
        if edits > TRANSLITERATION_EDIT * CHEAP_EDIT:
            return _Guess(math.inf, form, reason)
    else:
        edits = slip_cost(reading, form)
    return _Guess(EDIT_COST * edits + prior - math.log(frequency), form, reason)


def _first_letters_moved(reading: str) -> set[str]:
    """Where to look for what ``reading`` meant with its first two letters swapped or a
    letter typed before its first, slips as common as any («омжет», «вперемирие»); the
    first letter the index's lookup takes as typed is then the second."""
    if len(reading) <= MIN_CORRECTED:
        return set()
    first, rest = reading[0], reading[1:]
    return _probes(rest[0] + first + rest[1:]) | _probes(rest)


def _first_letter_replaced(reading: str) -> set[str]:
    """Where to look for what ``reading`` meant with a key beside its first letter or a
    letter that sounds alike typed instead. Looked at only when what else is found
    costs more than one likely slip: each other first letter is another part of the
    index's word list to read. A first letter left out is not looked for: any of the
    alphabet could lead."""
    first, rest = reading[0], reading[1:]
    return set().union(
        *(_probes(meant + rest) for typed, meant in _NEIGHBOURS | _ALIKE if typed == first)
    )


#: Readings whose one-edit neighbours are looked up in pymorphy's dictionary.
MAX_NEIGHBOURED = 8
_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя"


def _known_neighbours(word: str) -> tuple[str, ...]:
    """The forms of pymorphy's dictionary one edit from ``word``: a comparative, a
    participle or a superlative is one edit from a slip but far from its lemma
    («меьше» → «меньше», whose lemma is «маленький»)."""
    # The first letter stays, as in the index's lookup (slips in it are looked for
    # apart: _first_letters_moved, _first_letter_replaced). An edit after letters that
    # begin no word of the dictionary makes none: a Latin word's readings («декнет»)
    # lose their dictionary prefix within a few letters.
    begun = _dictionary_prefix_length(word)
    splits = [(word[:i], word[i:]) for i in range(1, begun + 1)]
    edited = {a + b[1:] for a, b in splits if b}
    edited |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edited |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    edited |= {a + c + b for a, b in splits for c in _ALPHABET}
    edited.discard(word)
    morph = get_morph()
    return tuple(sorted(form for form in edited if morph.word_is_known(form)))


def _dictionary_prefix_length(word: str) -> int:
    """How many first letters of ``word`` begin some form of pymorphy's dictionary,
    each «е» read as «ё» too, as :meth:`pymorphy3.MorphAnalyzer.word_is_known` reads it
    («елк» begins «ёлка»)."""
    words = get_morph().dictionary.words
    begun = [""]
    for length, letter in enumerate(word):
        letters = (letter, "ё") if letter == "е" else (letter,)
        begun = [b + c for b in begun for c in letters if words.has_keys_with_prefix(b + c)]
        if not begun:
            return length
    return len(word)


def _latin_options(
    word: QueryWord, query_text: str
) -> tuple[list[tuple[str, float, Reason]], set[str], tuple[int, str] | None]:
    # A Latin word may be Russian typed in the Latin layout (with the run around it:
    # «j,cnhtr» is a slip of «обстрел», not «j,» and a slip of «стрел»), or romanised.
    options, probes = [], set()
    run = None
    for position, typed in _layout_runs(word, query_text):
        switched = surface_form(switch_layout(typed))
        if _CYRILLIC_WORD.fullmatch(switched):
            run = position, typed
            options.append((switched, 0.0, Reason.LAYOUT))
            probes |= _probes(switched)
            break
    first_letters = set()
    for reading, changed in _readings(word.surface):
        options.append((reading, READING_COST * min(changed, 4), Reason.TRANSLITERATION))
        if reading[0] not in first_letters:
            first_letters.add(reading[0])
            probes |= _probes(reading)
    return options, probes, run


def correct_word(word: QueryWord, query_text: str, lexicon: Lexicon) -> Correction | None:
    """A replacement for a query word the index does not have, or None (also for a
    word that cannot be a slip: :func:`can_be_slip`).

    A Latin word the index has stays itself unless a Cyrillic reading of it is far
    more common there (:data:`LATIN_MARGIN`): «Lavrov» in an article's code is no
    reason to miss «Лавров».
    """
    if not _may_be_slip(word, query_text):
        return None
    typed = word.surface
    present = lexicon.frequency(typed)
    latin = _is_latin(typed)
    if present and (not latin or present > LATIN_RARE):
        return None
    if not present:
        layout = _layout_slip(word, query_text, lexicon)
        if layout is not None:
            return layout
    if len(typed) < MIN_CORRECTED:
        return None
    run = None
    if latin:
        options, probes, run = _latin_options(word, query_text)
    else:
        reading = surface_form(typed)
        options = [(reading, 0.0, Reason.SPELLING)]
        probes = _probes(reading) | _first_letters_moved(reading)
    guess = _best_guess(options, probes, lexicon)
    if not latin and (guess is None or slip_cost(reading, guess.word) > CHEAP_EDIT):
        # Only the new probes: the dictionary's neighbours were looked at just before.
        replaced = _best_guess(options, _first_letter_replaced(reading), lexicon, neighbours=False)
        guess = min((g for g in (guess, replaced) if g is not None), default=None)
    if guess is not None and guess.reason is Reason.LAYOUT and run is not None and not present:
        position, typed = run
        return Correction(typed, position, _like(typed, guess.word), guess.reason)
    if guess is None:
        return None
    if present and (
        guess.reason is not Reason.TRANSLITERATION
        or guess.score > -math.log(present) - LATIN_MARGIN
    ):
        return None
    return Correction(typed, word.position, _like(typed, guess.word), guess.reason, bool(present))


def _like(typed: str, word: str) -> str:
    """``word`` in the letter case of ``typed`` (Capitalised, UPPER or lower)."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


#: Query words looked up for a correction: each costs a few walks of the index's word list.
MAX_CORRECTIONS = 3


def corrections(
    compiled: CompiledQuery, vocabulary: Vocabulary, statistics: Statistics
) -> list[Correction]:
    """Corrections for the words of a query that the index does not have (the first
    :data:`MAX_CORRECTIONS` of them that can be slips)."""
    lexicon = Lexicon(vocabulary, statistics)
    found: list[Correction] = []
    looked_up = 0
    for word in compiled.words:
        # A word inside a run already retyped («j,cnhtk» holds «j» and «cnhtk»).
        if any(c.position <= word.position < c.position + len(c.typed) for c in found):
            continue
        if looked_up == MAX_CORRECTIONS or not can_be_slip(word, compiled.text, lexicon):
            continue
        # Only a word long enough to be corrected is looked up in the word list.
        looked_up += len(word.surface) >= MIN_CORRECTED
        correction = correct_word(word, compiled.text, lexicon)
        if correction is not None:
            found.append(correction)
    return found


def replaces_all_found(
    compiled: CompiledQuery, found: Iterable[Correction], statistics: Statistics
) -> bool:
    """Whether the corrections replace every word of the query that the index has, by
    words it has only by a slip (:attr:`Correction.replaces_present`): then the query
    as typed found nothing meant («Lavrov» only in a script), and the corrected one is
    searched instead. A query with other words found is answered as typed."""
    forced = [c for c in found if c.replaces_present]
    if not forced:
        return False
    for word in compiled.words:
        if any(c.position <= word.position < c.position + len(c.typed) for c in forced):
            continue
        if word.lemmas and word.lemmas[0] in STOP_LEMMAS:
            continue
        if any(statistics.frequencies(word.lemmas).values()):
            return False
    return True


def corrected_text(text: str, found: Iterable[Correction]) -> str:
    """The query with its corrections in place."""
    return replace_words(text, {c.position: (c.typed, c.replacement) for c in found})
