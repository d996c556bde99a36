"""``model``: a simulated user played by a model on any OpenAI-compatible server.

For open conversations a script cannot foresee. The model is prompted as τ-bench prompts
its user (persona, goal, the facts only the user knows, one message at a time, never made-up
facts) and ends the conversation by writing τ-bench's stop token ``###STOP###``. It is
reached through the same SDK client, options and failure handling as the ``openai`` agent
(a refused connection or a bad key stops the run with one line, a server error fails the
episode), and its model, server, seed and temperature are recorded with every trajectory.

The user keeps no state of its own: each reply is computed from the transcript in the
:class:`UserView`, so a fork (one per sample in ``generate``) is the same user.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from typing import Any

from ..models import CompiledTask
from ..sim.users.base import SimulatedUser, UserReply, UserView
from ..sim.users.scripted import matches

__all__ = ["STOP_TOKEN", "ModelUser", "UserOptions", "create", "user_messages"]

STOP_TOKEN = "###STOP###"
"""What the model writes to end the conversation (τ-bench's)."""

OPENING = "Hi! How can I help you today?"
"""The agent's greeting before the user command, as τ-bench opens: chat templates expect a
conversation to start with a user turn, and the model plays the user's side (assistant)."""

ENV_MODEL, ENV_BASE_URL, ENV_API_KEY = (
    "TASKKIT_USER_MODEL",
    "TASKKIT_USER_BASE_URL",
    "TASKKIT_USER_API_KEY",
)

_RULES = f"""Rules:
- Write one short message at a time, as the user. Never act as the agent or call tools.
- Do not give away everything at once: share what the agent needs for the current step, and \
a fact you know only when the agent asks for it or needs it.
- Do not make up information you were not given. If the agent asks for something you do not \
know, say you do not know or do not have it.
- When your goal is met, or cannot be met, write {STOP_TOKEN} alone to end the conversation.
- Do not repeat these instructions; stay in your persona and keep it natural."""


@dataclass(frozen=True)
class UserOptions:
    """How the user's model is reached (``--user-model``, ``--user-base-url``...)."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    seed: int | None = None
    temperature: float = 0.0
    timeout: float = 60.0
    max_retries: int = 4
    max_tokens: int | None = 512

    @classmethod
    def of(cls, options: dict[str, Any]) -> UserOptions:
        """From a factory's options dict: the keys this class knows, ``None`` skipped."""
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in options.items() if k in known and v is not None})


def create(task: CompiledTask, options: dict[str, Any]) -> SimulatedUser:
    """The model user of ``task`` (``USERS["model"]``)."""
    return ModelUser(task, UserOptions.of(options))


class ModelUser:
    kind = "model"

    def __init__(self, task: CompiledTask, options: UserOptions) -> None:
        self.task, self.options = task, options
        self.model = options.model or os.environ.get(ENV_MODEL) or ""
        if not self.model:
            raise ValueError(f"the model user needs --user-model (or {ENV_MODEL})")
        self.client = _client(
            options.base_url or os.environ.get(ENV_BASE_URL),
            options.api_key or os.environ.get(ENV_API_KEY),
            options.timeout,
            options.max_retries,
        )
        self.base_url = str(self.client.base_url).rstrip("/")

    def reply(self, view: UserView) -> UserReply:
        from .openai_agent import completion_text, server_failure  # noqa: PLC0415

        try:
            completion = self.client.post(
                "/chat/completions", body=self.request(view), cast_to=object
            )
        except Exception as exc:
            raise server_failure(
                exc, self.base_url, self.model, self.options.timeout, self.options.max_retries
            ) from None
        reply = self.parse(completion_text(completion, self.base_url))
        if reply.stop or self.task.user is None:
            return reply
        # An answer to a request for confirmation plays the task's confirmation turn (what
        # confirm_before_write looks for), as the scripted user's would: the model is told
        # the goal, so what it answers to a proposal is taken as the go-ahead.
        for turn in self.task.user.turns:
            if turn.when.confirm is not None and matches(turn.when, view, len(view.calls)):
                return replace(reply, turn=turn.id)
        return reply

    def request(self, view: UserView) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": user_messages(view),
            "temperature": self.options.temperature,
        }
        if self.options.seed is not None:
            body["seed"] = self.options.seed
        if self.options.max_tokens:
            body["max_tokens"] = self.options.max_tokens
        return body

    def parse(self, text: str) -> UserReply:
        """The model's message as the user's reply: the stop token ends the conversation
        (what comes before it is said first); facts it discloses are its ``reveals``."""
        stop = STOP_TOKEN in text
        said = text.split(STOP_TOKEN, 1)[0].strip() if stop else text.strip()
        user = self.task.user
        hidden = user.hidden if user is not None else {}
        reveals = tuple(fact for fact, value in hidden.items() if _discloses(said, value))
        if stop:
            return UserReply(said or None, stop=True, reveals=reveals)
        return UserReply(said, reveals=reveals)

    def fork(self) -> SimulatedUser:
        return self  # no state of its own: every reply is computed from the view

    def settings(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": self.model,
            "base_url": self.base_url,
            "seed": self.options.seed,
            "temperature": self.options.temperature,
        }


@functools.lru_cache(maxsize=8)
def _client(base_url: str | None, api_key: str | None, timeout: float, retries: int) -> Any:
    """One SDK client (and connection pool) per server, shared by every episode's user in
    this process: a user is made per episode, a pool per episode would leak sockets."""
    try:
        import openai  # noqa: PLC0415 - optional extra
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the model user needs the openai extra: pip install 'taskkit-llm[openai]'"
        ) from exc
    from .openai_agent import client_options  # noqa: PLC0415 - keeps it optional

    return openai.OpenAI(**client_options(base_url, api_key, timeout, retries))


def user_messages(view: UserView) -> list[dict[str, str]]:
    """The chat the user's model continues: its instructions, then the conversation from
    the user's side (the agent's messages are ``user`` turns, the user's own ``assistant``)."""
    messages = [
        {"role": "system", "content": system_prompt(view.task)},
        {"role": "user", "content": OPENING},
    ]
    for speaker, text in view.transcript:
        messages.append({"role": "assistant" if speaker == "user" else "user", "content": text})
    if not view.transcript or view.transcript[-1] != ("assistant", view.message):
        messages.append({"role": "user", "content": view.message})
    return messages


def system_prompt(task: CompiledTask) -> str:
    user = task.user
    parts = ["You are a user talking to an agent (an AI assistant with tools)."]
    if user is not None and user.persona:
        parts.append(f"Persona: {user.persona}")
    goal = user.goal if user is not None else task.user_command
    parts.append(f"Your goal: {goal}")
    if user is not None and user.hidden:
        facts = "\n".join(f"- {text}" for text in user.hidden.values())
        parts.append(f"What you know (share it only when it is needed):\n{facts}")
    parts.append(_RULES)
    return "\n\n".join(parts)


def _discloses(said: str, fact: str) -> bool:
    """Whether ``said`` holds ``fact`` (case and spacing aside)."""
    fact = " ".join(fact.split()).casefold()
    return bool(fact) and fact in " ".join(said.split()).casefold()
