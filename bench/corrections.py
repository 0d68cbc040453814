"""Query corrections on the news corpus: slips typed from its words, and words it has.

    python bench/corrections.py [--corpus DIR] [--limit ARTICLES] [--workdir DIR]
                                [--per-type N] [--keep N] [--seed S] [--misses N]

Builds (once, in --workdir) an index of the first --limit articles and makes, with a
seeded random generator, --per-type slips of each type from the words of those
articles (the likelier a word, the likelier it is picked): a letter left out, one put
in (a key beside its neighbour), one replaced by a key beside it, two letters swapped,
a letter doubled or undoubled, a vowel or consonant that sounds alike, two of these at
once (words of 7+ letters), a word typed in the Latin layout (half of them words with
б ю ж х э ъ, on the punctuation keys), a name written in Latin by one of the common
romanisations (iuliia's Wikipedia, BGN/PCGN, passport, Yandex, Telegram, Moscow metro
schemes). A slip the index has, or a word of pymorphy's dictionary, is no slip and is
drawn again. Only the "first letter" slips touch the first letter (a key beside it
instead, or typed before it, or the first two swapped): the engines look for
corrections among the words that share it, and elsewhere only when that finds none.

Each slip is searched as a one-word query; it counts as fixed when the word searched
instead (``results.corrected`` or ``results.suggestion``) has the intended word's
lemma (it then finds what the intended word finds); the exact form is counted too.
Then --keep words and names the index has (common ones and rare ones, Latin ones in 3+
paragraphs) are searched: any change to them is a wrong fix. Baselines in the same
run, on the same slips: the nearest indexed lemma within one edit (the most frequent
of the nearest), and symspellpy's lookup (two edits) over the index's lemmas with
their paragraph counts; neither retypes layouts or romanisations, so those rows show
what the corrector adds. Latency is that of ``indexer.correction.corrections`` for the
query, warm.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import news

# This checkout's library, not one installed elsewhere.

_WORD = re.compile(r"[а-яёА-ЯЁ]+")
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
# The Latin keys under the Russian letters, written out here rather than taken from the
# library, so that the bench does not grade the corrector by its own table.
_RUSSIAN = "ёйцукенгшщзхъфывапролджэячсмитьбю"
_LATIN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_ALIKE = ("ао", "ои", "еи", "ея", "иы", "зс", "дт", "бп", "вф", "гк", "шщ", "жш")
_PUNCTUATION_LETTERS = set("бюжхэъ")
SCHEMES = ("WIKIPEDIA", "BGN_PCGN", "ICAO_DOC_9303", "YANDEX_MAPS", "TELEGRAM", "MOSMETRO")


def neighbours(letter: str) -> str:
    """The keys beside a Russian letter on the ЙЦУКЕН layout (same row and the rows
    above and below)."""
    for r, row in enumerate(_ROWS):
        i = row.find(letter)
        if i < 0:
            continue
        near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
        for other in (r - 1, r + 1):
            if 0 <= other < len(_ROWS):
                near += [_ROWS[other][j] for j in (i - 1, i, i + 1) if 0 <= j < len(_ROWS[other])]
        return "".join(near)
    return ""


def deletion(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def insertion(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    near = neighbours(word[i]) or word[i]
    return word[:i] + rng.choice(near) + word[i:]


def substitution(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    near = neighbours(word[i])
    return word[:i] + rng.choice(near) + word[i + 1 :] if near else word


def transposition(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def doubling(word: str, rng: random.Random) -> str:
    doubled = [i for i in range(1, len(word) - 1) if word[i] == word[i + 1]]
    if doubled and rng.random() < 0.6:
        i = rng.choice(doubled)
        return word[:i] + word[i + 1 :]
    i = rng.randrange(1, len(word))
    return word[:i] + word[i] + word[i:]


def sound_alike(word: str, rng: random.Random) -> str:
    places = [(i, g) for i in range(1, len(word)) for g in _ALIKE if word[i] in g]
    if not places:
        return word
    i, group = rng.choice(places)
    other = group.replace(word[i], "")
    return word[:i] + other + word[i + 1 :]


def two_edits(word: str, rng: random.Random) -> str:
    if len(word) < 7:
        return word
    first, second = rng.sample([deletion, insertion, substitution, transposition, sound_alike], 2)
    return second(first(word, rng), rng)


def first_letter(word: str, rng: random.Random) -> str:
    """A slip in the first letter, the one the others leave alone: a key beside it
    instead, the first two swapped, or a key beside it typed before it."""
    kind = rng.choice(("instead", "swapped", "before"))
    near = neighbours(word[0])
    if kind == "swapped":
        return word[1] + word[0] + word[2:]
    if not near:
        return word
    return rng.choice(near) + word[1 if kind == "instead" else 0 :]


def latin_layout(word: str, _rng: random.Random) -> str:
    table = str.maketrans(_RUSSIAN + _RUSSIAN.upper(), _LATIN + _LATIN.upper())
    return word.translate(table)


def romanised(word: str, rng: random.Random) -> str:
    import iuliia

    scheme = getattr(iuliia, rng.choice(SCHEMES))
    return re.sub(r"[^A-Za-z]", "", scheme.translate(word))


# Each slip type: how to make it, and which words it is made from.
TYPES: dict[str, tuple[Callable[[str, random.Random], str], str]] = {
    "deletion": (deletion, "words"),
    "insertion": (insertion, "words"),
    "neighbour key": (substitution, "words"),
    "transposition": (transposition, "words"),
    "doubled letter": (doubling, "words"),
    "sounds alike": (sound_alike, "words"),
    "two edits": (two_edits, "words"),
    "first letter": (first_letter, "words"),
    "latin layout": (latin_layout, "layout"),
    "romanised name": (romanised, "names"),
}


def corpus_words(corpus: Path) -> Counter[str]:
    """Word forms of the unpacked articles, as written (capitals kept), counted."""
    counts: Counter[str] = Counter()
    for path in sorted(corpus.rglob("*.txt")):
        counts.update(_WORD.findall(path.read_text(encoding="utf-8")))
    return counts


def draw(counts: Counter[str], rng: random.Random, n: int) -> list[str]:
    """``n`` distinct words, each drawn by its count (a common word is a likelier
    query): a weighted sample without replacement (Efraimidis and Spirakis)."""
    return sorted(sorted(counts), key=lambda w: -(rng.random() ** (1 / counts[w])))[:n]


def pools(counts: Counter[str]) -> dict[str, Counter[str]]:
    """Words to make slips of: lower-case words of 5+ letters, the same with the
    punctuation-key letters for layouts, and names (nominative, capitalised)."""
    from indexer.morphology import parses

    words: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for word, n in counts.items():
        if n < 3 or len(word) < 5:
            continue
        if word.islower():
            words[word] += n
        elif word[0].isupper() and word[1:].islower():
            parse = parses(word.lower())[0]
            tag = parse.tag
            if ({"Surn", "Name", "Geox"} & set(tag.grammemes)) and "nomn" in tag:
                names[word] += n
    layout = Counter({w: n for w, n in words.items() if _PUNCTUATION_LETTERS & set(w)})
    return {"words": words, "layout": layout, "names": names}


def lemmas_of(word: str) -> set[str]:
    from indexer.analysis import QUERY

    return {lemma for w in QUERY(word) for lemma in w.lemmas}


class Baselines:
    """Two correctors over the same index's lemmas, for comparison."""

    def __init__(self, lexicon_words: dict[str, int]) -> None:
        from symspellpy import SymSpell

        self.words = lexicon_words
        self.symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in lexicon_words.items():
            self.symspell.create_dictionary_entry(word, count)

    def one_edit(self, typed: str) -> str | None:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = process.extract(
            typed.lower(), list(self.words), scorer=OSA.distance, score_cutoff=1, limit=None
        )
        if not found:
            return None
        return min(found, key=lambda f: (f[1], -self.words[f[0]]))[0]

    def symspell_lookup(self, typed: str) -> str | None:
        from symspellpy import Verbosity

        found = self.symspell.lookup(typed.lower(), Verbosity.TOP, max_edit_distance=2)
        return found[0].term if found else None


