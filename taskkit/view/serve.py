"""``taskkit view --serve``: the viewer on 127.0.0.1, rebuilt when the inputs change.

The page polls ``/version`` (the inputs' mtimes and sizes) every second and reloads when it
changes, so a run in progress shows its episodes as they are written. Unusable input (a run
that has written nothing yet) is served as a page that says so and keeps polling.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .reader import source_version

__all__ = ["make_server"]


class _Page:
    """The HTML for the inputs' current version, rebuilt at most once per version."""

    def __init__(self, paths: list[str], build: Callable[[str], str]) -> None:
        self.paths, self.build = paths, build
        self.lock = threading.Lock()
        self.version: str | None = None
        self.html = b""

    def current(self) -> tuple[str, bytes]:
        with self.lock:
            version = source_version(self.paths)
            if version != self.version:
                self.html = self.build(version).encode("utf-8")
                self.version = version
            return version, self.html


def make_server(
    paths: list[str], build: Callable[[str], str], *, port: int = 0
) -> ThreadingHTTPServer:
    """A server (not yet serving) for ``paths``; ``build(version)`` returns the page's HTML
    and must not raise on bad input (see :func:`taskkit.view.writer.error_page`)."""
    page = _Page(paths, build)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = self.path.split("?", 1)[0]
            if route in ("/", "/index.html"):
                _, body = page.current()
                self._send(200, "text/html; charset=utf-8", body)
            elif route == "/version":
                body = json.dumps({"version": source_version(paths)}).encode()
                self._send(200, "application/json", body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per poll would drown the terminal

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)
