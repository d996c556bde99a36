"""``openai``: any OpenAI-compatible chat completions server (vLLM, Ollama, llama.cpp,
OpenAI) through the official client. Model, base URL and key come from arguments or the
environment (``TASKKIT_MODEL``, ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``).

Concurrent requests (``act_async``) go through :mod:`.lean_http` by default, a keep-alive
aiohttp pool with the SDK's retries, timeouts and errors at a fraction of its CPU a request;
``http="sdk"`` (or ``TASKKIT_OPENAI_HTTP=sdk``) sends them through the SDK's async client."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any, Literal

from ..sim.formats import Response
from .base import AgentOptions, AgentView
from .errors import EpisodeFailed, ServerUnavailable
from .lean_http import ConnectionFailed, LeanClient, RequestTimeout, StatusError

__all__ = [
    "HTTP_PATHS",
    "OpenAIAgent",
    "client_options",
    "completion_text",
    "create",
    "only_model",
    "server_failure",
    "server_models",
]

HttpPath = Literal["lean", "sdk"]
HTTP_PATHS: tuple[HttpPath, ...] = ("lean", "sdk")
"""How ``act_async`` sends its requests: :class:`.lean_http.LeanClient` or the SDK's."""


def create(options: AgentOptions) -> OpenAIAgent:
    """The agent for ``options``. It needs a model: ``options.model``, ``TASKKIT_MODEL``, or
    the only one the server lists (said through ``options.note``)."""
    model = options.model or os.environ.get("TASKKIT_MODEL") or _only_model(options)
    kwargs: dict[str, Any] = {
        "model": model,
        "base_url": options.base_url,
        "max_retries": options.max_retries,
    }
    if options.timeout is not None:
        kwargs["timeout"] = options.timeout
    return OpenAIAgent(**kwargs)


def _only_model(options: AgentOptions) -> str:
    return only_model(
        options.base_url,
        None,
        timeout=min(options.timeout or 10.0, 10.0),
        what="model",
        required="--model is required for --agent openai (or TASKKIT_MODEL)",
        note=options.note,
    )


def only_model(
    base_url: str | None,
    api_key: str | None,
    *,
    timeout: float,
    what: str,
    required: str,
    note: Callable[[str], None] | None = None,
) -> str:
    """The one model the server lists (``note`` says so, naming it ``what``); else
    ``ValueError`` saying ``required`` and what the server lists."""
    models = server_models(base_url, api_key, timeout=timeout)
    if len(models) == 1:
        if note is not None:
            note(f"{what}: {models[0]} (the only one the server lists)")
        return models[0]
    listed = ", ".join(models[:10]) + (", ..." if len(models) > 10 else "") if models else "none"
    raise ValueError(f"{required}; the server lists {len(models)} models: {listed}")


