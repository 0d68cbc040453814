"""The query language: our own small parser that builds ``whoosh.query`` objects.

Syntax (``literal=True`` turns all of it off and searches the words as they are):

- ``word`` — any form of the word; a bag of words ranks paragraphs with more of them
  higher, and common function words (в, и, что, кто…) are left out of it;
- ``"a phrase"`` — the words next to each other, each in any form; ``"a phrase"~N`` —
  the words in any order with at most N other words between neighbours;
- ``=word`` or ``!word`` — only this form of the word; ``="a phrase"`` — only these forms,
  next to each other;
- ``prefix*`` — any word of the text that starts so (the text's forms, not lemmas);
- ``-word`` / ``NOT word`` — leave out paragraphs with the word; ``+word`` — require it;
- ``a AND b``, ``a OR b``, parentheses; also ``И``, ``ИЛИ``, ``НЕ`` in capitals. OR binds
  tighter than AND: ``переговоры AND Лавров OR Керри`` is ``переговоры AND (Лавров OR Керри)``;
- ``source:NAME`` — only documents whose name (or path) matches NAME, ``*`` and ``?`` allowed.

An operator character counts only where it starts (``-+=!"(``) or ends (``*``) a word:
«C++», «Sky+» and «азиатско-американские» are words, and the punctuation of a pasted
question is ignored.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh import query

from .analysis import words
from .derivation import DerivedTerm, related_lemmas
from .errors import EmptyQueryError, QuerySyntaxError
from .forms import FormCheck, PhraseCheck, VerifiedQuery, surface_form
from .schema import CONTENT
from .scoring import BestOf, CoordinatedOr, Unscored

#: Lemmas left out of a bag of words (they still count inside quotes and after + or =):
#: prepositions, conjunctions, particles, pronouns, question words and «быть».
STOP_LEMMAS = frozenset(
    """
    в во на с со к ко о об обо от до из за для при у под над перед через без про по
    между после около среди и а но или либо что чтобы как если когда то же ли бы да
    также тоже зато однако не ни вот лишь только уже еще я ты он она оно мы вы они
    себя свой мой твой наш ваш его ее их этот тот такой это весь все сам который кто
    какой каков чей где куда откуда почему зачем сколько быть
    """.split()
)

_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
# Russian operators count only in a query that is not all capitals («ООН И США»).
_RUSSIAN_OPERATORS = {"И": "AND", "ИЛИ": "OR", "НЕ": "NOT"}
_WORD_END = frozenset(' \t\n\r\f\v"()')
_SOURCE_PREFIX = "source:"


# -- syntax tree ----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word of the query as typed, at its offset in the query.

    ``mode`` is ``"lemma"`` (any form), ``"exact"`` (this form only) or ``"prefix"``.
    """

    text: str
    position: int
    mode: str = "lemma"


@dataclass(frozen=True)
class Phrase:
    """Words next to each other in this order, or within ``slop`` words in any order."""

    words: tuple[Term, ...]
    position: int
    exact: bool = False
    slop: int | None = None


@dataclass(frozen=True)
class Source:
    """Only documents whose name matches a glob pattern."""

    pattern: str
    position: int


@dataclass(frozen=True)
class Not:
    """Paragraphs without the operand."""

    operand: Node


@dataclass(frozen=True)
class Required:
    """The operand must match (``+word``); it is scored like the rest."""

    operand: Node


