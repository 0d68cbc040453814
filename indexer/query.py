"""The query language: our own small parser, from text to a syntax tree.

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
question is ignored. Parentheses and NOTs nest at most :data:`MAX_NESTING` deep.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum, StrEnum

from .errors import QuerySyntaxError

_WORD_END = frozenset(' \t\n\r\f\v"()')
_SOURCE_PREFIX = "source:"

#: How deep parentheses and NOTs may nest: deeper is no query a person writes, and
#: would exhaust the stack of every recursive walk of the tree.
MAX_NESTING = 32


# -- syntax tree ----------------------------------------------------------------------


class Mode(StrEnum):
    """How a query word matches the words of a text."""

    #: Any form of the word.
    LEMMA = "lemma"
    #: Only this form (``=word``).
    EXACT = "exact"
    #: Any word of the text that starts so (``prefix*``).
    PREFIX = "prefix"


@dataclass(frozen=True)
class Term:
    """One word of the query as typed, at its offset in the query."""

    text: str
    position: int
    mode: Mode = Mode.LEMMA


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


class _Kind(Enum):
    ATOM = "a Term, Phrase or Source"
    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    MINUS = "-"
    PLUS = "+"


_OPERATORS = {"AND": _Kind.AND, "OR": _Kind.OR, "NOT": _Kind.NOT}
# Russian operators count only in a query that is not all capitals («ООН И США»).
_RUSSIAN_OPERATORS = {"И": _Kind.AND, "ИЛИ": _Kind.OR, "НЕ": _Kind.NOT}


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str
    position: int
    node: Node | None = None


def _operators(text: str) -> dict[str, _Kind]:
    if text != text.upper():
        return _OPERATORS | _RUSSIAN_OPERATORS
    return _OPERATORS


def _lex(text: str) -> Iterator[_Token]:
    operators = _operators(text)
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
                raise QuerySyntaxError(
                    f"unclosed quote at position {start + 1}", start, punctuation=True
                )
            words = tuple(_words_of(text, start + 1, end, Mode.EXACT if exact else Mode.LEMMA))
            i = end + 1
            slop = re.match(r"~(\d+)", text[i:])
            if slop:
                i += slop.end()
            node = Phrase(words, start, exact, int(slop.group(1)) if slop else None)
            yield _Token(_Kind.ATOM, text[start:i], start, node)
        elif char == "(":
            depth += 1
            yield _Token(_Kind.LPAREN, char, i)
            i += 1
        elif char == ")":
            # A stray closing parenthesis («1) …», a smiley) is punctuation.
            if depth:
                depth -= 1
                yield _Token(_Kind.RPAREN, char, i)
            i += 1
        elif char in "-+" and ((following and following in '"(=!') or following.isalnum()):
            yield _Token(_Kind.MINUS if char == "-" else _Kind.PLUS, char, i)
            i += 1
        else:
            end = i
            while end < n and text[end] not in _WORD_END:
                end += 1
            chunk = text[i:end]
            if chunk in operators:
                yield _Token(operators[chunk], chunk, i)
            elif chunk.lower().startswith(_SOURCE_PREFIX) and len(chunk) > len(_SOURCE_PREFIX):
                yield _Token(_Kind.ATOM, chunk, i, Source(chunk[len(_SOURCE_PREFIX) :], i))
            else:
                yield _Token(_Kind.ATOM, chunk, i, _term(chunk, i))
            i = end


def _term(chunk: str, position: int) -> Term:
    if chunk[0] in "=!" and len(chunk) > 1 and chunk[1].isalnum():
        return Term(chunk[1:], position + 1, Mode.EXACT)
    if chunk.endswith("*") and any(c.isalnum() for c in chunk):
        return Term(chunk.rstrip("*"), position, Mode.PREFIX)
    return Term(chunk, position)


def _words_of(text: str, start: int, end: int, mode: Mode) -> Iterator[Term]:
    for match in re.finditer(r"\S+", text[start:end]):
        yield Term(match.group(), start + match.start(), mode)


# -- parser -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = list(_lex(text))
        self.i = 0
        self.depth = 0

    def nested(self, token: _Token) -> None:
        """Count one more level of nesting at ``token``, refusing one too many."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QuerySyntaxError(
                f"{token.text} at position {token.position + 1} is nested more than "
                f"{MAX_NESTING} deep",
                token.position,
                punctuation=token.kind == _Kind.LPAREN,
            )

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def bag(self) -> Bag:
        items = []
        while (token := self.peek()) is not None and token.kind != _Kind.RPAREN:
            items.append(self.conjunction())
        return Bag(tuple(items))

    def conjunction(self) -> Node:
        operands = [self.disjunction()]
        while (token := self.peek()) is not None and token.kind == _Kind.AND:
            self.take()
            operands.append(self.operand_after(token, self.disjunction))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def disjunction(self) -> Node:
        operands = [self.unary()]
        while (token := self.peek()) is not None and token.kind == _Kind.OR:
            self.take()
            operands.append(self.operand_after(token, self.unary))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def unary(self) -> Node:
        token = self.tokens[self.i]
        if token.kind in (_Kind.NOT, _Kind.MINUS):
            self.take()
            self.nested(token)
            operand = self.operand_after(token, self.unary)
            self.depth -= 1
            return Not(operand)
        if token.kind == _Kind.PLUS:
            self.take()
            return Required(self.operand_after(token, self.atom))
        return self.atom()

    def operand_after(self, operator: _Token, parse: Callable[[], Node]) -> Node:
        token = self.peek()
        if token is None or token.kind in (_Kind.RPAREN, _Kind.AND, _Kind.OR):
            raise QuerySyntaxError(
                f"{operator.text} at position {operator.position + 1} has nothing after it",
                operator.position,
            )
        return parse()

    def atom(self) -> Node:
        token = self.take()
        if token.kind == _Kind.LPAREN:
            self.nested(token)
            inner = self.bag()
            if self.peek() is None:
                raise QuerySyntaxError(
                    f"unclosed parenthesis at position {token.position + 1}",
                    token.position,
                    punctuation=True,
                )
            self.take()
            self.depth -= 1
            return inner
        if token.kind == _Kind.ATOM and token.node is not None:
            return token.node
        raise QuerySyntaxError(
            f"{token.text} at position {token.position + 1} has nothing before it",
            token.position,
        )