class OpenAIAgent:
    name = "openai"

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 4,
        max_tokens: int | None = None,
        http: HttpPath | None = None,
    ) -> None:
        try:
            import openai  # noqa: PLC0415 - optional extra
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "the openai agent needs the openai extra: pip install 'taskkit-llm[openai]'"
            ) from exc
        self.model = model or os.environ.get("TASKKIT_MODEL") or "default"
        self.max_tokens = max_tokens
        self.timeout, self.max_retries = timeout, max_retries
        options = client_options(base_url, api_key, timeout, max_retries)
        self.client = openai.OpenAI(**options)
        self.base_url = str(self.client.base_url).rstrip("/")
        self._async_options = options
        chosen = http or os.environ.get("TASKKIT_OPENAI_HTTP") or "lean"
        if chosen not in HTTP_PATHS:
            raise ValueError(f"TASKKIT_OPENAI_HTTP must be one of {', '.join(HTTP_PATHS)}")
        self.http: HttpPath = chosen  # checked just above
        self._async_client: Any = None
        self._in_flight: int | None = None
        self._retired: list[Any] = []

    def limit_in_flight(self, n: int) -> None:
        """Keep at most ``n`` requests on the wire: the connection pool's limit.

        Bounding the HTTP connections rather than the SDK calls leaves the client's own
        work (building the request, parsing the reply) outside the limit, so all ``n``
        slots are spent waiting for the server, and requests queued for a connection are
        ready to go the moment one frees up.
        """
        if n == self._in_flight:
            return
        self._in_flight = n
        if self._async_client is not None:  # closed by aclose(); the next request makes
            self._retired.append(self._async_client)  # a pool of the new size
            self._async_client = None

    def request(self, view: AgentView) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": view.input.messages,
            "temperature": view.temperature,
        }
        if view.input.tools:
            kwargs["tools"] = view.input.tools
        if self.max_tokens:
            kwargs["max_tokens"] = self.max_tokens
        return kwargs

    # The request goes through the client's low-level ``post``: same retries, backoff and
    # timeouts, but without the SDK's recursive re-typing of every message and tool schema,
    # which costs ~5 ms a request and starves concurrency (our payload is plain JSON already).
    # ``cast_to=object`` likewise takes the reply as the JSON the server sent, not as a tree
    # of SDK models built only to be read back into dicts.

    def act(self, view: AgentView) -> Response:
        try:
            completion = self.client.post(
                "/chat/completions", body=self.request(view), cast_to=object
            )
        except Exception as exc:
            raise self._failure(exc) from None
        return self._response(completion, native=bool(view.input.tools))

    def _response(self, completion: Any, *, native: bool) -> Response:
        if not _is_completion(completion):
            raise EpisodeFailed(
                "server",
                f"model server {self.base_url}: the reply is not a chat completion "
                f"({_excerpt(completion)})",
            )
        return completion_to_response(completion, native=native)

    def _failure(self, exc: Exception) -> Exception:
        return server_failure(exc, self.base_url, self.model, self.timeout, self.max_retries)

    def close(self) -> None:
        """Close the HTTP connection pools (the agent can still be used afterwards)."""
        self.client.close()

    async def aclose(self) -> None:
        clients = [*self._retired, self._async_client]
        self._retired, self._async_client = [], None  # a client belongs to its event loop
        for client in clients:
            if client is not None:
                await client.close()

    async def act_async(self, view: AgentView) -> Response:
        """The same request without blocking: many episodes share one connection pool."""
        if self._async_client is None:
            self._async_client = self._new_async_client()
        try:
            if self.http == "lean":
                completion = await self._async_client.post("/chat/completions", self.request(view))
            else:
                completion = await self._async_client.post(
                    "/chat/completions", body=self.request(view), cast_to=object
                )
        except Exception as exc:
            raise self._failure(exc) from None
        return self._response(completion, native=bool(view.input.tools))

    def _new_async_client(self) -> Any:
        if self.http == "sdk":
            return _async_client(self._async_options, self._in_flight)
        return LeanClient(
            self.base_url,
            self._async_options["api_key"],
            timeout=self.timeout,
            max_retries=self.max_retries,
            in_flight=self._in_flight,
        )


def client_options(
    base_url: str | None, api_key: str | None, timeout: float, max_retries: int
) -> dict[str, Any]:
    """The SDK client's options: the arguments, else ``OPENAI_BASE_URL`` and
    ``OPENAI_API_KEY`` (a local server needs no key: ``EMPTY``). Shared by everything that
    talks to a model server (the agent, the model-backed user)."""
    return {
        "base_url": base_url or os.environ.get("OPENAI_BASE_URL"),
        "api_key": api_key or os.environ.get("OPENAI_API_KEY") or "EMPTY",
        "timeout": timeout,
        "max_retries": max_retries,  # the SDK backs off on 429, 5xx and timeouts
    }


def server_models(
    base_url: str | None, api_key: str | None = None, timeout: float = 10.0
) -> list[str]:
    """The model ids a server lists at ``/models`` (to pick the one it serves)."""
    import openai  # noqa: PLC0415 - optional extra

    client = openai.OpenAI(**client_options(base_url, api_key, timeout, 2))
    url = str(client.base_url).rstrip("/")
    try:
        listing = client.get("/models", cast_to=object)
    except Exception as exc:
        failure = server_failure(exc, url, None, timeout, 2)
        if isinstance(failure, ServerUnavailable):
            raise failure from None
        raise ServerUnavailable(url, f"cannot list models ({failure})") from None
    finally:
        client.close()
    data = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(data, list):
        raise ServerUnavailable(url, f"/models is not a model list ({_excerpt(listing)})")
    return [str(m["id"]) for m in data if isinstance(m, dict) and "id" in m]


