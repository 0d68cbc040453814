"""The analysis pipeline: words with offsets, compound parts, lemmas at one position."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.analysis import INDEX, QUERY, WordTokenizer, words

# Text with its tokens separated by ||, as razdel's tests write them.
TOKENS = """
Санкт-Петербург
воздушно-космические||силы
из-за||непогоды
что-то||случилось
рост||на||1,5||процента
24.02.2016
«||Газпром||»
д'Артаньян||и||мушкетёры
Sky||+||и||C||++
за\u0301мок
Кто||обсуждал||перемирие||в||Сирии||?
"""


def _expected_tokens(line: str) -> list[str]:
    return [t for t in line.split("||") if any(c.isalnum() for c in t)]


@pytest.mark.parametrize("line", TOKENS.strip().splitlines())
def test_tokenizer_keeps_words_whole(line: str) -> None:
    text = line.replace("||", " ")
    tokens = [match.group() for match in WordTokenizer()(text)]
    assert tokens == _expected_tokens(line)


def test_offsets_point_at_the_original_words() -> None:
    text = "Лавров и Керри, 24 февраля."
    got = [(w.start, w.end) for w in QUERY(text)]
    assert [text[a:b] for a, b in got] == ["Лавров", "и", "Керри", "24", "февраля"]


def test_every_lemma_at_the_same_position() -> None:
    positions = INDEX.positions("Цены стали")
    assert positions["стать"] == positions["сталь"] == [1]


def test_compounds_are_indexed_whole_and_by_parts_but_queried_whole() -> None:
    indexed = {w.text: w.lemmas for w in words("воздушно-космические силы")}
    assert "воздушно-космический" in indexed["воздушно-космические"]
    assert "космический" in indexed["космические"]
    queried = [lemma for w in QUERY("из-за") for lemma in w.lemmas]
    assert queried == ["из-за"]


def test_parts_of_compounds_have_their_own_offsets() -> None:
    text = "Силы: воздушно-космические."
    spans = {w.text: (w.start, w.end) for w in words(text)}
    assert text[slice(*spans["космические"])] == "космические"


def test_letters_written_as_two_code_points_are_composed() -> None:
    # «й» as «и» + combining breve, and a stress mark: neither may split the word.
    assert [w.lemmas[0] for w in words("и\u0306од за\u0301мок")] == ["йод", "замок"]


def test_analyzer_survives_pickling() -> None:
    # Whoosh pickles the schema, analyzer included, into the index.
    from indexer.engines.whoosh.schema import build_schema

    schema = pickle.loads(pickle.dumps(build_schema()))
    tokens = [t.text for t in schema["content"].analyzer("переговорах")]
    assert tokens == ["переговоры"]


@given(st.text())
def test_analysis_never_raises_and_offsets_are_exact(text: str) -> None:
    last = -1
    for word in INDEX(text):
        assert 0 <= word.start < word.end <= len(text)
        assert word.text == text[word.start : word.end]
        assert word.position >= last
        last = word.position
        assert word.lemmas and all(word.lemmas)


@given(
    st.lists(st.sampled_from(["Переговоры", "в", "Санкт-Петербурге", "1,5", "ёлка"]), min_size=1)
)
def test_words_keep_original_spelling_at_their_offsets(chosen: list[str]) -> None:
    text = ", ".join(chosen)
    whole = words(text, QUERY)
    assert [w.text for w in whole] == chosen
    assert all(text[w.start : w.end] == w.text for w in words(text))


_PIECES = [
    "Переговоры",
    "стали",
    "из-за",
    "воздушно-космические",
    "ток-ток",
    "1,5",
    "ёлка",
    "Митчеллом",
]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(_PIECES), st.text(alphabet="абвгдеёжзийклмн-, .\u0301", max_size=12)
        ),
        max_size=30,
    )
)
def test_the_postings_format_matches_whooshs_own_on_our_tokens(chosen: list[str]) -> None:
    from whoosh.formats import Positions

    from indexer.engines.whoosh.schema import LemmaAnalyzer, LemmaPositions

    text = " ".join(chosen)
    fmt, whoosh_fmt = LemmaPositions(), Positions()
    values = list(fmt.word_values(text, LemmaAnalyzer()))
    ours = sorted(
        (word, freq, fmt.decode_positions(value), fmt.decode_frequency(value))
        for word, freq, _, value in values
    )
    whooshs = sorted(
        (word, freq, whoosh_fmt.decode_positions(value), freq)
        for word, freq, _, value in whoosh_fmt.word_values(text, LemmaAnalyzer(), mode="index")
    )
    assert ours == whooshs
    # The weight is the term frequency in weight units, not the count of words.
    found = INDEX.positions(text)
    assert {word: weight for word, _, weight, _ in values} == {
        lemma: float(occurrences.units) for lemma, occurrences in found.items()
    }


def test_the_schema_survives_pickling_with_its_format() -> None:
    from indexer.engines.whoosh.schema import LemmaPositions, build_schema

    schema = pickle.loads(pickle.dumps(build_schema()))
    assert isinstance(schema["content"].format, LemmaPositions)


def test_positions_far_apart_survive_encoding() -> None:
    from indexer.engines.whoosh.schema import LemmaPositions

    fmt = LemmaPositions()
    for gap in (10, 300, 70_000):
        text = " ".join(["мир", *["слово"] * gap, "мир"])
        values = {word: value for word, _, _, value in fmt.word_values(text, None)}
        assert fmt.decode_positions(values["мир"]) == [0, gap + 1]
        assert fmt.decode_frequency(values["мир"]) == 2


# Latin letters that pass for Cyrillic ones, as scraped news has them.
LOOKALIKES = dict(zip("асеорхуёАВСЕНКМОРТХУЁ", "aceopxyëABCEHKMOPTXYË", strict=True))
SENTENCES = [
    s + "."
    for line in (Path(__file__).parent / "texts" / "news_like.txt").read_text("utf-8").splitlines()
    for s in line.split(". ")
    if s
]


@st.composite
def with_lookalikes(draw: st.DrawFn) -> tuple[str, str]:
    """A real sentence, and the same with some letters of its Cyrillic words swapped for
    Latin look-alikes (every run of letters keeps a Cyrillic letter: a word all of Latin
    letters is a Latin word)."""
    clean = draw(st.sampled_from(SENTENCES))
    letters = list(clean)
    for run in re.finditer(r"[^\W\d_]+", clean):
        swappable = [i for i in range(run.start(), run.end()) if clean[i] in LOOKALIKES]
        swapped = [i for i in swappable if draw(st.booleans())]
        # One Cyrillic letter of each run stays (some sentences have Latin ones in theirs).
        if len(swapped) == len(re.findall("[а-яёА-ЯЁ]", run.group())):
            swapped = swapped[1:]
        for i in swapped:
            letters[i] = LOOKALIKES[clean[i]]
    return clean, "".join(letters)


@given(with_lookalikes())
def test_latin_lookalikes_in_cyrillic_words_read_as_cyrillic(pair: tuple[str, str]) -> None:
    clean, mixed = pair
    for analyzer in (INDEX, QUERY):
        ours, theirs = list(analyzer(mixed)), list(analyzer(clean))
        assert [(w.start, w.end, w.lemmas, w.weights) for w in ours] == [
            (w.start, w.end, w.lemmas, w.weights) for w in theirs
        ]
        # Offsets mark the text as written.
        assert all(w.text == mixed[w.start : w.end] for w in ours)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Переговоры в Москвa", "москва"),
        ("с «Симанcом»", "симанс"),
        ("рaботa", "работа"),
        ("CCCР", "ссср"),
        ("ëлка", "елка"),
        # Latin words, and runs with a Latin letter that passes for no Cyrillic one.
        ("iPhone", "iphone"),
        ("Lavrov", "lavrov"),
        ("COVID", "covid"),
        ("Яndex", "яndex"),
    ],
)
def test_only_lookalikes_in_cyrillic_words_are_folded(written: str, read: str) -> None:
    assert read in {lemma for w in QUERY(written) for lemma in w.lemmas}


def test_a_latin_part_of_a_compound_stays_latin() -> None:
    assert [w.lemmas[0] for w in words("Tor-браузер")] == ["tor-браузер", "tor", "браузер"]
    # Even a part made only of look-alike letters: the run is Latin, not the word.
    assert [w.lemmas[0] for w in words("HP-принтер")][1] == "hp"
