"""Ambiguous forms: a posting counts by how likely its form means the lemma, in both
engines alike, and an unlikely reading is still found (:mod:`indexer.readings`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import engine_location
from indexer import Index
from indexer.analysis import INDEX, words
from indexer.plan import Filtered, Sources, Word, compile_query
from indexer.ranking import Sure
from indexer.readings import MIN_WEIGHT, OTHER_READING, WEIGHT_UNITS, as_typed, in_context

ENGINES = ["whoosh", "opensearch"]


def _filled(location: str, texts: dict[str, str]) -> Index:
    index = Index(location)
    for source, text in texts.items():
        index.add(source, text)
    return index


def _engine_index(name: str, texts: dict[str, str]) -> Any:
    """A module's fixture: an index of ``texts`` in each engine."""

    @pytest.fixture(scope="module", params=ENGINES)
    def index(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Index]:
        with _filled(engine_location(request, tmp_path_factory, name), texts) as filled:
            yield filled

    return index


#: Three paragraphs about steel, two where «стали» means «became».
STEEL = {
    "steel-knives": "Ножи из нержавеющей стали не ржавеют годами.",
    "steel-price": "Цена горячекатаной стали на бирже выросла на треть.",
    "steel-plant": "Завод выпускает сталь для мостов и рельсов.",
    "became-prices": "Цены на бензин стали расти ещё в марте.",
    "became-friends": "После похода они стали близкими друзьями.",
}


steel_index = _engine_index("readings", STEEL)


#: Four paragraphs about guilt («вина»), one about wine («вино»): the query «вина» is
#: also a form of «вино», the rarer and so the likelier to rank first by idf alone.
GUILT = {
    "guilt-court": "Суд не нашёл вины водителя в аварии на трассе.",
    "guilt-admit": "Министр признал свою вину и подал в отставку.",
    "guilt-blame": "Компания не считает себя виной сбоя в работе банков.",
    "guilt-prove": "Следствию не удалось доказать вину бывшего мэра.",
    "wine-dry": "Он пьёт только сухое вино.",
}


guilt_index = _engine_index("typed", GUILT)


def test_steel_ranks_above_became_and_became_is_still_found(steel_index: Index) -> None:
    hits = steel_index.search("сталь", limit=None)
    order = [hit.source for hit in hits]
    assert sorted(order[:3]) == ["steel-knives", "steel-plant", "steel-price"], order
    assert sorted(order[3:]) == ["became-friends", "became-prices"], order


def test_became_ranks_above_steel(steel_index: Index) -> None:
    order = [hit.source for hit in steel_index.search("стать", limit=None)]
    # «нержавеющей стали» and «горячекатаной стали» are steel by the adjective before
    # them; «сталь» cannot be «стать» at all.
    assert order[:2] in (["became-friends", "became-prices"], ["became-prices", "became-friends"])
    assert "steel-plant" not in order
    assert len(order) == 4