def server_failure(
    exc: Exception, url: str, model: str | None, timeout: float, retries: int
) -> Exception:
    """What a failed request means for the run: :class:`ServerUnavailable` when no request
    can succeed (the run stops), else :class:`EpisodeFailed` for this episode alone. The
    SDK has already retried, with backoff, what retrying can help (429, 5xx, timeouts,
    dropped connections)."""
    import openai  # noqa: PLC0415 - optional extra

    causes = _causes(exc)
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return ServerUnavailable(url, "connection refused (is the server running?)")
    if any(isinstance(c, socket.gaierror) for c in causes):
        return ServerUnavailable(url, "host not found (DNS lookup failed)")
    after = f" after {retries} retries" if retries else ""
    broke = f"model server {url}: the connection broke before a full reply{after}"
    if any(type(c).__name__ in _BROKEN_CONNECTION for c in causes):
        # (aiohttp reports a dropped connection as a timeout, so this comes first)
        return EpisodeFailed("server", broke)
    if isinstance(exc, (openai.APIStatusError, StatusError)):
        message = _server_message(exc)
        status = exc.status_code
        if status in (401, 403):
            return ServerUnavailable(url, f"{status} {message} (check OPENAI_API_KEY)")
        if status == 404:
            hint = f"unknown model {model!r} or wrong base URL" if model else "wrong base URL"
            return ServerUnavailable(url, f"404 {message} ({hint})")
        if status == 429:
            return EpisodeFailed("server", f"model server {url}: 429 rate limited{after}")
        return EpisodeFailed("server", f"model server {url}: {status} {message}{after}")
    if isinstance(exc, (openai.APITimeoutError, RequestTimeout)):
        return EpisodeFailed("server", f"model server {url}: no reply within {timeout:g} s{after}")
    if isinstance(exc, (openai.APIConnectionError, ConnectionFailed)):
        return EpisodeFailed("server", broke)
    if isinstance(exc, ValueError):  # the body is not JSON (the SDK's json() raised)
        return EpisodeFailed("server", f"model server {url}: the reply is not JSON ({exc})")
    return EpisodeFailed("server", f"model server {url}: {type(exc).__name__}: {exc}")


_BROKEN_CONNECTION = frozenset(
    {
        "ServerDisconnectedError",  # aiohttp
        "ClientPayloadError",
        "ContentLengthError",
        "RemoteProtocolError",  # httpx, httpcore, h11
        "ReadError",
    }
)
"""Exception class names, in any HTTP stack the SDK may use, of a connection that ended
before the reply did."""


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _server_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return str(message)[:200]
    return str(getattr(exc, "message", "") or exc)[:200]


def completion_text(completion: Any, url: str) -> str:
    """The text of a chat completion's first choice (``""`` when it has none); a reply that
    is not a chat completion is this episode's server failure."""
    if not _is_completion(completion):
        raise EpisodeFailed(
            "server",
            f"model server {url}: the reply is not a chat completion ({_excerpt(completion)})",
        )
    choices = completion["choices"]
    message = (choices[0].get("message") if choices else None) or {}
    content = message.get("content")
    return content if isinstance(content, str) else ""


def _is_completion(completion: Any) -> bool:
    if not isinstance(completion, dict):
        return False
    choices = completion.get("choices")
    if not isinstance(choices, list):
        return False
    if not choices:
        return True  # no choices is an empty answer, for the verifier to judge
    first = choices[0]
    return isinstance(first, dict) and isinstance(first.get("message") or {}, dict)


def _excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:80] + ("..." if len(text) > 80 else "")


def _async_client(options: dict[str, Any], in_flight: int | None) -> Any:
    """The SDK's async client, on its aiohttp transport when the ``aiohttp`` extra is there,
    with at most ``in_flight`` connections (requests on the wire) when that is given.

    With many requests in flight the client's own CPU is the limit, and httpx's connection
    pool costs the most of it (it re-checks every pooled connection on each request);
    the SDK's aiohttp transport needs about a third less CPU a request.
    """
    import openai  # noqa: PLC0415 - optional extra

    pool: dict[str, Any] = {}
    if in_flight is not None:
        pool["limits"] = openai.DEFAULT_CONNECTION_LIMITS.__class__(
            max_connections=in_flight, max_keepalive_connections=in_flight
        )
    if "http_client" not in options:
        aio = getattr(openai, "DefaultAioHttpClient", None)
        try:
            client = aio(**pool) if aio is not None else None
        except RuntimeError:  # the SDK's way of saying aiohttp is not installed
            client = None
        if client is None and pool:
            client = openai.DefaultAsyncHttpxClient(**pool)
        if client is not None:
            options = {**options, "http_client": client}
    return openai.AsyncOpenAI(**options)


def completion_to_response(completion: Any, *, native: bool) -> Response:
    """A chat completion (the server's JSON) -> our response shape (a dict for native
    tool calls). A reply without choices is an empty answer, for the verifier to judge;
    malformed calls are passed on as they came, for the format to judge."""
    choices = completion.get("choices") if isinstance(completion, dict) else None
    message = (choices[0].get("message") if choices else None) or {}
    content = message.get("content")
    if not native:
        return content or ""
    calls = message.get("tool_calls") or []
    if not isinstance(calls, list):
        return {"role": "assistant", "content": content, "tool_calls": calls}
    return {
        "role": "assistant",
        "content": content,
        "tool_calls": [_call_of(c) if isinstance(c, dict) else c for c in calls],
    }


def _call_of(call: dict[str, Any]) -> dict[str, Any]:
    function = call.get("function")
    function = function if isinstance(function, dict) else {}
    return {
        "id": call.get("id"),
        "type": "function",
        "function": {"name": function.get("name"), "arguments": function.get("arguments")},
    }
