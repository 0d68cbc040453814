"""The pages: a search form with its hits, and a document opened at a paragraph.

Everything shown goes through Jinja's autoescaping (marked words are pieces the
template wraps in ``<mark>``, never HTML built here); a document is opened only by a
name the index itself lists; and scripts may only come from this server.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, jsonify, render_template, request, url_for

from ..errors import IndexerError, QueryError, SchemaMismatchError, SourceNotFoundError
from ..highlight import best_fragment, marked_pieces
from ..results import Hit, SearchResults
from .live import LiveIndex, SyncStatus

#: Hits a page.
PAGE_SIZE = 10
#: Pages one can go on to (the search asks for every hit up to the page shown).
MAX_PAGE = 100
#: Paragraphs shown on either side of the one opened.
NEIGHBOURS = 50

#: The host names a server on the loopback answers to: a page of another site that
#: points its own name at 127.0.0.1 (DNS rebinding) gets a 400, not the index.
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"]

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class SearchForm:
    """What the search form asks: a query, a ``source:`` glob, a page, whether to
    explain the scores and whether to correct the query."""

    query: str = ""
    source: str = ""
    page: int = 1
    explain: bool = False
    correct: bool = True

    @classmethod
    def from_args(cls, args: Any) -> SearchForm:
        """The form as a request's arguments give it; what makes no sense is left out."""
        page = args.get("page", "1")
        return cls(
            query=args.get("q", "").strip(),
            # A glob is one word of the query: a space in a name can only be matched by ?.
            source=re.sub(r"\s", "?", args.get("source", "").strip()),
            page=min(int(page), MAX_PAGE) if page.isdigit() and int(page) > 0 else 1,
            explain=args.get("explain") == "1",
            correct=args.get("correct") != "0",
        )

    @property
    def searched(self) -> str:
        """The query with the source filter added (at the end, so that positions in
        messages about the query stay right)."""
        return f"{self.query} source:{self.source}" if self.source else self.query

    def without_source(self, searched: str) -> str:
        """A query the index wrote (a correction of :attr:`searched`) as the form's."""
        suffix = f" source:{self.source}"
        return searched.removesuffix(suffix) if self.source else searched

    def url(self, **changes: Any) -> str:
        """The address of this search with some of its fields changed."""
        return url_for("search", **self.fields(**changes))

    def fields(self, **changes: Any) -> dict[str, Any]:
        """The request arguments of this search (those not at their defaults), with
        some of them changed."""
        fields = {
            "q": self.query,
            "source": self.source,
            "page": self.page,
            "explain": int(self.explain),
            "correct": int(self.correct),
            **changes,
        }
        defaults = {"source": "", "page": 1, "explain": 0, "correct": 1}
        return {key: value for key, value in fields.items() if defaults.get(key) != value}


@dataclass(frozen=True)
class ShownHit:
    """A hit as the page shows it."""

    number: int
    name: str
    paragraph: int
    score: float
    pieces: list[tuple[str, bool]]
    cut_before: bool
    cut_after: bool
    url: str
    explanation: str | None


