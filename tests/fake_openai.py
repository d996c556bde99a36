"""A loopback OpenAI-compatible chat completions server for tests: canned or computed
replies, optional latency, injected 429s, and every way a real server fails (set
``failure`` to one of :data:`FAILURES`; ``None`` heals it). Bound to 127.0.0.1 only."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], dict[str, Any]]

FAILURES = (
    "401",  # a bad key
    "404",  # an unknown model
    "500",
    "503",
    "429",
    "slow",  # answers after ``slow_for`` seconds (beyond the client's timeout)
    "non_json",  # 200 with a body that is not JSON
    "truncated",  # 200 with half the promised body, then the connection closes
    "close",  # closes the connection without a reply
    "not_a_completion",  # 200 with JSON that is not a chat completion
)


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # the default backlog of 5 drops connections under load
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a slow reply is what some tests are about


class FakeOpenAI:
    def __init__(
        self,
        reply: Reply,
        *,
        latency: float = 0.0,
        fail_every: int = 0,
        models: tuple[str, ...] = ("m",),
    ) -> None:
        self.reply, self.latency, self.fail_every = reply, latency, fail_every
        self.models = models
        self.failure: str | None = None
        self.fail_after = 0  # requests answered well before ``failure`` applies
        self.slow_for = 5.0
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests the server ever held at once
        self.busy = 0.0  # integral of requests in flight over time, in request-seconds
        self._last = time.perf_counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
            disable_nagle_algorithm = True  # else Nagle + delayed ACKs add ~40 ms a reply

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # /stats: how busy the server was kept
                if self.path.rstrip("/").endswith("/models"):
                    if server.failure in ("401", "500", "503", "close"):
                        self._fail(server.failure)
                        return
                    data = [{"id": m, "object": "model"} for m in server.models]
                    self._send(200, {"object": "list", "data": data})
                    return
                self._send(
                    200,
                    {
                        "busy": server.busy,
                        "requests": len(server.requests),
                        "max_in_flight": server.max_in_flight,
                    },
                )

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.requests.append(body)
                    n = len(server.requests)
                server._account(+1)
                try:
                    self._answer(body, n)
                finally:
                    server._account(-1)

            def _fail(self, failure: str) -> None:
                if failure.isdigit():
                    status = int(failure)
                    message = {401: "invalid api key", 404: "model not found"}.get(status, "down")
                    headers = {"retry-after-ms": "10"} if status in (429, 500, 503) else {}
                    self._send(status, {"error": {"message": message}}, headers)
                elif failure == "slow":
                    time.sleep(server.slow_for)
                    self._send(200, {"choices": []})
                elif failure == "non_json":
                    self._raw(b"<html>bad gateway</html>")
                elif failure == "truncated":
                    self._raw(b'{"choices": [{"message": {"content"', length=200)
                    self.close_connection = True
                elif failure == "close":
                    self.close_connection = True
                elif failure == "not_a_completion":
                    self._send(200, {"choices": "none"})

            def _raw(self, data: bytes, length: int | None = None) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(length or len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _answer(self, body: dict[str, Any], n: int) -> None:
                if server.latency:
                    time.sleep(server.latency)
                if server.failure is not None and n > server.fail_after:
                    self._fail(server.failure)
                    return
                if server.fail_every and n % server.fail_every == 0:
                    self._send(
                        429,
                        {"error": {"message": "rate limited", "type": "rate_limit"}},
                        {"retry-after-ms": "10"},
                    )
                    return
                message = server.reply(body)
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{n}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", **message},
                                "finish_reason": "tool_calls"
                                if message.get("tool_calls")
                                else "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

            def _send(
                self, status: int, doc: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _account(self, delta: int) -> None:
        with self._lock:
            now = time.perf_counter()
            self.busy += self.in_flight * (now - self._last)
            self._last = now
            self.in_flight += delta
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def tool_call(name: str, arguments: str, call_id: str = "call_1") -> dict[str, Any]:
    return {
        "content": None,
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
        ],
    }
