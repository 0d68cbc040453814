"""Searching the bundled article and the small corpus through the Python API."""

from __future__ import annotations

import pytest

from conftest import paragraphs
from indexer.derivation import related_lemmas
from indexer.morphology import lemmas

# query                              paragraphs expected (exactly, any order)
EXACT = """
переговоры                           1 3
переговорах                          1 3
"прекращение огня"                   5 6
"прекращения огня"                   5 6
"""


def _table(text: str) -> list[tuple[str, set[int]]]:
    rows = []
    for line in text.strip().splitlines():
        query, numbers = line.split("  ", 1)
        rows.append((query.strip(), {int(n) for n in numbers.split()}))
    return rows


@pytest.mark.parametrize(("query", "expected"), _table(EXACT))
def test_every_form_finds_every_form(article_index, query: str, expected: set[int]) -> None:
    assert set(paragraphs(article_index.search(query))) == expected


def test_surnames_in_any_case(article_index) -> None:
    for query in ["Лавров", "Лаврову", "Лаврова"]:
        assert 1 in paragraphs(article_index.search(query)), query  # «Сергея Лаврова»
        assert 3 in paragraphs(article_index.search(query)), query  # «Лавров и Керри»


def test_exclusion(article_index) -> None:
    found = paragraphs(article_index.search("Сирия -перемирие"))
    assert found and 5 not in found and 9 not in found
    assert {5, 9} <= set(paragraphs(article_index.search("Сирия")))


def test_more_query_words_rank_higher_but_partial_matches_stay(article_index) -> None:
    results = article_index.search("Кто обсуждал перемирие в Сирии?")
    found = paragraphs(results)
    assert found[0] in (5, 9)  # «перемирия в Сирии»
    assert 2 in found  # only «Сирии»: still returned, lower
    assert results.dropped == ("Кто", "в")


def test_a_date_ranks_its_paragraph_first(article_index) -> None:
    assert paragraphs(article_index.search("27 февраля"))[0] == 5


def test_boolean_operators(article_index) -> None:
    assert set(paragraphs(article_index.search("Песков OR Асад"))) == {8, 11}
    assert set(paragraphs(article_index.search("Лавров AND Кремля"))) == {4}
    assert set(paragraphs(article_index.search("переговоры NOT межсирийских"))) == {1}
    assert set(paragraphs(article_index.search("+Кремля Лавров"))) == {4}


def test_hits_carry_text_spans_and_scores(article_index) -> None:
    results = article_index.search("переговоры", limit=1)
    assert len(results) == 1 and results.total == 2
    hit = results[0]
    assert hit.source.endswith("lavrov_kerry_syria.txt")
    assert hit.text.startswith("В среду, 24 февраля")
    assert [hit.text[a:b] for a, b in hit.spans] == ["переговоры", "переговоры", "переговоров"]
    assert hit.score > 0


def test_phrase_needs_adjacent_words(article_index) -> None:
    assert paragraphs(article_index.search('"огня прекращение"')) == []


# Fixtures of our own: ё, hyphenated words, numbers, operator characters inside words.
FIXTURES = """
ёлка                       3 4
елка                       3 4
Санкт-Петербург            1
из-за                      1
космический                2
воздушно-космические       2
2016                       2
азиатско-американские      6
пространства-времени       6
C++                        7
Sky+                       7
"""


@pytest.mark.parametrize(("query", "expected"), _table(FIXTURES))
def test_fixture_corpus(fixture_index, query: str, expected: set[int]) -> None:
    assert set(paragraphs(fixture_index.search(query))) >= expected
    assert paragraphs(fixture_index.search(query))[0] in expected


def test_yo_is_found_but_the_text_keeps_its_spelling(fixture_index) -> None:
    hits = fixture_index.search("елка").hits
    marked = {hit.text[a:b] for hit in hits for a, b in hit.spans}
    assert {"ёлку", "ёлки", "елка"} <= marked


def test_a_query_word_with_a_hyphen_is_not_split(fixture_index) -> None:
    # «из-за» must not match a paragraph that has only «за» or «из».
    assert paragraphs(fixture_index.search("из-за")) == [1]


def test_spans_are_words_whose_lemma_the_query_has(article_index) -> None:
    for query in ["переговоры Сирия", "Россия", "прекращение огня", "президенты Путин"]:
        own = {lemma for word in query.split() for lemma in lemmas(word)}
        wanted = own | {other for lemma in own for other in related_lemmas(lemma)}
        for hit in article_index.search(query):
            for a, b in hit.spans:
                assert wanted & set(lemmas(hit.text[a:b])), hit.text[a:b]


def test_hard_wrapped_lines_make_one_paragraph(fixture_index) -> None:
    hits = [h for h in fixture_index.search('"прекращении огня"') if h.source.endswith(".md")]
    assert [h.paragraph for h in hits] == [2]
    assert (
        hits[0].text
        == "Делегации продолжили переговоры\nо прекращении огня, которые\nшли всю ночь."
    )


def test_latin_lookalikes_find_and_are_found(tmp_path) -> None:
    from indexer import Index

    article = tmp_path / "scraped.txt"
    article.write_text(
        "Переговоры прошли в Москвa, с Симанcом.\n\nВ Москве и Пекине идёт снег.\n", "utf-8"
    )
    with Index(tmp_path / "index") as index:
        index.sync([str(article)])
        hits = index.search("Москва")
        # The word is marked as written, Latin «a» and all.
        assert {hit.text[a:b] for hit in hits for a, b in hit.spans} == {"Москвa", "Москве"}
        assert set(paragraphs(index.search("Мocквa"))) == {1, 2}
        assert set(paragraphs(index.search("=Москва"))) == {1}
        assert set(paragraphs(index.search("=Симансом"))) == {1}
        assert set(paragraphs(index.search("Москв*"))) == {1, 2}
