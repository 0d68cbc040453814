"""Ambiguous word forms: how many of a word's top 10 hits are surely about that word.

    python bench/ambiguity.py [--corpus DIR] [--limit ARTICLES] [--workdir DIR] [--show N]
                              [--ud DIR]

Many Russian forms belong to two words: «стали» is «сталь» and «стать», «Пескова» is
«Песков» and «песок». A search for «сталь» matches every «стали», so its hits can be
about becoming rather than steel. Each of the query words below is searched alone in the
first ``--limit`` news articles (2,000 by default, unpacked as ``build.py`` does), and
each of its top 10 hits is judged by the forms the hit marks: it counts when one of them
can only be the queried word — every pymorphy3 parse of the form has that lemma
(«сталью», «стального» count; «стали» alone does not). The score of a word is the share
of its top 10 (of all its hits, when fewer) that counts; the script prints it per word
and on average.

Beside that proxy, a judge in context (:mod:`context`: natasha's morphology tagger
choosing among pymorphy3's parses; skipped without the ``bench`` extra) counts a hit
when one of its marked forms means the lemma where it stands: the proxy never counts
«Путин» (also a form of «путина») however plainly it means the president, and counts
«ток» in «ток-шоу». The same is measured apart for common words whose forms a surname
shares (``NAMESAKES``: «песок» / «Песков»).

A hit that marks no form of the lemma (a compound part, a fixed typo) does not count.
``best`` is the share a perfect ranking would get: how many of all the word's hits
could count, up to 10 (some words have few sure forms in the text: «вести»).

The index weights each posting by how likely its form means the lemma
(:mod:`indexer.readings`). How right those weights are is measured apart, on the
hand-checked lemmas of UD Russian-GSD (``--ud``, the ``lemma_coverage.py`` treebank):
of the content words our analysis gives several lemmas, one of them the gold lemma, the
share whose weightiest lemma is the gold one, by pymorphy's probability alone and in
context (the sentence as the treebank writes it), the gold lemma's mean share of the
word's weight, and the share the judge gets right (the treebank's words given to the
tagger): of all those words, and of those in pymorphy's dictionary.
"""

from __future__ import annotations

import argparse
import statistics
from functools import cache
from pathlib import Path

import context
import news

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_UD = ROOT.parent / "shared" / "eval" / "ud_ru_gsd"

DEPTH = 10
#: The parts of speech of UD's content words.
CONTENT = ("NOUN", "PROPN", "ADJ", "VERB")

#: Query words and the lemma each means; each has forms shared with another lemma
#: (in the comment). Words whose forms are nearly all ambiguous in the text («весть»,
#: «пара», «тур», «мыло») were left out: no ranking could do better on them.
WORDS = [
    ("сталь", "сталь"),  # стали (стать)
    ("стать", "стать"),  # стали (сталь)
    ("Песков", "песков"),  # Пескова (песок)
    ("Медведев", "медведев"),  # Медведева (медведь)
    ("Лавров", "лавров"),  # Лаврова (лавр)
    ("Путин", "путин"),  # Путина (путина)
    ("Волков", "волков"),  # Волкова (волк)
    ("Соколов", "соколов"),  # Соколова (сокол)
    ("Орлов", "орлов"),  # Орлова (орёл)
    ("Попов", "попов"),  # Попова (поп)
    ("Жуков", "жуков"),  # Жукова (жук)
    ("Кадыров", "кадыров"),  # Кадырова (кадр)
    ("банк", "банк"),  # банка (банка)
    ("суд", "суд"),  # суда (судно)
    ("полк", "полк"),  # полка (полка)
    ("вино", "вино"),  # вина (вина)
    ("вина", "вина"),  # вина (вино)
    ("дом", "дом"),  # дома (дома, an adverb)
    ("тема", "тема"),  # тем (тот)
    ("мера", "мера"),  # мер (мер)
    ("роман", "роман"),  # романа (Роман)
    ("стих", "стих"),  # стих (стихнуть)
    ("ток", "ток"),  # тока (ток, токовать)
    ("вал", "вал"),  # вал (валить)
    ("вести", "вести"),  # вести (весть)
    ("стекло", "стекло"),  # стекло (стечь)
    ("село", "село"),  # села (сесть)
    ("сесть", "сесть"),  # села (село)
    ("рада", "рада"),  # Рада (рад)
    ("стоять", "стоять"),  # стоит (стоить)
    ("стоить", "стоить"),  # стоит (стоять)
    ("лететь", "лететь"),  # лечу (лечить)
    ("жить", "жить"),  # жил (жила)
    ("пить", "пить"),  # пили (пила)
    ("идти", "идти"),  # иду (ИДУ)
]

