"""Searches served by processes of their own, taking turns query by query.

Latencies measured one system after another on a shared machine move with its load
more than with the code; measured in turns, query by query, the load slows every system
alike. Each system searches in a process of its own: two indexes in one process share
its memory and collector, and the one opened first measured 3–4% slower than an
identical second one.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: A search: the query, and what it found, best first, as plain data to compare.
Search = Callable[[str], list[Any]]


def serve(search: Search) -> None:
    """Answer the queries read from stdin, one JSON string a line, with a JSON line each:
    what ``search`` found, and its CPU and wall seconds."""
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        query = json.loads(line)
        start, start_cpu = time.perf_counter(), time.process_time()
        found = search(query)
        cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start
        print(json.dumps({"found": found, "cpu": cpu, "wall": wall}), flush=True)


class Server:
    """A process that runs :func:`serve`, started by ``command``."""

    def __init__(self, command: Sequence[str]) -> None:
        self.process = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self._answer()  # ready

    def ask(self, query: str) -> dict[str, Any]:
        assert self.process.stdin
        self.process.stdin.write(json.dumps(query) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"a search process failed (status {self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


@dataclass
class Timings:
    """One system's times, per query in the order searched, and what it found."""

    cpu: dict[str, list[float]] = field(default_factory=dict)
    wall: dict[str, list[float]] = field(default_factory=dict)
    found: dict[str, list[Any]] = field(default_factory=dict)

    def figures(self) -> dict[str, float]:
        """p50 and p95 of the wall and CPU times of every search."""
        wall = [t for times in self.wall.values() for t in times]
        cpu = [t for times in self.cpu.values() for t in times]
        return {
            "p50": statistics.median(wall),
            "p95": p95(wall),
            "cpu_p50": statistics.median(cpu),
            "cpu_p95": p95(cpu),
        }


def p95(values: Sequence[float]) -> float:
    """The 95th percentile: the value 95% of the way from the least to the most."""
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def timed(
    commands: dict[str, list[str]], queries: Sequence[str], rounds: int
) -> dict[str, Timings]:
    """:func:`take_turns` of a server started for each command, every started one closed
    after, also when another fails to start."""
    with contextlib.ExitStack() as stack:
        servers = {}
        for name, command in commands.items():
            servers[name] = Server(command)
            stack.callback(servers[name].close)
        return take_turns(servers, queries, rounds)


def take_turns(
    servers: dict[str, Server], queries: Sequence[str], rounds: int
) -> dict[str, Timings]:
    """Each query searched once by every server to warm up, then ``rounds`` times by
    each in turn, who goes first rotating from query to query and round to round."""
    for query in queries:
        for server in servers.values():
            server.ask(query)
    names = list(servers)
    timings = {name: Timings() for name in names}
    for lap in range(rounds):
        for i, query in enumerate(queries):
            turn = (i + lap) % len(names)
            for name in names[turn:] + names[:turn]:
                answer = servers[name].ask(query)
                timings[name].cpu.setdefault(query, []).append(answer["cpu"])
                timings[name].wall.setdefault(query, []).append(answer["wall"])
                timings[name].found[query] = answer["found"]
    return timings