@dataclass(frozen=True)
class And:
    """Every operand must match."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one operand must match."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Bag:
    """Words side by side: any may match, more matches rank higher."""

    items: tuple[Node, ...]


Node = Term | Phrase | Source | Not | Required | And | Or | Bag


# -- lexer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # ATOM (a Term, Phrase or Source), LPAREN, RPAREN, AND, OR, NOT, MINUS, PLUS
    text: str
    position: int
    node: Node | None = None


def _lex(text: str) -> Iterator[_Token]:
    operators = dict(_OPERATORS)
    if text != text.upper():
        operators.update(_RUSSIAN_OPERATORS)
    i, n, depth = 0, len(text), 0
    while i < n:
        char = text[i]
        following = text[i + 1] if i + 1 < n else ""
        if char.isspace():
            i += 1
        elif char == '"' or (char in "=!" and following == '"'):
            exact = char != '"'
            start = i + 1 if exact else i
            end = text.find('"', start + 1)
            if end < 0:
                raise QuerySyntaxError(f"unclosed quote at position {start + 1}", start)
            words = tuple(_words_of(text, start + 1, end, "exact" if exact else "lemma"))
            i = end + 1
            slop = re.match(r"~(\d+)", text[i:])
            if slop:
                i += slop.end()
            node = Phrase(words, start, exact, int(slop.group(1)) if slop else None)
            yield _Token("ATOM", text[start:i], start, node)
        elif char == "(":
            depth += 1
            yield _Token("LPAREN", char, i)
            i += 1
        elif char == ")":
            # A stray closing parenthesis («1) …», a smiley) is punctuation.
            if depth:
                depth -= 1
                yield _Token("RPAREN", char, i)
            i += 1
        elif char in "-+" and ((following and following in '"(=!') or following.isalnum()):
            yield _Token("MINUS" if char == "-" else "PLUS", char, i)
            i += 1
        else:
            end = i
            while end < n and text[end] not in _WORD_END:
                end += 1
            chunk = text[i:end]
            if chunk in operators:
                yield _Token(operators[chunk], chunk, i)
            elif chunk.lower().startswith(_SOURCE_PREFIX) and len(chunk) > len(_SOURCE_PREFIX):
                yield _Token("ATOM", chunk, i, Source(chunk[len(_SOURCE_PREFIX) :], i))
            else:
                yield _Token("ATOM", chunk, i, _term(chunk, i))
            i = end


def _term(chunk: str, position: int) -> Term:
    if chunk[0] in "=!" and len(chunk) > 1 and chunk[1].isalnum():
        return Term(chunk[1:], position + 1, "exact")
    if chunk.endswith("*") and any(c.isalnum() for c in chunk):
        return Term(chunk.rstrip("*"), position, "prefix")
    return Term(chunk, position)


def _words_of(text: str, start: int, end: int, mode: str) -> Iterator[Term]:
    for match in re.finditer(r"\S+", text[start:end]):
        yield Term(match.group(), start + match.start(), mode)


# -- parser -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = list(_lex(text))
        self.i = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def bag(self) -> Bag:
        items = []
        while (token := self.peek()) is not None and token.kind != "RPAREN":
            items.append(self.conjunction())
        return Bag(tuple(items))

    def conjunction(self) -> Node:
        operands = [self.disjunction()]
        while (token := self.peek()) is not None and token.kind == "AND":
            self.take()
            operands.append(self.operand_after(token, self.disjunction))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def disjunction(self) -> Node:
        operands = [self.unary()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            operands.append(self.operand_after(token, self.unary))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def unary(self) -> Node:
        token = self.tokens[self.i]
        if token.kind in ("NOT", "MINUS"):
            self.take()
            return Not(self.operand_after(token, self.unary))
        if token.kind == "PLUS":
            self.take()
            return Required(self.operand_after(token, self.atom))
        return self.atom()

    def operand_after(self, operator: _Token, parse: Callable[[], Node]) -> Node:
        token = self.peek()
        if token is None or token.kind in ("RPAREN", "AND", "OR"):
            raise QuerySyntaxError(
                f"{operator.text} at position {operator.position + 1} has nothing after it",
                operator.position,
            )
        return parse()

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "LPAREN":
            inner = self.bag()
            if self.peek() is None:
                raise QuerySyntaxError(
                    f"unclosed parenthesis at position {token.position + 1}", token.position
                )
            self.take()
            return inner
        if token.kind == "ATOM" and token.node is not None:
            return token.node
        raise QuerySyntaxError(
            f"{token.text} at position {token.position + 1} has nothing before it",
            token.position,
        )


def parse(text: str, *, literal: bool = False) -> Bag:
    """Parse a query into its syntax tree (no morphology yet).

    >>> parse('Сирия -перемирие')
    Bag(items=(Term(text='Сирия', position=0, mode='lemma'), Not(operand=Term(text='перемирие', position=7, mode='lemma'))))

    :raises QuerySyntaxError: for an unclosed quote or parenthesis or a dangling operator.
    """  # noqa: E501
    if literal:
        return Bag(tuple(_words_of(text, 0, len(text), "lemma")))
    return _Parser(text).bag()


def terms(node: Node) -> Iterator[Term]:
    """Every word of a syntax tree, in query order."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Phrase):
        yield from node.words
    elif isinstance(node, (Not, Required)):
        yield from terms(node.operand)
    elif isinstance(node, (And, Or)):
        for operand in node.operands:
            yield from terms(operand)
    elif isinstance(node, Bag):
        for item in node.items:
            yield from terms(item)


