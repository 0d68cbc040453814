"""The OpenSearch engine: paragraphs and file records in two indexes of a cluster.

``name`` is an alias of the live generation's paragraph index (``name-g3``), and
``name-files`` of its file records (``name-g3-files``); a rebuild writes a new
generation and swaps both aliases in one request; so does a first build. Such a load
writes without replicas or refreshes, then copies the replicas and goes live. A sync
holds a lock (a document in the file records, refreshed as it writes) so that two never
write at once, and writes
a source's file record only once all of its paragraphs are in: a sync cut short by a
failing node leaves records that tell the next sync what to redo.

Candidates come from the cluster's own ranking (``dfs_query_then_fetch``, so that
statistics do not depend on the sharding), a page of :data:`RESCORED` at a time, with
the lemma groups they were indexed with; Python scores them again by
:func:`indexer.explain.evaluate`, with statistics from the cluster and positions found
in those groups, so that the order is the embedded index's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ...analysis import ANALYSIS_VERSION, Occurrences
from ...engine import Candidates, FileRecord, Paragraph, ParagraphId, partition, with_ties
from ...errors import IndexBusyError, IndexerError, IndexLocationError, SchemaMismatchError
from ...explain import Context, evaluate, lemmas_to_look_up
from ...plan import Node
from ...ranking import counted_length
from .compiler import compile_plan
from .location import Address, parse
from .mapping import (
    FORMAT,
    LEMMAS,
    SCHEMA_VERSION,
    TEXT,
    WEIGHTS,
    clip,
    files_index,
    frequencies,
    paragraph_fields,
    paragraph_index,
)

#: What a search fetches of each candidate: the lemma groups give its positions, the
#: weights its term frequencies.
STORED_FIELDS = [TEXT, "source", "paragraph", "length", LEMMAS, WEIGHTS]
#: OpenSearch versions this engine is tested with (major versions), and the first it
#: works with (``delimited_term_freq``, for the weights field, came in 2.13).
SUPPORTED_MAJOR = (2,)
MINIMUM_VERSION = (2, 13)
#: How many of the cluster's best candidates are scored again in Python.
RESCORED = 50
#: The most hits one search may ask for (OpenSearch's ``index.max_result_window``).
RESULT_WINDOW = 10_000
#: How many pages of candidates a search reads at most, looking for enough that match.
MAX_PAGES = 10
#: How a new generation is loaded: no replica (copied whole once it is loaded, instead
#: of every document indexed twice), no refreshes, no flush to disk per request (a load
#: that dies is thrown away). :data:`SERVING` undoes it.
LOADING = {"refresh_interval": "-1", "translog.durability": "async"}
SERVING = {"refresh_interval": None, "translog.durability": "request"}
#: How long a bulk write waits for a shard with no live copy (OpenSearch's default: 1m).
UNAVAILABLE_SECONDS = 20
#: How many times a new index is placed on the nodes before its creation fails.
CREATE_ATTEMPTS = 3
#: Documents per bulk request.
BULK_DOCUMENTS = 500
#: A lock not refreshed for this long was left by a sync that died; it is taken over.
LOCK_STALE_SECONDS = 120.0
#: The lock's document in the file records.
LOCK_ID = "~lock"


def unsupported(info: dict[str, Any]) -> str | None:
    """What is wrong with the server that answered ``GET /`` so, or None.

    >>> unsupported({"version": {"distribution": "opensearch", "number": "2.19.6"}})
    >>> unsupported({"version": {"distribution": "opensearch", "number": "1.3.20"}})
    'runs OpenSearch 1.3.20; this tool works with OpenSearch 2.13 or a later 2.x'
    >>> unsupported({"version": {"distribution": "opensearch", "number": "2.11.1"}})
    'runs OpenSearch 2.11.1; this tool works with OpenSearch 2.13 or a later 2.x'
    >>> unsupported({"version": {"number": "8.15.0"}, "tagline": "You Know, for Search"})[:44]
    'is not OpenSearch (it says version 8.15.0); '
    """
    wanted = "this tool works with OpenSearch 2.13 or a later 2.x"
    version = info.get("version") if isinstance(info, dict) else None
    number = str(version.get("number", "?")) if isinstance(version, dict) else "?"
    if not isinstance(version, dict) or version.get("distribution") != "opensearch":
        return f"is not OpenSearch (it says version {number}); {wanted}"
    parts = re.findall(r"\d+", number)[:2]
    known = tuple(int(part) for part in parts) if len(parts) == 2 else None
    if known is None or known[0] not in SUPPORTED_MAJOR or known < MINIMUM_VERSION:
        return f"runs OpenSearch {number}; {wanted}"
    return None


class EngineWriteError(IndexerError):
    """The cluster refused to store some paragraphs; the files are named, nothing else is
    lost, and the next sync tries them again."""


class OpenSearchEngine:
    """An index in an OpenSearch cluster (see the module).

    :raises IndexLocationError: the cluster cannot be reached, is not an OpenSearch of a
        supported version, or the name holds indexes that are not ours.
    """

    def __init__(self, location: str) -> None:
        self.address = parse(location)
        self.location = self.address.shown
        self._client = self.address.client()
        self._check_cluster()
        self._stale = False
        live = self._live_generation()
        if live is None:
            self._create_generation(1, leftovers=False)
            self._switch(1, None)
        self._generation = live or 1
        self._reset()

    # -- the cluster and the generations --------------------------------------------

    def _call(
        self,
        what: str,
        function: Any,
        *args: Any,
        expect: tuple[type[BaseException], ...] = (),
        **kwargs: Any,
    ) -> Any:
        """Call the client; whatever goes wrong but the ``expect``-ed is a one-line error."""
        from opensearchpy.exceptions import ConnectionError as Unreachable
        from opensearchpy.exceptions import ConnectionTimeout, OpenSearchException

        try:
            return function(*args, **kwargs)
        except expect:
            raise
        except (Unreachable, ConnectionTimeout) as exc:
            raise IndexLocationError(
                f"OpenSearch at {self.location} does not answer ({_reason(exc)}) while {what}"
            ) from exc
        except OpenSearchException as exc:  # refused, a missing index, a failed scan…
            raise IndexLocationError(
                f"OpenSearch at {self.location} failed while {what}: {_reason(exc)}"
            ) from exc

    def _check_cluster(self) -> None:
        info = self._call("asking its version", self._client.info)
        problem = unsupported(info)
        if problem:
            raise IndexLocationError(f"{self.location} {problem}")

    def _names(self, generation: int) -> tuple[str, str]:
        name = self.address.name
        return f"{name}-g{generation}", f"{name}-g{generation}-files"

    @property
    def _files_alias(self) -> str:
        return f"{self.address.name}-files"

    def _live_generation(self) -> int | None:
        from opensearchpy.exceptions import NotFoundError

        name = self.address.name
        try:
            aliases = self._call(
                "reading the index",
                self._client.indices.get_alias,
                name=name,
                expect=(NotFoundError,),
            )
        except NotFoundError:
            aliases = {}
        if self._call("reading the index", self._client.indices.exists, index=name) and (
            not aliases
        ):
            raise IndexLocationError(
                f"{self.location} is an index that is not ours; choose another name"
            )
        for index in aliases:
            prefix = f"{name}-g"
            if index.startswith(prefix) and index[len(prefix) :].isdigit():
                mapping = self._call(
                    "reading the index", self._client.indices.get_mapping, index=index
                )
                meta = mapping[index]["mappings"].get("_meta", {}).get("indexer", {})
                if meta.get("format") != FORMAT:
                    break
                self._stale = (meta.get("schema"), meta.get("analysis")) != (
                    SCHEMA_VERSION,
                    ANALYSIS_VERSION,
                )
                return int(index[len(prefix) :])
        if aliases:
            raise IndexLocationError(
                f"{self.location} names indexes that are not ours; choose another name"
            )
        return None

    def _create_generation(
        self, generation: int, *, leftovers: bool = True, loading: bool = False
    ) -> int:
        """Create the empty indexes of a generation, and return how many replicas they
        are to have. With ``leftovers``, indexes of that name are what a rebuild that
        died left (the lock is held): they are replaced; otherwise another process
        creating the same new index at once keeps its own. With ``loading``, they are
        made for a bulk load (see :data:`LOADING`) until :meth:`_loaded`."""
        paragraphs, files = self._names(generation)
        for attempt in range(CREATE_ATTEMPTS):
            replicas = self._create_indexes(generation, leftovers=leftovers, loading=loading)
            health = self._health(f"{paragraphs},{files}", "yellow")
            if not health.get("timed_out"):
                if not loading and self._data_nodes() > replicas:
                    # An index that is written at once (the first, empty generation and
                    # its lock) has its copies made first: a node dying a moment later
                    # would otherwise take the only copy of a shard with it. Only for
                    # so long: a node that dies meanwhile leaves it yellow.
                    self._health(f"{paragraphs},{files}", "green")
                return replicas
            if not leftovers or attempt == CREATE_ATTEMPTS - 1:
                break
            # A node that just died is counted until the cluster notices, and a shard
            # placed on it never starts: place them again.
            time.sleep(2.0)
        raise IndexLocationError(
            f"OpenSearch at {self.location} failed while creating the index: its shards "
            f"did not start (cluster status {health.get('status')})"
        )

    def _health(
        self, names: str, status: str, *, what: str = "creating the index", wait: int = 30
    ) -> dict[str, Any]:
        """The cluster's health once ``names`` reach ``status``, or after ``wait`` seconds
        (then ``timed_out`` is set)."""
        return dict(
            self._call(
                what,
                self._client.cluster.health,
                index=names,
                wait_for_status=status,
                timeout=f"{wait}s",
                request_timeout=wait + 10,
                ignore=408,
            )
        )

    def _create_indexes(self, generation: int, *, leftovers: bool, loading: bool) -> int:
        from opensearchpy.exceptions import RequestError

        shards, replicas = self._layout()
        paragraphs, files = self._names(generation)
        for index, make in ((paragraphs, paragraph_index), (files, files_index)):
            body = make(shards, 0 if loading else replicas)
            if loading:
                body["settings"]["index"].update(LOADING)
            exists = self._call("creating the index", self._client.indices.exists, index=index)
            if exists and not leftovers:
                continue
            if exists:
                self._call("creating the index", self._client.indices.delete, index=index)
            try:
                self._call(
                    "creating the index",
                    self._client.indices.create,
                    index=index,
                    body=body,
                    expect=(RequestError,),
                )
            except RequestError as exc:  # created by another process in between
                if leftovers or "already_exists" not in str(exc):
                    raise IndexLocationError(
                        f"OpenSearch at {self.location} failed while creating the index: "
                        f"{_reason(exc)}"
                    ) from exc
        return replicas

    def _data_nodes(self) -> int:
        nodes = self._call("counting nodes", self._client.cat.nodes, format="json", h="r")
        return max(1, sum("d" in node.get("r", "") for node in nodes))

    def _layout(self) -> tuple[int, int]:
        """Shards and replicas of a new index: as the address says, else a shard per data
        node and a replica where there is a second node."""
        data = self._data_nodes()
        shards = self.address.shards or data
        replicas = self.address.replicas if self.address.replicas is not None else min(1, data - 1)
        return shards, replicas

    def _switch(self, generation: int, old: int | None) -> None:
        name = self.address.name
        paragraphs, files = self._names(generation)
        actions: list[dict[str, Any]] = [
            {"add": {"index": paragraphs, "alias": name}},
            {"add": {"index": files, "alias": self._files_alias}},
        ]
        if old is not None:
            old_paragraphs, old_files = self._names(old)
            actions += [
                {"remove": {"index": old_paragraphs, "alias": name}},
                {"remove": {"index": old_files, "alias": self._files_alias}},
            ]
        self._call(
            "switching to the new index",
            self._client.indices.update_aliases,
            body={"actions": actions},
        )
        self._generation, self._stale = generation, False
        if old is not None:
            self._drop(old)

    def _drop(self, generation: int) -> None:
        for index in self._names(generation):
            with contextlib.suppress(Exception):
                self._client.indices.delete(index=index, ignore_unavailable=True)

    def _check_current(self) -> None:
        if self._stale:
            raise SchemaMismatchError(
                f"the index at {self.location} was built by another version of this tool; "
                "rebuild it (--rebuild, or sync(..., rebuild=True))"
            )

    # -- reading ---------------------------------------------------------------------

    def _reset(self) -> None:
        self._statistics: OpenSearchStatistics | None = None
        self._stored: dict[ParagraphId, _Stored] = {}

    def statistics(self) -> OpenSearchStatistics:
        self._check_current()
        if self._statistics is None:
            self._statistics = OpenSearchStatistics(self)
        return self._statistics

    def vocabulary(self) -> OpenSearchVocabulary:
        return OpenSearchVocabulary(self)

    def search(self, body: dict[str, Any], **params: Any) -> dict[str, Any]:
        """A search of the paragraph index."""
        self._check_current()
        return self._whole(
            "searching", self._client.search, index=self.address.name, body=body, **params
        )

    def _whole(self, what: str, function: Any, *, index: str, **kwargs: Any) -> dict[str, Any]:
        """An answer of every shard of ``index`` (:meth:`_read`), or a one-line error."""
        answer: dict[str, Any] = self._read(what, function, index=index, **kwargs)
        shards = answer.get("_shards", {})
        if not shards.get("failed"):
            return answer
        raise IndexLocationError(
            f"OpenSearch at {self.location} failed while {what}: {shards['failed']} of "
            f"{shards.get('total', '?')} shards did not answer (a node is down?)"
        )

    def _read(self, what: str, function: Any, *, index: str, **kwargs: Any) -> Any:
        """A read of ``index`` that a node's death does not fail or cut short. The cluster
        answers with the shards it could reach, so one whose node just died would
        silently be missing from hits and counts; and where no copy of a shard answers
        (the cluster says 503, and the client, taking the live node for dead too, ends at
        the dead one) the read fails. Either way it is asked again, once, when the
        shards have a copy on a live node (a replica takes over in seconds)."""
        try:
            answer = self._call(what, function, index=index, **kwargs)
            if not (isinstance(answer, dict) and answer.get("_shards", {}).get("failed")):
                return answer
        except IndexLocationError as exc:
            if not _unavailable(exc.__cause__):
                raise
        self._health(index, "yellow", what=what, wait=UNAVAILABLE_SECONDS)
        return self._call(what, function, index=index, **kwargs)

    def candidates(self, plan: Node, depth: int) -> Candidates:
        """One request: the cluster's best candidates with their stored fields, and the
        collection statistics the rescoring still lacks (a global aggregation)."""
        statistics = self.statistics()
        lemmas, prefixes = lemmas_to_look_up(plan)
        body: dict[str, Any] = {
            "query": compile_plan(plan),
            # The cluster hands out at most its result window (10,000 by default).
            "size": min(max(depth, RESCORED), RESULT_WINDOW),
            "_source": STORED_FIELDS,
            # Equal scores in the order :class:`indexer.Index` ranks them in.
            "sort": ["_score", {"source": "asc"}, {"paragraph": "asc"}],
            "track_total_hits": True,
        }
        missing = statistics.missing(lemmas)
        if missing is not None:
            body["aggs"] = {"everything": {"global": {}, "aggs": missing}}
        context = Context(statistics, describe=False)
        scored: list[tuple[ParagraphId, float]] = []
        pid_scores: dict[ParagraphId, float] = {}
        # Page on while candidates the plan rejects (an exact form that is not there, a
        # phrase too far apart) leave fewer than asked for.
        for page in range(MAX_PAGES):
            body["from"] = page * body["size"]
            if body["from"] + body["size"] > RESULT_WINDOW:
                break
            answer = self.search(body, search_type="dfs_query_then_fetch")
            if "aggs" in body:
                statistics.learn(answer["aggregations"]["everything"])
                del body["aggs"]
            found = answer["hits"]
            ids: list[ParagraphId] = []
            for hit in found["hits"]:
                self._stored[hit["_id"]] = _Stored.of(hit["_source"])
                ids.append(hit["_id"])
            positions = self.positions(ids, lemmas, prefixes)
            statistics.frequencies({lemma for have in positions.values() for lemma in have})
            for pid in ids:
                paragraph = self._stored[pid].paragraph
                explained = evaluate(plan, paragraph, positions.get(pid, {}), context)
                if explained is not None:
                    scored.append((pid, explained.score))
                    pid_scores[pid] = explained.score
            if len(ids) < body["size"]:
                break
            if len(scored) >= depth:
                # Done, unless the paragraphs that tie with the last one wanted reach the
                # end of the page: then there may be more of them on the next.
                scored.sort(key=lambda item: -item[1])
                last = scored[depth - 1][1]
                if pid_scores.get(ids[-1]) != last:
                    break
        scored.sort(key=lambda item: -item[1])
        return Candidates(with_ties(scored, depth), int(found["total"]["value"]))

    def positions(
        self,
        paragraphs: Sequence[ParagraphId],
        lemmas: Collection[str],
        prefixes: Collection[str] = (),
    ) -> dict[ParagraphId, dict[str, Occurrences]]:
        """From the lemma groups and weights each paragraph was indexed with, as the
        engine split them: the same terms at the same positions with the same
        frequencies, without asking the cluster again."""
        stored = self._load(paragraphs)
        wanted = {clip(lemma): lemma for lemma in lemmas}
        pattern = _lemma_pattern(wanted, [clip(prefix) for prefix in prefixes])
        out: dict[ParagraphId, dict[str, Occurrences]] = {}
        for pid, found in zip(paragraphs, stored, strict=True):
            groups = found.groups
            where: dict[str, Occurrences] = {}
            position = cursor = 0
            for match in pattern.finditer(groups) if pattern else ():
                # A word's position is the number of spaces before its group.
                position += groups.count(" ", cursor, match.start())
                cursor = match.start()
                term = match.group()
                listed = where.get(wanted.get(term, term))
                if listed is None:
                    listed = where[wanted.get(term, term)] = Occurrences()
                    listed.units = found.frequencies.get(term, 0)
                listed.append(position)
            out[pid] = where
        return out

    def paragraphs(self, ids: Sequence[ParagraphId]) -> list[Paragraph]:
        return [stored.paragraph for stored in self._load(ids)]

    def _load(self, ids: Sequence[ParagraphId]) -> list[_Stored]:
        missing = [pid for pid in dict.fromkeys(ids) if pid not in self._stored]
        if missing:
            answer = self._read(
                "reading paragraphs",
                self._client.mget,
                index=self.address.name,
                body={"ids": missing},
                _source_includes=STORED_FIELDS,
            )
            for doc in answer["docs"]:
                if not doc.get("found"):
                    raise IndexLocationError(
                        f"the index at {self.location} changed during the search; search again"
                    )
                self._stored[doc["_id"]] = _Stored.of(doc["_source"])
        return [self._stored[pid] for pid in ids]

    def file_records(self) -> dict[str, FileRecord]:
        from opensearchpy.helpers import scan

        self._check_current()
        records = {}
        files = {"query": {"term": {"kind": "file"}}}
        found = self._read(
            "reading the file records",
            lambda index: list(scan(self._client, index=index, query=files, size=5000)),
            index=self._files_alias,
        )
        for doc in found:
            stored = doc["_source"]
            records[stored["source"]] = FileRecord(
                stored.get("size"), stored.get("mtime_ns"), stored.get("sha"), stored.get("problem")
            )
        return records

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self, *, fresh: bool = False) -> Iterator[OpenSearchBatch]:
        owner = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
        lock = _Lock(self._client, self._files_alias, self.location, owner)
        self._call("taking the lock", lock.acquire)
        parts = max(1, min(os.cpu_count() or 1, 4))
        try:
            # Another process may have rebuilt the index since this one was opened.
            self._generation = self._live_generation() or self._generation
            if not fresh:
                self._check_current()
            if not fresh and not self._empty():
                yield self._batch(self._generation, parts, owner, fresh=False)
                return
            # A first build loads like a rebuild: into a new generation that goes live
            # whole, so a build that dies leaves the empty index searchable as it was.
            old = self._generation
            generation = old + 1
            replicas = self._create_generation(generation, loading=True)
            try:
                yield self._batch(generation, parts, owner, fresh=True)
                self._call("finishing the index", lock.beat, force=True)
                self._loaded(generation, replicas)
            except BaseException:
                # A sync that took the lock over may be writing a generation of this
                # number by now: it is not ours to drop.
                if lock.ours():
                    self._drop(generation)
                raise
            self._switch(generation, old)
        finally:
            lock.release()
            self._reset()

    def _empty(self) -> bool:
        """Whether the live generation holds no file yet."""
        counted = self._whole(
            "reading the file records",
            self._client.count,
            index=self._files_alias,
            body={"query": {"term": {"kind": "file"}}},
        )
        return int(counted["count"]) == 0

    def _loaded(self, generation: int, replicas: int) -> None:
        """Put a loaded generation's indexes back to their serving settings, and wait
        until its replicas are copied (where there are nodes to hold them)."""
        names = ",".join(self._names(generation))
        self._call(
            "finishing the index",
            self._client.indices.put_settings,
            index=names,
            body={"index": {**SERVING, "number_of_replicas": replicas}},
        )
        self._call("finishing the index", self._client.indices.refresh, index=names)
        deadline = time.monotonic() + 600
        while True:
            # Replicas no node can hold (a node died meanwhile) keep it yellow for ever:
            # the count of nodes is read again at each wait.
            status = "green" if self._data_nodes() > replicas else "yellow"
            health = self._health(names, status, what="finishing the index", wait=20)
            if not health.get("timed_out"):
                return
            if time.monotonic() > deadline:
                raise IndexLocationError(
                    f"OpenSearch at {self.location} failed while finishing the index: "
                    f"its replicas were not copied in ten minutes (status {health.get('status')})"
                )

    def _batch(self, generation: int, parts: int, owner: str, *, fresh: bool) -> OpenSearchBatch:
        paragraphs, files = self._names(generation)
        return OpenSearchBatch(
            self.address, paragraphs, files, parts, self.location, self._files_alias, owner, fresh
        )

    def reading(self) -> contextlib.AbstractContextManager[None]:
        # Every request reads the cluster's state of the moment; nothing to hold.
        return contextlib.nullcontext()

    def close(self) -> None:
        self._reset()
        with contextlib.suppress(Exception):
            self._client.close()


@dataclass(frozen=True)
class _Stored:
    """A paragraph as stored, with the lemma groups it was indexed with."""

    paragraph: Paragraph
    groups: str
    weights: str

    @cached_property
    def frequencies(self) -> dict[str, int]:
        """Each lemma's term frequency in weight units."""
        return frequencies(self.weights)

    @classmethod
    def of(cls, source: dict[str, Any]) -> _Stored:
        length = counted_length(source["length"])
        paragraph = Paragraph(source["source"], source["paragraph"], source[TEXT], length)
        return cls(paragraph, source.get(LEMMAS, ""), source.get(WEIGHTS, ""))