#: Common words whose forms a surname shares, the other way round from the names above:
#: «Лавров» is also «лавров» of «лавр».
NAMESAKES = [
    ("лавр", "лавр"),  # Лавров
    ("волк", "волк"),  # Волков
    ("песок", "песок"),  # Песков
    ("сокол", "сокол"),  # Соколов
    ("жук", "жук"),  # Жуков
    ("поп", "поп"),  # Попов
]


@cache
def morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def fold(text: str) -> str:
    return text.lower().replace("ё", "е")


@cache
def only(form: str, lemma: str) -> bool:
    """Whether every parse of a word form has this lemma."""
    parses = morph().parse(form)
    return bool(parses) and all(fold(p.normal_form) == lemma for p in parses)


def judge(
    index, word: str, lemma: str, limit: int | None = DEPTH, tagger=None
) -> tuple[float, float | None, list[str]]:
    """The share of a word's top hits that mark a form only the lemma has; the share
    whose marked forms mean the lemma where they stand, by ``tagger`` (a
    :class:`context.Judge`; None without one); and the marked forms of each hit (a `+`
    before a form that counts, a `=` before one the tagger reads as the lemma)."""
    hits = list(index.search(word, limit=limit, correct=False))
    seen = []
    good = meant = 0
    for hit in hits:
        forms = sorted({hit.text[a:b] for a, b in hit.spans})
        sure = [form for form in forms if only(form, lemma)]
        good += bool(sure)
        read = in_context(tagger, hit.text, hit.spans, lemma) if tagger else set()
        meant += bool(read)
        seen.append(
            " ".join(
                ("=" if form in read else "") + ("+" if form in sure else "") + form
                for form in forms
            )
        )
    if limit is None:  # what the best ranking of all the hits would get
        return (min(good, DEPTH) / min(len(hits), DEPTH) if hits else 0.0), None, seen
    judged = (meant / len(hits) if hits else 0.0) if tagger else None
    return (good / len(hits) if hits else 0.0), judged, seen


def in_context(tagger, text: str, spans, lemma: str) -> set[str]:
    """The marked forms of a paragraph that the tagger reads as ``lemma`` there (a part
    of a compound by the whole word the tagger saw)."""
    words = tagger.lemmas(text)
    return {
        text[a:b]
        for a, b in spans
        for (start, end), found in words.items()
        if start <= a and b <= end and lemma in found
    }


