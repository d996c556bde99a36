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
                "the openai agent needs the openai extra: pip install 'taskkit[openai]'"
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

    def act(self, view: AgentView) -> Response:
        from openai.types.chat import ChatCompletion  # noqa: PLC0415 - optional extra

        completion = self.client.post(
            "/chat/completions", body=self.request(view), cast_to=ChatCompletion
        )
        return message_to_response(completion.choices[0].message, native=bool(view.input.tools))

    def close(self) -> None:
        """Close the HTTP connection pools (the agent can still be used afterwards)."""
        self.client.close()

    async def aclose(self) -> None:
        if self._async_client is not None:
            await self._async_client.close()
            self._async_client = None  # a client belongs to the event loop that made it

    async def act_async(self, view: AgentView) -> Response:
        """The same request without blocking: many episodes share one connection pool."""
        if self._async_client is None:
            import openai  # noqa: PLC0415 - optional extra

            self._async_client = openai.AsyncOpenAI(**self._async_options)
        from openai.types.chat import ChatCompletion  # noqa: PLC0415 - optional extra

        completion = await self._async_client.post(
            "/chat/completions", body=self.request(view), cast_to=ChatCompletion
        )
        return message_to_response(completion.choices[0].message, native=bool(view.input.tools))


def message_to_response(message: Any, *, native: bool) -> Response:
    """An SDK message object -> our response shape (a dict for native tool calls)."""
    content = getattr(message, "content", None)
    if not native:
        return content or ""
    calls = getattr(message, "tool_calls", None) or []
    return {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.function.name, "arguments": c.function.arguments},
            }
            for c in calls
        ],
    }
