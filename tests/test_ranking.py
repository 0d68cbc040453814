"""Ranking: term-at-a-time scores equal the matchers', coordination, proximity, names."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pytest

from conftest import paragraphs, touch_later
from indexer import BUILTIN_SYNONYMS, Index, Synonyms
from indexer.engines.whoosh.compiler import compile_plan, score_bag
from indexer.plan import Word, compile_query, counting_relatives, walk

QUESTIONS = [
    "Кто обсуждал перемирие в Сирии?",
    "Лавров Керри переговоры",
    "стали",
    "прекращение огня 27 февраля",
    "Какие условия согласовали президенты России и США?",
    '"прекращение огня"',
    '"прекращение огня" в Сирии Лавров',
    '"в Сирии" "в Сирии"',
]


def _both_ways(
    index: Index, text: str, synonyms: Synonyms | None = None
) -> tuple[dict[int, float], dict[int, float]]:
    searcher = index._engine.searcher()
    plan = compile_query(text, synonyms=synonyms).plan
    fast = score_bag(plan, searcher)
    assert fast is not None, text
    hits = searcher.search(compile_plan(plan, searcher), limit=None)
    slow = {hit.docnum: hit.score for hit in hits}
    return fast, slow


@pytest.mark.parametrize("text", QUESTIONS)
def test_term_at_a_time_scores_equal_the_matchers(article_index, text) -> None:
    fast, slow = _both_ways(article_index, text)
    assert fast.keys() == slow.keys()
    for docnum, score in slow.items():
        assert fast[docnum] == pytest.approx(score, rel=1e-9)


#: Phrase synonyms the article has: «прекращение огня», «режим тишины», «Соединённые Штаты».
SYNONYMS = BUILTIN_SYNONYMS | Synonyms([["перемирие", "прекращение огня", "режим тишины"]])


@pytest.mark.parametrize(
    "text",
    [
        "перемирие",
        "перемирие в Сирии",
        "Россия США условия перемирия",
        "США",
        "огонь МИД",
        '"режим тишины"',
        '"прекращение огня" США',
    ],
)
def test_phrase_synonyms_score_term_at_a_time_as_the_matchers_do(article_index, text) -> None:
    fast, slow = _both_ways(article_index, text, SYNONYMS)
    assert fast.keys() == slow.keys()
    for docnum, score in slow.items():
        assert fast[docnum] == pytest.approx(score, rel=1e-9)


def test_a_phrase_synonym_counts_only_where_its_words_stand_together(tmp_path: Path) -> None:
    texts = [
        "Стороны договорились о прекращении огня на юге страны.",
        "Огня в доме не было, а прекращение поставок обсудят позже.",
        "Перемирие на юге страны соблюдается.",
        "Режим тишины продлили.",
    ]
    with _index_of(tmp_path, *texts) as index:
        fast, slow = _both_ways(index, "перемирие", SYNONYMS)
        assert fast == pytest.approx(slow)
        found = {p.text for p in index._engine.paragraphs(list(fast))}
        assert found == {texts[0], texts[2], texts[3]}


def test_scores_stay_equal_and_positive_after_edits(tmp_path: Path, workdir: Path) -> None:
    # An edit deletes documents that still count in Whoosh's statistics until a merge.
    article = workdir / "lavrov_kerry_syria.txt"
    with Index(tmp_path / "ix") as index:
        index.sync([workdir])
        article.write_text("Переговоры отменили.\n\nПерегоровы по Сирии продолжатся.\n")
        touch_later(article)
        index.sync([workdir])
        (workdir / "more.txt").write_text("Переговоры в Женеве о Сирии.\n", encoding="utf-8")
        index.sync([workdir])
        fast, slow = _both_ways(index, "переговоры о Сирии")
        assert fast == pytest.approx(slow) and len(fast) == 3
        assert all(score > 0 for score in fast.values())


def test_other_queries_take_the_collectors_path(article_index) -> None:
    searcher = article_index._engine.searcher()
    for text in ['="прекращение огня"', '"прекращение огня"~2', "Сирия -перемирие", "перегов*",
                 "=Россия", '+"прекращение огня" Сирия']:  # fmt: skip
        assert score_bag(compile_query(text).plan, searcher) is None


def _index_of(tmp_path: Path, *texts: str) -> Index:
    docs = tmp_path / "docs"
    docs.mkdir()
    for number, text in enumerate(texts):
        (docs / f"{number}.txt").write_text(text, encoding="utf-8")
    index = Index(tmp_path / "ix")
    index.sync([docs])
    return index


FILLER = "Об этом сообщили в пресс-службе ведомства в понедельник утром."


def test_words_side_by_side_outrank_the_same_words_far_apart(tmp_path: Path) -> None:
    # The same words and the same length: only where the words stand differs.
    near = f"Защита Пэнтерс уступила всего 308 очков. {FILLER} {FILLER}"
    far = f"Защита уступила всего 308 очков. {FILLER} {FILLER} Так сыграли Пэнтерс."
    with _index_of(tmp_path, far, near) as index:
        hits = index.search("Сколько очков уступила защита Пэнтерс?")
        assert [h.text for h in hits] == [near, far]
        assert hits[0].score > hits[1].score


def test_more_of_the_query_outranks_one_word_repeated(tmp_path: Path) -> None:
    one = "Переговоры, переговоры и снова переговоры: о них говорили весь день в Москве."
    both = "Переговоры о перемирии в Сирии прошли в Женеве в понедельник, сообщили в МИД."
    with _index_of(tmp_path, one, both) as index:
        assert [h.text for h in index.search("переговоры перемирие")] == [both, one]


def test_the_words_a_documents_other_paragraphs_lack_tell_its_answer(tmp_path: Path) -> None:
    # Every paragraph of the article has «Тесла», three of four «Эдисон»: «лампа», the
    # word its other paragraphs lack, tells which one answers, though «лампа» is the
    # commoner word in the whole index.
    article = [
        "Тесла встретил Эдисона в Париже весной.",
        "Тесла показал лампу в Париже весной 1889 года на большой выставке.",
        "Позже Эдисон и Тесла спорили о токе.",
        "Эдисон и Тесла так и не помирились.",
    ]
    news = [
        "Лампа горела всю ночь.",
        "Новую лампу показали на выставке.",
        "В селе открыли новую школу.",
        "Отец и сын пришли на выставку в Москве.",
        "Дождь шёл весь день.",
    ]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tesla.txt").write_text("\n\n".join(article), encoding="utf-8")
    (docs / "news.txt").write_text("\n\n".join(news), encoding="utf-8")
    with Index(tmp_path / "ix") as index:
        index.sync([docs])
        hits = index.search("Тесла лампа Эдисон", explain=True)
        assert hits[0].text == article[1]
        assert hits[0].explanation is not None
        assert "distinction" in hits[0].explanation.description


def test_an_ambiguous_word_in_the_form_typed_outranks_its_other_forms(tmp_path: Path) -> None:
    # «Лавров» is also a form of «лавр»: where it stands as typed it counts beside the
    # same words with «Лаврову», which can only be the name.
    other = "Лаврову и Керри поручили переговоры в Женеве."
    typed = "Лавров и Керри провели переговоры в Женеве."
    with _index_of(tmp_path, other, typed) as index:
        hits = index.search("переговоры Лавров Керри", explain=True)
        assert [h.text for h in hits] == [typed, other]
        assert hits[0].explanation is not None
        assert "typed forms" in hits[0].explanation.description


@pytest.mark.parametrize("written", ["Лaвров", "Ла\u0301вров", "ЛАВРОВ"])
def test_a_form_typed_counts_however_its_letters_are_written(tmp_path: Path, written: str) -> None:
    # A Latin look-alike («Лaвров»), a stress mark or capitals: the same form as typed.
    other = "Лаврову и Керри поручили переговоры в Женеве."
    typed = f"{written} и Керри провели переговоры в Женеве."
    with _index_of(tmp_path, other, typed) as index:
        hits = index.search("переговоры Лавров Керри", explain=True)
        assert [h.text for h in hits] == [typed, other]
        assert hits[0].explanation is not None
        assert "typed forms" in hits[0].explanation.description


def test_an_unknown_name_finds_its_other_cases(tmp_path: Path) -> None:
    # pymorphy guesses «Митчелл» is a form of «митчелла», while «Митчеллом» is one of
    # «митчелл»: the name itself, indexed as a lemma, joins them.
    text = "Госсекретарь встретился с Митчеллом в Лондоне."
    with _index_of(tmp_path, text) as index:
        assert paragraphs(index.search("Митчелл")) == [1]


def test_related_words_join_a_question_to_its_answer(tmp_path: Path) -> None:
    answer = "Президент Колумбии Хуан Мануэль Сантос посетил Гарвард в 2015 году."
    other = "Президент посещал выставку в Москве, где показывали колумбийский кофе."
    with _index_of(tmp_path, other, answer) as index:
        hits = index.search("Какой колумбийский президент посещал Гарвард?")
        assert hits[0].text == answer
        marked = [answer[a:b] for a, b in hits[0].spans]
        assert marked == ["Президент", "Колумбии", "посетил", "Гарвард"]
        # A word searched alone means itself.
        assert [h.text for h in index.search("колумбийский")] == [other]


@pytest.mark.parametrize(
    ("question", "answer", "relative", "instead"),
    [
        # Relatives no suffix rule makes: they come from MorphyNet's table.
        (
            "Какие московские парки открыли летом?",
            "Летом в Москве открыли парки.",
            "Москве",
            "Казани",
        ),
        ("Когда состоялось посещение музея?", "Президент посетил музей в мае.", "посетил", "видел"),
        (
            "Кто принял решение о строительстве моста?",
            "Мэр решил начать строительство моста.",
            "решил",
            "хотел",
        ),
    ],
)
def test_irregular_relatives_join_a_question_to_its_answer(
    tmp_path: Path, question: str, answer: str, relative: str, instead: str
) -> None:
    # The other paragraph has the same words but for the relative, and is stored first.
    other = answer.replace(relative, instead)
    with _index_of(tmp_path, other, answer) as index:
        hits = index.search(question)
        assert hits[0].text == answer
        assert relative in [answer[a:b] for a, b in hits[0].spans]


class Counts:
    """Collection statistics given as a table of paragraph counts."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.paragraphs = 10_000
        self.average_length = 50.0

    def frequency(self, lemma: str) -> int:
        return self.counts.get(lemma, 0)

    def frequencies(self, lemmas: Collection[str]) -> dict[str, int]:
        return {lemma: self.frequency(lemma) for lemma in lemmas}


