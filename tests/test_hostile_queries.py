"""Queries and documents written to break a search: each one gets an answer or a QueryError."""

from __future__ import annotations

import contextlib
import itertools
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import Index, QueryError
from indexer.engines.whoosh import engine as whoosh_engine

WORDS = ["Сирии", "Лавров", "России", "перемирие", "Керри"]
PATTERNS = [
    "-{} AND {} {}",
    "{} AND -{} {}",
    "-{} {} AND {}",
    "NOT {} AND NOT {} {}",
    "{} -{} AND -{}",
    "({} OR {}) AND -{}",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_exclusions_beside_and_never_crash(article_index, pattern: str) -> None:
    # Whoosh's AndNot compared ids after its positive side ran out (TypeError).
    for words in itertools.permutations(WORDS, 3):
        with contextlib.suppress(QueryError):
            article_index.search(pattern.format(*words))


def test_an_excluded_word_before_and_keeps_its_meaning(article_index) -> None:
    hits = article_index.search("-Сирии AND Лавров")
    assert hits and all("Лавров" in hit.text and "Сири" not in hit.text for hit in hits)


def test_crafted_words_in_one_document_leave_the_rest_searchable(tmp_path: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add("crafted", "\U0001726dЛавров встретился " + "не" * 450 + " с Керри.")
        index.add("plain", "Керри и Лавров провели переговоры.")
        assert {hit.source for hit in index.search("Керри")} == {"crafted", "plain"}
        assert [hit.source for hit in index.search("переговоры")] == ["plain"]


def test_letters_glued_to_digits_are_found_by_their_letters(tmp_path: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add("ru", "Интернет пришёл в каждый дом.")
        index.add("en", "В 1998 году сообщество Internet2 построило сеть Abilene.")
        assert [hit.source for hit in index.search("Что такое Интернет2?")] == ["ru"]
        hits = index.search("Internet")
        assert [hit.source for hit in hits] == ["en"]
        assert [hits[0].text[a:b] for a, b in hits[0].spans] == ["Internet"]
        assert [hit.source for hit in index.search("Internet2")] == ["en"]


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("удалёнка", "Удаление файлов заняло час."),  # a dictionary word
        ("*ция", "ЦИК объявил итоги выборов."),  # glued to a wildcard
        ("ghbdtn+", "Привет всем."),  # glued to a symbol («C++» is no «С++»)
    ],
)
def test_words_that_cannot_be_slips_are_not_corrected(tmp_path, typed: str, text: str) -> None:
    with Index(tmp_path / "index") as index:
        index.add("doc", text)
        results = index.search(typed)
        assert (len(results), results.corrected, results.suggestion) == (0, None, None)


def test_a_typo_is_still_corrected(tmp_path: Path) -> None:
    with Index(tmp_path / "index") as index:
        index.add("doc", "Удаление файлов заняло час.")
        assert (index.search("удалеине").corrected or "").startswith("удален")


def test_a_prefix_for_too_many_words_is_bounded_and_said_so(tmp_path: Path) -> None:
    words = ["zq" + "".join(letters) for letters in itertools.product("abcdefghij", repeat=3)]
    with Index(tmp_path / "index") as index:
        index.add("many", " ".join(words))
        results = index.search("zq*")
        assert "«zq*» stands for 1,000 words: searched the 512 most frequent" in results.notes


def test_a_search_out_of_time_answers_with_what_it_found_and_says_so(
    article_index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoosh_engine, "SEARCH_TIME_LIMIT", 0.0)
    results = article_index.search("Сирии OR России", limit=1)
    assert len(results) == 1
    assert results.notes == ("the search ran out of time (0 s): the hits are the best of "
                             "the paragraphs it reached",)  # fmt: skip


def test_reading_a_document_has_no_time_limit(
    article_index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A document is read through the engine's search for its source: the search's time
    # limit must not cut it short, or a long file would open with paragraphs missing.
    source = article_index.sources()[0]
    whole = article_index.document(source)
    monkeypatch.setattr(whoosh_engine, "SEARCH_TIME_LIMIT", 0.0)
    assert article_index.document(source) == whole
    assert len(article_index.paragraphs(source)) == len(whole) > 5


def test_the_time_limit_starts_no_thread(article_index, monkeypatch: pytest.MonkeyPatch) -> None:
    # Whoosh's own time limit starts a timer thread per search: a millisecond, and more
    # on a busy machine.
    def no_timer(*args: object, **kwargs: object) -> None:
        raise AssertionError("a timer thread was started")

    monkeypatch.setattr(threading, "Timer", no_timer)
    assert article_index.search('"прекращения огня" OR Сирии')


def test_strict_refuses_what_plain_search_takes_as_prose(article_index) -> None:
    question = 'Когда началось "прекращение огня» в Сирии?'
    results = article_index.search(question)
    assert results and results.notes == ("unclosed quote at position 16: searched as plain words",)
    with pytest.raises(QueryError, match="unclosed quote at position 16"):
        article_index.search(question, strict=True)


# fmt: off
PIECES = st.sampled_from(
    ["Лавров", "Сирии", "перемир*", "п*", "И", "НЕ", "AND", "OR", "NOT", "-", "+", "=", "!",
     '"', "(", ")", "~2", "source:lav*", "C++", "\U0001726d", "\udcff", "\n", "\u0301",
     "Интернет2", "не" * 40, "gthtvbhbt", "*ция", "«", "»"]
)
# fmt: on
QUERIES = st.one_of(
    st.lists(PIECES, max_size=15).map(" ".join),
    st.lists(PIECES, max_size=15).map("".join),
    st.text(max_size=80),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES, st.booleans(), st.booleans())
def test_any_query_is_answered_or_refused_with_a_query_error(
    article_index, query: str, strict: bool, explain: bool
) -> None:
    with contextlib.suppress(QueryError):
        article_index.search(query, strict=strict, explain=explain)
