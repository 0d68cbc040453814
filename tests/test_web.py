"""The local web page: its routes through Flask's test client, and the real page in a
headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright's Python
package, which never downloads a browser here).

Without Chromium or Playwright the browser tests skip; ``.ci/run`` sets
``INDEXER_REQUIRE_BROWSER`` to make them fail instead. Screenshots are kept in
``tests/artifacts/`` (``INDEXER_TEST_ARTIFACTS`` to put them elsewhere).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ARTICLE, ROOT, interruptible

REQUIRE_BROWSER = "INDEXER_REQUIRE_BROWSER"
if not os.environ.get(REQUIRE_BROWSER):  # where it is set, a missing Flask fails below
    pytest.importorskip("flask", reason="the web page needs Flask: pip install -e '.[test]'")

from indexer.web import LiveIndex, SyncStatus, WebServer, create_app  # noqa: E402
from indexer.web.app import PAGE_SIZE, status_text  # noqa: E402

CHROMIUM = os.environ.get("INDEXER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(os.environ.get("INDEXER_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts")

#: A document about talks, long enough for three pages of hits and for scrolling.
TALKS = [
    f"{n}. Переговоры о перемирии в Сирии продолжились в Женеве: делегации {n}-й день "
    "обсуждали гуманитарные коридоры и обмен пленными, а наблюдатели ООН отметили, что "
    "обстрелов стало меньше и жители окраин начали возвращаться в свои дома."
    for n in range(1, 26)
]
#: A document whose text is markup: shown as text, it must never run.
HOSTILE = [
    "<script>window.__pwned = 1</script> Хакеры спрятали скрипт в заметке о бегемотах.",
    '<img src="x" onerror="window.__pwned = 2"> Картинка с бегемотами, которой нет.',
    "<b>Жирные</b> бегемоты &amp; \"кавычки\" </p></li></ol><a href='javascript:1'>ссылка</a>",
]


def _write_corpus(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    (folder / "talks.txt").write_text("\n\n".join(TALKS) + "\n", encoding="utf-8")
    (folder / "hostile.txt").write_text("\n\n".join(HOSTILE) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_corpus(tmp_path_factory.mktemp("web") / "docs")


@pytest.fixture(scope="module")
def live(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveIndex]:
    index = LiveIndex(str(tmp_path_factory.mktemp("web-index")), [str(corpus)])
    index.update()
    assert index.wait(60).report is not None
    yield index
    index.close()


@pytest.fixture(scope="module")
def client(live: LiveIndex) -> Any:
    app = create_app(live)
    app.testing = True
    return app.test_client()


def page_text(response: Any) -> str:
    return response.get_data(as_text=True)


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def link(html: str, text: str) -> dict[str, str]:
    """The arguments of the search a link with this text leads to."""
    for href, inner in re.findall(r'<a href="([^"]*)">([^<]*)</a>', html):
        if inner == text:
            url = urllib.parse.urlsplit(href.replace("&amp;", "&"))
            assert url.path == "/"
            return dict(urllib.parse.parse_qsl(url.query))
    raise AssertionError(f"no link «{text}»")


# -- routes ---------------------------------------------------------------------------


def test_a_search_shows_hits_with_the_forms_marked(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": "переговоры"}))
    assert "lavrov_kerry_syria.txt" in html and "абзац 1" in html
    assert {"переговоры", "переговоров", "Переговоры"} <= set(marked(html))
    assert re.search(r"оценка \d+\.\d\d", html)


def test_the_empty_page_is_a_form_with_the_query_language(client: Any) -> None:
    response = client.get("/")
    html = page_text(response)
    assert response.status_code == 200
    assert 'name="q"' in html and "Язык запросов" in html and "source:lavrov*" in html
    assert '<meta name="viewport"' in html and 'lang="ru"' in html


def test_a_typo_is_searched_corrected_with_links(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": "перимирия"}))
    assert link(html, "перемирия") == {"q": "перемирия"}
    assert "ничего не нашлось" in html and "перемирия" in marked(html)
    assert link(html, "Искать только «перимирия»") == {"q": "перимирия", "correct": "0"}
    nothing = page_text(client.get("/", query_string={"q": "перимирия", "correct": "0"}))
    assert "Ничего не нашлось по запросу «перимирия»" in nothing


def test_a_suggestion_is_a_link_when_the_query_found_something(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": "Сирия перимирие"}))
    assert "Возможно, вы имели в виду" in html
    assert link(html, "Сирия перемирие") == {"q": "Сирия перемирие"}


def test_the_source_filter_is_the_query_languages_glob(client: Any) -> None:
    everywhere = page_text(client.get("/", query_string={"q": "перемирие"}))
    assert "talks.txt" in everywhere and "lavrov_kerry_syria.txt" in everywhere
    html = page_text(client.get("/", query_string={"q": "перемирие", "source": "lavrov*"}))
    assert "lavrov_kerry_syria.txt" in html and "talks.txt" not in html
    # A correction keeps the filter in its field, not in the query.
    fixed = page_text(client.get("/", query_string={"q": "перимирие", "source": "tal*"}))
    assert link(fixed, "перемирие") == {"q": "перемирие", "source": "tal*"}
    assert "lavrov_kerry_syria.txt" not in fixed


def test_pages_of_hits(client: Any) -> None:
    first = page_text(client.get("/", query_string={"q": "перемирие"}))
    second = page_text(client.get("/", query_string={"q": "перемирие", "page": "2"}))
    assert first.count('class="hit"') == PAGE_SIZE == second.count('class="hit"')
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert '<ol class="hits" start="11">' in second and 'rel="prev"' in second
    ids = re.findall(r'id="hit-(\d+)"', second)
    assert ids == [str(n) for n in range(11, 21)]
    # Page 1 and 2 together are the first twenty hits, without repeats.
    links = re.findall(r'class="source" href="([^"]+)"', first + second)
    assert len(set(links)) == 2 * PAGE_SIZE


def test_a_page_past_the_hits_says_so(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": "Лавров", "page": "50"}))
    assert "На странице 50 ничего нет" in html
    assert page_text(client.get("/", query_string={"q": "Лавров", "page": "-3"})).count(
        'class="hit"'
    )


def test_explanations_on_request(client: Any) -> None:
    plain = page_text(client.get("/", query_string={"q": "Лавров переговоры"}))
    assert "BM25" not in plain and "почему здесь?" in plain
    html = page_text(client.get("/", query_string={"q": "Лавров переговоры", "explain": "1"}))
    assert html.count('<details class="why" open>') == html.count('class="hit"') > 0
    assert "query word «Лавров» → lemma «лавров»" in html


def test_a_bad_query_is_one_line_on_the_page(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": 'Лавров AND "прекращение огня'}))
    assert "Запрос не разобран: unclosed quote" in html


def test_a_pasted_question_with_an_open_quote_is_searched_as_words(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": '"прекращение огня'}))
    assert "searched as plain words" in html and 'class="hit"' in html


def test_a_document_opens_at_the_paragraph_with_its_neighbours(client: Any, corpus: Path) -> None:
    source = str(corpus / "talks.txt")
    html = page_text(client.get("/doc", query_string={"source_name": source, "p": "20"}))
    assert 'id="p20" class="paragraph target"' in html
    assert 'id="p19"' in html and 'id="p21"' in html and "Абзацев: 25" in html
    assert TALKS[19] in html


def test_a_hit_links_to_its_paragraph(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": "пленными", "source": "talks*"}))
    link = re.search(r'class="source" href="([^"]+)"', html)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    number = url.rsplit("#p", 1)[1]
    document = page_text(client.get(url.split("#")[0]))
    assert f'id="p{number}" class="paragraph target"' in document
    assert "К результатам" in document
    # The query's words are marked in the paragraph and its neighbours.
    assert marked(document).count("пленными") == len(TALKS)


def test_a_corrected_search_marks_the_corrected_words_in_the_document(client: Any) -> None:
    html = page_text(client.get("/", query_string={"q": "пленныим", "source": "talks*"}))
    url = re.search(r'class="source" href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    document = page_text(client.get(url.replace("&amp;", "&").split("#")[0]))
    assert set(marked(document)) == {"пленными"}
    assert link(document, "← К результатам") == {"q": "пленныим", "source": "talks*"}


def test_a_long_document_shows_a_window_around_the_paragraph(
    tmp_path: Path,
) -> None:
    from indexer.web import app as web_app

    docs = tmp_path / "docs"
    docs.mkdir()
    lines = [f"Абзац номер {n} о переговорах в Женеве." for n in range(1, 301)]
    (docs / "long.txt").write_text("\n\n".join(lines), encoding="utf-8")
    live = LiveIndex(str(tmp_path / "index"), [str(docs)])
    live.update()
    live.wait(60)
    client = create_app(live).test_client()
    html = page_text(
        client.get("/doc", query_string={"source_name": str(docs / "long.txt"), "p": "150"})
    )
    live.close()
    shown = [int(n) for n in re.findall(r'id="p(\d+)"', html)]
    side = web_app.NEIGHBOURS
    assert shown == list(range(150 - side, 150 + side + 1))
    assert "Предыдущие абзацы" in html and "Следующие абзацы" in html


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd",
        "/etc/passwd",
        "lavrov_kerry_syria.txt",  # not the name the index knows it by
        str(ARTICLE),  # a real file, but not in this index
        "",
    ],
)
def test_only_documents_of_the_index_open(client: Any, name: str) -> None:
    response = client.get("/doc", query_string={"source_name": name, "p": "1"})
    assert response.status_code == 404
    assert "root:" not in page_text(response)


def test_static_files_stay_in_their_folder(client: Any) -> None:
    for url in ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "create_app" not in page_text(response)


def test_markup_in_documents_and_queries_is_text(client: Any, corpus: Path) -> None:
    html = page_text(client.get("/", query_string={"q": "бегемоты"}))
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "onerror" in html and "<img" not in html and "<script>window" not in html
    query = '<script>alert(1)</script>"><b>бегемоты'
    echoed = page_text(client.get("/", query_string={"q": query, "source": "<i>*"}))
    assert "<script>alert" not in echoed and "<b>бегемоты" not in echoed and "<i>" not in echoed
    source = str(corpus / "hostile.txt")
    document = page_text(client.get("/doc", query_string={"source_name": source}))
    assert "&lt;img src=&#34;x&#34; onerror=" in document and "<img" not in document


def test_scripts_may_come_only_from_the_server(client: Any) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_loopback_server_answers_only_loopback_names(live: LiveIndex) -> None:
    client = create_app(live).test_client()
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200
    # DNS rebinding: another site's name pointed at 127.0.0.1.
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 400
    open_to_all = create_app(live, loopback=False).test_client()
    assert open_to_all.get("/", headers={"Host": "search.lan"}).status_code == 200


class _HeldSync:
    """Stands in for ``Index.sync``: reports half the bytes read, then waits."""

    def __init__(self) -> None:
        self.reported = threading.Event()
        self.release = threading.Event()

    def __call__(self, paths: Any, **options: Any) -> Any:
        from indexer import SyncReport

        options["progress"](3_500_000, 7_000_000)
        self.reported.set()
        self.release.wait(30)
        return SyncReport(added=("x",))


def test_a_note_while_the_index_is_updated(
    live: LiveIndex, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, corpus: Path
) -> None:
    from indexer.index import Index

    held = _HeldSync()
    monkeypatch.setattr(Index, "sync", lambda index, paths, **options: held(paths, **options))
    updating = LiveIndex(live.location, [str(corpus)])
    client = create_app(updating).test_client()
    try:
        updating.update()
        assert held.reported.wait(30)
        html = page_text(client.get("/", query_string={"q": "переговоры"}))
        assert "Индекс обновляется: прочитано 3,5 из 7,0 МБ (50%)" in html
        assert 'data-running="1"' in html
        # Searches answer from the index as it is meanwhile.
        assert "переговоров" in marked(html)
        assert client.get("/status").get_json() == {
            "running": True,
            "text": status_text(updating.status),
        }
    finally:
        held.release.set()
        updating.wait(30)
    assert client.get("/status").get_json()["running"] is False
    assert "Индекс обновляется" not in page_text(client.get("/"))
    updating.close()


def test_an_update_is_searched_once_it_is_done(tmp_path: Path) -> None:
    docs = _write_corpus(tmp_path / "docs")
    live = LiveIndex(str(tmp_path / "index"), [str(docs)])
    live.update()
    live.wait(60)
    client = create_app(live).test_client()
    assert "Ничего не нашлось" in page_text(client.get("/", query_string={"q": "жирафы"}))
    (docs / "new.txt").write_text("В зоопарк привезли двух жирафов.\n", encoding="utf-8")
    live.update()
    status = live.wait(60)
    assert status.report is not None and len(status.report.added) == 1
    assert "жирафов" in marked(page_text(client.get("/", query_string={"q": "жирафы"})))
    live.close()


def test_what_the_note_says() -> None:
    assert status_text(SyncStatus(running=True)).startswith("Индекс обновляется: ищу")
    assert "другая программа" in status_text(SyncStatus(busy=True))
    assert "не обновлён: no space" in status_text(SyncStatus(error="no space"))
    assert status_text(SyncStatus()) == ""


# -- the command line -----------------------------------------------------------------


def test_serve_from_the_command_line(tmp_path: Path) -> None:
    docs = _write_corpus(tmp_path / "docs")
    command = [sys.executable, str(ROOT / "search.py"), "--serve", str(docs)]
    command += ["--port", "0", "--index", str(tmp_path / "index")]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=interruptible,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        deadline = 60
        while True:
            status = urllib.request.urlopen(url.group() + "status", timeout=10)
            if not json.load(status)["running"] or deadline <= 0:
                break
            deadline -= 1
            threading.Event().wait(1)
        query = urllib.parse.urlencode({"q": "переговоры"})
        with urllib.request.urlopen(f"{url.group()}?{query}", timeout=10) as answer:
            html = answer.read().decode("utf-8")
        assert "переговоров" in marked(html) and "docs/lavrov_kerry_syria.txt" in html
    finally:
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0, errors
    assert "Traceback" not in errors


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--serve", "no/such/folder"], "no file or folder «no/such/folder»"),
        (["--serve", "--port", "99999"], "expected a port number"),
        (["serve", "--port", "x"], "expected a port number"),
    ],
)
def test_serve_usage_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from indexer.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line(live: LiveIndex, capsys: pytest.CaptureFixture[str]) -> None:
    from indexer.cli import main

    taken = WebServer(live, port=0)
    try:
        assert main(["serve", str(ARTICLE), "--port", str(taken.port)]) == 2
    finally:
        taken.shutdown()
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{taken.port}" in err and "Traceback" not in err


def test_serve_help(capsys: pytest.CaptureFixture[str]) -> None:
    from indexer.cli import main

    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--host" in out and "--open" in out
    assert main(["--help"]) == 0
    assert "--serve" in capsys.readouterr().out


def test_every_serve_option_is_in_the_readme() -> None:
    from indexer.web.command import build_serve_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    actions = build_serve_parser("search.py --serve")._actions
    options = [a.option_strings[-1] for a in actions if a.option_strings][1:]
    assert options and [option for option in options if option not in readme] == []


def test_a_query_after_a_double_dash_is_searched_not_served(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from indexer.cli import main

    assert main(["--", "--serve"]) == 1
    assert "no paragraph matches «--serve»" in capsys.readouterr().err


# -- in a real browser ----------------------------------------------------------------


def _browser_missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no Playwright for Python (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get(REQUIRE_BROWSER):
            pytest.fail(f"{missing}; {REQUIRE_BROWSER} is set")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1024, "height": 700},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def site(live: LiveIndex) -> Iterator[str]:
    server = WebServer(live, port=0)
    server.start()
    yield server.url
    server.shutdown()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.close()
    assert not errors, errors


def _search(page: Any, site: str, query: str) -> None:
    page.goto(site)
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_load_state()


def test_browser_type_a_query_and_see_marked_hits(page: Any, site: str) -> None:
    _search(page, site, "переговоры")
    marks = page.locator(".hit mark").all_inner_texts()
    assert {"переговоры", "переговоров"} <= set(marks)
    first = page.locator(".hit").first
    assert "абзац 1" in first.inner_text() and "оценка" in first.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-search.png"), full_page=True)
    assert (ARTIFACTS / "web-search.png").stat().st_size > 10_000


def test_browser_follow_a_correction_link(page: Any, site: str) -> None:
    _search(page, site, "Сирия перимирие")
    page.click("text=Сирия перемирие")
    page.wait_for_load_state()
    assert page.input_value("#q") == "Сирия перемирие"
    assert "перемирия" in page.locator(".hit mark").all_inner_texts()
    assert page.locator(".correction").count() == 0


def test_browser_open_a_document_at_the_paragraph(page: Any, site: str) -> None:
    _search(page, site, "24-й")
    page.locator(".hit .source").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("#p24")
    target = page.locator(".paragraph.target")
    assert target.get_attribute("id") == "p24"
    assert target.is_visible() and page.evaluate("window.scrollY") > 0
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    assert page.locator("#p23").is_visible() and page.locator("#p25").count() == 1
    assert target.locator("mark").all_inner_texts() == ["24-й"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-document.png"))
    page.click("text=К результатам")
    page.wait_for_load_state()
    assert page.input_value("#q") == "24-й"


def test_browser_page_through_results(page: Any, site: str) -> None:
    _search(page, site, "перемирие")
    seen = page.locator(".hit .source").evaluate_all("links => links.map(a => a.href)")
    page.click("a[rel=next]")
    page.wait_for_load_state()
    assert page.locator("ol.hits").get_attribute("start") == "11"
    seen += page.locator(".hit .source").evaluate_all("links => links.map(a => a.href)")
    page.click("a[rel=next]")
    page.wait_for_load_state()
    last = page.locator(".hit .source").evaluate_all("links => links.map(a => a.href)")
    assert 0 < len(last) < PAGE_SIZE and page.locator("a[rel=next]").count() == 0
    assert (
        len(set(seen + last))
        == len(seen) + len(last)
        == int(
            re.search(r"Найдено абзацев: (\d+)", page.inner_text(".count")).group(1)  # type: ignore[union-attr]
        )
    )
    page.click("a[rel=prev]")
    page.wait_for_load_state()
    assert page.locator("ol.hits").get_attribute("start") == "11"


def test_browser_explanation_on_request(page: Any, site: str) -> None:
    _search(page, site, "Лавров переговоры")
    assert page.locator("details.why").count() == 0
    page.locator(".why-link").first.click()
    page.wait_for_load_state()
    why = page.locator("details.why").first
    assert why.is_visible() and "BM25" in why.inner_text()


def test_browser_markup_in_a_document_never_runs(page: Any, site: str) -> None:
    _search(page, site, "бегемоты")
    texts = page.locator(".hit .text").all_inner_texts()
    assert any("<script>window.__pwned = 1</script>" in text for text in texts)
    assert any('<img src="x" onerror="window.__pwned = 2">' in text for text in texts)
    page.locator(".hit .source").first.click()
    page.wait_for_load_state()
    assert "<b>Жирные</b>" in page.inner_text("article")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("article img, article script, article b").count() == 0
    query = '<img src=x onerror="window.__pwned=3"> бегемоты'
    _search(page, site, query)
    assert page.input_value("#q") == query
    assert page.evaluate("window.__pwned") is None


def test_browser_readable_on_a_phone(browser: Any, site: str) -> None:
    phone = browser.new_page()
    phone.set_viewport_size({"width": 360, "height": 740})
    try:
        _search(phone, site, "прекращение огня")
        assert phone.locator(".hit").count() > 0
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        font = phone.evaluate("getComputedStyle(document.querySelector('.hit .text')).fontSize")
        assert float(font.removesuffix("px")) >= 16
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "web-phone.png"), full_page=True)
    finally:
        phone.close()


def test_browser_path_traversal_is_refused(page: Any, site: str) -> None:
    for name in ["../../../../etc/passwd", "/etc/passwd"]:
        response = page.goto(site + "doc?" + urllib.parse.urlencode({"source_name": name}))
        assert response is not None and response.status == 404
        assert "root:" not in page.content()


def test_browser_the_update_note_follows_the_update(
    page: Any, live: LiveIndex, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.index import Index

    held = _HeldSync()
    monkeypatch.setattr(Index, "sync", lambda index, paths, **options: held(paths, **options))
    updating = LiveIndex(live.location, [str(corpus)])
    server = WebServer(updating, port=0)
    server.start()
    try:
        updating.update()
        assert held.reported.wait(30)
        _search(page, server.url, "переговоры")
        note = page.locator("#status .text")
        assert note.inner_text() == "Индекс обновляется: прочитано 3,5 из 7,0 МБ (50%). " + (
            "Поиск идёт по индексу как есть."
        )
        assert "переговоров" in page.locator(".hit mark").all_inner_texts()
        held.release.set()
        # The page's script asks for the status and rewrites the note, no reload needed.
        from playwright.sync_api import expect

        expect(note).to_have_text(re.compile("^Индекс обновлён: добавлено 1"), timeout=10_000)
    finally:
        held.release.set()
        updating.wait(30)
        server.shutdown()
        updating.close()


def test_an_index_of_another_version_is_rebuilt_while_the_page_says_so(tmp_path: Path) -> None:
    from indexer import Index

    docs = _write_corpus(tmp_path / "docs")
    with Index(tmp_path / "index") as index:
        index.sync([docs])
    marker = tmp_path / "index" / "indexer.json"
    data = json.loads(marker.read_text())
    marker.write_text(json.dumps({**data, "schema": data["schema"] - 1}))
    live = LiveIndex(str(tmp_path / "index"), [str(docs)])
    client = create_app(live).test_client()
    html = page_text(client.get("/", query_string={"q": "переговоры"}))
    assert "Индекс построен другой версией и строится заново" in html
    source = str(docs / "talks.txt")
    response = client.get("/doc", query_string={"source_name": source, "p": "2"})
    assert response.status_code == 503 and "Документ не открыт" in page_text(response)
    live.update()
    assert live.wait(60).report is not None
    assert "переговоров" in marked(page_text(client.get("/", query_string={"q": "переговоры"})))
    response = client.get("/doc", query_string={"source_name": source, "p": "2"})
    assert 'id="p2" class="paragraph target"' in page_text(response)
    live.close()
