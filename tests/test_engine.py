"""Every engine answers as the plan says: the paragraphs it returns for a query are the
ones :func:`indexer.explain.evaluate` says match, with the scores it computes from
:mod:`indexer.ranking`'s formulas. This is what makes an explanation add up to its hit's
score, and what another engine must do to give the same answers."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ARTICLE, CORPUS, engine_location
from indexer import BUILTIN_SYNONYMS, Index, Synonyms
from indexer.errors import QueryError
from indexer.explain import Context, evaluate, lemmas_to_look_up
from indexer.plan import (
    AnyOf,
    Node,
    Prefix,
    Sources,
    Word,
    compile_query,
    counting_relatives,
    walk,
)

ENGINES = ["whoosh", "opensearch"]
#: The built-in synonyms and a group with phrases the article has, so that random
#: queries meet words with synonyms of both kinds.
SYNONYMS = BUILTIN_SYNONYMS | Synonyms([["перемирие", "прекращение огня", "режим тишины"]])


@pytest.fixture(scope="module", params=ENGINES)
def index(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Index]:
    with Index(engine_location(request, tmp_path_factory, "engine"), synonyms=SYNONYMS) as opened:
        opened.sync([str(ARTICLE), str(CORPUS)])
        yield opened


def check(index: Index, text: str) -> None:
    """The engine's candidates for ``text`` are exactly the paragraphs that match, scored
    as :func:`evaluate` scores them."""
    try:
        compiled = compile_query(text, sources=index.sources, synonyms=index.synonyms)
    except QueryError:
        return
    engine = index._engine
    compiled = counting_relatives(compiled, engine.statistics())
    found = dict(engine.candidates(compiled.plan, 10**6).top)
    lemmas, prefixes = lemmas_to_look_up(compiled.plan)
    # Every paragraph that could match has one of the lemmas, or a word that starts with
    # one of the prefixes, or is in a source the query names.
    anything: list[Node] = [Word((lemma,)) for lemma in lemmas]
    anything += [node for node in walk(compiled.plan) if isinstance(node, Sources | Prefix)]
    universe = dict(engine.candidates(AnyOf(tuple(anything)), 10**6).top) if anything else {}
    assert set(found) <= set(universe), text
    ids = sorted(set(universe) | set(found))
    positions = engine.positions(ids, lemmas, prefixes)
    context = Context(engine.statistics(), compiled)
    for pid, paragraph in zip(ids, engine.paragraphs(ids), strict=True):
        explained = evaluate(compiled.plan, paragraph, positions.get(pid, {}), context)
        if pid in found:
            assert explained is not None, (text, paragraph.text)
            assert explained.score == pytest.approx(found[pid], rel=1e-9, abs=1e-12), text
        else:
            assert explained is None, (text, paragraph.text, explained)


QUERIES = [
    "переговоры",
    "Кто обсуждал перемирие в Сирии?",
    "Лавров Керри переговоры",
    "стали",
    '"прекращение огня"',
    '"что что"',
    '"огня прекращение"~1',
    '"огня прекращение"~0',
    '="прекращения огня"',
    "=России",
    "Россией*",
    "перегов*",
    "переговоры*",
    "сирийск*",
    "Сирия -перемирие",
    "+Кремля Лавров",
    "Лавров AND Кремля",
    "Песков OR Асад",
    "(Песков OR Асад) AND Сирия",
    "source:lavrov* +Кремля",
    "source:lavrov* Керри",
    "source:*.txt",
    "Керри (source:fixtures* OR Лавров)",
    "Лавров (Керри -Сирия)",
    "воздушно-космические силы",
    "ёлка Санкт-Петербург",
    '"президенты России и США"~2 Путин',
    "РФ перемирие",
    "США -перемирие",
    "+перемирие Лавров",
    "(перемирие OR МИД) AND Сирия",
    '"прекращение огня" Сирия',
    '-"прекращения огня" Сирия',
]


@pytest.mark.parametrize("text", QUERIES)
def test_the_engine_matches_and_scores_as_the_plan_says(index: Index, text: str) -> None:
    check(index, text)


WORDS = sorted(
    set(re.findall(r"\w+(?:-\w+)*", ARTICLE.read_text(encoding="utf-8")))
    | set(re.findall(r"\w+(?:-\w+)*", (CORPUS / "fixtures.txt").read_text(encoding="utf-8")))
)
_word = st.sampled_from(WORDS)
_phrase = st.builds(
    lambda words, slop, exact: ("=" if exact else "") + f'"{" ".join(words)}"' + slop,
    st.lists(_word, min_size=2, max_size=3),
    st.sampled_from(["", "", "~0", "~1", "~3"]),
    st.booleans(),
)
_prefix = st.builds(lambda w, n: w[:n] + "*", _word, st.integers(2, 6))
_atom = st.one_of(_word, _word, _phrase, _prefix, _word.map("=".__add__))
_item = st.one_of(
    _atom,
    _atom.map("-".__add__),
    _atom.map("+".__add__),
    st.builds(lambda a, op, b: f"({a} {op} {b})", _atom, st.sampled_from(["AND", "OR"]), _atom),
    st.sampled_from(["source:lavrov*", "source:fixtures*", "source:нет*"]),
)


@settings(
    # ENGINE_EXAMPLES=5000 for a longer hunt.
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(_item, min_size=1, max_size=4).map(" ".join))
def test_any_query_is_matched_and_scored_as_the_plan_says(index: Index, text: str) -> None:
    check(index, text)


def test_hits_and_their_explanations_agree(index: Index) -> None:
    for text in QUERIES:
        try:
            results = index.search(text, explain=True, correct=False)
        except QueryError:
            continue
        for hit in results:
            assert hit.explanation is not None
            assert hit.explanation.score == pytest.approx(hit.score, abs=1e-4), text


@pytest.fixture(scope="module", params=ENGINES)
def copies(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Index]:
    """One news paragraph copied into 40 files (as agencies' texts are), and a few
    others: the copies all score the same for any query."""
    docs = tmp_path_factory.mktemp("copies")
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    for number in range(40):
        (docs / f"copy-{number:02}.txt").write_text(lines[0], encoding="utf-8")
    for number, line in enumerate(lines[1:8]):
        (docs / f"other-{number}.txt").write_text(line, encoding="utf-8")
    with Index(engine_location(request, tmp_path_factory, "copies")) as opened:
        # Two parts: stored in an order that is not the order of the names.
        opened.sync([str(docs)], workers=2)
        yield opened


@pytest.mark.parametrize(
    "text", ["переговоры", "переговоры Лавров", '"телефонные переговоры"', "перегов* OR Керри"]
)
def test_candidates_take_every_paragraph_that_ties_with_the_last(copies: Index, text: str) -> None:
    engine = copies._engine
    plan = compile_query(text).plan
    everything = engine.candidates(plan, 10**6).top
    # The 40 copies tie, wherever they rank.
    assert max(Counter(score for _, score in everything).values()) >= 40
    for depth in (1, 5, 39, 40, 41):
        top = engine.candidates(plan, depth).top
        last = everything[min(depth, len(everything)) - 1][1]
        assert sorted(pid for pid, _ in top) == sorted(
            pid for pid, score in everything if score >= last
        ), depth


def test_equal_paragraphs_rank_by_source_whichever_engine(copies: Index) -> None:
    hits = copies.search("переговоры", limit=3)
    assert [h.source.rsplit("/", 1)[-1] for h in hits] == [f"copy-0{n}.txt" for n in range(3)]


def test_a_relative_too_common_to_count_finds_nothing_on_its_own(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # «Сирия» is in 7 paragraphs of the article: with the limit at 5 its relative
    # «сирийский» counts for nothing, and the paragraphs that have only «сирийский»
    # must be neither found nor counted in the total (the cluster's query named every
    # relative, whether it counted or not).
    from indexer import ranking

    everything = index.search("Сирии Керри", limit=100)
    assert everything.total == len(everything)
    monkeypatch.setattr(ranking, "COMMON_PARAGRAPHS", 5)
    results = index.search("Сирии Керри", limit=100)
    assert results.total == len(results) < len(everything)
    assert all(re.search(r"\bСири[июя]|Керри", hit.text) for hit in results)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("переговорав", "переговоров"),  # a vowel as it sounds
        ("епремирие", "перемирие"),  # the first two letters swapped
        ("Давров", "Лавров"),  # a key beside the first letter
        ("gthtvbhbt", "перемирие"),  # the Latin layout
    ],
)
def test_a_slip_is_corrected_alike_by_every_engine(index: Index, typed: str, meant: str) -> None:
    results = index.search(typed)
    assert results.corrected == meant
    assert len(results) > 0
