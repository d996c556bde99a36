"""``openai``: any OpenAI-compatible chat completions server (vLLM, Ollama, llama.cpp,
OpenAI) through the official client. Model, base URL and key come from arguments or the
environment (``TASKKIT_MODEL``, ``OPENAI_BASE_URL``, ``OPENAI_API_KEY``)."""

from __future__ import annotations

import os
from typing import Any

from ..sim.formats import Response
from .base import AgentView

__all__ = ["OpenAIAgent"]


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
    ) -> None:
        try:
            import openai  # noqa: PLC0415 - optional extra
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "the openai agent needs the openai extra: pip install 'taskkit-llm[openai]'"
            ) from exc
        self.model = model or os.environ.get("TASKKIT_MODEL") or "default"
        self.max_tokens = max_tokens
        options: dict[str, Any] = {
            "base_url": base_url or os.environ.get("OPENAI_BASE_URL"),
            "api_key": api_key or os.environ.get("OPENAI_API_KEY") or "EMPTY",
            "timeout": timeout,
            "max_retries": max_retries,  # the SDK backs off on 429, 5xx and timeouts
        }
        self.client = openai.OpenAI(**options)
        self._async_options = options
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
        completion = self.client.post("/chat/completions", body=self.request(view), cast_to=object)
        return completion_to_response(completion, native=bool(view.input.tools))

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
            self._async_client = _async_client(self._async_options, self._in_flight)
        completion = await self._async_client.post(
            "/chat/completions", body=self.request(view), cast_to=object
        )
        return completion_to_response(completion, native=bool(view.input.tools))


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
    tool calls). A reply without choices is an empty answer, for the verifier to judge."""
    choices = completion.get("choices") if isinstance(completion, dict) else None
    message = (choices[0].get("message") if choices else None) or {}
    content = message.get("content")
    if not native:
        return content or ""
    return {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {
                "id": c.get("id"),
                "type": "function",
                "function": {
                    "name": (c.get("function") or {}).get("name"),
                    "arguments": (c.get("function") or {}).get("arguments"),
                },
            }
            for c in message.get("tool_calls") or []
        ],
    }
