"""A real OpenSearch cluster on 127.0.0.1 for the tests, from Maven Central's jars.

Each node is a JVM running ``indexer.testing.EmbeddedNode`` (``src/main/java``): an
``org.opensearch.node.Node`` given the Netty transport and the common analysis plugins
as classes, because ``org.opensearch.bootstrap.OpenSearch`` refuses to run as root,
checks the class path for duplicate jars and wants module folders the jars do not have.
Maven resolves the class path from ``pom.xml``; javac compiles the one class.

    with Cluster(nodes=2) as cluster:     # started and green on entry, stopped on exit
        cluster.url                       # "http://127.0.0.1:PORT,127.0.0.1:PORT"
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLASSPATH = HERE / "classpath.txt"
CLASSES = HERE / "target" / "classes"
SOURCE = HERE / "src" / "main" / "java" / "indexer" / "testing" / "EmbeddedNode.java"
MAIN_CLASS = "indexer.testing.EmbeddedNode"
# A node stops when the process that started it dies, even by kill -9.
JVM_OPTIONS = ["-Dembedded.exitWithParent=true"]
# C1 only and the serial collector: about twice as fast from start to green on 2 cores,
# and slower once warm (benchmarks leave them out).
QUICK_START = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def missing_tools() -> list[str]:
    """The tools a cluster needs that this machine lacks."""
    return [tool for tool in ("java", "javac", "mvn") if not _tool(tool)]


def _tool(name: str) -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and name != "mvn" and (Path(home) / "bin" / name).exists():
        return str(Path(home) / "bin" / name)
    return shutil.which(name)


def build() -> None:
    """Resolve the class path and compile the launcher, unless they are up to date."""
    pom = HERE / "pom.xml"
    if not CLASSPATH.exists() or CLASSPATH.stat().st_mtime < pom.stat().st_mtime:
        subprocess.run(
            [_tool("mvn") or "mvn", "-B", "-q", "-Dstyle.color=never",
             "dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH}"],
            cwd=HERE, check=True, timeout=600,
        )  # fmt: skip
        CLASSPATH.touch()  # Maven leaves an unchanged file as it was
    compiled = CLASSES / "indexer" / "testing" / "EmbeddedNode.class"
    newest = max(SOURCE.stat().st_mtime, CLASSPATH.stat().st_mtime)
    if not compiled.exists() or compiled.stat().st_mtime < newest:
        CLASSES.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [_tool("javac") or "javac", "--release", "17", "-d", str(CLASSES),
             "-cp", CLASSPATH.read_text().strip(), str(SOURCE)],
            check=True, timeout=300,
        )  # fmt: skip


def free_ports(count: int) -> list[int]:
    """Distinct free ports on 127.0.0.1 (all held open at once, so none repeats)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def get_json(url: str, timeout: float = 10.0) -> tuple[int, Any]:
    """GET a URL; the status and the JSON body (an error status keeps its body)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body or b"{}")
        except ValueError:
            return exc.code, {"raw": body.decode(errors="replace")}


class Node:
    """One node: its ports, its folders and its JVM."""

    def __init__(self, name: str, http_port: int, transport_port: int, base: Path) -> None:
        self.name = name
        self.http_port = http_port
        self.transport_port = transport_port
        self.folder = base / name
        self.log = self.folder / "node.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.http_port}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Cluster:
    """Nodes of one cluster on 127.0.0.1, with free ports, ``-Xmx512m`` each."""

    def __init__(self, nodes: int = 2, heap: str = "512m", quick_start: bool = True) -> None:
        self.heap = heap
        self.options = [*JVM_OPTIONS, *(QUICK_START if quick_start else ())]
        self.base = Path(tempfile.mkdtemp(prefix="indexer-opensearch-"))
        ports = free_ports(2 * nodes)
        self.nodes = [
            Node(f"node-{i}", ports[2 * i], ports[2 * i + 1], self.base) for i in range(nodes)
        ]

    @property
    def url(self) -> str:
        """Every node, as an index address takes them (add ``/name``)."""
        return "http://" + ",".join(node.address for node in self.nodes)

    def settings(self, node: Node) -> dict[str, str]:
        return {
            "cluster.name": "indexer-test",
            "node.name": node.name,
            "path.home": str(node.folder / "home"),
            "path.data": str(node.folder / "data"),
            "network.host": "127.0.0.1",
            "http.port": str(node.http_port),
            "transport.port": str(node.transport_port),
            "discovery.seed_hosts": ",".join(f"127.0.0.1:{n.transport_port}" for n in self.nodes),
            "cluster.initial_cluster_manager_nodes": ",".join(n.name for n in self.nodes),
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }

    def start_node(self, node: Node) -> None:
        (node.folder / "home").mkdir(parents=True, exist_ok=True)
        (node.folder / "data").mkdir(parents=True, exist_ok=True)
        classpath = f"{CLASSES}{os.pathsep}{CLASSPATH.read_text().strip()}"
        command = [
            _tool("java") or "java", f"-Xms{self.heap}", f"-Xmx{self.heap}", *self.options,
            "-cp", classpath, MAIN_CLASS,
            *(f"{key}={value}" for key, value in self.settings(node).items()),
        ]  # fmt: skip
        with open(node.log, "ab") as log:
            node.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=node.folder,
                start_new_session=True,
            )

    def start(self) -> None:
        build()
        for node in self.nodes:
            self.start_node(node)

    def kill(self, node: Node) -> None:
        """``kill -9``, as a crash."""
        if node.process is not None and node.alive():
            node.process.kill()
            node.process.wait()

    def manager(self) -> Node:
        """The elected cluster manager."""
        for node in self.nodes:
            if node.alive():
                _, found = get_json(f"http://{node.address}/_cat/cluster_manager?format=json")
                name = found[0]["node"]
                return next(n for n in self.nodes if n.name == name)
        raise RuntimeError("no node is running")

    def wait(self, status: str = "green", nodes: int | None = None, timeout: float = 180.0) -> None:
        """Until the cluster is of ``status`` with ``nodes`` nodes; else an error with
        every node's log."""
        nodes = len(self.nodes) if nodes is None else nodes
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            if len([n for n in self.nodes if n.alive()]) < nodes:
                raise RuntimeError(self.report("a node stopped"))
            for node in self.nodes:
                if not node.alive():
                    continue
                query = f"wait_for_status={status}&wait_for_nodes={nodes}&timeout=2s"
                try:
                    code, last = get_json(f"http://{node.address}/_cluster/health?{query}")
                except (OSError, ValueError) as exc:  # not listening yet
                    last = repr(exc)
                    continue
                if code == 200 and last.get("status") == status:
                    return
                break
            time.sleep(0.25)
        raise RuntimeError(
            self.report(f"not {status} with {nodes} nodes in {timeout:.0f} s: {last}")
        )

    def report(self, message: str) -> str:
        """``message`` and the end of every node's log."""
        logs = "\n".join(f"--- {n.name} ({n.log}) ---\n{n.log_tail()}" for n in self.nodes)
        return f"{message}\n{logs}"

    def stop(self) -> None:
        """Stop every JVM (SIGTERM, then SIGKILL) and delete the folders."""
        for node in self.nodes:
            if node.process is not None and node.alive():
                node.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for node in self.nodes:
            if node.process is None:
                continue
            try:
                node.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Cluster:
        self.start()
        try:
            self.wait("green")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