def test_both_engines_score_alike(
    steel_index: Index, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with Index(tmp_path_factory.mktemp("reference")) as reference:
        for source, text in STEEL.items():
            reference.add(source, text)
        for query in ("сталь", "стать", "цены стали", '"стали расти"'):
            ours = [(h.source, h.score) for h in steel_index.search(query, limit=None)]
            theirs = [(h.source, h.score) for h in reference.search(query, limit=None)]
            assert ours == theirs, query


def test_explain_shows_the_weight_of_an_unlikely_reading(steel_index: Index) -> None:
    (hit,) = [
        h
        for h in steel_index.search("сталь", limit=None, explain=True)
        if h.source == "became-prices"
    ]
    assert hit.explanation is not None
    assert "matched «стали» ×0.02: BM25 with tf 0.02" in hit.explanation.description


def test_a_form_counts_by_its_probability() -> None:
    (stali,) = words("стали")
    assert stali.lemmas == ("стать", "сталь")
    assert stali.weights[0] > 0.9 > 0.1 > stali.weights[1] >= MIN_WEIGHT


def test_an_agreeing_adjective_makes_the_noun_likelier() -> None:
    alone = dict(zip(*[words("стали")[0][i] for i in (3, 5)], strict=True))
    after = dict(zip(*[words("из нержавеющей стали")[2][i] for i in (3, 5)], strict=True))
    assert after["сталь"] > 5 * alone["сталь"]
    # Across a sentence's end the adjective says nothing.
    assert in_context("стали", ("стать", "сталь"), "нержавеющей") is not None
    split = dict(zip(*[words("Нержавеющей. Стали")[1][i] for i in (3, 5)], strict=True))
    assert split == alone


def test_a_word_pymorphy_does_not_know_counts_fully_for_each_guess() -> None:
    (word,) = words("Митчеллом")
    assert len(word.lemmas) > 1 and set(word.weights) == {1.0}


_WORDS = st.sampled_from(
    ["стали", "сталь", "нержавеющей", "цены", "Лавров", "вина", "вино", "из", "и", "села",
     "воздушно-космические", "Интернет2", "Митчелл", "24.02.2016", "рада", "стоит", "."]
)  # fmt: skip


@given(st.lists(_WORDS, max_size=40))
def test_every_lemma_is_found_and_no_weight_exceeds_a_word(chosen: list[str]) -> None:
    text = " ".join(chosen)
    found = INDEX.positions(text)
    length = sum(len(word.lemmas) for word in INDEX(text))
    assert sum(len(occurrences) for occurrences in found.values()) == length
    for occurrences in found.values():
        # Found, however unlikely; never more than a word counts for each occurrence.
        assert 1 <= occurrences.units <= WEIGHT_UNITS * len(occurrences)


def test_a_query_word_in_a_dictionary_form_means_that_word(guilt_index: Index) -> None:
    order = [hit.source for hit in guilt_index.search("вина", limit=None)]
    # «вино» is still found, only below every paragraph about guilt.
    assert order[-1] == "wine-dry" and len(order) == len(GUILT), order
    # «вино» typed so means the wine.
    assert guilt_index.search("вино", limit=1)[0].source == "wine-dry"


def test_both_engines_weigh_the_query_word_alike(
    guilt_index: Index, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with _filled(str(tmp_path_factory.mktemp("reference")), GUILT) as reference:
        for query in ("вина", "вино", "вина водителя", "вина OR мэр", "вина -банков"):
            ours = [(h.source, round(h.score, 9)) for h in guilt_index.search(query, limit=None)]
            theirs = [(h.source, round(h.score, 9)) for h in reference.search(query, limit=None)]
            assert ours == theirs, query


def test_explain_says_what_the_typed_word_means(guilt_index: Index) -> None:
    (hit,) = [
        h for h in guilt_index.search("вина", limit=None, explain=True) if h.source == "wine-dry"
    ]
    assert hit.explanation is not None
    assert any(
        "lemma «вино» matched «вино»" in line
        and f"the query word as typed means «вина», weighted × {OTHER_READING:.2f}" in line
        for line in hit.explanation.lines()
    ), list(hit.explanation.lines())


def test_only_a_dictionary_form_narrows_the_query_word() -> None:
    assert as_typed("Лавров", ("лавров", "лавр")) == (1.0, OTHER_READING)
    assert as_typed("Вина", ("вино", "вина")) == (OTHER_READING, 1.0)
    assert as_typed("Ёлка", ("елка",)) == (1.0,)
    # «стали» is the dictionary form of neither «стать» nor «сталь»: both count fully.
    assert as_typed("стали", ("стать", "сталь")) == (1.0, 1.0)
    assert compile_query("стали").plan == Word(("стать", "сталь"))
    # A rare dictionary reading, or a guess, says nothing of what the word means.
    assert as_typed("лет", ("год", "лет")) == (1.0, 1.0)
    assert as_typed("Лютера", ("лютера", "лютер")) == (1.0, 1.0)
    # An exact form is searched as typed, whatever it means.
    assert compile_query("=вина").plan == Word(("вино", "вина"), form="вина")


#: «ток» as a current, and as the first part of «ток-шоу» (a talk show) in a shorter
#: paragraph, which BM25 alone would rank first.
TALK_SHOW = {
    "current": "Электрический ток в проводах старой подстанции снова пропал к вечеру.",
    "talk-show": "Ток-шоу вышло в эфир.",
}


talk_index = _engine_index("parts", TALK_SHOW)


def test_a_part_of_a_compound_counts_less_than_the_word_alone(talk_index: Index) -> None:
    assert [hit.source for hit in talk_index.search("ток", limit=None)] == ["current", "talk-show"]
    # The whole compound and its other part are found as before.
    assert [hit.source for hit in talk_index.search("ток-шоу", limit=None)] == ["talk-show"]
    assert [hit.source for hit in talk_index.search("шоу", limit=None)] == ["talk-show"]


def test_a_compound_read_only_by_its_parts_keeps_them_whole() -> None:
    # pymorphy knows no «хубилай-хан»: it is read by its parts, the name among them.
    parts = {w.text: w.weights for w in words("Хубилай-ханом") if w.text != "Хубилай-ханом"}
    assert parts["Хубилай"] == (1.0,) * len(parts["Хубилай"])


#: «Волков» the sociologist in a short paragraph, «волков» the wolves in a longer one.
NAMESAKE = {
    "sociologist": "Социолог Денис Волков подтвердил прогноз.",
    "wolves": "Ночью в лесу завыла стая волков, и охотник поднял старое ружьё у опушки.",
}
namesake_index = _engine_index("names", NAMESAKE)


def test_a_capital_inside_a_sentence_favours_a_name(namesake_index: Index) -> None:
    wolves = [hit.source for hit in namesake_index.search("волк", limit=None)]
    assert wolves == ["wolves", "sociologist"]
    name = [hit.source for hit in namesake_index.search("Волков", limit=None)]
    assert name == ["sociologist", "wolves"]


def test_a_capital_says_nothing_at_a_sentence_start() -> None:
    text = "Стая ушла в лес. Волков подтвердил"
    (start,) = [w.weights for w in words(text) if w.text == "Волков"]
    assert start == words("волков")[0].weights
    (inside,) = [w.weights for w in words("Стая ушла, Волков подтвердил") if w.text == "Волков"]
    assert inside != start


#: A lone word in a form only it has, and the same word twice in a form another word
#: shares: «стоит» is also «стоять», «Путин» also «путина» (as is «Путину»).
SURE = {
    "stands": "Милиционер стоит у входа в суд, рядом стоит его машина.",
    "cost": "По словам продавцов, билет на поезд до Москвы стоил около двух тысяч рублей.",
    "putin-twice": "Вечером Путин прилетел в Минск, где Путин провёл переговоры.",
    "putin-instrumental": "Губернатор обсудил с Путиным ход весенних полевых работ в районах.",
}
sure_index = _engine_index("sure", SURE)


@pytest.mark.parametrize(
    ("query", "first", "second"),
    [("стоить", "cost", "stands"), ("Путин", "putin-instrumental", "putin-twice")],
)
def test_a_lone_word_in_a_form_only_it_has_ranks_first(
    sure_index: Index, query: str, first: str, second: str
) -> None:
    hits = sure_index.search(query, limit=None, explain=True)
    assert [hit.source for hit in hits] == [first, second]
    assert hits[0].explanation is not None
    assert "can only mean it" in str(hits[0].explanation)
    # Among several words, the others tell the meaning: the shared form counts as before.
    assert sure_index.search(f"{query} вход", limit=None)[0].source == second
    # A source filter or an excluded word leaves the word alone; a required one does not.
    assert sure_index.search(f"{query} -трамвай", limit=None)[0].source == first
    assert sure_index.search(f'"{query}"', limit=None)  # a phrase of one word
    (required,) = sure_index.search("стоить +билет", limit=None, explain=True)
    assert "can only mean it" not in str(required.explanation)


@pytest.mark.parametrize(
    ("query", "alone", "reranked"),
    [
        ("Путин", {"путин"}, True),
        ("Путин -Кремль source:*", {"путин"}, True),
        ("путина Путин", {"путин", "путина"}, False),  # both meant: every form is sure
        ("нефть", {"нефть"}, False),  # no form of it is another word's
        ("=Путин", set(), False),
        ('"Путин"', set(), False),
        ('"Путин" -Кремль', set(), False),
        ("Путин +Кремль", set(), False),
        ("Путин Кремль*", set(), False),
        ('Путин "в Кремле"', set(), False),
    ],
)
def test_only_a_lone_word_with_shared_forms_is_reranked_by_them(
    query: str, alone: set[str], reranked: bool
) -> None:
    compiled = compile_query(query, sources=lambda: ["a"])
    assert compiled.lone == alone
    assert Sure().applies(compiled) is reranked
    # Searched within some paths, as Index.search wraps the plan.
    within = replace(compiled, plan=Filtered(compiled.plan, required=(Sources(("a",)),)))
    assert within.lone == alone


def test_the_first_hits_are_the_same_in_a_list_of_ten_or_of_all(tmp_path: Path) -> None:
    # Forty paragraphs say «Путин» twice; one, which BM25 ranks last, says «Путиным»:
    # the re-ranking looks at the best RERANK_DEPTH alone, however many hits are asked for.
    with Index(tmp_path / "index") as index:
        for n in range(40):
            index.add(f"twice-{n:02}", f"Утром Путин провёл совещание №{n}, вечером Путин улетел.")
        index.add(
            "once", "Губернатор долго и подробно обсуждал с Путиным ход весенних работ в районах."
        )
        first = [(h.source, h.paragraph) for h in index.search("Путин", limit=10)]
        every = [(h.source, h.paragraph) for h in index.search("Путин", limit=None)]
        assert every[:10] == first
        assert every[-1] == ("once", 1)
        # A hit below the re-ranked ones is explained as matched, with no bonus.
        last = index.search("Путин", limit=None, explain=True)[-1]
        assert last.explanation is not None and "sure form" not in str(last.explanation)