# -- compiling to Whoosh ----------------------------------------------------------------


@dataclass(frozen=True)
class QueryWord:
    """A word of the query after analysis: what was typed and what it searches for."""

    surface: str
    lemmas: tuple[str, ...]
    #: Offset of the word in the query text (the chunk it came from).
    position: int
    mode: str = "lemma"


@dataclass
class CompiledQuery:
    """A parsed query ready to search: the Whoosh query and what it looks for."""

    #: The text as typed.
    text: str
    #: The ``whoosh.query.Query`` to run.
    query: Any
    #: Lemmas that count as a match when highlighting (words not under NOT).
    lemmas: frozenset[str]
    #: Exact forms and prefixes that count as a match when highlighting.
    forms: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    #: Every analysed word, excluded ones too, for spelling correction and explain.
    words: tuple[QueryWord, ...] = ()
    #: Words of the bag that were left out as too common.
    dropped: tuple[str, ...] = field(default_factory=tuple)
    #: The lemmas of each scored word of a bag, for the proximity bonus.
    near: tuple[frozenset[str], ...] = ()
    #: Lemmas related to the words' own (:mod:`.derivation`): they count as a match
    #: where the index lets them count (see ``DerivedTerm.weight_in``).
    related: tuple[DerivedTerm, ...] = ()


def compile_query(
    text: str,
    *,
    literal: bool = False,
    sources: Callable[[], Iterable[str]] | None = None,
) -> CompiledQuery:
    """Parse ``text`` and build the Whoosh query that searches it.

    ``sources`` lists the document names that ``source:`` patterns are matched against.

    :raises QuerySyntaxError: the query is malformed.
    :raises EmptyQueryError: nothing is left to search for.
    """
    if not text.strip():
        raise EmptyQueryError("the query is empty")
    builder = _Builder(sources)
    whoosh_query = builder.node(parse(text, literal=literal))
    if whoosh_query is None:
        if builder.dropped:
            words = " ".join(builder.dropped)
            raise EmptyQueryError(
                f"«{words}» has only common words, which match almost every paragraph; "
                f'to search them as a phrase, put it in quotes: "{words}"'
            )
        raise EmptyQueryError(f"«{text.strip()}» has no words to search for")
    return CompiledQuery(
        text,
        whoosh_query,
        frozenset(builder.lemmas),
        frozenset(builder.forms),
        frozenset(builder.prefixes),
        tuple(builder.words),
        tuple(builder.dropped),
        tuple(dict.fromkeys(builder.near)),
        tuple(builder.related),
    )


