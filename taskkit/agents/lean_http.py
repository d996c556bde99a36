"""The ``openai`` agent's lean request path: chat completions posted over one pooled
aiohttp keep-alive session, the body encoded and the reply decoded with orjson.

Why: with many requests in flight the client's CPU is the limit, and the SDK spends most of
a request's (copying its options, building and re-parsing an httpx request and response
around aiohttp's, validating headers) on work our plain-JSON requests do not need. This
path keeps the SDK's semantics, which :func:`~taskkit.agents.openai_agent.server_failure`
and the run's exit codes rely on:

- retried, as the SDK does: timeouts, dropped or refused connections, and the statuses 408,
  409, 429 and 5xx (unless ``x-should-retry: false``, or a ``Retry-After`` beyond two
  minutes); ``max_retries`` retries at most;
- waited between tries: the server's ``retry-after-ms`` / ``Retry-After`` (up to two
  minutes), else 0.5 s doubling per retry up to 8 s, less up to a quarter of jitter;
- timed out as the SDK's aiohttp transport does: ``timeout`` seconds to get a pooled
  connection, to connect, and between any two reads of the reply;
- failed with :class:`StatusError` (``status``, ``body``, ``message`` as the SDK's
  ``APIStatusError``), :class:`RequestTimeout` or :class:`ConnectionFailed`, chained to
  the cause; a 2xx body that claims JSON and is not raises :class:`ValueError`; one that
  does not claim JSON is returned as text.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import random
import time
from typing import Any

import orjson

__all__ = ["ConnectionFailed", "LeanClient", "RequestTimeout", "StatusError"]

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 120.0
"""The SDK's backoff: these are its constants (``openai._constants``)."""


class StatusError(Exception):
    """The server answered with a 4xx or 5xx status (after the retries that apply)."""

    def __init__(self, status: int, body: object, message: str) -> None:
        super().__init__(message)
        self.status_code, self.body, self.message = status, body, message


class RequestTimeout(Exception):
    """No reply (or no next part of one) within the timeout, after the retries."""


class ConnectionFailed(Exception):
    """The connection could not be made or broke before a full reply, after the retries."""


class LeanClient:
    """POSTs JSON to ``base_url`` on at most ``in_flight`` keep-alive connections (any
    number when ``None``). A client belongs to the event loop it was first used in."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float,
        max_retries: int,
        in_flight: int | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout, self.max_retries, self.in_flight = timeout, max_retries, in_flight
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self._session: Any = None

    def _open(self) -> Any:
        import aiohttp  # noqa: PLC0415 - the openai extra's transport

        connector = aiohttp.TCPConnector(limit=self.in_flight or 0, limit_per_host=0)
        timeout = aiohttp.ClientTimeout(
            total=None, connect=self.timeout, sock_connect=self.timeout, sock_read=self.timeout
        )
        return aiohttp.ClientSession(
            connector=connector, timeout=timeout, headers=self._headers, auto_decompress=True
        )

    def is_closed(self) -> bool:
        return self._session is None or bool(self._session.closed)

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        """The reply to ``body`` posted at ``path``: its JSON, or its text when it does not
        claim to be JSON."""
        import aiohttp  # noqa: PLC0415

        if self._session is None:
            self._session = self._open()
        url, data = self.base_url + path, _encode(body)
        for retries_taken in range(self.max_retries + 1):
            last, headers = retries_taken == self.max_retries, None
            try:
                async with self._session.post(url, data=data) as reply:
                    status, headers = reply.status, reply.headers
                    content = await reply.read()
            except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
                if last:
                    raise RequestTimeout(f"no reply within {self.timeout:g} s") from exc
                headers = None  # the wait is the backoff's, whatever came before
            except (aiohttp.ClientError, OSError) as exc:
                if last:
                    raise ConnectionFailed(f"{type(exc).__name__}: {exc}") from exc
                headers = None
            else:
                if status < 400:
                    # This reply's connection is free, and a request that waits for one
                    # was woken after this coroutine: it goes out first, before this
                    # reply is decoded and its episode stepped, or the server's slot would
                    # stay empty for all the replies that came in with this one. Two
                    # turns of the loop: one for it to take the connection, one for
                    # aiohttp's task that writes it (a test holds this).
                    await asyncio.sleep(0)
                    await asyncio.sleep(0)
                    return _decode(content, headers)
                if last or not _should_retry(status, headers):
                    raise _status_error(status, content)
            await asyncio.sleep(_retry_delay(retries_taken, headers))
        raise AssertionError("unreachable: the last try returns or raises")


def _encode(body: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:  # an integer beyond 64 bits, say: what json allows
        return json.dumps(body).encode()


def _decode(content: bytes, headers: Any) -> Any:
    kind = headers.get("content-type", "*").split(";")[0]
    if not kind.endswith("json"):
        return content.decode("utf-8", errors="replace")
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:  # NaN, huge integers: what json reads and orjson not
        return json.loads(content)  # (raises ValueError: the reply is not JSON)


def _status_error(status: int, content: bytes) -> StatusError:
    """As the SDK builds its ``APIStatusError``: the body's ``error`` object when the body
    is JSON, else its text; the message names the code and the error's message."""
    text = content.decode("utf-8", errors="replace").strip()
    message = f"Error code: {status}"
    body: object = text
    try:
        body = json.loads(text)
    except ValueError:
        pass
    else:
        error = body.get("error", body) if isinstance(body, dict) else None
        said = error.get("message") if isinstance(error, dict) else None
        if isinstance(said, str) and said:
            message += f" - {said}"
    data = body.get("error", body) if isinstance(body, dict) else body
    return StatusError(status, data, message)


def _retry_after(headers: Any) -> float | None:
    """The server's wish, in seconds: ``retry-after-ms``, else ``Retry-After`` (seconds or
    an HTTP date)."""
    if headers is None:
        return None
    for header, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        value = headers.get(header)
        if value is None:
            continue
        try:
            delay = float(value)
        except ValueError:
            continue
        if delay == math.inf and value.strip().lower() not in ("inf", "+inf", "infinity"):
            return MAX_RETRY_AFTER + 1  # an overflowing number: too long, not malformed
        return delay / divisor
    try:
        date = email.utils.parsedate_tz(headers.get("retry-after"))
        return None if date is None else float(email.utils.mktime_tz(date) - time.time())
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _should_retry(status: int, headers: Any) -> bool:
    after = _retry_after(headers)
    if after is not None and math.isfinite(after) and after > MAX_RETRY_AFTER:
        return False
    said = headers.get("x-should-retry")
    if said in ("true", "false"):
        return bool(said == "true")
    return status in (408, 409, 429) or status >= 500


def _retry_delay(retries_taken: int, headers: Any) -> float:
    after = _retry_after(headers)
    if after is not None and math.isfinite(after) and 0 < after <= MAX_RETRY_AFTER:
        return after
    delay = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 1000), MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())
