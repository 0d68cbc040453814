"""A local web server over a live index: Werkzeug's threaded server (Flask's own)."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading
from collections.abc import Sequence

from ..errors import SourceNotFoundError
from .app import create_app
from .live import LiveIndex

#: Where the server listens unless told otherwise: this computer only.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this computer only.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class WebServer:
    """The pages of :mod:`indexer.web.app` served over HTTP on ``host``:``port``
    (port 0: any free one); requests are answered in threads of their own.

    :raises OSError: the address cannot be listened on (a port in use, say).
    """

    def __init__(self, live: LiveIndex, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT):
        from werkzeug.serving import make_server

        self.live = live
        app = create_app(live, loopback=is_loopback(host))
        address = host.strip("[]")
        # Bound here rather than by Werkzeug, which exits the process when it cannot.
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        listener = socket.create_server((address, port), family=family)
        try:
            port = listener.getsockname()[1]
            self._server = make_server(address, port, app, threaded=True, fd=listener.fileno())
        finally:
            listener.close()  # Werkzeug listens on a duplicate of it
        self.host, self.port = host, port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The address of the search page."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (or Ctrl-C)."""
        self._server.serve_forever()

    def start(self) -> None:
        """Answer requests in a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="web", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop answering and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


def serve(
    paths: Sequence[str],
    *,
    index: str | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    workers: int | None = None,
) -> None:
    """Serve a page to search ``paths`` and read their documents, until Ctrl-C.

    The index (``index``, by default the one :func:`indexer.cache.reuse` names, as for
    the command line) is brought up to date in the background while the page already
    answers from it.
    The address is printed; ``open_browser`` opens it in the user's browser.

    :raises SourceNotFoundError: a path does not exist.
    :raises IndexLocationError: the index location cannot be used.
    :raises OSError: the address cannot be listened on.
    """
    from ..cache import reuse

    for path in paths:
        if not os.path.exists(path):
            raise SourceNotFoundError(f"no file or folder «{path}»")
    live = LiveIndex(index or reuse(paths), paths, workers=workers)
    # A line per request is noise on a user's terminal; errors are still logged.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        server = WebServer(live, host, port)
        try:
            live.update()
            print(f"Serving {server.url} (Ctrl-C stops)", flush=True)
            if not is_loopback(host):
                print(f"Anyone who can reach {host} can search the index.", flush=True)
            if open_browser:
                import webbrowser

                webbrowser.open(server.url)
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
    finally:
        live.close()
