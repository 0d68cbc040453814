"""Lemmas of single words: all normal forms, ё folded, numbers and Latin untouched."""

from __future__ import annotations

import pytest

from indexer import lemmas
from indexer.morphology import cache_info, lemma_weights

# word            lemmas (all distinct normal forms, most probable first)
LEMMAS = """
Сирии             сирия
переговоров       переговоры
переговорах       переговоры
стали             стать сталь
Лаврова           лавров
Обаме             обама
Ёлки              елка
ёлка              елка
елка              елка
йод               йод
ООН               оон
2016              2016
1,5               1,5
Keyboard          keyboard
воздушно-космические  воздушно-космический
из-за             из-за
"""


@pytest.mark.parametrize(
    ("word", "expected"), [line.split(maxsplit=1) for line in LEMMAS.strip().splitlines()]
)
def test_lemmas_include_every_normal_form(word: str, expected: str) -> None:
    assert set(expected.split()) <= set(lemmas(word))
    assert lemmas(word)[0] == expected.split()[0]


def test_all_normal_forms_not_only_the_first_parse() -> None:
    assert lemmas("стали") == ("стать", "сталь")


def test_weights_are_probabilities_most_likely_first() -> None:
    weights = lemma_weights("стали")
    assert [lemma for lemma, _ in weights] == ["стать", "сталь"]
    assert weights[0][1] > 0.9 > weights[1][1] > 0
    assert sum(w for _, w in weights) == pytest.approx(1.0, abs=1e-5)


def test_yo_is_folded_after_lemmatising_but_short_i_is_kept() -> None:
    assert all("ё" not in lemma for lemma in lemmas("ещё"))
    assert lemmas("район") == ("район",)


def test_lemmas_are_cached() -> None:
    lemmas("перемирие")
    before = cache_info().hits
    lemmas("перемирие")
    assert cache_info().hits == before + 1
