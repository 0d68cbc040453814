"""The query language: our own small parser that builds ``whoosh.query`` objects.

Syntax (``literal=True`` turns all of it off and searches the words as they are):

- ``word`` — any form of the word; a bag of words ranks paragraphs with more of them
  higher, and common function words (в, и, что, кто…) are left out of it;
- ``"a phrase"`` — the words next to each other, each in any form;
- ``-word`` / ``NOT word`` — leave out paragraphs with the word; ``+word`` — require it;
- ``a AND b``, ``a OR b``, parentheses. OR binds tighter than AND, so
  ``переговоры AND Лавров OR Керри`` means ``переговоры AND (Лавров OR Керри)``.

An operator character counts only where it starts a word: «C++», «Sky+» and
«азиатско-американские» are words, and punctuation in a pasted question is ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import EmptyQueryError, QuerySyntaxError

#: Lemmas left out of a bag of words (they still count inside quotes and after +):
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
_WORD_END = set(' \t\n\r\f\v"()')


# -- syntax tree ----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word of the query, as typed, at its offset in the query."""

    text: str
    position: int


@dataclass(frozen=True)
class Phrase:
    """Words that must stand next to each other, in this order."""

    words: tuple[str, ...]
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


Node = Term | Phrase | Not | Required | And | Or | Bag


# -- lexer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, PHRASE, LPAREN, RPAREN, AND, OR, NOT, MINUS, PLUS
    text: str
    position: int


def _lex(text: str) -> Iterator[_Token]:
    i, n, depth = 0, len(text), 0
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError(f"unclosed quote at position {i + 1}", i)
            yield _Token("PHRASE", text[i + 1 : end], i)
            i = end + 1
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
        elif (
            char in "-+"
            and i + 1 < n
            and (text[i + 1] == '"' or text[i + 1] == "(" or _starts_word(text[i + 1]))
        ):
            yield _Token("MINUS" if char == "-" else "PLUS", char, i)
            i += 1
        else:
            end = i
            while end < n and text[end] not in _WORD_END:
                end += 1
            chunk = text[i:end]
            yield _Token(_OPERATORS.get(chunk, "WORD"), chunk, i)
            i = end


def _starts_word(char: str) -> bool:
    return char.isalnum()


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

    def operand_after(self, operator: _Token, parse: object) -> Node:
        token = self.peek()
        if token is None or token.kind in ("RPAREN", "AND", "OR"):
            raise QuerySyntaxError(
                f"{operator.text} at position {operator.position + 1} has nothing after it",
                operator.position,
            )
        return parse()  # type: ignore[operator]

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
        if token.kind == "PHRASE":
            return Phrase(tuple(token.text.split()), token.position)
        if token.kind == "WORD":
            return Term(token.text, token.position)
        raise QuerySyntaxError(
            f"{token.text} at position {token.position + 1} has nothing before it",
            token.position,
        )


def parse(text: str, *, literal: bool = False) -> Bag:
    """Parse a query into its syntax tree (no morphology yet).

    >>> parse('Сирия -перемирие')
    Bag(items=(Term(text='Сирия', position=0), Not(operand=Term(text='перемирие', position=7))))

    :raises QuerySyntaxError: for an unclosed quote or parenthesis or a dangling operator.
    """
    if literal:
        return Bag(tuple(Term(text, position) for text, position in _chunks(text)))
    return _Parser(text).bag()


def _chunks(text: str) -> Iterator[tuple[str, int]]:
    start = None
    for i, char in enumerate(text + " "):
        if char.isspace():
            if start is not None:
                yield text[start:i], start
            start = None
        elif start is None:
            start = i


# -- compiling to Whoosh ----------------------------------------------------------------


@dataclass
class CompiledQuery:
    """A parsed query ready to search: the Whoosh query and what it looks for."""

    #: The text as typed.
    text: str
    #: The ``whoosh.query.Query`` to run.
    query: object
    #: Lemmas that count as a match when highlighting (words not under NOT).
    lemmas: frozenset[str]
    #: Words of the bag that were left out as too common.
    dropped: tuple[str, ...] = field(default_factory=tuple)


