"""Keeping an index in step with files on disk: scan → plan → apply.

A file's size and mtime are compared with what the index recorded; only a file whose
size or mtime changed is read and hashed, and only one whose content changed is
indexed again. The work is split into the parts of the engine's :class:`Batch`, each
written by its own writer, in worker processes when there is enough to read.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import ingest
from .engine import Batch, FileRecord, ParagraphWriter
from .errors import UnreadableFileError
from .paragraphs import ParagraphMode
from .results import SyncReport

if TYPE_CHECKING:
    from .progress import ProgressReport

#: Below this much text to read, worker processes cost more than they save.
PARALLEL_MIN_BYTES = 8_000_000


def fingerprint(data: bytes, paragraphs: ParagraphMode = "auto") -> str:
    """What is kept of a file to tell whether its paragraphs must change: the hash of
    its content and, unless it is the default, how its text was cut into paragraphs."""
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return digest if paragraphs == "auto" else f"{digest}/{paragraphs}"


def _cut_as(record: FileRecord) -> str:
    return (record.sha or "").partition("/")[2] or "auto"


@dataclass
class Plan:
    """What a sync has to do."""

    to_read: list[str] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: Paths that cannot be looked at (a broken symlink, a folder we may not enter).
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: How plain text files are cut into paragraphs.
    paragraphs: ParagraphMode = "auto"
    #: Where files to read are on disk, when that is not their name (see
    #: :func:`indexer.ingest.source_name`).
    located: dict[str, str] = field(default_factory=dict)

    @property
    def has_work(self) -> bool:
        """Whether anything must be written to the index."""
        return bool(self.to_read or self.to_remove or self.problems)

    def sources(self) -> set[str]:
        """The sources this plan writes."""
        return {*self.to_read, *self.to_remove, *(path for path, _ in self.problems)}


def plan(
    records: Mapping[str, FileRecord],
    walk: ingest.Walk,
    roots: Iterable[str],
    paragraphs: ParagraphMode = "auto",
) -> Plan:
    """Compare the files found on disk with the file records of the index; a file cut
    into paragraphs otherwise than ``paragraphs`` says is read again."""
    result = Plan(paragraphs=paragraphs)
    for path, stat in walk.files.items():
        if stat.path:
            result.located[path] = stat.path
        record = records.get(path)
        if (
            record
            and (record.size, record.mtime_ns) == (stat.size, stat.mtime_ns)
            and (record.problem or _cut_as(record) == paragraphs)
        ):
            result.unchanged.append(path)
        else:
            result.to_read.append(path)
    for path, reason in walk.problems:
        record = records.get(path)
        if record and record.problem == reason and record.size is None:
            result.unchanged.append(path)
        else:
            result.problems.append((path, reason))
    present = set(walk.files).union(path for path, _ in walk.problems)
    result.to_remove = ingest.sources_under([p for p in records if p not in present], roots)
    return result


def split(plan: Plan, batch: Batch) -> list[Plan]:
    """The plan cut into one plan per part of the batch."""
    parts = [Plan(paragraphs=plan.paragraphs, located=plan.located) for _ in range(batch.parts)]
    for path in plan.to_read:
        parts[batch.part_of(path)].to_read.append(path)
    for path in plan.to_remove:
        parts[batch.part_of(path)].to_remove.append(path)
    for path in plan.unchanged:
        parts[batch.part_of(path)].unchanged.append(path)
    for problem in plan.problems:
        parts[batch.part_of(problem[0])].problems.append(problem)
    return parts


def apply(
    plan: Plan,
    writer: ParagraphWriter,
    records: Mapping[str, FileRecord],
    progress: Callable[[int], None] | None = None,
) -> SyncReport:
    """Carry out a plan with an open writer (the caller commits or cancels)."""
    added: list[str] = []
    updated: list[str] = []
    unchanged = list(plan.unchanged)
    skipped = list(plan.problems)
    warnings: list[tuple[str, str]] = []
    for path, reason in plan.problems:
        writer.replace(path, (), FileRecord(None, None, None, reason))
    for path in plan.to_read:
        old = records.get(path)
        try:
            data, stat = ingest.read_file(plan.located.get(path, path))
        except (OSError, UnreadableFileError) as exc:
            reason = str(exc) if isinstance(exc, UnreadableFileError) else exc.strerror or str(exc)
            skipped.append((path, reason))
            writer.replace(path, (), FileRecord(None, None, None, reason))
            continue
        record = FileRecord(stat.st_size, stat.st_mtime_ns, fingerprint(data, plan.paragraphs))
        if old and old.sha == record.sha and not old.problem:
            # Touched but not changed: remember the new mtime, keep the paragraphs.
            writer.update_record(path, record)
            unchanged.append(path)
            continue
        try:
            document = ingest.read_document(path, data, paragraphs=plan.paragraphs)
        except UnreadableFileError as exc:
            skipped.append((path, str(exc)))
            problem = FileRecord(record.size, record.mtime_ns, record.sha, str(exc))
            writer.replace(path, (), problem)
            continue
        if document.warning:
            warnings.append((path, document.warning))
        writer.replace(path, document.paragraphs, record)
        (updated if old else added).append(path)
        if progress:
            progress(len(data))
    for path in plan.to_remove:
        writer.delete(path)
    return SyncReport(
        added=tuple(added),
        updated=tuple(updated),
        removed=tuple(plan.to_remove),
        unchanged=tuple(unchanged),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
    )


def run(
    batch: Batch,
    whole: Plan,
    records: Mapping[str, FileRecord],
    *,
    workers: int,
    sizes: dict[str, int],
    show_progress: bool | ProgressReport,
) -> SyncReport:
    """Carry out a plan part by part, committing each part; in parallel when it pays.

    Each part is written by one writer, in this process or in a worker process of its
    own; a part that is interrupted leaves file records that agree with what it holds
    or tell the next sync what to redo (see :meth:`ParagraphWriter.commit`).
    """
    from .progress import progress_bar

    parts = split(whole, batch)
    busy = [(number, part) for number, part in enumerate(parts) if part.has_work]
    total = sum(sizes.get(path, 0) for _, part in busy for path in part.to_read)
    own = [{p: r for p, r in records.items() if p in part.sources()} for _, part in busy]
    with progress_bar(total, show_progress) as advance:
        if workers > 1 and len(busy) > 1 and total >= PARALLEL_MIN_BYTES:
            reports = _run_in_processes(batch, busy, own, workers, advance)
        else:
            reports = [
                apply_part(batch, number, part, recs, advance)
                for (number, part), recs in zip(busy, own, strict=True)
            ]
    unchanged = [p for part in parts if not part.has_work for p in part.unchanged]
    return merge([*reports, SyncReport(unchanged=tuple(unchanged))])


def apply_part(
    batch: Batch,
    number: int,
    plan: Plan,
    records: Mapping[str, FileRecord],
    progress: Callable[[int], None] | None = None,
    concurrent: int = 1,
) -> SyncReport:
    """Apply one part's plan with its own writer, and commit (or cancel on failure)."""
    with _few_full_collections():
        writer = batch.writer(number, concurrent)
        try:
            report = apply(plan, writer, records, progress)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return report