def create_app(live: LiveIndex, *, loopback: bool = True) -> Flask:
    """The web application over a live index; ``loopback`` accepts only requests
    addressed to this computer by its loopback names."""
    from ..cli import _display

    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if loopback:
        app.config["TRUSTED_HOSTS"] = LOOPBACK_NAMES

    @app.after_request
    def secure(response: Any) -> Any:
        response.headers.update(_SECURITY_HEADERS)
        return response

    @app.context_processor
    def status() -> dict[str, Any]:
        return {"status": live.status, "status_text": status_text(live.status)}

    @app.get("/")
    def search() -> str:
        form = SearchForm.from_args(request.args)
        context: dict[str, Any] = {"form": form}
        if form.query:
            try:
                results = live.search(
                    form.searched,
                    limit=form.page * PAGE_SIZE,
                    correct=form.correct,
                    explain=form.explain,
                )
            except QueryError as exc:
                context["error"] = f"Запрос не разобран: {exc}"
            except SchemaMismatchError:
                context["error"] = "Индекс построен другой версией и строится заново; подождите."
            except IndexerError as exc:
                context["error"] = f"Поиск не удался: {exc}"
            else:
                context.update(_results(form, results, _display))
        return render_template("search.html", **context)

    @app.get("/doc")
    def document() -> str | tuple[str, int]:
        form = SearchForm.from_args(request.args)
        source = request.args.get("source_name", "")
        try:
            paragraphs = live.document(source)
        except SourceNotFoundError:
            abort(404)
        except IndexerError as exc:
            return render_template("error.html", message=f"Документ не открыт: {exc}"), 503
        asked = request.args.get("p", "1")
        target = max(1, min(int(asked) if asked.isdigit() else 1, len(paragraphs)))
        first = max(1, target - NEIGHBOURS)
        last = min(len(paragraphs), target + NEIGHBOURS)
        shown = paragraphs[first - 1 : last]
        try:
            # The words of the query that was searched, marked as in the hits.
            spans = live.highlight(request.args.get("mark", ""), shown)
        except IndexerError:  # a query that cannot be searched marks nothing
            spans = [()] * len(shown)

        def around(number: int) -> str:
            link: dict[str, Any] = {**request.args.to_dict(), "p": number}
            return url_for("document", **link) + f"#p{number}"

        return render_template(
            "document.html",
            form=form,
            name=_display(source),
            count=len(paragraphs),
            target=target,
            shown=[
                (number, marked_pieces(text, marks))
                for number, text, marks in zip(range(first, last + 1), shown, spans, strict=True)
            ],
            earlier=around(max(1, first - NEIGHBOURS - 1)) if first > 1 else None,
            later=around(min(len(paragraphs), last + NEIGHBOURS + 1))
            if last < len(paragraphs)
            else None,
        )

    @app.get("/status")
    def sync_status() -> Any:
        current = live.status
        return jsonify(running=current.running, text=status_text(current))

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return render_template("error.html", message="Такой страницы или документа нет."), 404

    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[str, int, dict[str, str]]:
        # Plain text: a request to a host name not trusted has no URLs to build.
        return "Неверный запрос.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    return app


def _results(
    form: SearchForm, results: SearchResults, display: Callable[[str], str]
) -> dict[str, Any]:
    skip = (form.page - 1) * PAGE_SIZE
    searched = form.without_source(results.corrected or form.searched)
    on_page = results.hits[skip:]
    more = len(results) == form.page * PAGE_SIZE and results.total > len(results)
    return {
        "results": results,
        "hits": [
            _shown(form, searched, hit, number, display)
            for number, hit in enumerate(on_page, skip + 1)
        ],
        "corrected": results.corrected and form.without_source(results.corrected),
        "suggestion": results.suggestion and form.without_source(results.suggestion),
        "pages": max(1, math.ceil(results.total / PAGE_SIZE)),
        "earlier": form.url(page=form.page - 1) if form.page > 1 else None,
        "later": form.url(page=form.page + 1) if more and form.page < MAX_PAGE else None,
    }


def _shown(
    form: SearchForm, searched: str, hit: Hit, number: int, display: Callable[[str], str]
) -> ShownHit:
    start, end = best_fragment(hit.text, hit.spans)
    back = form.fields(explain=0, correct=1)
    url = url_for("document", source_name=hit.source, p=hit.paragraph, mark=searched, **back)
    explanation = "\n".join(hit.explanation.lines()) if hit.explanation else None
    return ShownHit(
        number=number,
        name=display(hit.source),
        paragraph=hit.paragraph,
        score=hit.score,
        pieces=marked_pieces(hit.text, hit.spans, start, end),
        cut_before=start > 0,
        cut_after=end < len(hit.text),
        url=f"{url}#p{hit.paragraph}",
        explanation=explanation,
    )


def status_text(status: SyncStatus) -> str:
    """What the page says about the index's update, in Russian."""
    if status.running:
        if not status.total:
            return "Индекс обновляется: ищу изменённые файлы… Поиск идёт по индексу как есть."
        share = status.done / status.total
        return (
            f"Индекс обновляется: прочитано {_megabytes(status.done)} из "
            f"{_megabytes(status.total)} МБ ({share:.0%}). Поиск идёт по индексу как есть."
        )
    if status.busy:
        return "Индекс обновляет другая программа; поиск идёт по индексу как есть."
    if status.error:
        return f"Индекс не обновлён: {status.error}"
    report = status.report
    if report is None:
        return ""
    text = (
        f"Индекс обновлён: добавлено {len(report.added)}, изменено {len(report.updated)}, "
        f"удалено {len(report.removed)}, без изменений {len(report.unchanged)}."
    )
    if report.skipped:
        text += f" Не прочитано файлов: {len(report.skipped)}."
    return text


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f}".replace(".", ",")
