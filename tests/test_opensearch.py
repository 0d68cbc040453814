"""The same search on a real two-node OpenSearch cluster: the same answers as the embedded
index, the same sync, one-line errors, and nothing lost when a node dies mid-sync.

The cluster is real (``tests/opensearch_node``): these tests skip on a machine without
Java and Maven, and fail there instead when ``INDEXER_REQUIRE_OPENSEARCH`` is set, as
``.ci/run`` does.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_query_language
import test_search

from conftest import ARTICLE, CORPUS, ROOT, paragraphs, touch_later
from indexer import Index
from indexer.errors import IndexBusyError, IndexLocationError, QueryError

_names = itertools.count()


def _location(cluster: object, stem: str, options: str = "") -> str:
    return f"{cluster.url}/{stem}-{os.getpid()}-{next(_names)}{options}"  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def both(
    opensearch_cluster: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Index, Index]]:
    """The article and the small corpus, in the embedded index and in the cluster."""
    sources = [str(ARTICLE), str(CORPUS)]
    with (
        Index(tmp_path_factory.mktemp("embedded")) as embedded,
        Index(_location(opensearch_cluster, "both")) as clustered,
    ):
        embedded.sync(sources)
        clustered.sync(sources)
        yield embedded, clustered


def _rows(table: str) -> list[str]:
    return [line.split("  ")[0].strip() for line in table.strip().splitlines()]


QUERIES = sorted(
    {
        *_rows(test_search.EXACT),
        *_rows(test_search.FIXTURES),
        *_rows(test_query_language.OPERATORS),
        *_rows(test_query_language.RUSSIAN),
        *_rows(test_query_language.FIXTURES),
        *_rows(test_query_language.RECOVERY),
        "Кто обсуждал перемирие в Сирии?",
        "Какие условия согласовали президенты России и США?",
        "Лавров Керри переговоры",
        "Сирия перимирие",
        "пщщпду",
        "стали",
    }
)


@pytest.mark.parametrize("query", QUERIES)
def test_the_cluster_answers_as_the_embedded_index(both: tuple[Index, Index], query: str) -> None:
    embedded, clustered = both
    try:
        expected = embedded.search(query, limit=50)
    except QueryError as exc:
        with pytest.raises(type(exc)):
            clustered.search(query, limit=50)
        return
    found = clustered.search(query, limit=50)
    assert (found.corrected, found.suggestion, found.dropped) == (
        expected.corrected,
        expected.suggestion,
        expected.dropped,
    )
    assert found.total >= len(found)
    ours = {(Path(h.source).name, h.paragraph): h for h in found}
    theirs = {(Path(h.source).name, h.paragraph): h for h in expected}
    assert ours.keys() == theirs.keys(), query
    for key, hit in ours.items():
        # The embedded index rounds paragraph lengths to one of 256 steps; BM25 barely
        # notices (b = 0.15).
        assert hit.score == pytest.approx(theirs[key].score, rel=0.02), (query, key)
        assert hit.spans == theirs[key].spans and hit.text == theirs[key].text
    # The same order, but for scores too close to tell apart.
    scores = [theirs[(Path(h.source).name, h.paragraph)].score for h in found]
    for earlier, later in itertools.pairwise(scores):
        assert earlier >= later * 0.98, query


def test_explanations_add_up_in_the_cluster_too(both: tuple[Index, Index]) -> None:
    _, clustered = both
    for query in ["Лавров Керри переговоры", '"прекращение огня"', "перегов*", "=России"]:
        for hit in clustered.search(query, explain=True):
            assert hit.explanation is not None
            assert hit.explanation.score == pytest.approx(hit.score, abs=1e-4)


def test_paths_every_match_and_a_sources_paragraphs_in_the_cluster_too(
    both: tuple[Index, Index],
) -> None:
    embedded, clustered = both
    for query in ["России", "переговоры Керри", "перегов*"]:
        for options in [{"paths": CORPUS}, {"paths": ARTICLE}, {"limit": None}]:
            found = [
                [(hit.source, hit.paragraph) for hit in index.search(query, **options)]
                for index in (embedded, clustered)
            ]
            assert found[0] == found[1], (query, options)
    assert embedded.search("России", paths=CORPUS).hits
    article = str(ARTICLE.resolve())
    assert embedded.paragraphs(article, [10, 11, 12]) == clustered.paragraphs(article, [10, 11, 12])
    assert len(clustered.paragraphs(article)) == 11


def test_documents_read_back_as_in_the_embedded_index(both: tuple[Index, Index]) -> None:
    embedded, clustered = both
    assert clustered.sources() == embedded.sources()
    for source in embedded.sources():
        assert clustered.document(source) == embedded.document(source), source


def test_sync_add_remove_and_rebuild_in_the_cluster(
    opensearch_cluster: object, tmp_path: Path
) -> None:
    docs = _article_folder(tmp_path)
    article = docs / ARTICLE.name
    with Index(_location(opensearch_cluster, "sync")) as index:
        first = index.sync([docs])
        assert first.added == (str(article),)
        assert not index.sync([docs]).changed
        assert paragraphs(index.search("переговоры")) == [1, 3]

        (docs / "extra.txt").write_text("Новые переговоры в Женеве.\n", encoding="utf-8")
        assert index.sync([docs]).added == (str(docs / "extra.txt"),)
        article.write_text("Переговоры отменили.\n", encoding="utf-8")
        touch_later(article)
        assert index.sync([docs]).updated == (str(article),)
        assert {h.text for h in index.search("переговоры")} == {
            "Переговоры отменили.",
            "Новые переговоры в Женеве.",
        }
        # The article shrank from 14 paragraphs to one: nothing of the old is left.
        assert paragraphs(index.search("Сирия")) == []

        (docs / "extra.txt").rename(docs / "renamed.txt")
        report = index.sync([docs])
        assert report.removed == (str(docs / "extra.txt"),)
        assert report.added == (str(docs / "renamed.txt"),)
        touch_later(article)
        assert index.sync([docs]).unchanged == (str(article), str(docs / "renamed.txt"))

        index.add("заметка", "Первый абзац о переговорах.\n\nВторой абзац о перемирии.")
        assert [(h.source, h.paragraph) for h in index.search("перемирие")] == [("заметка", 2)]
        assert index.remove("заметка") and not index.remove("заметка")
        assert sorted(index.sources()) == [str(article), str(docs / "renamed.txt")]

        rebuilt = index.sync([docs], rebuild=True)
        assert rebuilt.added == (str(article), str(docs / "renamed.txt"))
        assert len(index.search("переговоры")) == 2


def _article_folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ARTICLE, docs / ARTICLE.name)
    return docs


def test_a_first_build_loads_a_new_generation_and_serves_it_replicated(
    opensearch_cluster: object, tmp_path: Path
) -> None:
    docs = _article_folder(tmp_path)
    with Index(_location(opensearch_cluster, "load", "?replicas=1")) as index:
        engine = index._engine
        seen: dict[str, object] = {}
        original = engine._loaded

        def loaded(generation: int, replicas: int) -> None:
            # While loading: no replica, no refreshes; the empty first generation is live.
            name, _ = engine._names(generation)
            settings = engine._client.indices.get_settings(index=name)[name]["settings"]
            seen.update(settings["index"], live=engine._live_generation())
            original(generation, replicas)

        engine._loaded = loaded  # type: ignore[method-assign]
        index.sync([docs])
        assert seen["number_of_replicas"] == "0" and seen["refresh_interval"] == "-1"
        assert seen["live"] == 1
        # Live now, with its replica and the default refreshes.
        assert engine._live_generation() == 2
        name, _ = engine._names(2)
        settings = engine._client.indices.get_settings(index=name)[name]["settings"]["index"]
        assert settings["number_of_replicas"] == "1" and "refresh_interval" not in settings
        health = engine._client.cluster.health(index=name)
        assert health["status"] == "green"
        assert paragraphs(index.search("переговоры")) == [1, 3]
        # An edit is not a load: it goes into the live generation.
        (docs / ARTICLE.name).write_text("Переговоры продолжатся.", encoding="utf-8")
        index.sync([docs])
        assert engine._live_generation() == 2
        assert paragraphs(index.search("переговоры")) == [1]


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "search.py", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_a_parallel_sync_into_the_cluster(
    opensearch_cluster: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer import sync

    monkeypatch.setattr(sync, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr("indexer.engines.opensearch.engine.BULK_DOCUMENTS", 20)
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    for number in range(12):
        (docs / f"{number:02}.txt").write_text("\n\n".join(lines), encoding="utf-8")
    with Index(_location(opensearch_cluster, "parallel")) as index:
        report = index.sync([docs], workers=2)
        assert len(report.added) == 12
        assert index.search("переговоры", limit=100).total == 2 * 12
        (docs / "03.txt").write_text("Совсем новый текст о переговорах.", encoding="utf-8")
        (docs / "07.txt").unlink()
        report = index.sync([docs], workers=2)
        assert [Path(p).name for p in report.updated] == ["03.txt"]
        assert [Path(p).name for p in report.removed] == ["07.txt"]
        assert index.search("переговоры", limit=100).total == 2 * 10 + 1


def test_the_command_line_searches_a_cluster(opensearch_cluster: object) -> None:
    location = _location(opensearch_cluster, "cli")
    done = _cli('"прекращение огня"', str(ARTICLE), "--index", location, "--json")
    assert done.returncode == 0, done.stderr
    assert [line.count('"paragraph": ') for line in done.stdout.splitlines()] == [1, 1]
    again = _cli("землетрясение", str(ARTICLE), "--index", location)
    assert (again.returncode, again.stdout) == (1, "")


def test_bad_locations_are_one_line_errors(opensearch_cluster: object) -> None:
    from opensearchpy import OpenSearch

    cluster = opensearch_cluster
    port = cluster.nodes[0].http_port  # type: ignore[attr-defined]
    taken = f"plain-{os.getpid()}"
    client = OpenSearch([f"http://127.0.0.1:{port}"])
    client.indices.create(index=taken, body={"mappings": {"properties": {"x": {"type": "text"}}}})
    try:
        with pytest.raises(IndexLocationError, match="not ours"):
            Index(f"http://127.0.0.1:{port}/{taken}")
        cases = {
            "http://127.0.0.1:1/news": "does not answer",
            f"http://127.0.0.1:{port}/News": "cannot be an OpenSearch index name",
            f"http://127.0.0.1:{port}/": "names no index",
            f"http://127.0.0.1:{port}/{taken}": "not ours",
        }
        for location, message in cases.items():
            done = _cli("переговоры", str(ARTICLE), "--index", location)
            assert done.returncode == 2, (location, done.stderr)
            assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
            assert "Traceback" not in done.stderr
    finally:
        client.indices.delete(index=taken)


def test_a_server_that_is_not_opensearch_is_a_one_line_error(tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    # A real web server that is no search server: a folder listing at "/".
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        location = f"http://127.0.0.1:{server.server_address[1]}/news"
        with pytest.raises(IndexLocationError, match="OpenSearch"):
            Index(location)
        done = _cli("переговоры", str(ARTICLE), "--index", location)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    finally:
        server.shutdown()


def test_credentials_are_never_shown(opensearch_cluster: object) -> None:
    port = opensearch_cluster.nodes[0].http_port  # type: ignore[attr-defined]
    with Index(f"http://reader:s3cret@127.0.0.1:{port}/creds-{os.getpid()}") as index:
        assert "s3cret" not in index.location and "s3cret" not in repr(index)
    done = _cli("переговоры", "--index", "http://reader:s3cret@127.0.0.1:1/news")
    assert done.returncode == 2 and "s3cret" not in done.stderr


def test_a_busy_index_is_searchable_and_a_dead_syncs_lock_is_taken_over(
    opensearch_cluster: object,
) -> None:
    from indexer.engines.opensearch.engine import LOCK_ID

    location = _location(opensearch_cluster, "busy")
    with Index(location) as index, Index(location) as other:
        index.sync([str(ARTICLE)])
        with other._engine.batch():
            with pytest.raises(IndexBusyError):
                index.add("заметка", "Переговоры.")
            assert paragraphs(index.search("переговоры")) == [1, 3]
        index.add("заметка", "Переговоры.")  # released
        # A sync that died left its lock; once its heartbeat is old, it is taken over.
        engine = other._engine
        engine._client.index(
            index=engine._files_alias,
            id=LOCK_ID,
            body={"kind": "lock", "owner": "gone", "heartbeat": 0.0},
            refresh=True,
        )
        index.remove("заметка")
        assert "заметка" not in index.sources()


def test_a_sync_cut_short_leaves_no_orphans(
    opensearch_cluster: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.engines.opensearch.engine import BulkWriter

    docs = tmp_path / "docs"
    docs.mkdir()
    article = docs / ARTICLE.name
    article.write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    with Index(_location(opensearch_cluster, "orphans")) as index:
        # Killed after the paragraphs went in, before the file record did.
        def killed(self: object, *args: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(BulkWriter, "_send_records", killed)
        with pytest.raises(KeyboardInterrupt):
            index.sync([docs])
        monkeypatch.undo()
        assert index.sources() == []
        # The article shrank to one paragraph before the next sync.
        article.write_text("Переговоры отменили.\n", encoding="utf-8")
        touch_later(article)
        assert index.sync([docs]).added == (str(article),)
        assert paragraphs(index.search("Сирия")) == []
        assert [h.text for h in index.search("переговоры")] == ["Переговоры отменили."]
        article.unlink()
        index.sync([docs])
        assert index.search("переговоры").total == 0


def test_a_lock_taken_over_stops_the_stalled_sync(opensearch_cluster: object) -> None:
    from indexer.engines.opensearch.engine import LOCK_ID, EngineWriteError

    location = _location(opensearch_cluster, "stalled")
    with Index(location) as index, Index(location) as other:
        # The stalled sync (a first build: a new generation) cannot finish either.
        with pytest.raises(EngineWriteError, match="took over"), index._engine.batch() as batch:
            writer = batch.writer(0)
            # Its heartbeat stopped long ago: another sync takes over.
            engine = other._engine
            engine._client.update(
                index=engine._files_alias, id=LOCK_ID, body={"doc": {"heartbeat": 0.0}}
            )
            with other._engine.batch():
                writer.replace("заметка", ["Переговоры."], _record())
                writer._lock._beaten = 0.0
                with pytest.raises(EngineWriteError, match="took over"):
                    writer.commit()
        # The stalled one neither wrote nor removed the other's lock; both are done now.
        assert other.sources() == []
        other.add("заметка", "Переговоры.")


def test_a_lock_written_by_a_request_sent_twice_is_still_ours(
    opensearch_cluster: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client sends a request again when a node does not answer it (one that just
    # died): the second «create» of the lock conflicts with the first, which did write.
    from indexer.engines.opensearch.engine import _Lock

    location = _location(opensearch_cluster, "twice")
    with Index(location) as index:
        engine = index._engine
        client = engine._client
        lock = _Lock(client, engine._files_alias, location, "me")
        create = client.create

        def sent_twice(**request: object) -> object:
            create(**request)
            return create(**request)

        monkeypatch.setattr(client, "create", sent_twice)
        lock.acquire()
        assert lock.ours()
        monkeypatch.undo()
        # Anyone else's still makes the index busy.
        with pytest.raises(IndexBusyError):
            _Lock(client, engine._files_alias, location, "other").acquire()
        lock.release()
        index.add("заметка", "Переговоры.")
        assert index.sources() == ["заметка"]


def _record() -> object:
    from indexer.engine import FileRecord

    return FileRecord(1, 1, "0")


def test_an_excluded_phrase_keeps_what_the_plan_keeps(
    both: tuple[Index, Index], opensearch_cluster: object
) -> None:
    # Lucene's slop counts over the whole phrase (2 here): the words between «переговоры»
    # and «Керри» are too many for ours (1 a gap), so the paragraph is not excluded.
    text = "Переговоры вели долго Керри Женева, сказал Лавров."
    query = 'Лавров -"переговоры Керри Женева"~1'
    for index in both:
        index.add("phrase", text)
        try:
            assert [h.text for h in index.search(query) if h.source == "phrase"] == [text]
        finally:
            index.remove("phrase")


def test_first_opens_at_once_share_one_index(opensearch_cluster: object) -> None:
    import threading

    location = _location(opensearch_cluster, "race")
    opened: list[Index] = []
    threads = [threading.Thread(target=lambda: opened.append(Index(location))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 3
    opened[0].add("заметка", "Переговоры в Женеве.")
    assert [h.source for h in opened[2].search("переговоры")] == ["заметка"]
    for index in opened:
        index.close()


def test_a_refused_write_names_its_files_and_the_next_sync_finishes(
    opensearch_cluster: object, tmp_path: Path
) -> None:
    from indexer.engines.opensearch.engine import EngineWriteError

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "one.txt").write_text("Переговоры в Женеве.", encoding="utf-8")
    with Index(_location(opensearch_cluster, "refused")) as index:
        index.sync([docs])
        engine = index._engine
        live, _ = engine._names(engine._generation)
        (docs / "two.txt").write_text("Перемирие в Сирии.", encoding="utf-8")
        block = {"index.blocks.write": True}
        engine._client.indices.put_settings(index=live, body=block)
        try:
            with pytest.raises(EngineWriteError, match=r"two\.txt"):
                index.sync([docs])
        finally:
            engine._client.indices.put_settings(index=live, body={"index.blocks.write": None})
        assert index.sync([docs]).added == (str(docs / "two.txt"),)
        assert paragraphs(index.search("перемирие")) == [1]


def test_a_node_killed_during_a_sync_loses_nothing(tmp_path: Path) -> None:
    """With one replica, kill -9 a node in the middle of a sync of hundreds of files."""
    import time

    from opensearch_node.cluster import Cluster, missing_tools

    from conftest import REQUIRE_OPENSEARCH

    if missing_tools():
        message = f"no {', '.join(missing_tools())} here"
        if os.environ.get(REQUIRE_OPENSEARCH):
            pytest.fail(message)
        pytest.skip(message)
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    for number in range(300):
        text = "\n\n".join(lines[number % len(lines) :] + lines[: number % len(lines)])
        (docs / f"{number:03}.txt").write_text(f"{text}\n\nНомер {number}.", encoding="utf-8")
    with Index(tmp_path / "embedded") as fresh:
        fresh.sync([docs])
        expected = fresh._engine.statistics().paragraphs
        totals = {q: fresh.search(q).total for q in ("переговоры", "Номер", "Сирия Лавров")}
    with Cluster(nodes=2) as cluster:
        location = f"{cluster.url}/faults?replicas=1"
        # Not the cluster manager: of two nodes only one votes, and without it no
        # index could be written until it came back.
        victim = next(node for node in cluster.nodes if node is not cluster.manager())
        child = subprocess.Popen(
            [sys.executable, "search.py", "переговоры", str(docs), "--index", location, "-q"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(4.0)
        assert child.poll() is None, "the sync ended before a node could be killed"
        cluster.kill(victim)
        _, err = child.communicate(timeout=600)
        if child.returncode != 0:
            # It failed with one line that says why, and running it again finishes it.
            assert child.returncode == 2 and len(err.strip().splitlines()) == 1, (
                child.returncode,
                err[-3000:],
            )
            again = _cli("переговоры", str(docs), "--index", location, "-q")
            assert again.returncode == 0, again.stderr
        with Index(location) as index:
            assert not index.sync([docs]).changed
            # Searches answer while the node is down, and nothing is missing.
            assert index._engine.statistics().paragraphs == expected
            for query, total in totals.items():
                assert index.search(query).total == total, query
            assert len(index.sources()) == 300