#: How many collections of the middle generation a full collection waits for during a
#: write (Python's default is 10).
_FULL_COLLECTION_EVERY = 1000


@contextlib.contextmanager
def _few_full_collections() -> Iterator[None]:
    """Let the garbage collector walk all objects seldom while a part is written: a build
    keeps ever more of them (the analyzer's cached words, the writer's postings) and
    makes hardly any reference cycles, so each full collection walked them all for
    nothing (6% of a build's CPU on ``bench/build.py --limit 1500``)."""
    import gc

    global _writing, _thresholds
    # The threshold is the process's: writes that overlap in threads (two indexes synced
    # at once) raise it on the first and put it back on the last.
    with _writing_lock:
        if not _writing:
            _thresholds = gc.get_threshold()
            gc.set_threshold(*_thresholds[:2], max(_thresholds[2], _FULL_COLLECTION_EVERY))
        _writing += 1
    try:
        yield
    finally:
        with _writing_lock:
            _writing -= 1
            if not _writing:
                gc.set_threshold(*_thresholds)


_writing_lock = threading.Lock()
#: How many writes are under way, and the thresholds before the first.
_writing = 0
_thresholds: tuple[int, ...] = ()


_counter: Any = None


def _start_worker(counter: Any) -> None:
    import signal

    global _counter
    _counter = counter
    # Ctrl-C is the parent's to handle: it ends the workers (the pool terminates them),
    # which then die without a traceback of their own each. They were forked with it
    # held (:func:`_interrupts_held`); ignored, a held one is dropped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while the workers are forked: one that came in the middle
    interrupted a worker before it could ignore it, or the parent before the pool
    could end the workers already started (they then kept the output open)."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _count_bytes(n: int) -> None:
    with _counter.get_lock():
        _counter.value += n


def _apply_in_worker(
    batch: Batch, number: int, plan: Plan, records: dict[str, FileRecord], concurrent: int
) -> SyncReport:
    return apply_part(batch, number, plan, records, _count_bytes, concurrent)


def _run_in_processes(
    batch: Batch,
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
    with contextlib.ExitStack() as stack:
        with _interrupts_held():
            pool = stack.enter_context(context.Pool(processes, _start_worker, (counter,)))
        pending = [
            pool.apply_async(_apply_in_worker, (batch, number, part, recs, processes))
            for (number, part), recs in zip(busy, records, strict=True)
        ]
        while not all(result.ready() for result in pending):
            pending[0].wait(0.2)
            done = counter.value
            advance(done - shown)
            shown = done
        return [result.get() for result in pending]


def merge(reports: Iterable[SyncReport]) -> SyncReport:
    """One report for several parts, each list in path order."""
    reports = list(reports)

    def joined(name: str) -> tuple[Any, ...]:
        return tuple(sorted(item for r in reports for item in getattr(r, name)))

    return SyncReport(
        added=joined("added"),
        updated=joined("updated"),
        removed=joined("removed"),
        unchanged=joined("unchanged"),
        skipped=joined("skipped"),
        warnings=joined("warnings"),
    )
