"""Keeping an index in step with files on disk: scan → plan → apply.

A file's size and mtime are compared with what the index recorded; only a file whose
size or mtime changed is read and hashed, and only one whose content changed is
indexed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import ingest
from .errors import UnreadableFileError
from .results import SyncReport
from .storage import WRITER_MEMORY_MB, open_writer

#: Below this much text to read, worker processes cost more than they save.
PARALLEL_MIN_BYTES = 8_000_000


@dataclass(frozen=True)
class FileRecord:
    """What the index remembers of a source: its fingerprint, or why it gave no text."""

    size: int | None
    mtime_ns: int | None
    sha: str | None
    problem: str | None = None


def load_manifest(searcher: Any, cache: str | None = None) -> dict[str, FileRecord]:
    """The file records of an index, by source.

    Reading them one stored document at a time costs a search of a big folder more than
    the search itself, so a copy is kept in the file ``cache``, valid only for the exact
    segments (and deletions) it was read from; anything else reads the index again.
    """
    segments = [
        getattr(leaf, "segment", lambda: None)() for leaf, _ in searcher.reader().leaf_readers()
    ]
    state = [(seg.segment_id(), seg.deleted_count()) for seg in segments if seg is not None]
    if cache:
        with contextlib.suppress(OSError, EOFError, ValueError, pickle.UnpicklingError):
            with open(cache, "rb") as file:
                saved_state, saved = pickle.load(file)
            if saved_state == state:
                return saved
    manifest = {}
    for docnum in searcher.document_numbers(kind="file"):
        fields = searcher.stored_fields(docnum)
        manifest[fields["file"]] = FileRecord(
            fields.get("size"), fields.get("mtime_ns"), fields.get("sha"), fields.get("problem")
        )
    if cache:
        # A copy that cannot be written is only a missed shortcut.
        with contextlib.suppress(OSError):
            temporary = f"{cache}.{os.getpid()}.tmp"
            with open(temporary, "wb") as file:
                pickle.dump((state, manifest), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, cache)
    return manifest


def fingerprint(data: bytes) -> str:
    """The content hash kept for each file."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class Plan:
    """What a sync has to do."""

    to_read: list[str] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: Paths that cannot be looked at (a broken symlink, a folder we may not enter).
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        """Whether anything must be written to the index."""
        return bool(self.to_read or self.to_remove or self.problems)


def plan(manifest: dict[str, FileRecord], walk: ingest.Walk, roots: Iterable[str]) -> Plan:
    """Compare the files found on disk with the manifest of the index."""
    result = Plan()
    for path, stat in walk.files.items():
        record = manifest.get(path)
        if record and (record.size, record.mtime_ns) == (stat.size, stat.mtime_ns):
            result.unchanged.append(path)
        else:
            result.to_read.append(path)
    for path, reason in walk.problems:
        record = manifest.get(path)
        if record and record.problem == reason and record.size is None:
            result.unchanged.append(path)
        else:
            result.problems.append((path, reason))
    present = set(walk.files).union(path for path, _ in walk.problems)
    result.to_remove = [
        path for path, record in manifest.items() if path not in present and _is_under(path, roots)
    ]
    return result


def split(plan: Plan, shards: int) -> list[Plan]:
    """The plan cut into one plan per shard (each source goes to its own shard)."""
    from .storage import shard_of

    parts = [Plan() for _ in range(shards)]
    for path in plan.to_read:
        parts[shard_of(path, shards)].to_read.append(path)
    for path in plan.to_remove:
        parts[shard_of(path, shards)].to_remove.append(path)
    for path in plan.unchanged:
        parts[shard_of(path, shards)].unchanged.append(path)
    for problem in plan.problems:
        parts[shard_of(problem[0], shards)].problems.append(problem)
    return parts


