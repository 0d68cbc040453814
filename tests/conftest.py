"""Shared fixtures: the bundled article, the small corpus beside the tests, indexes."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "lavrov_kerry_syria.txt"
CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep CLI indexes out of the user's real cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="session")
def article_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """An index of the bundled article, shared by read-only tests."""
    from indexer import Index

    with Index(tmp_path_factory.mktemp("article-index")) as index:
        index.sync([str(ARTICLE)])
        yield index


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """An index of the small corpus beside the tests (ё, hyphens, numbers)."""
    from indexer import Index

    with Index(tmp_path_factory.mktemp("fixture-index")) as index:
        index.sync([str(CORPUS)])
        yield index


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with a copy of the article, free to change."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ARTICLE, docs / ARTICLE.name)
    return docs


def paragraphs(results: object) -> list[int]:
    """The paragraph numbers of search results, in rank order."""
    return [hit.paragraph for hit in results]  # type: ignore[attr-defined]


def touch_later(path: Path) -> None:
    """Move a file's mtime forward, as an edit a second later would."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@contextlib.contextmanager
def hold_writers(index_dir: Path) -> Iterator[None]:
    """Hold the index's write lock, as another process updating the index would."""
    from indexer.engines.whoosh.storage import Storage

    with Storage(str(index_dir)).writing():
        yield


# -- a real OpenSearch cluster --------------------------------------------------------

#: Set (by .ci/run) to make a machine without Java or Maven fail the OpenSearch tests
#: instead of skipping them.
REQUIRE_OPENSEARCH = "INDEXER_REQUIRE_OPENSEARCH"
_clusters: list[object] = []


@pytest.fixture(scope="session")
def opensearch_cluster() -> Iterator[object]:
    """A real two-node OpenSearch 2.19.6 cluster on 127.0.0.1 (see tests/opensearch_node)."""
    from opensearch_node.cluster import Cluster, missing_tools

    missing = missing_tools()
    if missing:
        message = f"no {', '.join(missing)} here: the OpenSearch tests need Java 17 and Maven"
        if os.environ.get(REQUIRE_OPENSEARCH):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster(nodes=2)
    cluster.start()
    _clusters.append(cluster)
    try:
        cluster.wait("green")
        yield cluster
    finally:
        _clusters.remove(cluster)
        cluster.stop()


def engine_location(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str
) -> str:
    """A new index of the engine a fixture is parametrised with ("whoosh", "opensearch")."""
    if request.param == "opensearch":
        cluster = request.getfixturevalue("opensearch_cluster")
        return f"{cluster.url}/{name}-{os.getpid()}"
    return str(tmp_path_factory.mktemp(request.param))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test that used the cluster shows the end of every node's log."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed and _clusters:
        report.sections.append(("OpenSearch node logs", _clusters[-1].report("")))  # type: ignore[attr-defined]


def interruptible() -> None:
    """A child process's start (``preexec_fn``) that takes Ctrl-C as a terminal's user
    would: a shell running the tests in the background leaves SIGINT ignored, and a
    child inherits that."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
