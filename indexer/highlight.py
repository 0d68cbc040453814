"""Where the query matched in a paragraph, and which part of a long one to show."""

from __future__ import annotations

from collections.abc import Iterable

from .analysis import INDEX
from .forms import surface_form

Span = tuple[int, int]

#: The characters of a paragraph in which matches are marked: marking means analysing
#: the text again, which for a paragraph of hundreds of megabytes took most of a search.
MAX_MARKED_LENGTH = 100_000


def match_spans(
    text: str,
    lemmas: Iterable[str],
    forms: Iterable[str] = (),
    prefixes: Iterable[str] = (),
) -> tuple[Span, ...]:
    """Offsets of the words of ``text`` that a query matched, merged.

    A word matches when one of its lemmas is in ``lemmas``, or its form (lower case,
    ё folded) is in ``forms`` or starts with one of ``prefixes``.

    A compound word is marked whole when it matched whole, or only in the part that
    matched: «космический» marks «космические» inside «воздушно-космические». Only the
    first :data:`MAX_MARKED_LENGTH` characters are read.

    >>> text = "Лавров и Керри обсудили переговоры"
    >>> [text[a:b] for a, b in match_spans(text, {"лавров", "переговоры"})]
    ['Лавров', 'переговоры']
    """
    wanted, exact, starts = set(lemmas), set(forms), tuple(prefixes)
    found = set()
    for match in INDEX.tokenizer(text[:MAX_MARKED_LENGTH]):
        offset = match.start()
        for piece in INDEX.word(match.group()):
            hit = not wanted.isdisjoint(piece.lemmas)
            if not hit and (exact or starts):
                form = surface_form(text[offset + piece.start : offset + piece.end])
                hit = form in exact or bool(starts and form.startswith(starts))
            if hit:
                found.add((offset + piece.start, offset + piece.end))
    spans = sorted(found)
    merged: list[Span] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def best_fragment(text: str, spans: tuple[Span, ...], width: int = 600) -> Span:
    """The ``(start, end)`` of the window of about ``width`` characters with most matches.

    The window is cut at spaces; a paragraph that fits is returned whole.

    >>> best_fragment("короткий абзац", ())
    (0, 14)
    """
    if len(text) <= width:
        return 0, len(text)
    best, best_count = 0, -1
    for anchor, _ in spans or ((0, 0),):
        start = max(0, min(anchor - width // 4, len(text) - width))
        count = sum(1 for a, b in spans if a >= start and b <= start + width)
        if count > best_count:
            best, best_count = start, count
    start = best
    end = min(len(text), start + width)
    if start > 0:
        cut = text.find(" ", start, start + 40)
        start = cut + 1 if cut >= 0 else start
    if end < len(text):
        cut = text.rfind(" ", end - 40, end)
        end = cut if cut > start else end
    return start, end


def marked_pieces(
    text: str, spans: tuple[Span, ...], start: int = 0, end: int | None = None
) -> list[tuple[str, bool]]:
    """``text[start:end]`` cut at the spans that lie wholly inside it, each piece with
    whether it matched; empty pieces left out.

    >>> marked_pieces("Лавров и Керри", ((0, 6), (9, 14)))
    [('Лавров', True), (' и ', False), ('Керри', True)]
    """
    end = len(text) if end is None else end
    pieces: list[tuple[str, bool]] = []
    cursor = start
    for a, b in spans:
        if a < start or b > end:
            continue
        pieces += [(text[cursor:a], False), (text[a:b], True)]
        cursor = b
    pieces.append((text[cursor:end], False))
    return [(piece, marked) for piece, marked in pieces if piece]


def marked(
    text: str,
    spans: tuple[Span, ...],
    marks: tuple[str, str] = ("[[", "]]"),
    width: int | None = 600,
) -> str:
    """``text`` with the ``spans`` put between ``marks``: its best fragment of about
    ``width`` characters (:func:`best_fragment`), with «…» where it is cut, or all of it
    when ``width`` is None.

    >>> marked("Лавров и Керри", ((0, 6), (9, 14)))
    '[[Лавров]] и [[Керри]]'
    >>> marked("один два три четыре", (), width=8)
    'один…'
    """
    start, end = (0, len(text)) if width is None else best_fragment(text, spans, width)
    body = "".join(
        f"{marks[0]}{piece}{marks[1]}" if hit else piece
        for piece, hit in marked_pieces(text, spans, start, end)
    )
    return f"{'…' if start > 0 else ''}{body}{'…' if end < len(text) else ''}"
