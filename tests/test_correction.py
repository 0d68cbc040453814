"""Corrections of query words: typos, keyboard layout, romanised names, and words left alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from indexer import Index
from indexer.cli import main
from indexer.correction import CHEAP_EDIT, readings, slip_cost, switch_layout

# Paragraphs of news as the index sees them: the words the slips below aim at, some of
# them often (a correction prefers a common word), a script with Latin names in it, and
# Latin words an article really uses.
NEWS = [
    "Министр иностранных дел России Сергей Лавров провёл переговоры в Женеве.",
    "Лавров заявил, что Россия готова к диалогу, и объявил об объёме помощи.",
    "Глава МИД России Лавров встретился с коллегой; переговоры продолжатся завтра.",
    "Лаврова спросили о санкциях против России, он ответил журналистам кратко.",
    "Сергей Лавров и министр обороны Сергей Шойгу прибыли на совещание в Кремль.",
    "Шойгу доложил о ходе учений, Россия провела их на Дальнем Востоке.",
    "Обстрел позиций продолжался всю ночь, сообщили журналисты; после обстрела стало тихо.",
    "Оппозиционер Алексей Навальный вновь вышел на акцию; Навального задержали.",
    "Сторонники Навального собрались в центре Москвы, власти России назвали акцию незаконной.",
    "Экономика России растёт медленно, считают экономисты; хорошо идут только экспортёры.",
    "Ёлка на главной площади зажглась в субботу, на праздник пришли тысячи людей.",
    "Журналист опубликовал в Twitter запись, которую цитировали в Twitter и в Facebook.",
    "Компания объявила о запуске в Twitter, ссылку в Twitter дали все агентства.",
    "Новость распространилась через Twitter и Facebook за час.",
    "Правительство России утвердило бюджет; перемирие в Сирии соблюдается.",
    'var lavrov = window.lavrov || {}; lavrov.shoigu = function () { return "navalny"; };',
]


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    with Index(tmp_path_factory.mktemp("correction-index")) as index:
        for name, text in articles():
            index.add(name, text)
        yield index


def articles() -> list[tuple[str, str]]:
    """Twenty articles of the news paragraphs and one script: a news index has the
    names far more often than a page's code has them."""
    news = "\n\n".join(text for text in NEWS if "var " not in text)
    return [(f"news{copy:02}", news) for copy in range(20)] + [("script", NEWS[-1])]


# typed → searched instead; each row a class of slip on real words of the text.
SLIPS = """
Росии          России         a doubled letter left single
Росия          Россия         a doubled letter left single
Росссии        России         a letter doubled
Рсосии         России         two letters swapped
Лаврво         Лавров         two letters swapped at the end
Лаврав         Лавров         an unstressed vowel written as it sounds
Лавпов         Лавров         a key beside the right one
переговры      переговоры     a letter left out
перепговоры    переговоры     a letter put in
перговрры      переговоры     two slips in a long word
j,cnhtk        обстрел        Latin layout, б on the comma key
j,cnhtkf       обстрела       Latin layout, in the text's form
;ehyfkbcn      журналист      Latin layout, ж on the semicolon key
'rjyjvbrf      экономика      Latin layout, э on the quote key
[jhjij         хорошо         Latin layout, х on the bracket key
j,]zdbk        объявил        Latin layout, ъ on the closing bracket key
`krf           ёлка           Latin layout, ё on the backquote key
'rjyjvbra      экономика      Latin layout with a slip in it
РОСИИ          РОССИИ         a typo in capitals keeps them
Navalny        Навальный      romanised: a soft sign left out
Navalnogo      Навального     romanised, in another case
Shoigu         Шойгу          romanised: й written i
Shoygu         Шойгу          romanised: й written y
Lavrov         Лавров         romanised, although a script in the text has «lavrov»
Давров         Лавров         the first letter, a key beside it
Давровым       Лавровым       the first letter, a key beside it, in another case
пееремирие     перемирие      the first two letters swapped
вперемирие     перемирие      a key typed before the first letter
Жкономика      Экономика      the first letter, a key beside it, capitalised
"""


@pytest.mark.parametrize("row", SLIPS.strip().splitlines())
def test_a_slip_is_fixed_to_the_word_meant(news_index: Index, row: str) -> None:
    typed, meant = row.split()[:2]
    results = news_index.search(typed)
    assert results.corrected == meant
    assert len(results) > 0
    assert news_index.search(typed, correct=False).corrected is None


def test_a_rare_latin_token_gives_way_to_its_cyrillic_reading(news_index: Index) -> None:
    # The script's «lavrov» is found as typed, but «Лавров» is what a reader of Russian
    # news means: it is searched instead, and the hits are about him.
    assert len(news_index.search("Lavrov", correct=False)) == 1  # the script
    results = news_index.search("Lavrov")
    assert results.corrected == "Лавров" and results.suggestion is None
    assert all("Лавров" in hit.text for hit in results)


