"""Every operator, Russian-specific match and recovery, on the article and our fixtures."""

from __future__ import annotations

import re

import pytest

from conftest import paragraphs

# query                          paragraphs of the article, best first where it matters
OPERATORS = """
перегов*                         1 3
=Россия                          8
!Россия                          8
="прекращения огня"              5 6
="прекращение огня"              -
"прекращение огня"               5 6
"огня прекращение"               -
"огня прекращение"~1             5 6
Лавров И Керри                   1 4 3
Лавров ИЛИ Песков                1 4 3 8
Сирия НЕ перемирие               8 3 6 1 2
(Песков OR Асад) AND Сирия       8
+Кремля Лавров                   4
source:lavrov* Керри             4 3 1
source:*.txt +Кремля             4
source:другой* Керри             -
"""


def _rows(table: str) -> list[tuple[str, list[int]]]:
    rows = []
    for line in table.strip().splitlines():
        query, _, numbers = line.partition("  ")
        found = [] if numbers.strip() == "-" else [int(n) for n in numbers.split()]
        rows.append((query.strip(), found))
    return rows


@pytest.mark.parametrize(("query", "expected"), _rows(OPERATORS))
def test_operators(article_index, query: str, expected: list[int]) -> None:
    results = article_index.search(query, correct=False)
    assert sorted(paragraphs(results)) == sorted(expected)
    if len(expected) > 1 and " " in query and query.startswith(("Лавров", "Сирия")):
        assert paragraphs(results) == expected


def test_exact_form_marks_only_that_form(article_index) -> None:
    hit = article_index.search("=России")[0]
    assert {hit.text[a:b] for a, b in hit.spans} == {"России"}
    assert "Россия" not in {
        h.text[a:b] for h in article_index.search("=России") for a, b in h.spans
    }


def test_prefix_is_not_lemmatised(article_index) -> None:
    # «сирийск*» is a prefix of forms («сирийском»), not of the lemma «сирия».
    found = paragraphs(article_index.search("сирийск*"))
    assert set(found) == {6, 10, 11}
    marked = {h.text[a:b] for h in article_index.search("сирийск*") for a, b in h.spans}
    assert marked == {"сирийским", "сирийском", "сирийское"}
    # Lemmatised, «Россией*» would find every paragraph with «Россия»; as a prefix of
    # forms it finds only the one with «Россией».
    assert paragraphs(article_index.search("Россией*")) == [6]


def test_lower_case_i_and_ne_stay_words(article_index) -> None:
    # «и» is an ordinary (common) word here, not AND: both names are optional.
    assert set(paragraphs(article_index.search("Песков и Асад"))) == {8, 11}
    assert set(paragraphs(article_index.search("ООН И США"))) >= {3}


# query            paragraphs that must be found (names, abbreviations in any case)
RUSSIAN = """
Лавров           1 3 4
Лаврову          1 3 4
Лаврова          1 3 4
Керри            1 3 4
Обама            1 2 5
Обаме            1 2 5
ООН              3
оон              3
ЦРУ              6
цру              6
мид              1 2 9
"""


@pytest.mark.parametrize(("query", "expected"), _rows(RUSSIAN))
def test_names_and_abbreviations_in_any_case(article_index, query, expected) -> None:
    assert set(paragraphs(article_index.search(query))) >= set(expected)


def test_a_date_ranks_its_paragraph_first(article_index) -> None:
    assert paragraphs(article_index.search("27 февраля"))[0] == 5


# typed            corrected query             paragraphs then found
RECOVERY = """
перимирия          перемирия                   9 5
перимирием         перемирием                  9 5
переговорав        переговоров                 1 3
Кери               Керри                       4 3 1
gthtvbhbt          перемирие                   9 5
gthtvbhbt cbhbb    перемирие сирии             9 5
peremirie          перемирие                   9 5
peregovory         переговоры                  1 3
Lavrov             Лавров                      1 4 3
"""


@pytest.mark.parametrize("row", RECOVERY.strip().splitlines())
def test_recovery_when_the_query_finds_nothing(article_index, row: str) -> None:
    typed, corrected, found = (part.strip() for part in row.split("  ") if part.strip())
    results = article_index.search(typed)
    assert results.corrected == corrected
    assert paragraphs(results)[:2] == [int(n) for n in found.split()][:2]
    assert results.suggestion is None
    nothing = article_index.search(typed, correct=False)
    assert len(nothing) == 0 and nothing.corrected is None


def test_did_you_mean_when_the_query_finds_something(article_index) -> None:
    results = article_index.search("Сирия перимирие")
    assert results.suggestion == "Сирия перемирие" and results.corrected is None
    assert 8 in paragraphs(results)  # what the typed query found, unchanged


def test_nothing_fires_when_the_words_are_in_the_index(article_index) -> None:
    for query in ["переговоры", "Лавров Керри", "=Россия", "перегов*"]:
        results = article_index.search(query)
        assert (results.corrected, results.suggestion) == (None, None), query


def test_an_exact_form_missing_is_no_typo(article_index) -> None:
    # The text has «прекращения», not «прекращение»: nothing is found, nothing corrected.
    results = article_index.search('="прекращение огня"')
    assert len(results) == 0 and results.corrected is None


# Fixtures of our own: ё, hyphenated words, numbers, a Latin word typed in Russian layout.
FIXTURES = """
ёлка               3 4
елка               3 4
=ёлки              3
=елки              3
Санкт-Петербург    1
санкт-петербурге   1
Петербург          1
из-за              1
2016               2
"""


@pytest.mark.parametrize(("query", "expected"), _rows(FIXTURES))
def test_fixture_words(fixture_index, query, expected) -> None:
    hits = [h for h in fixture_index.search(query) if h.source.endswith("fixtures.txt")]
    assert sorted(h.paragraph for h in hits) == expected


def test_russian_layout_for_a_latin_word(fixture_index) -> None:
    assert fixture_index.search("пщщпду").corrected == "google"
    assert fixture_index.search("фтвкщшв").corrected == "android"


def test_explanation_adds_up_to_the_score(article_index) -> None:
    for query in ["Кто обсуждал перемирие в Сирии?", "Лавров Керри переговоры", "стали"]:
        for hit in article_index.search(query, explain=True):
            explanation = hit.explanation
            assert explanation is not None
            assert explanation.score == pytest.approx(hit.score, abs=1e-3)
            assert sum(c.score for c in explanation.children) * _factor(
                explanation.description
            ) == pytest.approx(hit.score, abs=1e-3)


def _factor(description: str) -> float:
    found = re.search(r"× coordination ([\d.]+)$", description)
    return float(found.group(1)) if found else 1.0


def test_explanation_names_forms_lemmas_and_phrases(article_index) -> None:
    hit = article_index.search("Лавров переговоры", explain=True)[0]
    text = "\n".join(hit.explanation.lines())
    assert "2 of 2 query words matched" in text
    assert "query word «переговоры» → lemma «переговоры» matched" in text
    assert "BM25 with tf" in text and "idf" in text
    # A phrase's score is taken apart too: its words' lemmas, summed.
    phrase = article_index.search('"прекращение огня"', explain=True)[0]
    assert phrase.explanation.score == pytest.approx(phrase.score, abs=1e-3)
    assert "phrase of 2 words next to each other" in phrase.explanation.description
    summed = sum(c.score for c in phrase.explanation.children)
    assert summed == pytest.approx(phrase.score, abs=1e-3)