def compile_query(text: str, *, literal: bool = False) -> CompiledQuery:
    """Parse ``text`` and build the Whoosh query that searches it.

    :raises QuerySyntaxError: the query is malformed.
    :raises EmptyQueryError: nothing is left to search for.
    """
    if not text.strip():
        raise EmptyQueryError("the query is empty")
    builder = _Builder()
    whoosh_query = builder.node(parse(text, literal=literal), top=True)
    if whoosh_query is None:
        if builder.dropped:
            words = " ".join(builder.dropped)
            raise EmptyQueryError(
                f"«{words}» has only common words, which match almost every paragraph; "
                f'to search them as a phrase, put it in quotes: "{words}"'
            )
        raise EmptyQueryError(f"«{text.strip()}» has no words to search for")
    return CompiledQuery(text, whoosh_query, frozenset(builder.lemmas), tuple(builder.dropped))


class _Builder:
    """Turns a syntax tree into Whoosh queries, analysing each word as documents are."""

    def __init__(self) -> None:
        self.lemmas: set[str] = set()
        self.dropped: list[str] = []
        self.negated = 0

    def node(self, node: Node, top: bool = False) -> object | None:
        if isinstance(node, Bag):
            return self.bag(node)
        if isinstance(node, Term):
            return self.words(_analyse(node.text))
        if isinstance(node, Phrase):
            return self.words([w for text in node.words for w in _analyse(text)])
        if isinstance(node, Required):
            return self.node(node.operand)
        if isinstance(node, Not):
            raise AssertionError("NOT is handled by its parent")
        if isinstance(node, (And, Or)):
            return self.boolean(node)
        raise TypeError(f"not a query node: {node!r}")

    def bag(self, bag: Bag) -> object | None:
        from whoosh import query

        from .scoring import CoordinatedOr

        scored, required, excluded = [], [], []
        for item in bag.items:
            if isinstance(item, Not):
                excluded.append(item.operand)
                continue
            if isinstance(item, Term):
                # A chunk like «Лавров/Керри» is several words of the bag.
                for word in _analyse(item.text):
                    if _is_stop_word(word):
                        self.dropped.append(word.surface)
                    elif (q := self.words([word])) is not None:
                        scored.append(q)
                continue
            q = self.node(item)
            if q is None:
                continue
            scored.append(q)
            if isinstance(item, (Required, And)):
                required.append(q)
        if not scored:
            if excluded and not self.dropped:
                raise EmptyQueryError("the query only excludes words; add a word to search for")
            return None
        result = scored[0] if len(scored) == 1 else CoordinatedOr(scored)
        if required:
            # Required words filter without scoring twice (Whoosh's Require trips over
            # its own block-quality skipping).
            must = query.And(required) if len(required) > 1 else required[0]
            result = query.And([result, query.ConstantScoreQuery(must, 0.0)])
        return self.exclude(result, excluded)

    def boolean(self, node: And | Or) -> object | None:
        from whoosh import query

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

    def exclude(self, result: object, excluded: list[Node]) -> object | None:
        from whoosh import query

        self.negated += 1
        try:
            out = [q for q in (self.node(op) for op in excluded) if q is not None]
        finally:
            self.negated -= 1
        if not out:
            return result
        return query.AndNot(result, query.Or(out) if len(out) > 1 else out[0])

    def words(self, words: list[_Word]) -> object | None:
        from whoosh import query

        from .schema import CONTENT

        alternatives = []
        for word in words:
            if not self.negated:
                self.lemmas.update(word.lemmas)
            terms = [query.Term(CONTENT, lemma) for lemma in word.lemmas]
            alternatives.append(terms)
        if not alternatives:
            return None
        if len(alternatives) == 1:
            terms = alternatives[0]
            return terms[0] if len(terms) == 1 else query.DisjunctionMax(terms)
        return query.Sequence([t[0] if len(t) == 1 else query.Or(t) for t in alternatives])


@dataclass(frozen=True)
class _Word:
    surface: str
    lemmas: tuple[str, ...]


def _analyse(text: str) -> list[_Word]:
    """The words of a query chunk with their lemmas, analysed as documents are."""
    from .analysis import words

    return [_Word(w.text, w.lemmas) for w in words(text, mode="query")]


def _is_stop_word(word: _Word) -> bool:
    return word.lemmas[0] in STOP_LEMMAS