def sentences(folder: Path) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Each sentence of the .conllu files: its text and its words, each with its UD
    part of speech and gold lemma."""
    out = []
    for path in sorted(folder.glob("*.conllu")):
        text, words = "", []
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split("\t")
            if line.startswith("# text = "):
                text, words = line[len("# text = ") :], []
                out.append((text, words))
            elif len(cells) == 10 and cells[0].isdigit():
                words.append((cells[1], cells[3], fold(cells[2])))
    return out


def readings(folder: Path, tagger=None) -> None:
    """How often the weightiest lemma of an ambiguous word is its gold lemma, and how
    often the tagger's reading in context is (given the treebank's words): of all the
    words, and of those in pymorphy's dictionary (a guess's lemmas are no readings the
    tagger can choose from)."""
    from indexer.analysis import INDEX
    from indexer.morphology import is_known

    right: dict[str, list[float]] = {"all": [0, 0, 0, 0, 0.0], "dictionary": [0, 0, 0, 0, 0.0]}
    for text, gold_words in sentences(folder):
        analysed = {(w.start, w.end): w for w in INDEX(text)}
        tags = tagger.tags([[form for form, _, _ in gold_words]])[0] if tagger else []
        at = 0
        for n, (form, pos, gold) in enumerate(gold_words):
            start = text.find(form, at)
            if start < 0:
                continue
            at = start + len(form)
            word = analysed.get((start, at))
            if pos not in CONTENT or word is None or len(word.lemmas) < 2:
                continue
            if gold not in word.lemmas:
                continue
            prior = INDEX.word(form)[0].weights
            mine = word.lemmas.index(gold)
            counts = [
                1,
                prior[mine] == max(prior),
                word.weights[mine] == max(word.weights),
                bool(tags) and gold in context.lemmas(form, *tags[n]),
                word.weights[mine] / sum(word.weights),
            ]
            for words in ("all", "dictionary") if is_known(word.text.lower()) else ("all",):
                right[words] = [a + b for a, b in zip(right[words], counts, strict=True)]
    for words, (count, alone, in_context, judged, share) in right.items():
        print(
            f"\nUD-GSD, {words}: {count} content words with several lemmas, the gold one among them"
        )
        print(f"weightiest lemma is the gold one: pymorphy alone {alone / count:.3f}, ", end="")
        print(f"in context {in_context / count:.3f}", end="")
        print(f"; the judge {judged / count:.3f}" if tagger else "", end="")
        print(f"; gold lemma's share of the weight {share / count:.3f}")


def table(index, words: list[tuple[str, str]], tagger, show: int, title: str) -> None:
    """The proxy, the best ranking's proxy and the judge of each word, and on average."""
    scores, bests, meanings = [], [], []
    print(f"{title}{'word':<12}{'lemma':<12}{'share':>6}{'best':>6}{'judge':>6}")
    for n, (word, lemma) in enumerate(words):
        share, meant, seen = judge(index, word, lemma, tagger=tagger)
        best, _, _ = judge(index, word, lemma, limit=None)
        scores.append(share)
        bests.append(best)
        print(f"{word:<12}{lemma:<12}{share:>6.1f}{best:>6.1f}", end="")
        print(f"{meant:>6.1f}" if meant is not None else f"{'-':>6}")
        if meant is not None:
            meanings.append(meant)
        if n < show:
            for forms in seen:
                print(f"{'':<24}{forms}")
    print(f"\naverage over {len(words)} words: {statistics.mean(scores):.3f}", end="")
    print(f" (a perfect ranking: {statistics.mean(bests):.3f})", end="")
    print(f"; the judge in context: {statistics.mean(meanings):.3f}" if meanings else "")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=2000, help="articles (default 2000)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/indexer-ambiguity"))
    parser.add_argument("--show", type=int, default=0, help="the marked forms of N words")
    parser.add_argument("--ud", type=Path, default=DEFAULT_UD, help="UD-GSD .conllu folder")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"no news corpus at {args.corpus} (give its path with --corpus)")

    _, index = news.indexed(args.corpus, args.limit, args.workdir)

    tagger = context.load()
    if tagger is None:
        print("no natasha, slovnet or navec (pip install -e '.[bench]'): no judge in context\n")
    for title, words in (("", WORDS), ("the other way round: ", NAMESAKES)):
        table(index, words, tagger, args.show, title)
    if args.ud.exists():
        readings(args.ud, tagger)
    else:
        print(f"\nno UD-GSD at {args.ud}: the readings are not measured (give it with --ud)")


if __name__ == "__main__":
    main()