def parse(text: str, *, literal: bool = False) -> Bag:
    """Parse a query into its syntax tree (no morphology yet).

    >>> parse('Сирия -перемирие')
    Bag(items=(Term(text='Сирия', position=0, mode=<Mode.LEMMA: 'lemma'>), Not(operand=Term(text='перемирие', position=7, mode=<Mode.LEMMA: 'lemma'>))))

    :raises QuerySyntaxError: for an unclosed quote or parenthesis or a dangling operator.
    """  # noqa: E501
    if literal:
        return Bag(tuple(_words_of(text, 0, len(text), Mode.LEMMA)))
    return _Parser(text).bag()


def reads_as_prose(text: str, error: QuerySyntaxError) -> bool:
    """Whether a query that does not parse is better searched as plain words.

    It is when its only fault is punctuation (a quote or parenthesis left open, as in a
    pasted question: ``серии "Доктора Кто» …``) and it has no operator word (AND, OR,
    NOT, И, ИЛИ, НЕ): a query written with operators means its syntax.

    >>> reads_as_prose('серии "Доктора Кто»', QuerySyntaxError("", punctuation=True))
    True
    >>> reads_as_prose('Лавров AND "Керри', QuerySyntaxError("", punctuation=True))
    False
    """
    operators = _operators(text)
    return error.punctuation and not any(
        chunk in operators for chunk in re.split(r"[\s\"()]+", text)
    )


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
