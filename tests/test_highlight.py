"""Marking matches: spans land on words the query asked for; long paragraphs are cut."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ARTICLE
from indexer.highlight import best_fragment, match_spans
from indexer.morphology import lemmas

VOCABULARY = sorted(set(re.findall(r"\w+(?:-\w+)*", ARTICLE.read_text(encoding="utf-8"))))
SEPARATORS = [" ", ", ", ". ", " — ", "\n", " «", "» ", "?"]


@st.composite
def texts_and_queries(draw: st.DrawFn) -> tuple[str, str]:
    chosen = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=25))
    glue = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(chosen), max_size=len(chosen)))
    text = "".join(word + sep for word, sep in zip(chosen, glue, strict=True))
    return text, draw(st.sampled_from(chosen))


@settings(max_examples=200, deadline=None)
@given(texts_and_queries())
def test_every_span_is_a_word_with_a_lemma_of_the_query(case: tuple[str, str]) -> None:
    text, query_word = case
    wanted = set(lemmas(query_word))
    spans = match_spans(text, wanted)
    assert spans, "the query word itself is in the text"
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        marked = text[start:end]
        assert any(wanted & set(lemmas(w)) for w in [marked, *re.split(r"[-\s]", marked)])
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_a_long_paragraph_shows_the_window_with_the_matches() -> None:
    text = "вода " * 200 + "переговоры о перемирии " + "вода " * 200
    spans = match_spans(text, {"переговоры", "перемирие"})
    start, end = best_fragment(text, spans, width=100)
    assert end - start <= 100
    assert all(start <= a and b <= end for a, b in spans)
    assert text[start] != " " and text[end - 1] != " "