def _is_under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def apply(
    plan: Plan,
    writer: Any,
    manifest: dict[str, FileRecord],
    progress: Callable[[int], None] | None = None,
) -> SyncReport:
    """Carry out a plan with an open Whoosh writer (the caller commits or cancels)."""
    added, updated, unchanged = [], [], list(plan.unchanged)
    skipped = list(plan.problems)
    for path, reason in plan.problems:
        delete_source(writer, path)
        add_record(writer, path, FileRecord(None, None, None, reason))
    for path in plan.to_read:
        old = manifest.get(path)
        try:
            with open(path, "rb") as file:
                data = file.read()
            stat = os.stat(path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            skipped.append((path, reason))
            delete_source(writer, path)
            add_record(writer, path, FileRecord(None, None, None, reason))
            continue
        record = FileRecord(stat.st_size, stat.st_mtime_ns, fingerprint(data))
        if old and old.sha == record.sha and not old.problem:
            # Touched but not changed: remember the new mtime, keep the paragraphs.
            writer.delete_by_term("file", path)
            add_record(writer, path, record)
            unchanged.append(path)
            continue
        delete_source(writer, path)
        try:
            paragraphs = ingest.document_paragraphs(path, data)
        except UnreadableFileError as exc:
            skipped.append((path, str(exc)))
            add_record(writer, path, FileRecord(record.size, record.mtime_ns, record.sha, str(exc)))
            continue
        add_document(writer, path, paragraphs, record)
        (updated if old else added).append(path)
        if progress:
            progress(len(data))
    for path in plan.to_remove:
        delete_source(writer, path)
    return SyncReport(
        added=tuple(added),
        updated=tuple(updated),
        removed=tuple(plan.to_remove),
        unchanged=tuple(unchanged),
        skipped=tuple(skipped),
    )


def delete_source(writer: Any, source: str) -> None:
    """Delete a source's paragraphs and its file record."""
    writer.delete_by_term("source", source)
    writer.delete_by_term("file", source)


def add_document(writer: Any, source: str, paragraphs: list[str], record: FileRecord) -> None:
    """Index a document's paragraphs and its file record."""
    for number, paragraph in enumerate(paragraphs, 1):
        writer.add_document(content=paragraph, source=source, paragraph=number)
    add_record(writer, source, record)


def add_record(writer: Any, source: str, record: FileRecord) -> None:
    """Write the file record of a source."""
    writer.add_document(
        kind="file",
        file=source,
        size=record.size,
        mtime_ns=record.mtime_ns,
        sha=record.sha,
        problem=record.problem,
    )


def run(
    index_path: str,
    generation: str,
    parts: list[Plan],
    manifest: dict[str, FileRecord],
    *,
    workers: int,
    sizes: dict[str, int],
    show_progress: bool,
) -> SyncReport:
    """Carry out per-shard plans, committing each shard; in parallel when it pays.

    Each shard is written by one writer, in this process or in a worker process of its
    own; a shard that is interrupted keeps its previous commit, which agrees with its
    own file records.
    """
    from .progress import progress_bar

    busy = [(shard, part) for shard, part in enumerate(parts) if part.has_work]
    total = sum(sizes.get(path, 0) for _, part in busy for path in part.to_read)
    records = [{p: r for p, r in manifest.items() if p in _sources(part)} for _, part in busy]
    with progress_bar(total, show_progress) as advance:
        if workers > 1 and len(busy) > 1 and total >= PARALLEL_MIN_BYTES:
            reports = _run_in_processes(index_path, generation, busy, records, workers, advance)
        else:
            reports = [
                apply_to_shard(index_path, generation, shard, part, recs, advance)
                for (shard, part), recs in zip(busy, records, strict=True)
            ]
    unchanged = [p for shard, part in enumerate(parts) if not part.has_work for p in part.unchanged]
    return merge([*reports, SyncReport(unchanged=tuple(unchanged))])


def _sources(plan: Plan) -> set[str]:
    return {*plan.to_read, *plan.to_remove, *(path for path, _ in plan.problems)}


def apply_to_shard(
    index_path: str,
    generation: str,
    shard: int,
    plan: Plan,
    manifest: dict[str, FileRecord],
    progress: Callable[[int], None] | None = None,
    memory_mb: int = WRITER_MEMORY_MB,
) -> SyncReport:
    """Apply one shard's plan with its own writer, and commit (or cancel on failure)."""
    writer = open_writer(index_path, generation, shard, memory_mb)
    try:
        report = apply(plan, writer, manifest, progress)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return report


_counter: Any = None


def _remember_counter(counter: Any) -> None:
    global _counter
    _counter = counter


def _count_bytes(n: int) -> None:
    with _counter.get_lock():
        _counter.value += n


def _apply_in_worker(
    index_path: str,
    generation: str,
    shard: int,
    plan: Plan,
    manifest: dict[str, FileRecord],
    memory_mb: int,
) -> SyncReport:
    return apply_to_shard(index_path, generation, shard, plan, manifest, _count_bytes, memory_mb)


def _run_in_processes(
    index_path: str,
    generation: str,
    busy: list[tuple[int, Plan]],
    records: list[dict[str, FileRecord]],
    workers: int,
    advance: Callable[[int], None],
) -> list[SyncReport]:
    import multiprocessing

    # Forked workers start at once and share what this process has loaded.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    counter = context.Value("q", 0)
    shown = 0
    processes = min(workers, len(busy))
    memory_mb = WRITER_MEMORY_MB // processes  # the writers at work share the budget
    with context.Pool(processes, _remember_counter, (counter,)) as pool:
        pending = [
            pool.apply_async(
                _apply_in_worker, (index_path, generation, shard, part, recs, memory_mb)
            )
            for (shard, part), recs in zip(busy, records, strict=True)
        ]
        while not all(result.ready() for result in pending):
            pending[0].wait(0.2)
            done = counter.value
            advance(done - shown)
            shown = done
        return [result.get() for result in pending]


def merge(reports: Iterable[SyncReport]) -> SyncReport:
    """One report for several shards, each list in path order."""
    reports = list(reports)

    def joined(name: str) -> tuple[Any, ...]:
        return tuple(sorted(item for r in reports for item in getattr(r, name)))

    return SyncReport(
        added=joined("added"),
        updated=joined("updated"),
        removed=joined("removed"),
        unchanged=joined("unchanged"),
        skipped=joined("skipped"),
    )