def _lemma_pattern(lemmas: Collection[str], prefixes: Collection[str]) -> re.Pattern[str] | None:
    """Any of ``lemmas``, or a lemma starting with one of ``prefixes``, as a whole member
    of a group (groups are separated by spaces, their lemmas by ``|``)."""
    longest_first = sorted(lemmas, key=len, reverse=True)
    alternatives = [re.escape(lemma) for lemma in longest_first]
    alternatives += [re.escape(prefix) + "[^ |]*" for prefix in prefixes]
    if not alternatives:
        return None
    return re.compile(rf"(?<![^ |])(?:{'|'.join(alternatives)})(?![^ |])")


class OpenSearchStatistics:
    """Collection statistics from the cluster, each asked once until the next write."""

    def __init__(self, engine: OpenSearchEngine) -> None:
        self._engine = engine
        self._frequencies: dict[str, int] = {}
        self._totals: tuple[int, float] | None = None

    @property
    def paragraphs(self) -> int:
        return max(1, self._learned()[0])

    @property
    def average_length(self) -> float:
        return self._learned()[1] / self.paragraphs or 1.0

    def frequency(self, lemma: str) -> int:
        return self.frequencies([lemma])[lemma]

    def frequencies(self, lemmas: Collection[str]) -> dict[str, int]:
        missing = self.missing(lemmas)
        if missing is not None:
            answer = self._engine.search({"size": 0, "aggs": missing})
            self.learn(answer["aggregations"])
        return {lemma: self._frequencies[lemma] for lemma in lemmas}

    def _learned(self) -> tuple[int, float]:
        if self._totals is None:
            self.frequencies(())
        assert self._totals is not None
        return self._totals

    def missing(self, lemmas: Collection[str]) -> dict[str, Any] | None:
        """The aggregations that count what is not known yet (of every paragraph, as
        ``aggs`` of a ``global`` aggregation or of a search of everything), or None."""
        aggregations: dict[str, Any] = {}
        for lemma in dict.fromkeys(lemmas):
            if lemma not in self._frequencies:
                # Named by number, the lemma in the metadata: aggregation names may not
                # hold every character a lemma may.
                count = {"filter": {"term": {LEMMAS: clip(lemma)}}, "meta": {"lemma": lemma}}
                aggregations[f"f{len(aggregations)}"] = count
        if self._totals is None:
            aggregations["length"] = {"sum": {"field": "length"}}
            aggregations["count"] = {"value_count": {"field": "paragraph"}}
        return aggregations or None

    def learn(self, answer: dict[str, Any]) -> None:
        """Keep what the aggregations of :meth:`missing` found."""
        for name, found in answer.items():
            if name.startswith("f") and isinstance(found, dict) and "meta" in found:
                self._frequencies[found["meta"]["lemma"]] = int(found["doc_count"])
        if "length" in answer:
            self._totals = (int(answer["count"]["value"]), float(answer["length"]["value"] or 0))