def index_lemmas(index) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Every indexed lemma of letters only with its paragraph count (the Whoosh engine)."""
    reader = index._engine.searcher().reader()
    found = {}
    for term, info in reader.iter_field("content"):
        word = term.decode() if isinstance(term, bytes) else term
        if word.isalpha():
            found[word] = info.doc_frequency()
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=2000, help="articles (default 2000)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/indexer-corrections"))
    parser.add_argument("--per-type", type=int, default=40, help="slips of each type (40)")
    parser.add_argument("--keep", type=int, default=300, help="words that must stay (300)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--misses", type=int, default=0, help="print N misses of each type")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"no news corpus at {args.corpus} (give its path with --corpus)")

    corpus, index = news.indexed(args.corpus, args.limit, args.workdir)
    from indexer.correction import corrections
    from indexer.errors import QueryError
    from indexer.morphology import is_known
    from indexer.plan import compile_query

    engine = index._engine
    rng = random.Random(args.seed)
    counts = corpus_words(corpus)
    kinds = pools(counts)
    lexicon = index_lemmas(index)
    baselines = Baselines(lexicon)

    def has(word: str) -> bool:
        return any(lexicon.get(lemma, 0) for lemma in lemmas_of(word))

    slips: list[tuple[str, str, str]] = []  # (type, intended, typed)
    for kind, (make, pool) in TYPES.items():
        made: list[tuple[str, str, str]] = []
        for word in draw(kinds[pool], rng, len(kinds[pool])):
            if len(made) == args.per_type:
                break
            typed = make(word, rng)
            if typed == word or has(typed) or is_known(typed.lower()):
                continue
            made.append((kind, word, typed))
        slips += made
    keep = draw(Counter({w: 1 for w in counts if counts[w] >= 2 and len(w) >= 3}), rng, args.keep)
    latin = sorted(w for w, n in lexicon.items() if n >= 3 and re.fullmatch("[a-z]{3,}", w))
    keep += rng.sample(latin, min(len(latin), args.keep // 6))

    def correct(typed: str) -> tuple[str | None, float]:
        with engine.reading():
            start = time.perf_counter()
            try:
                compiled = compile_query(typed)
            except QueryError:  # only common words («быть»): searched as typed or refused
                return None, time.perf_counter() - start
            found = corrections(compiled, engine.vocabulary(), engine.statistics())
            elapsed = time.perf_counter() - start
        return (found[0].replacement if found else None), elapsed

    correct("разминка")  # load pymorphy's dictionaries before anything is timed
    by_type: dict[str, list[tuple[bool, bool, bool, bool]]] = defaultdict(list)
    latencies: list[float] = []
    one_edit_latencies: list[float] = []
    symspell_latencies: list[float] = []
    misses: dict[str, list[str]] = defaultdict(list)
    for kind, intended, typed in slips:
        fixed, elapsed = correct(typed)
        latencies.append(elapsed)
        wanted = lemmas_of(intended)
        ok = fixed is not None and bool(lemmas_of(fixed) & wanted)
        exact = fixed is not None and fixed.lower().replace("ё", "е") == intended.lower().replace(
            "ё", "е"
        )
        start = time.perf_counter()
        one = baselines.one_edit(typed)
        one_edit_latencies.append(time.perf_counter() - start)
        start = time.perf_counter()
        sym = baselines.symspell_lookup(typed)
        symspell_latencies.append(time.perf_counter() - start)
        by_type[kind].append(
            (
                ok,
                exact,
                bool(one and wanted & lemmas_of(one)),
                bool(sym and wanted & lemmas_of(sym)),
            )
        )
        if not ok:
            misses[kind].append(f"{typed} → {fixed} (meant {intended})")

    print(f"index: {args.limit} articles; {len(slips)} slips, seed {args.seed}\n")
    header = f"{'slip type':<16}{'n':>5}{'fixed':>8}{'exact':>8}{'1-edit':>8}{'symspell':>10}"
    print(header)
    rows = [r for kind in TYPES for r in by_type[kind]]
    for kind in [*TYPES, "all"]:
        got = rows if kind == "all" else by_type[kind]
        if not got:
            continue
        share = [sum(r[i] for r in got) / len(got) for i in range(4)]
        print(
            f"{kind:<16}{len(got):>5}{share[0]:>8.1%}{share[1]:>8.1%}"
            f"{share[2]:>8.1%}{share[3]:>10.1%}"
        )
    wrong = []
    keep_latencies = []
    for word in keep:
        fixed, elapsed = correct(word)
        keep_latencies.append(elapsed)
        if fixed is not None:
            wrong.append(f"{word} → {fixed}")
    print(f"\nwords the index has, changed: {len(wrong)} of {len(keep)} (target 0)")
    for line in wrong:
        print("  ", line)
    print("\nlatency of a correction, ms     p50      p95")
    for name, times in [
        ("ours, slips", latencies),
        ("ours, words kept", keep_latencies),
        ("1-edit, slips", one_edit_latencies),
        ("symspell, slips", symspell_latencies),
    ]:
        ms = [t * 1000 for t in times]
        print(f"{name:<28}{statistics.median(ms):>8.1f}{percentile(ms, 0.95):>9.1f}")
    for kind in TYPES:
        for line in misses[kind][: args.misses]:
            print(f"  miss [{kind}] {line}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
