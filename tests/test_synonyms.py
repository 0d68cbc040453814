"""Synonyms: a query word also matches the other words and phrases of its group."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import BUILTIN_SYNONYMS, Index, Synonyms, SynonymsError
from indexer.cli import main
from indexer.plan import Filtered, OneOf, PhraseWords, Word, compile_query
from indexer.results import Explanation

NEWS = [
    "Евросоюз продлил санкции против России ещё на полгода.",
    "Российская Федерация ответит на санкции зеркально, заявили в Кремле.",
    "Санкции против РФ обсудят на саммите в Брюсселе.",
    "Япония ввела санкции против КНДР.",
    "Российская экономика растёт, сообщила федерация профсоюзов.",
]


@pytest.fixture
def index(tmp_path: Path) -> Index:
    opened = Index(tmp_path / "index")  # the built-in synonyms are on by default
    opened.add("news", "\n\n".join(NEWS))
    return opened


def texts(index: Index, query: str) -> list[str]:
    return [hit.text for hit in index.search(query, correct=False)]


def test_an_abbreviation_finds_its_expansions(index: Index) -> None:
    found = texts(index, "РФ санкции")
    assert set(found[:3]) == set(NEWS[:3])
    # «Российская … федерация» far apart is not the phrase.
    assert NEWS[4] not in found


def test_the_expansion_finds_the_abbreviation(index: Index) -> None:
    assert set(texts(index, "России")) == set(NEWS[:3])
    # A quoted phrase that is a member of a group has the group's synonyms too.
    assert set(texts(index, '"Российской Федерации"')) == set(NEWS[:3])
    assert texts(index, '"Российской Федерации"~1') == [NEWS[1]]


def test_without_synonyms_a_word_means_itself(index: Index) -> None:
    index.synonyms = None
    assert texts(index, "РФ") == [NEWS[2]]


def test_an_exact_form_has_no_synonyms(index: Index) -> None:
    assert texts(index, "=РФ") == [NEWS[2]]


def test_an_excluded_word_excludes_its_synonyms(index: Index) -> None:
    assert texts(index, "санкции -РФ") == [NEWS[3]]


def test_synonyms_are_highlighted(index: Index) -> None:
    (hit,) = [h for h in index.search("РФ") if h.text == NEWS[0]]
    assert [hit.text[a:b] for a, b in hit.spans] == ["России"]


def test_the_best_of_a_word_and_its_synonyms_counts(tmp_path: Path) -> None:
    with Index(tmp_path / "index", synonyms=BUILTIN_SYNONYMS) as index:
        index.add("a", "Россия и РФ.\n\nРоссия.\n\nРФ.\n\nСанкции.")
        (both,) = [h for h in index.search("РФ", explain=True) if h.text == "Россия и РФ."]
    assert both.explanation is not None
    leaves = list(_leaves(both.explanation))
    assert len(leaves) == 2  # «рф» and «россия», not summed
    assert both.explanation.score == pytest.approx(max(leaf.score for leaf in leaves))


def _leaves(explanation: Explanation) -> Iterator[Explanation]:
    if not explanation.children:
        yield explanation
    for child in explanation.children:
        yield from _leaves(child)


def test_explain_names_the_synonym(index: Index) -> None:
    (hit,) = [h for h in index.search("РФ", explain=True) if h.text == NEWS[0]]
    assert hit.explanation is not None
    described = [leaf.description for leaf in _leaves(hit.explanation)]
    assert any("query word «РФ» → synonym «россия» matched «России»" in d for d in described)


def test_a_phrase_synonym_is_a_phrase_of_the_plan() -> None:
    plan = compile_query("ЕС", synonyms=BUILTIN_SYNONYMS).plan
    assert isinstance(plan, OneOf)
    assert plan.parts[0] == Word(("ес", "евросоюз"))
    # The phrase must be there, scored as one word.
    assert plan.parts[1] == Filtered(
        Word(("европейский", "союз")), (PhraseWords((("европейский",), ("союз",))),)
    )


def test_a_form_belongs_to_a_group_by_its_likeliest_lemma() -> None:
    groups = Synonyms([["Германия", "ФРГ"]])
    assert groups.of(("германия", "германий")).lemmas == ("фрг",)
    # «германий», the metal, is not the country.
    assert groups.of(("германий",)).lemmas == ()


def test_the_file_format(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text(
        "# groups\n\nЦБ, Центробанк, Банк России  # the central bank\nавто,машина\n",
        encoding="utf-8",
    )
    groups = Synonyms.read(path)
    assert groups.groups == (("ЦБ", "Центробанк", "Банк России"), ("авто", "машина"))
    assert (groups | BUILTIN_SYNONYMS).groups[:2] == groups.groups


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ЦБ, Центробанк\nРФ\n", "line 2: a group needs two members or more"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
    ],
)
def test_a_bad_file_says_what_is_wrong(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "synonyms.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SynonymsError, match=message):
        Synonyms.read(path)
    with pytest.raises(SynonymsError, match="cannot read"):
        Synonyms.read(tmp_path / "missing.txt")


def test_cli_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    corpus = tmp_path / "news.txt"
    corpus.write_text("\n\n".join(NEWS), encoding="utf-8")
    mine = tmp_path / "mine.txt"
    mine.write_text("Кремль, Москва\n", encoding="utf-8")

    def total(*argv: str) -> tuple[int, str]:
        status = main([*argv, "--total", "-q", "--no-correct", str(corpus)])
        return status, capsys.readouterr().out.strip()

    assert total("РФ") == (0, "3")
    assert total("РФ", "--no-builtin-synonyms") == (0, "1")
    assert total("Москва", "--synonyms", str(mine)) == (0, "1")
    assert total("Москва", "--synonyms", str(mine), "--no-builtin-synonyms") == (0, "1")
    assert total("РФ", "--synonyms", str(mine)) == (0, "3")
    assert total("РФ", "--synonyms", str(mine), "--no-builtin-synonyms") == (0, "1")
    assert total("Москва")[0] == 1
    bad = tmp_path / "bad.txt"
    bad.write_text("одно\n", encoding="utf-8")
    assert main(["РФ", "--synonyms", str(bad), str(corpus)]) == 2
    error = capsys.readouterr().err
    assert "line 1: a group needs two members" in error and "Traceback" not in error


def test_a_phrase_synonym_scores_as_one_word(index: Index) -> None:
    # Summed, «Российская» and «Федерация» would outrank the «РФ» typed.
    (hit,) = [h for h in index.search("РФ", explain=True) if h.text == NEWS[1]]
    assert hit.explanation is not None
    scores = [leaf.score for leaf in _leaves(hit.explanation) if leaf.score]
    assert len(scores) == 2
    assert hit.explanation.score == pytest.approx(max(scores))