class OpenSearchVocabulary:
    """The indexed lemmas, looked up through the term suggester."""

    def __init__(self, engine: OpenSearchEngine) -> None:
        self._engine = engine

    def similar(self, lemma: str, edits: int) -> list[str]:
        suggest = {
            "text": clip(lemma),
            "term": {
                "field": LEMMAS,
                "suggest_mode": "always",
                "max_edits": max(1, min(edits, 2)),
                "prefix_length": 1,
                "min_word_length": 1,
                "size": 100,
                "max_term_freq": 1.0,
            },
        }
        answer = self._engine.search({"size": 0, "suggest": {"near": suggest}})
        return [
            option["text"]
            for entry in answer.get("suggest", {}).get("near", [])
            for option in entry.get("options", [])
        ]


@dataclass(frozen=True)
class OpenSearchBatch:
    """The indexes a sync writes into, split into parts by source (picklable: a worker
    process analyses and sends its part with a client of its own)."""

    address: Address
    paragraph_index: str
    files_index: str
    parts: int
    location: str
    #: Where the lock is, whose heartbeat the writers refresh, and whose it is.
    lock_index: str
    owner: str
    #: A new generation, empty when the batch began: nothing in it to replace.
    fresh: bool = False

    def part_of(self, source: str) -> int:
        return partition(source, self.parts)

    def writer(self, part: int, concurrent: int = 1) -> BulkWriter:
        return BulkWriter(self)


