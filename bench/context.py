"""An independent judge of what a word means where it stands: its lemma in context.

Natasha's news morphology tagger (slovnet, over navec embeddings; both files ship in
the ``natasha`` wheel) gives each word of a sentence its Universal Dependencies part of
speech and features. Of pymorphy3's parses of the word, the judge takes the one that
agrees with them best (a parse of another part of speech, or of another case, does
not count at all; pymorphy's score breaks ties); its lemma is what the word means
there. The indexer's own code plays no part: only the dictionary of lemmas is shared.

``natasha`` itself is not imported (it needs pymorphy2, which does not import on
Python 3.11): its model files are read with ``slovnet`` and ``navec``. Install them
with the ``bench`` extra; :func:`load` returns None where they are absent.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path

#: The OpenCorpora parts of speech each UD part of speech may be.
POS = {
    "NOUN": {"NOUN"},
    "PROPN": {"NOUN"},
    "ADJ": {"ADJF", "ADJS", "COMP", "PRTF", "PRTS"},
    "VERB": {"VERB", "INFN", "PRTF", "PRTS", "GRND"},
    "AUX": {"VERB", "INFN", "PRTF", "PRTS", "GRND"},
    "ADV": {"ADVB", "COMP", "PRED"},
    "DET": {"ADJF", "NPRO"},
    "PRON": {"NPRO", "ADJF"},
    "NUM": {"NUMR", "NUMB", "ADJF"},
    "ADP": {"PREP"},
    "CCONJ": {"CONJ"},
    "SCONJ": {"CONJ"},
    "PART": {"PRCL"},
    "INTJ": {"INTJ"},
}
#: UD feature values and the OpenCorpora grammemes that say the same.
FEATURES = {
    "Case": {
        "Nom": {"nomn"},
        "Gen": {"gent", "gen2"},
        "Dat": {"datv"},
        "Acc": {"accs", "acc2"},
        "Ins": {"ablt"},
        "Loc": {"loct", "loc2"},
        "Voc": {"voct"},
        "Par": {"gen2"},
    },
    "Number": {"Sing": {"sing"}, "Plur": {"plur"}},
    "Gender": {"Masc": {"masc"}, "Fem": {"femn"}, "Neut": {"neut"}},
    "Animacy": {"Anim": {"anim"}, "Inan": {"inan"}},
    "Tense": {"Past": {"past"}, "Pres": {"pres"}, "Fut": {"futr"}},
    "Person": {"1": {"1per"}, "2": {"2per"}, "3": {"3per"}},
    "Aspect": {"Perf": {"perf"}, "Imp": {"impf"}},
    "VerbForm": {"Inf": {"INFN"}, "Part": {"PRTF", "PRTS"}, "Conv": {"GRND"}, "Fin": {"VERB"}},
}
#: Grammemes of a proper name: a PROPN is one of them, a NOUN none.
NAMES = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
MODEL = "data/model/slovnet_morph_news_v1.tar"
EMBEDDINGS = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"


class Judge:
    """Lemmas of words in context, by natasha's tagger and pymorphy3's dictionary."""

    def __init__(self, folder: Path) -> None:
        from navec import Navec
        from slovnet import Morph

        self.tagger = Morph.load(str(folder / MODEL), batch_size=16)
        self.tagger.navec(Navec.load(str(folder / EMBEDDINGS)))

    def tags(self, sentences: Sequence[Sequence[str]]) -> list[list[tuple[str, dict[str, str]]]]:
        """The UD part of speech and features of each word of each tokenised sentence."""
        return [
            [(token.pos, token.feats) for token in markup.tokens]
            for markup in self.tagger.map([list(words) for words in sentences])
        ]

    def lemmas(self, text: str) -> dict[tuple[int, int], frozenset[str]]:
        """Each word of ``text`` by its offsets: what it means there (:func:`lemmas`)."""
        from razdel import sentenize, tokenize

        spans, sentences = [], []
        for sentence in sentenize(text):
            tokens = list(tokenize(sentence.text))
            spans.append([(sentence.start + t.start, sentence.start + t.stop) for t in tokens])
            sentences.append([t.text for t in tokens])
        out = {}
        for offsets, words, tagged in zip(spans, sentences, self.tags(sentences), strict=True):
            for span, word, (pos, feats) in zip(offsets, words, tagged, strict=True):
                out[span] = lemmas(word, pos, feats)
        return out


def lemmas(word: str, pos: str, feats: dict[str, str]) -> frozenset[str]:
    """The lemmas of pymorphy's parses of ``word`` that agree best with a UD tag.

    A parse of another part of speech or case is out; of the rest, those that agree in
    most other features, and of their lemmas the likeliest (its parses' summed scores),
    or all that pymorphy finds equally likely (it scores «основным» as «основной» and
    «основный» alike, and the tagger cannot tell them either); none where no parse agrees.
    """
    parses = morph().parse(word)
    # Where no parse is of the tagger's part of speech, the tagger and the dictionary
    # part on conventions (a participle used as a noun: «павших» is a NOUN to UD).
    if not any(parse.tag.POS in POS.get(pos, ()) for parse in parses):
        pos = ""
    scored: dict[str, tuple[int, float]] = {}
    for parse in parses:
        agree = agreement(parse.tag, pos, feats)
        if agree is None:
            continue
        name = parse.normal_form.replace("ё", "е")
        best, score = scored.get(name, (agree, 0.0))
        if agree > best:
            scored[name] = (agree, parse.score)
        elif agree == best:
            scored[name] = (agree, score + parse.score)
    top = max(scored.values(), default=None)
    return frozenset(
        name
        for name, (agree, score) in scored.items()
        if top and (agree, round(score, 6)) == (top[0], round(top[1], 6))
    )


def agreement(tag, pos: str, feats: dict[str, str]) -> int | None:
    """How many of a UD tag's features a pymorphy tag shares, less those it contradicts;
    None for another part of speech (unless ``pos`` is empty) or case."""
    if pos and tag.POS not in POS.get(pos, ()):
        return None
    grammemes = tag.grammemes
    agree = 0
    for feature, value in feats.items():
        values = FEATURES.get(feature, {})
        wanted = values.get(value)
        # A plural has no gender of its own («выборов»: plural only; «цены»: feminine).
        plural = feature == "Gender" and feats.get("Number") == "Plur"
        if wanted is None or plural or not grammemes & set().union(*values.values()):
            continue
        if wanted & grammemes:
            agree += 1
        elif feature == "Case":
            return None
        else:
            agree -= 1
    if pos in ("NOUN", "PROPN"):
        agree += (pos == "PROPN") == bool(NAMES & grammemes)
    return agree


@cache
def morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def load() -> Judge | None:
    """The judge, or None where natasha's model files or slovnet are not installed."""
    natasha = importlib.util.find_spec("natasha")
    if natasha is None or not natasha.submodule_search_locations:
        return None
    if importlib.util.find_spec("slovnet") is None or importlib.util.find_spec("navec") is None:
        return None
    return Judge(Path(next(iter(natasha.submodule_search_locations))))
