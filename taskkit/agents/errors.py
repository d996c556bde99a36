"""How an agent fails: one episode (it is recorded as failed and the run goes on), or the
whole run (no episode could succeed: the server is unreachable, the key or model is wrong)."""

from __future__ import annotations

from typing import Literal

__all__ = ["EpisodeFailed", "FailureKind", "ServerUnavailable", "failure_of"]

FailureKind = Literal["agent", "timeout", "server", "internal"]
"""Why an episode failed: the agent raised, the agent outlasted ``--timeout``, the model
server failed after its retries, or something else raised while the episode ran (taskkit's
bug, to report, or an unguarded agent's)."""


class EpisodeFailed(Exception):
    """The agent gave no response for this episode; the run records it and goes on."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(kind, reason)
        self.kind: FailureKind = kind
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class ServerUnavailable(Exception):
    """No request can succeed (connection refused, unknown host, bad key, unknown model):
    the run stops, keeping every finished episode, and a rerun resumes it."""

    def __init__(self, url: str, what: str) -> None:
        super().__init__(url, what)
        self.url, self.what = url, what

    def __str__(self) -> str:
        return f"model server {self.url}: {self.what}"


def failure_of(exc: BaseException) -> EpisodeFailed:
    """Any exception raised while an episode ran, as the failure to record."""
    if isinstance(exc, EpisodeFailed):
        return exc
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return EpisodeFailed("internal", reason)