def test_a_rare_latin_token_beside_words_found_is_left_alone(news_index: Index) -> None:
    # «переговоры» found what was meant: the query is answered as typed, and a Latin
    # word the index has is not questioned («Merit», «Sky Box» in a question).
    results = news_index.search("Lavrov переговоры")
    assert (results.corrected, results.suggestion) == (None, None)
    assert any("переговоры" in hit.text for hit in results)
    # With a slip beside it, nothing else is found: both are read.
    assert news_index.search("Lavrov переговры").corrected == "Лавров переговоры"


def test_a_latin_word_the_index_has_often_stays(news_index: Index) -> None:
    for word in ["Twitter", "Facebook"]:
        results = news_index.search(word)
        assert (results.corrected, results.suggestion) == (None, None), word
        assert len(results) >= 2


@pytest.mark.parametrize("word", ["Лавров", "Шойгу", "обстрела", "Твиттер", "хорошо"])
def test_no_word_of_the_index_or_the_dictionary_is_changed(news_index: Index, word: str) -> None:
    # «Твиттер» is not in the text but is a dictionary word: searched as typed.
    results = news_index.search(word)
    assert (results.corrected, results.suggestion) == (None, None)


def test_a_slip_beside_a_word_found_is_offered(news_index: Index) -> None:
    results = news_index.search("Лавров переговры")
    assert results.suggestion == "Лавров переговоры" and results.corrected is None


def test_a_run_typed_in_the_wrong_layout_is_searched_whole(news_index: Index) -> None:
    # «j» alone is in the script; what was meant is «обстрел», searched instead.
    news_index.add("code", "var j = 1;")
    try:
        assert len(news_index.search("j", correct=False)) == 1
        results = news_index.search("j,cnhtk")
        assert results.corrected == "обстрел" and results.typed_total == 1
        assert all("бстрел" in hit.text for hit in results)
    finally:
        news_index.remove("code")


def test_a_layout_slip_and_a_typo_in_one_query(news_index: Index) -> None:
    assert news_index.search("j,cnhtk Росии").corrected == "обстрел России"


def test_readings_cover_the_common_romanisations() -> None:
    assert readings("Navalnyy")[0] == "навалный"  # the soft sign is left to the distance
    assert readings("Dmitriy")[0] == "дмитрий" and readings("Gruziya")[0] == "грузия"
    assert "шойгу" in readings("Shoigu") and "шойгу" in readings("Shoygu")
    assert "дарья" in readings("Darya")
    assert "цой" in readings("Tsoy")


RUSSIAN_LETTERS = "ёйцукенгшщзхъфывапролджэячсмитьбю"
LATIN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."


@given(
    st.text(alphabet=RUSSIAN_LETTERS + RUSSIAN_LETTERS.upper()),
    st.sampled_from("йцукенгшщзфывапролдячсмить"),
)
def test_switching_layout_twice_keeps_russian_letters(text: str, letter: str) -> None:
    # With a letter on a Latin letter's key, as a word has: retyped «хэ» alone is «['»,
    # which reads as no word typed in the Latin layout.
    typed = letter + text
    assert switch_layout(switch_layout(typed)) == typed


@given(
    st.text(alphabet=LATIN_KEYS + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>~'),
    st.sampled_from("qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM"),
)
def test_switching_layout_twice_keeps_latin_keys(text: str, letter: str) -> None:
    typed = letter + text
    assert switch_layout(switch_layout(typed)) == typed


words = st.text(alphabet="абвгдежзийклмнопрстуфхцчшщъыьэюя", max_size=10)


@given(words, words)
def test_a_slips_cost_lies_between_cheap_and_full_edits(a: str, b: str) -> None:
    edits = OSA.distance(a, b)
    assert CHEAP_EDIT * edits - 1e-9 <= slip_cost(a, b) <= edits
    assert (slip_cost(a, b) == 0) == (a == b)


def test_the_command_line_says_a_rare_latin_word_was_read_in_cyrillic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in articles():
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
    code = main(["Lavrov", str(docs), "--index", str(tmp_path / "index"), "-n", "2"])
    out, err = capsys.readouterr()
    assert code == 1 and "Лавров" in out and "lavrov" not in out
    assert (
        "«Lavrov» found 1 paragraph(s) by what reads as a slip; showing results for «Лавров»" in err
    )
    code = main(["Lavrov", str(docs), "--index", str(tmp_path / "index"), "--no-correct"])
    out, err = capsys.readouterr()
    assert code == 0 and "lavrov" in out


def test_a_romanised_word_is_read_as_it_is_spelled(tmp_path: Path) -> None:
    # «python» read in Cyrillic is «питхон» or «пайтон», not «питан», a vowel away: a
    # romanisation spells its vowels, only a typist mishears them.
    with Index(tmp_path) as index:
        index.add("сказка", "Ребёнок был сыт и хорошо питан, а питон спал.")
        assert index.search("python").corrected == "питон"
        index.add("сказка", "Ребёнок был сыт и хорошо питан.")
        assert index.search("python").corrected is None
