"""The query parser: syntax tree, errors with positions, words that look like operators."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import EmptyQueryError, QueryError, QuerySyntaxError
from indexer.plan import compile_query
from indexer.query import And, Bag, Not, Or, Required, Term, parse, terms


def words(node: object) -> list[str]:
    """The words of a syntax tree, in order."""
    return [term.text for term in terms(node)]


def test_bag_exclusion_and_requirement() -> None:
    tree = parse("Сирия -перемирие +Лавров")
    assert tree == Bag((Term("Сирия", 0), Not(Term("перемирие", 7)), Required(Term("Лавров", 18))))


def test_or_binds_tighter_than_and() -> None:
    tree = parse("переговоры AND Лавров OR Керри")
    assert tree == Bag((And((Term("переговоры", 0), Or((Term("Лавров", 15), Term("Керри", 25))))),))


def test_phrases_and_parentheses() -> None:
    tree = parse('("прекращение огня" OR перемирие) Сирия')
    assert words(tree) == ["прекращение", "огня", "перемирие", "Сирия"]


@pytest.mark.parametrize(
    "query",
    ["азиатско-американские", "пространства-времени", "Sky+", "C++", "Кто обсуждал перемирие?"],
)
def test_operator_characters_inside_words_are_words(query: str) -> None:
    assert all(isinstance(item, Term) for item in parse(query).items)


def test_punctuation_of_a_pasted_question_never_fails() -> None:
    compiled = compile_query("Когда (и где) Лавров и Керри обсуждали перемирие: 1) в Женеве?!")
    assert {"лавров", "керри", "перемирие", "женева"} <= compiled.lemmas


# query                     message contains          position
ERRORS = [
    ('"прекращение огня', "unclosed quote", 0),
    ("(Лавров Керри", "unclosed parenthesis", 0),
    ("Сирия AND", "AND at position 7", 6),
    ("OR Сирия", "OR at position 1", 0),
    ("Сирия NOT", "NOT at position 7", 6),
]


@pytest.mark.parametrize(("query", "message", "position"), ERRORS)
def test_malformed_queries_say_where(query: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError, match=message) as info:
        compile_query(query, strict=True)
    assert info.value.position == position


PROSE = [
    'Для какой последней серии "Доктора Кто» Дадли Симпсон написал музыку?',
    "Лавров (министр иностранных дел обсудил перемирие",
    "(" * 200 + "Лавров",
]


@pytest.mark.parametrize("query", PROSE)
def test_a_query_that_reads_as_prose_is_searched_as_plain_words(query: str) -> None:
    compiled = compile_query(query)
    assert compiled.notes and "searched as plain words" in compiled.notes[0]
    assert compiled.lemmas >= {"лавров"} or "доктор" in compiled.lemmas
    with pytest.raises(QuerySyntaxError):
        compile_query(query, strict=True)


@pytest.mark.parametrize("query", ['Лавров AND "Керри', "(Лавров OR Керри", "Сирия AND"])
def test_a_query_with_operators_keeps_its_syntax_error(query: str) -> None:
    with pytest.raises(QuerySyntaxError):
        compile_query(query)


@pytest.mark.parametrize("query", ["(" * 200 + "Лавров" + ")" * 200, "НЕ " * 300 + "Лавров"])
def test_deep_nesting_is_a_syntax_error_not_a_crash(query: str) -> None:
    with pytest.raises(QuerySyntaxError, match="nested more than 32"):
        compile_query(query, strict=True)


def test_nesting_up_to_the_limit_parses() -> None:
    assert compile_query("(" * 32 + "Лавров" + ")" * 32).lemmas == {"лавров", "лавр"}


def test_words_beyond_the_limit_are_left_out_and_said_so() -> None:
    words = "Лавров Керри переговоры перемирие Сирия Женева".split()
    compiled = compile_query(" ".join(words * 10))
    assert len(compiled.words) == 32
    assert compiled.notes == ("the query has more than 32 words: the last 28 were left out",)


def test_a_lone_surrogate_is_a_replacement_character() -> None:
    compiled = compile_query("\udcffЛавров*")
    assert compiled.text == "\ufffdЛавров*"


def test_literal_mode_ignores_syntax() -> None:
    compiled = compile_query('"прекращение огня AND (', literal=True)
    assert {"прекращение", "огонь"} <= compiled.lemmas


def test_function_words_are_dropped_from_bags_only() -> None:
    compiled = compile_query("Кто обсуждал перемирие в Сирии?")
    assert compiled.dropped == ("Кто", "в")
    assert "в" not in compiled.lemmas
    assert "в" in compile_query('"перемирие в Сирии"').lemmas


@pytest.mark.parametrize(
    ("question", "dropped"),
    [("Какова цель протестов?", ("Какова",)), ("Чем питаются гребневики?", ("Чем",))],
)
def test_question_words_are_dropped_in_every_form(question: str, dropped: tuple[str]) -> None:
    assert compile_query(question).dropped == dropped


@pytest.mark.parametrize("query", ["кто и что", "в", "   ", "?!", "-перемирие"])
def test_nothing_to_search_for(query: str) -> None:
    with pytest.raises(EmptyQueryError):
        compile_query(query)


def test_only_common_words_suggests_quotes() -> None:
    with pytest.raises(EmptyQueryError, match='"кто и что"'):
        compile_query("кто и что")


def test_a_query_word_is_not_split_at_its_hyphen() -> None:
    assert compile_query("из-за").lemmas == {"из-за"}


PIECES = ["Лавров", "и", " ", '"', "(", ")", "-", "+", "=", "!", "*", "~2", "И", "ИЛИ", "НЕ"]
PIECES += ["AND", "OR", "NOT", "source:", "x?"]
OPERATOR_SOUP = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@settings(deadline=None)
@given(st.one_of(st.text(max_size=60), OPERATOR_SOUP))
def test_any_text_either_compiles_or_raises_a_query_error(text: str) -> None:
    with contextlib.suppress(QueryError):
        compile_query(text)
