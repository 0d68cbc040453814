"""From a query's syntax tree to a query plan: what to match and how to score it.

A plan is a small tree of frozen records that says, in terms of lemmas and word forms,
which paragraphs a query matches and how their scores combine; it names no search
engine. Each engine compiles plans into its own queries (``indexer.engines``), and
:mod:`indexer.explain` computes any paragraph's score from a plan with
:mod:`indexer.ranking`'s formulas, so an engine's answers can be checked against it.

>>> compile_query("Лавров -Сирия").plan
Filtered(scored=Word(lemmas=('лавров', 'лавр'), related=(), form=None, weights=(1.0, 0.1)), \
required=(), excluded=(Word(lemmas=('сирия',), related=(), form=None, weights=()),))

How the parts of a plan score (the formulas are :mod:`indexer.ranking`'s):

- :class:`Word` — the best of its lemmas' BM25, each times its weight (a reading the
  word as typed hardly means counts less: «Лавров» is the surname more than «лавр»); a
  related lemma counts at the weight :func:`indexer.ranking.related_weight` gives it,
  and not at all where that is 0 (:func:`counting_relatives` leaves those out of the
  plan before any engine sees it);
- :class:`PhraseWords` — the sum of its words' lemmas' BM25 (every lemma present counts,
  a repeated word each time);
- :class:`Prefix` — the sum of the BM25 of the indexed lemmas that start with the stem
  and of the stem's own lemmas;
- :class:`OneOf` — the best of its parts (a word and its synonyms; a phrase synonym is
  a :class:`Filtered` phrase scored as one word, by the best of its lemmas);
- :class:`Sources` — 1, as a keyword matches, wherever it is scored;
- :class:`Coordinated` — the sum of the parts that match, times
  :func:`indexer.ranking.coordination` of their share of the parts' idf;
- :class:`AllOf`, :class:`AnyOf` — the sum of the parts that match;
- :class:`Filtered` — the score of ``scored``; ``required`` parts add nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from .analysis import QUERY
from .derivation import related_lemmas
from .errors import EmptyQueryError, QuerySyntaxError
from .forms import surface_form
from .query import (
    And,
    Bag,
    Mode,
    Not,
    Or,
    Phrase,
    Required,
    Source,
    Term,
    parse,
    reads_as_prose,
    source_matches,
)
from .ranking import Statistics, related_weight
from .readings import as_typed
from .synonyms import Expansion, Synonyms

#: Indexed lemmas a prefix stands for, the most frequent first: «п*» would otherwise
#: be a union of tens of thousands of words (OpenSearch's ``top_terms_512`` alike).
MAX_PREFIX_LEMMAS = 512

#: Words searched of one query; the rest are left out (and the results say so). No
#: question needs more, and each word reads its postings in full.
MAX_QUERY_WORDS = 32

#: Lemmas left out of a bag of words (they still count inside quotes and after + or =):
#: prepositions, conjunctions, particles, pronouns, question words and «быть», as
#: pymorphy3 lemmatises them: «каков», «какова» are «каковой», and «чем» («Чем питаются
#: гребневики?») is read first as the conjunction (XQuAD-ru MRR@10 +0.001 on each half).
STOP_LEMMAS = frozenset(
    """
    в во на с со к ко о об обо от до из за для при у под над перед через без про по
    между после около среди и а но или либо что чтобы как если когда то же ли бы да
    чем также тоже зато однако не ни вот лишь только уже еще я ты он она оно мы вы они
    себя свой мой твой наш ваш его ее их этот тот такой это весь все сам который кто
    какой каковой чей где куда откуда почему зачем сколько быть
    """.split()
)


# -- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """One query word: paragraphs with any of its lemmas; the best of them scores.

    ``related`` are lemmas derived from the word's own (:mod:`.derivation`); ``form``,
    for ``=word``, keeps only paragraphs that have that very form (lower case, ё→е).
    ``weights``, where given, is a factor on the BM25 of each of ``lemmas``: less than 1
    for a reading the word as typed hardly means (:func:`indexer.readings.as_typed`).
    """

    lemmas: tuple[str, ...]
    related: tuple[str, ...] = ()
    form: str | None = None
    weights: tuple[float, ...] = ()

    def weighted(self) -> tuple[tuple[str, float], ...]:
        """Each of the word's own lemmas with the factor on its BM25.

        >>> Word(("лавров", "лавр"), weights=(1.0, 0.1)).weighted()
        (('лавров', 1.0), ('лавр', 0.1))
        """
        return tuple(zip(self.lemmas, self.weights or (1.0,) * len(self.lemmas), strict=True))


@dataclass(frozen=True)
class PhraseWords:
    """Words next to each other in order (``slop`` None), or in any order with at most
    ``slop`` other words between neighbours; each word is any of its lemmas.

    With ``forms``, only paragraphs with these very forms so placed are kept.
    """

    words: tuple[tuple[str, ...], ...]
    slop: int | None = None
    forms: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Prefix:
    """Paragraphs with a word that starts with ``stem`` (lower case, ё→е).

    Candidates are the indexed lemmas that start so (the :data:`MAX_PREFIX_LEMMAS`
    most frequent of them, where there are more) and the stem's own ``lemmas``
    («Россией*» → россия); the text then decides which forms really do.
    """

    stem: str
    lemmas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sources:
    """Paragraphs of these documents (none: matches nothing)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Coordinated:
    """Any of the parts; paragraphs with more of the parts' idf score higher."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    """Every part must match (AND)."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part must match (OR)."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class OneOf:
    """Any of the parts; the best of them scores, as a word's best lemma does: a query
    word and its synonyms that are phrases (:mod:`.synonyms`)."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Filtered:
    """``scored``, in paragraphs that also match every ``required`` part (which adds
    nothing to the score) and none of the ``excluded``."""

    scored: Node
    required: tuple[Node, ...] = ()
    excluded: tuple[Node, ...] = ()


Node = Word | PhraseWords | Prefix | Sources | Coordinated | AllOf | AnyOf | OneOf | Filtered


def lemmas_of(node: Node) -> tuple[str, ...]:
    """The lemmas a part of a plan names, in order: what makes it informative (its
    words', and those of what it requires or leaves out; related lemmas do not count).

    >>> lemmas_of(Coordinated((Word(("стать", "сталь")), PhraseWords((("цена",),)))))
    ('стать', 'сталь', 'цена')
    """
    if isinstance(node, Word | Prefix):
        return node.lemmas
    if isinstance(node, PhraseWords):
        return tuple(lemma for word in node.words for lemma in word)
    if isinstance(node, Sources):
        return ()
    parts = (
        (node.scored, *node.required, *node.excluded) if isinstance(node, Filtered) else node.parts
    )
    return tuple(dict.fromkeys(lemma for part in parts for lemma in lemmas_of(part)))


def walk(node: Node) -> Iterator[Node]:
    """Every node of a plan, parents before children."""
    yield node
    if isinstance(node, Coordinated | AllOf | AnyOf | OneOf):
        for part in node.parts:
            yield from walk(part)
    elif isinstance(node, Filtered):
        for part in (node.scored, *node.required, *node.excluded):
            yield from walk(part)


# -- compiling a query into a plan ----------------------------------------------------


@dataclass(frozen=True)
class QueryWord:
    """A word of the query after analysis: what was typed and what it searches for."""

    surface: str
    lemmas: tuple[str, ...]
    #: Offset of the word in the query text (the chunk it came from).
    position: int
    mode: Mode = Mode.LEMMA


@dataclass(frozen=True)
class CompiledQuery:
    """A parsed query ready to search: its plan and what to mark in the hits."""

    #: The text as typed.
    text: str
    #: What to match and how to score it.
    plan: Node
    #: Lemmas that count as a match when highlighting (words not under NOT; related
    #: lemmas once :func:`counting_relatives` has kept those that count).
    lemmas: frozenset[str]
    #: Exact forms and prefixes that count as a match when highlighting.
    forms: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    #: Every analysed word, excluded ones too, for spelling correction and explain.
    words: tuple[QueryWord, ...] = ()
    #: Words of the bag that were left out as too common.
    dropped: tuple[str, ...] = ()
    #: The lemmas of each scored word of a bag, for the re-ranking signals.
    near: tuple[frozenset[str], ...] = ()
    #: What was searched otherwise than typed, one sentence each: a query that did not
    #: parse searched as plain words, words beyond :data:`MAX_QUERY_WORDS` left out.
    notes: tuple[str, ...] = ()
    #: The lemmas that query words search as synonyms, each with the word as typed.
    synonyms: tuple[tuple[str, str], ...] = ()

    @property
    def lone(self) -> frozenset[str]:
        """What a query of one word alone means (source filters and excluded words
        beside it tell nothing of its meaning): the lemmas it counts fully, synonyms'
        too («Лавров»: лавров, not лавр); none for any other query, and for ``=word``.

        >>> sorted(compile_query("Лавров -Керри").lone), compile_query("Лавров Керри").lone
        (['лавров'], frozenset())
        """
        scored = self.plan
        while isinstance(scored, Filtered):  # also a search within paths
            scored = scored.scored
        # A word in quotes is a phrase of one: no plain word of a bag to re-rank.
        if len(self.near) != 1 or not isinstance(scored, Word) or scored.form is not None:
            return frozenset()
        return frozenset(lemma for lemma, weight in scored.weighted() if weight == 1.0)


def compile_query(
    text: str,
    *,
    literal: bool = False,
    strict: bool = False,
    sources: Callable[[], Iterable[str]] | None = None,
    synonyms: Synonyms | None = None,
) -> CompiledQuery:
    """Parse ``text`` and build the plan that searches it.

    A query that does not parse but reads as prose (an unbalanced quote or parenthesis,
    no operator word: :func:`indexer.query.reads_as_prose`) is searched as plain words,
    and a note says so; ``strict`` refuses it instead. Characters that are not text (a
    lone surrogate, from a command line in another encoding) count as U+FFFD.
    ``sources`` lists the document names that ``source:`` patterns are matched against.
    A word that has ``synonyms`` (any form, not ``=word`` or ``prefix*``) also matches
    them: a one-word synonym as one more lemma of the word, a phrase as a phrase, the
    best of them scoring.

    :raises QuerySyntaxError: the query is malformed (and, unless ``strict``, not prose).
    :raises EmptyQueryError: nothing is left to search for.
    """
    text = without_surrogates(text)
    if not text.strip():
        raise EmptyQueryError("the query is empty")
    notes = []
    try:
        tree = parse(text, literal=literal)
    except QuerySyntaxError as error:
        if strict or not reads_as_prose(text, error):
            raise
        notes.append(f"{error}: searched as plain words")
        tree = parse(text, literal=True)
    builder = _Builder(sources, synonyms)
    plan = builder.node(tree)
    if builder.skipped:
        notes.append(
            f"the query has more than {MAX_QUERY_WORDS} words: "
            f"the last {builder.skipped} were left out"
        )
    if plan is None:
        if builder.dropped:
            words = " ".join(builder.dropped)
            raise EmptyQueryError(
                f"«{words}» has only common words, which match almost every paragraph; "
                f'to search them as a phrase, put it in quotes: "{words}"'
            )
        raise EmptyQueryError(f"«{text.strip()}» has no words to search for")
    return CompiledQuery(
        text,
        plan,
        frozenset(builder.lemmas),
        frozenset(builder.forms),
        frozenset(builder.prefixes),
        tuple(builder.words),
        tuple(builder.dropped),
        tuple(dict.fromkeys(builder.near)),
        tuple(notes),
        tuple(builder.synonyms.items()),
    )


def counting_relatives(compiled: CompiledQuery, statistics: Statistics) -> CompiledQuery:
    """The query with only the related lemmas that count in this index
    (:func:`indexer.ranking.related_weight` above 0) and that it has, in its plan and
    among the lemmas its hits mark.

    Decided once, here, before any engine sees the plan: a relative too common to count
    must neither find paragraphs that have only it nor count them in the total, in
    every engine alike; one the index lacks («существовить», a suffix rule's guess)
    would find nothing, and only costs lookups. The frequencies this needs are asked
    for at once (one request of a search server).
    """
    words = [part for part in walk(compiled.plan) if isinstance(part, Word) and part.related]
    if not words:
        return compiled
    statistics.frequencies({lemma for w in words for lemma in (*w.lemmas, *w.related)})
    plan = _counting(compiled.plan, statistics)
    counted = {lemma for part in walk(plan) if isinstance(part, Word) for lemma in part.related}
    return replace(compiled, plan=plan, lemmas=compiled.lemmas | counted)


def _counting(node: Node, statistics: Statistics) -> Node:
    match node:
        case Word():
            kept = tuple(
                r
                for r in node.related
                if statistics.frequency(r) and related_weight(node.lemmas, r, statistics)
            )
            return node if kept == node.related else replace(node, related=kept)
        case Coordinated() | AnyOf() | AllOf() | OneOf():
            return replace(node, parts=tuple(_counting(part, statistics) for part in node.parts))
        case Filtered():
            return Filtered(
                _counting(node.scored, statistics),
                tuple(_counting(part, statistics) for part in node.required),
                tuple(_counting(part, statistics) for part in node.excluded),
            )
    return node


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (not a character) replaced by U+FFFD.

    >>> [hex(ord(char)) for char in without_surrogates(chr(0xDCFF) + "C")]
    ['0xfffd', '0x43']
    """
    return _SURROGATES.sub("\ufffd", text)


_SURROGATES = re.compile("[\ud800-\udfff]")


class _Builder:
    """Turns a syntax tree into a plan, analysing each word as documents are."""

    def __init__(
        self, sources: Callable[[], Iterable[str]] | None, synonyms: Synonyms | None
    ) -> None:
        self.sources = sources
        self.thesaurus = synonyms
        self.synonyms: dict[str, str] = {}
        self.lemmas: set[str] = set()
        self.forms: set[str] = set()
        self.prefixes: set[str] = set()
        self.words: list[QueryWord] = []
        self.dropped: list[str] = []
        self.near: list[frozenset[str]] = []
        self.negated = 0
        #: Words left out beyond :data:`MAX_QUERY_WORDS`.
        self.skipped = 0

    def node(self, node: object) -> Node | None:
        if isinstance(node, Bag):
            return self.bag(node)
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Required):
            return self.node(node.operand)
        if isinstance(node, And | Or):
            return self.boolean(node)
        if isinstance(node, Source):
            return self.source(node)
        raise QuerySyntaxError("NOT needs something to search for beside it")

    def bag(self, bag: Bag) -> Node | None:
        scored: list[Node | QueryWord] = []  # parts, or words whose part waits for the count
        required: list[Node] = []
        excluded = []
        for item in bag.items:
            if isinstance(item, Not):
                excluded.append(item.operand)
            elif isinstance(item, Source):
                required.append(self.source(item))
            elif isinstance(item, Term) and item.mode is Mode.LEMMA:
                # A chunk like «Лавров/Керри» is several words of the bag.
                for word in self.analyse(item):
                    if word.lemmas[0] in STOP_LEMMAS:
                        self.dropped.append(word.surface)
                    elif any(isinstance(p, QueryWord) and p.lemmas == word.lemmas for p in scored):
                        continue  # a word typed twice counts once
                    else:
                        scored.append(word)
                        if not self.negated:
                            same = self.expansion(word).lemmas
                            self.near.append(frozenset((*word.lemmas, *same)))
            elif (part := self.node(item)) is not None:
                if part in scored:
                    continue  # «п* п*»: the same part twice counts once
                scored.append(part)
                if isinstance(item, Required | And):
                    required.append(part)
        # A lone word means itself; among several, related words help rank.
        related = len(scored) > 1 and not self.negated
        parts = [self.word(p, related) if isinstance(p, QueryWord) else p for p in scored]
        if not parts and not required:
            if excluded and not self.dropped:
                raise EmptyQueryError("the query only excludes words; add a word to search for")
            return None
        if not parts:
            result = required.pop(0)
        else:
            result = parts[0] if len(parts) == 1 else Coordinated(tuple(parts))
        if required:
            result = Filtered(result, tuple(required))
        return self.exclude(result, excluded)

    def boolean(self, node: And | Or) -> Node | None:
        positive = [op for op in node.operands if not isinstance(op, Not)]
        negative = [op.operand for op in node.operands if isinstance(op, Not)]
        parts = [p for p in (self.node(op) for op in positive) if p is not None]
        if isinstance(node, Or):
            if negative:
                raise QuerySyntaxError("NOT cannot be an alternative of OR; use parentheses")
            return AnyOf(tuple(parts)) if len(parts) > 1 else (parts[0] if parts else None)
        if not parts:
            return None
        result = AllOf(tuple(parts)) if len(parts) > 1 else parts[0]
        return self.exclude(result, negative)

    def exclude(self, result: Node, excluded: Sequence[object]) -> Node:
        self.negated += 1
        try:
            out = tuple(p for p in (self.node(op) for op in excluded) if p is not None)
        finally:
            self.negated -= 1
        if not out:
            return result
        if isinstance(result, Filtered) and not result.excluded:
            return Filtered(result.scored, result.required, out)
        return Filtered(result, (), out)

    def analyse(self, term: Term) -> list[QueryWord]:
        """The words of a query chunk with their lemmas, analysed as documents are
        (none beyond the first :data:`MAX_QUERY_WORDS` of the query)."""
        found = [
            QueryWord(w.text, w.lemmas, term.position + w.start, term.mode)
            for w in QUERY(term.text)
        ]
        return self.count(found)

    def count(self, found: list[QueryWord]) -> list[QueryWord]:
        room = max(0, MAX_QUERY_WORDS - len(self.words))
        self.skipped += max(0, len(found) - room)
        self.words.extend(found[:room])
        return found[:room]

    def highlight(self, word: QueryWord) -> None:
        """Mark what a searched word matches, unless it is excluded."""
        if self.negated:
            return
        if word.mode is Mode.EXACT:
            self.forms.add(surface_form(word.surface))
        else:
            self.lemmas.update(word.lemmas)

    def term(self, term: Term) -> Node | None:
        if term.mode is Mode.PREFIX:
            return self.prefix(term)
        found = self.analyse(term)
        if len(found) > 1:  # «=Лавров/Керри» under an operator: the words side by side
            return self.sequence(found, Phrase((), term.position, term.mode is Mode.EXACT))
        return self.word(found[0]) if found else None

    def prefix(self, term: Term) -> Node | None:
        stem = surface_form(term.text)
        if not any(c.isalnum() for c in stem):
            return None
        if not self.count([QueryWord(term.text, (), term.position, Mode.PREFIX)]):
            return None
        if not self.negated:
            self.prefixes.add(stem)
        own = (lemma for w in QUERY(stem) for lemma in w.lemmas)
        return Prefix(stem, tuple(dict.fromkeys(own)))

    def phrase(self, phrase: Phrase) -> Node | None:
        return self.sequence([w for term in phrase.words for w in self.analyse(term)], phrase)

    def sequence(self, found: list[QueryWord], phrase: Phrase) -> Node | None:
        if len(found) < 2:
            return self.word(found[0]) if found else None
        for word in found:
            self.highlight(word)
        forms = tuple(surface_form(w.surface) for w in found) if phrase.exact else None
        part = PhraseWords(tuple(w.lemmas for w in found), phrase.slop, forms)
        if self.thesaurus is None or phrase.exact or phrase.slop is not None:
            return part
        typed = " ".join(w.surface for w in found)
        return self.with_synonyms(part, self.thesaurus.of(*part.words), typed)

    def expansion(self, word: QueryWord) -> Expansion:
        """The synonyms of a query word (none for an exact form)."""
        if self.thesaurus is None or word.mode is Mode.EXACT:
            return Expansion()
        return self.thesaurus.of(word.lemmas)

    def word(self, word: QueryWord, related: bool = False) -> Node:
        """The part of a query word, with its synonyms; with ``related``, it also
        searches the lemmas :mod:`.derivation` relates to its own (in a bag only: under
        AND, OR and NOT a word means itself)."""
        self.highlight(word)
        if word.mode is Mode.EXACT:
            return Word(word.lemmas, form=surface_form(word.surface))
        same = self.expansion(word)
        lemmas = (*word.lemmas, *same.lemmas)
        meant = as_typed(word.surface, word.lemmas)
        weights = (*meant, *(1.0 for _ in same.lemmas))
        weights = () if all(w == 1.0 for w in weights) else weights
        part = Word(lemmas, weights=weights)
        if related:
            derived = {
                other: None
                for lemma, weight in zip(word.lemmas, meant, strict=True)
                if weight == 1.0
                for other in related_lemmas(lemma)
                if other not in lemmas
            }
            part = Word(lemmas, tuple(derived), weights=weights)
        return self.with_synonyms(part, Expansion((), same.phrases), word.surface, same.lemmas)

    def with_synonyms(
        self, part: Node, same: Expansion, typed: str, merged: tuple[str, ...] = ()
    ) -> Node:
        """A query word or phrase, or it and its synonyms, the best of them scoring
        (``merged``: one-word synonyms already among the word's own lemmas)."""
        named = (*merged, *same.lemmas, *(lemma for p in same.phrases for w in p for lemma in w))
        for lemma in named:
            self.synonyms.setdefault(lemma, typed)
            if not self.negated:
                self.lemmas.add(lemma)
        parts = [part, *([Word(same.lemmas)] if same.lemmas else [])]
        # A phrase synonym scores as one word, the best of its lemmas: summed, as a
        # phrase's words are, «Соединённых Штатов» would outrank the «США» typed.
        parts += [
            Filtered(
                Word(tuple(dict.fromkeys(lemma for w in phrase for lemma in w))),
                (PhraseWords(phrase),),
            )
            for phrase in same.phrases
        ]
        return OneOf(tuple(parts)) if len(parts) > 1 else part

    def source(self, node: Source) -> Sources:
        known = self.sources() if self.sources else ()
        return Sources(tuple(name for name in known if source_matches(name, node.pattern)))