def test_relatives_that_cannot_count_leave_the_plan_before_an_engine_sees_it() -> None:
    # «президентский» is too common to count, «колумбиец» and «посещаться» are not in
    # the index: left out of the plan and of what hits mark, so no engine decides.
    compiled = compile_query("Какой колумбийский президент посещал Гарвард?")
    counts = {"колумбийский": 5, "колумбия": 40, "колумбиец": 0, "президент": 900,
              "президентский": 2000, "посещать": 30, "посетить": 50, "гарвард": 3}  # fmt: skip
    pruned = counting_relatives(compiled, Counts(counts))
    related = {w.lemmas[0]: w.related for w in walk(pruned.plan) if isinstance(w, Word)}
    assert related == {
        "колумбийский": ("колумбия",),
        "президент": (),
        "посещать": ("посетить",),
        "гарвард": (),
    }
    assert pruned.lemmas == compiled.lemmas | {"колумбия", "посетить"}


def test_a_common_words_relatives_are_neither_searched_nor_marked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer import ranking

    monkeypatch.setattr(ranking, "COMMON_PARAGRAPHS", 0)  # every indexed word is common
    answer = "Президент Колумбии Хуан Мануэль Сантос посетил Гарвард в 2015 году."
    other = "Президент посещал выставку в Москве, где показывали колумбийский кофе."
    with _index_of(tmp_path, other, answer) as index:
        hits = index.search("Какой колумбийский президент посещал Гарвард?")
        found = {h.text: [h.text[a:b] for a, b in h.spans] for h in hits}
        assert found[answer] == ["Президент", "Гарвард"]
        assert found[other] == ["Президент", "посещал", "колумбийский"]


def test_a_required_part_survives_skipping_blocks_by_quality() -> None:
    # Block-max skipping asks each part of «+России Лавров …» to skip to a quality; a
    # required part scores nothing, and Whoosh's zero-boost wrapper divided by zero.
    from whoosh.matching import IntersectionMatcher, ListMatcher
    from whoosh.scoring import WeightScorer

    from indexer.engines.whoosh.matchers import UnscoredMatcher

    def postings() -> ListMatcher:
        return ListMatcher([1, 5, 9], all_weights=2.0, scorer=WeightScorer(2.0))

    both = IntersectionMatcher(postings(), UnscoredMatcher(postings()))
    assert both.block_quality() == 2.0
    both.skip_to_quality(1.0)
    assert both.is_active() and both.id() == 1 and both.score() == 2.0
    both.skip_to_quality(3.0)  # nothing here reaches 3: the matcher runs out
    assert not both.is_active()