class _Builder:
    """Turns a syntax tree into Whoosh queries, analysing each word as documents are."""

    def __init__(self, sources: Callable[[], Iterable[str]] | None) -> None:
        self.sources = sources
        self.lemmas: set[str] = set()
        self.forms: set[str] = set()
        self.prefixes: set[str] = set()
        self.words: list[QueryWord] = []
        self.dropped: list[str] = []
        self.near: list[frozenset[str]] = []
        self.related: list[DerivedTerm] = []
        self.negated = 0

    def node(self, node: Node) -> Any:
        if isinstance(node, Bag):
            return self.bag(node)
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Required):
            return self.node(node.operand)
        if isinstance(node, (And, Or)):
            return self.boolean(node)
        if isinstance(node, Source):
            return self.source(node)
        raise QuerySyntaxError("NOT needs something to search for beside it")

    def bag(self, bag: Bag) -> Any:
        scored: list[Any] = []  # queries, or words whose query waits for the count
        required, excluded = [], []
        for item in bag.items:
            if isinstance(item, Not):
                excluded.append(item.operand)
            elif isinstance(item, Source):
                required.append(self.source(item))
            elif isinstance(item, Term) and item.mode == "lemma":
                # A chunk like «Лавров/Керри» is several words of the bag.
                for word in self.analyse(item):
                    if word.lemmas[0] in STOP_LEMMAS:
                        self.dropped.append(word.surface)
                    else:
                        scored.append(word)
                        if not self.negated:
                            self.near.append(frozenset(word.lemmas))
            elif (q := self.node(item)) is not None:
                scored.append(q)
                if isinstance(item, (Required, And)):
                    required.append(q)
        # A lone word means itself; among several, related words help rank.
        related = len(scored) > 1 and not self.negated
        scored = [self.word_query(q, related) if isinstance(q, QueryWord) else q for q in scored]
        if not scored and not required:
            if excluded and not self.dropped:
                raise EmptyQueryError("the query only excludes words; add a word to search for")
            return None
        if not scored:
            result = required.pop(0)
        else:
            result = scored[0] if len(scored) == 1 else CoordinatedOr(scored)
        if required:
            # Required parts filter without being scored twice (Whoosh's Require trips
            # over its own block-quality skipping).
            must = query.And(required) if len(required) > 1 else required[0]
            result = query.And([result, Unscored(must)])
        return self.exclude(result, excluded)

    def boolean(self, node: And | Or) -> Any:
        positive = [op for op in node.operands if not isinstance(op, Not)]
        negative = [op.operand for op in node.operands if isinstance(op, Not)]
        parts = [q for q in (self.node(op) for op in positive) if q is not None]
        if isinstance(node, Or):
            if negative:
                raise QuerySyntaxError("NOT cannot be an alternative of OR; use parentheses")
            return query.Or(parts) if len(parts) > 1 else (parts[0] if parts else None)
        if not parts:
            return None
        result = query.And(parts) if len(parts) > 1 else parts[0]
        return self.exclude(result, negative)

    def exclude(self, result: Any, excluded: list[Node]) -> Any:
        self.negated += 1
        try:
            out = [q for q in (self.node(op) for op in excluded) if q is not None]
        finally:
            self.negated -= 1
        if not out:
            return result
        return query.AndNot(result, query.Or(out) if len(out) > 1 else out[0])

    def analyse(self, term: Term) -> list[QueryWord]:
        """The words of a query chunk with their lemmas, analysed as documents are."""
        found = [
            QueryWord(w.text, w.lemmas, term.position + w.start, term.mode)
            for w in words(term.text, mode="query")
        ]
        self.words.extend(found)
        return found

    def highlight(self, word: QueryWord) -> None:
        """Mark what a searched word matches, unless it is excluded."""
        if self.negated:
            return
        if word.mode == "exact":
            self.forms.add(surface_form(word.surface))
        else:
            self.lemmas.update(word.lemmas)

    def term(self, term: Term) -> Any:
        if term.mode == "prefix":
            return self.prefix(term)
        found = self.analyse(term)
        if len(found) > 1:  # «=Лавров/Керри» under an operator: the words side by side
            return self.sequence(found, Phrase((), term.position, term.mode == "exact"))
        return self.word_query(found[0]) if found else None

    def prefix(self, term: Term) -> Any:
        stem = surface_form(term.text)
        if not any(c.isalnum() for c in stem):
            return None
        self.words.append(QueryWord(term.text, (), term.position, "prefix"))
        if not self.negated:
            self.prefixes.add(stem)
        # Candidates: lemmas that start so, and the lemmas of the prefix read as a
        # word («Россией*» → россия); the text then shows which forms really do.
        own = [query.Term(CONTENT, lemma) for w in words(stem, mode="query") for lemma in w.lemmas]
        candidates = query.Or([query.Prefix(CONTENT, stem), *own])
        return VerifiedQuery(candidates, FormCheck(stem, prefix=True))

    def phrase(self, phrase: Phrase) -> Any:
        return self.sequence([w for term in phrase.words for w in self.analyse(term)], phrase)

    def sequence(self, found: list[QueryWord], phrase: Phrase) -> Any:
        if len(found) < 2:
            return self.word_query(found[0]) if found else None
        for word in found:
            self.highlight(word)
        alternatives = [
            query.Term(CONTENT, w.lemmas[0])
            if len(w.lemmas) == 1
            else query.Or([query.Term(CONTENT, lemma) for lemma in w.lemmas])
            for w in found
        ]
        if phrase.slop is None:
            result = query.Sequence(alternatives)
        else:
            result = query.Sequence(alternatives, slop=phrase.slop + 1, ordered=False)
        if not phrase.exact:
            return result
        forms = tuple(surface_form(w.surface) for w in found)
        return VerifiedQuery(result, PhraseCheck(forms, phrase.slop))

    def word_query(self, word: QueryWord, related: bool = False) -> Any:
        """The lemmas of a word, the best of them scoring; with ``related``, also the
        lemmas :mod:`.derivation` relates to them, at a lower weight (in a bag only:
        under AND, OR and NOT a word means itself)."""
        self.highlight(word)
        # Every lemma alike: weighting them by pymorphy's probability lost MRR@10.
        terms = [query.Term(CONTENT, lemma) for lemma in word.lemmas]
        if word.mode == "exact":
            return VerifiedQuery(_best_of(terms), FormCheck(surface_form(word.surface)))
        if related:
            derived = {
                other: None
                for lemma in word.lemmas
                for other in related_lemmas(lemma)
                if other not in word.lemmas
            }
            relatives = [DerivedTerm(CONTENT, lemma, word.lemmas) for lemma in derived]
            self.related += relatives
            terms += relatives
        return _best_of(terms)

    def source(self, node: Source) -> Any:
        known = self.sources() if self.sources else ()
        names = [name for name in known if source_matches(name, node.pattern)]
        if not names:
            return query.NullQuery
        terms = [query.Term("source", name) for name in names]
        return terms[0] if len(terms) == 1 else query.Or(terms)