def _key(source: str) -> str:
    return hashlib.blake2b(source.encode("utf-8"), digest_size=12).hexdigest()


class BulkWriter:
    """Paragraphs and file records sent in bulk requests; a source's record goes only
    after all of its paragraphs were taken."""

    def __init__(self, batch: OpenSearchBatch) -> None:
        self.batch = batch
        self._client = batch.address.client()
        self._lock = _Lock(self._client, batch.lock_index, batch.location, batch.owner)
        self._refreshed = False
        # Per source: its new paragraphs (None: keep them), and its new record (None:
        # delete it).
        self._pending: dict[str, tuple[Sequence[str] | None, FileRecord | None]] = {}
        self._size = 0

    def replace(self, source: str, paragraphs: Sequence[str], record: FileRecord) -> None:
        self._add(source, list(paragraphs), record)

    def update_record(self, source: str, record: FileRecord) -> None:
        self._add(source, None, record)

    def delete(self, source: str) -> None:
        self._add(source, [], None)

    def _add(self, source: str, paragraphs: list[str] | None, record: FileRecord | None) -> None:
        if source in self._pending:
            self.flush()
        self._pending[source] = (paragraphs, record)
        self._size += len(paragraphs or ()) + 1
        if self._size >= BULK_DOCUMENTS:
            self.flush()

    def flush(self) -> None:
        """Send what is pending: first away with every paragraph of these sources past
        their new end (whatever an earlier sync cut short left there), then their
        paragraphs, then the records of the sources whose paragraphs all went in."""
        if not self._pending:
            return
        pending, self._pending, self._size = self._pending, {}, 0
        batch = self.batch
        self._request(self._lock.beat)
        beyond = [
            {"bool": {"filter": [
                {"term": {"source": source}},
                {"range": {"paragraph": {"gt": len(paragraphs)}}},
            ]}}
            for source, (paragraphs, _) in pending.items()
            if paragraphs is not None and not batch.fresh
        ]  # fmt: skip
        actions: list[tuple[str, dict[str, Any]]] = []
        if beyond:
            from opensearchpy.helpers import scan

            if not self._refreshed:
                # What a sync cut short sent may not be searchable yet.
                self._request(self._client.indices.refresh, index=batch.paragraph_index)
                self._refreshed = True

            query = {"query": {"bool": {"should": beyond, "minimum_should_match": 1}}}
            stale = self._request(
                lambda: list(
                    scan(self._client, index=batch.paragraph_index, query=query, _source=["source"])
                )
            )
            for hit in stale:
                action = {"_op_type": "delete", "_index": batch.paragraph_index, "_id": hit["_id"]}
                actions.append((hit["_source"]["source"], action))
        for source, (paragraphs, _) in pending.items():
            key = _key(source)
            for number, text in enumerate(paragraphs or (), 1):
                document = {**paragraph_fields(text), "source": source, "paragraph": number}
                action = {"_index": batch.paragraph_index, "_id": f"{key}-{number}"}
                actions.append((source, {**action, "_source": document}))
        failed = self._send(actions)
        self._send_records({s: r for s, (_, r) in pending.items() if s not in failed}, failed)
        if failed:
            listed = "; ".join(f"{source}: {why}" for source, why in sorted(failed.items())[:3])
            more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
            raise EngineWriteError(
                f"OpenSearch at {batch.location} refused {len(failed)} file(s): {listed}{more}; "
                "the rest is indexed, run the sync again to retry them"
            )

    def _send_records(self, records: dict[str, FileRecord | None], failed: dict[str, str]) -> None:
        """Write (or, None, delete) the file records of sources whose paragraphs went in."""
        actions: list[tuple[str, dict[str, Any]]] = []
        for source, record in records.items():
            action = {"_index": self.batch.files_index, "_id": _key(source)}
            if record is None:
                actions.append((source, {**action, "_op_type": "delete"}))
                continue
            fields = {
                "kind": "file",
                "source": source,
                "size": record.size,
                "mtime_ns": record.mtime_ns,
                "sha": record.sha,
                "problem": record.problem,
            }
            actions.append((source, {**action, "_source": fields}))
        failed.update(self._send(actions))

    def _send(self, actions: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
        """Send bulk actions, retrying what the cluster is too busy to take; returns the
        sources of the actions it refused, with why."""
        from opensearchpy.helpers import streaming_bulk

        failed: dict[str, str] = {}
        if not actions:
            return failed
        sources = [source for source, _ in actions]
        results = self._request(
            lambda: list(
                streaming_bulk(
                    self._client,
                    (action for _, action in actions),
                    chunk_size=BULK_DOCUMENTS,
                    max_retries=5,
                    initial_backoff=1,
                    max_backoff=30,
                    raise_on_error=False,
                    raise_on_exception=True,
                    request_timeout=120,
                    # How long a write waits for a shard that has no live copy (a node
                    # died during a load): then it is refused, and the sync says so.
                    timeout=f"{UNAVAILABLE_SECONDS}s",
                )
            )
        )
        for source, (ok, item) in zip(sources, results, strict=True):
            if not ok:
                (op,) = item.values()
                if op.get("status") == 404 and "delete" in item:
                    continue  # already gone
                error = op.get("error", op.get("status"))
                failed.setdefault(
                    source, str(error.get("reason") if isinstance(error, dict) else error)
                )
        return failed

    def _request(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        from opensearchpy.exceptions import OpenSearchException

        try:
            return function(*args, **kwargs)
        except OpenSearchException as exc:
            raise EngineWriteError(
                f"OpenSearch at {self.batch.location} stopped taking writes ({_reason(exc)}); "
                "what was sent is kept, run the sync again to finish"
            ) from exc

    def commit(self) -> None:
        self.flush()
        self._request(
            self._client.indices.refresh,
            index=f"{self.batch.paragraph_index},{self.batch.files_index}",
        )

    def cancel(self) -> None:
        self._pending, self._size = {}, 0


class _Lock:
    """One sync at a time: a document in the live file records that names its owner.

    The writers refresh its heartbeat as they go; a lock whose heartbeat is older than
    :data:`LOCK_STALE_SECONDS` was left by a sync that died, and is taken over. Every
    refresh and the release check the owner first (a sync that finds its lock taken
    over stops, instead of writing beside the one that took it)."""

    def __init__(self, client: Any, index: str, location: str, owner: str) -> None:
        self.client, self.index, self.location, self.owner = client, index, location, owner
        self._beaten = 0.0

    def _read(self) -> dict[str, Any] | None:
        from opensearchpy.exceptions import NotFoundError

        try:
            return self.client.get(index=self.index, id=LOCK_ID)
        except NotFoundError:
            return None

    def _put(self, held: dict[str, Any] | None) -> None:
        fields = {"kind": "lock", "owner": self.owner, "heartbeat": time.time()}
        if held is None:
            self.client.create(index=self.index, id=LOCK_ID, body=fields, refresh=True)
        else:  # only if nobody wrote it since it was read
            self.client.index(
                index=self.index,
                id=LOCK_ID,
                body=fields,
                if_seq_no=held["_seq_no"],
                if_primary_term=held["_primary_term"],
                refresh=True,
            )
        self._beaten = time.monotonic()

    def acquire(self) -> None:
        """Take the lock, or one whose holder stopped beating.

        :raises IndexBusyError: another sync holds it.
        """
        from opensearchpy.exceptions import ConflictError

        held = self._read()
        stale = held is not None and (
            time.time() - float(held["_source"].get("heartbeat", 0)) > LOCK_STALE_SECONDS
        )
        if held is not None and not stale:
            raise IndexBusyError(f"another process is updating the index at {self.location}")
        try:
            self._put(held)
        except ConflictError as exc:
            # The client sends a request again when a node fails to answer it (one that
            # just died): the conflict may be with this very lock, written the first time.
            if self.ours():
                self._beaten = time.monotonic()
                return
            raise IndexBusyError(
                f"another process is updating the index at {self.location}"
            ) from exc

    def ours(self) -> bool:
        """Whether the lock is still this sync's."""
        with contextlib.suppress(Exception):
            held = self._read()
            return held is not None and held["_source"].get("owner") == self.owner
        return False

    def beat(self, *, force: bool = False) -> None:
        """Refresh the heartbeat (at most every few seconds, unless ``force``).

        :raises EngineWriteError: the lock was taken over: another sync is writing.
        """
        from opensearchpy.exceptions import ConflictError

        if not force and time.monotonic() - self._beaten < LOCK_STALE_SECONDS / 20:
            return
        held = self._read()
        if held is not None and held["_source"].get("owner") == self.owner:
            try:
                self._put(held)
                return
            except ConflictError:  # another writer of this sync beat first: as good
                held = self._read()
        if held is None or held["_source"].get("owner") != self.owner:
            raise EngineWriteError(
                f"another process took over the index at {self.location} while this sync "
                "was stalled; run the sync again once it is done"
            )
        self._beaten = time.monotonic()

    def release(self) -> None:
        """Remove the lock, if it is still ours."""
        with contextlib.suppress(Exception):
            held = self._read()
            if held is not None and held["_source"].get("owner") == self.owner:
                self.client.delete(
                    index=self.index,
                    id=LOCK_ID,
                    if_seq_no=held["_seq_no"],
                    if_primary_term=held["_primary_term"],
                    refresh=True,
                )


def _unavailable(exc: BaseException | None) -> bool:
    """Whether an error of the client says no copy of some shard answered: its node is
    down (refused, no answer) or has just died (503; a scroll cut short)."""
    from opensearchpy.exceptions import ConnectionError as Unreachable
    from opensearchpy.exceptions import ConnectionTimeout, TransportError
    from opensearchpy.helpers import ScanError

    if isinstance(exc, ConnectionTimeout):  # waited long enough already
        return False
    if isinstance(exc, Unreachable | ScanError):
        return True
    return isinstance(exc, TransportError) and exc.status_code == 503


def _reason(exc: Exception) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            return str(error.get("reason") or error.get("type"))
    if isinstance(info, Exception):
        return str(info).split("\n")[0][:200]
    return (str(getattr(exc, "error", "")) or type(exc).__name__)[:200]
