"""Ambiguous word forms: how many of a word's top 10 hits are surely about that word.

    python bench/ambiguity.py [--corpus DIR] [--limit ARTICLES] [--workdir DIR] [--show N]

Many Russian forms belong to two words: «стали» is «сталь» and «стать», «Пескова» is
«Песков» and «песок». A search for «сталь» matches every «стали», so its hits can be
about becoming rather than steel. Each of the query words below is searched alone in the
first ``--limit`` news articles (2,000 by default, unpacked as ``build.py`` does), and
each of its top 10 hits is judged by the forms the hit marks: it counts when one of them
can only be the queried word — every pymorphy3 parse of the form has that lemma
(«сталью», «стального» count; «стали» alone does not). The score of a word is the share
of its top 10 (of all its hits, when fewer) that counts; the script prints it per word
and on average.

A hit that marks no form of the lemma (a compound part, a fixed typo) does not count.
``best`` is the share a perfect ranking would get: how many of all the word's hits
could count, up to 10 (some words have few sure forms in the text: «вести»).

``--simulate`` adds ``weighted``: the share if each occurrence of a lemma counted by how
likely its form means it (pymorphy3's parse scores, ``indexer.morphology.lemma_weights``:
«стали» is «стать» 0.975, «сталь» 0.025) — every hit of the word rescored with BM25 on
such weighted term frequencies, from its text. It estimates what weighting at index
time would buy before the index format is changed for it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import cache
from pathlib import Path

import news
from build import unpack

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPTH = 10

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


def judge(index, word: str, lemma: str, limit: int | None = DEPTH) -> tuple[float, list[str]]:
    """The share of a word's top hits that mark a form only the lemma has, and the
    marked forms of each hit (a `+` before a form that counts)."""
    hits = list(index.search(word, limit=limit, correct=False))
    seen = []
    good = 0
    for hit in hits:
        forms = sorted({hit.text[a:b] for a, b in hit.spans})
        sure = [form for form in forms if only(form, lemma)]
        good += bool(sure)
        seen.append(" ".join(("+" if form in sure else "") + form for form in forms))
    if limit is None:  # what the best ranking of all the hits would get
        return (min(good, DEPTH) / min(len(hits), DEPTH) if hits else 0.0), seen
    return (good / len(hits) if hits else 0.0), seen


def weighted(index, word: str, lemma: str) -> float:
    """The share of the top 10 that counts when the hits are rescored by BM25 on term
    frequencies weighted by how likely each form means the lemma."""
    from indexer.analysis import INDEX
    from indexer.morphology import lemma_weights
    from indexer.ranking import BM25, counted_length

    bm25 = BM25.of(lemma, index._engine.statistics())
    scored = []
    for order, hit in enumerate(index.search(word, limit=None, correct=False)):
        words = list(INDEX(hit.text))
        tf = sum(
            dict(lemma_weights(w.text.lower().replace("ё", "е"))).get(lemma, 0.0)
            for w in words
            if lemma in w.lemmas
        )
        scored.append((-bm25(tf, counted_length(len(words))), order, hit))
    top = [hit for _, _, hit in sorted(scored, key=lambda item: item[:2])[:DEPTH]]
    good = sum(any(only(hit.text[a:b], lemma) for a, b in hit.spans) for hit in top)
    return good / len(top) if top else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=news.DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=2000, help="articles (default 2000)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/indexer-ambiguity"))
    parser.add_argument("--show", type=int, default=0, help="the marked forms of N words")
    parser.add_argument("--simulate", action="store_true", help="also weighted by form")
    args = parser.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"no news corpus at {args.corpus} (give its path with --corpus)")

    from indexer import Index

    corpus = args.workdir / f"corpus-{args.limit}"
    if not corpus.exists():
        files, paragraphs, _ = unpack(args.corpus, args.limit, corpus)
        print(f"{files} articles, {paragraphs} paragraphs in {corpus}")
    start = time.perf_counter()
    index = Index(args.workdir / f"index-{args.limit}")
    index.sync([corpus])
    print(f"index ready in {time.perf_counter() - start:.1f} s\n")

    scores, bests, simulated = [], [], []
    extra = f"{'weighted':>10}" if args.simulate else ""
    print(f"{'word':<12}{'lemma':<12}{'share':>6}{'best':>6}{extra}")
    for n, (word, lemma) in enumerate(WORDS):
        share, seen = judge(index, word, lemma)
        best, _ = judge(index, word, lemma, limit=None)
        scores.append(share)
        bests.append(best)
        if args.simulate:
            simulated.append(weighted(index, word, lemma))
            extra = f"{simulated[-1]:>10.1f}"
        print(f"{word:<12}{lemma:<12}{share:>6.1f}{best:>6.1f}{extra}")
        if n < args.show:
            for forms in seen:
                print(f"{'':<24}{forms}")
    print(f"\naverage over {len(WORDS)} words: {statistics.mean(scores):.3f}", end="")
    print(f" (a perfect ranking: {statistics.mean(bests):.3f})")
    if simulated:
        print(f"weighted by form, simulated: {statistics.mean(simulated):.3f}")


if __name__ == "__main__":
    main()