def _best_of(terms: list[Any]) -> Any:
    return terms[0] if len(terms) == 1 else BestOf(terms)


def source_matches(name: str, pattern: str) -> bool:
    """Whether a document name matches a ``source:`` pattern.

    The pattern may name the whole path, its end, or the file name, with glob wildcards.

    >>> source_matches("/home/me/news/2016/syria.txt", "syria*")
    True
    >>> source_matches("/home/me/news/2016/syria.txt", "2016/*.txt")
    True
    >>> source_matches("/home/me/news/2016/syria.txt", "iran*")
    False
    """
    name, pattern = name.casefold(), pattern.casefold()
    if fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(os.path.basename(name), pattern):
        return True
    return fnmatch.fnmatchcase(name, "*" + os.sep + pattern.lstrip(os.sep))


def replace_words(text: str, replacements: dict[int, tuple[str, str]]) -> str:
    """Put corrected words into a query at the positions of the words they replace.

    ``replacements`` maps a position to ``(typed word, new word)``.

    >>> replace_words("перимирие в Сирии", {0: ("перимирие", "перемирие")})
    'перемирие в Сирии'
    """
    out, cursor = [], 0
    for position in sorted(replacements):
        typed, new = replacements[position]
        out += [text[cursor:position], new]
        cursor = position + len(typed)
    out.append(text[cursor:])
    return "".join(out)


__all__ = [
    "STOP_LEMMAS",
    "And",
    "Bag",
    "CompiledQuery",
    "Not",
    "Or",
    "Phrase",
    "QueryWord",
    "Required",
    "Source",
    "Term",
    "compile_query",
    "parse",
    "replace_words",
    "source_matches",
    "surface_form",
    "terms",
]
