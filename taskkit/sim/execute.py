"""The request execution engine: a verified call runs against the episode's state.

A tool error, a refused precondition or an injected fault becomes the observation the agent
sees next; nothing raises out of the loop except a refused (untrusted) Python handler,
which is a configuration error of the run, not something the agent did.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..handlers.sources import using_handlers
from ..models import Faults, ToolEnv
from ..runtime.memo import IdentityMemo
from .behaviors import ToolError, returns_stored_record, run_behavior
from .fastinit import fast_init

__all__ = ["FAULT_MESSAGES", "Observation", "execute", "fault_for"]

# One encoder for every observation (json.dumps with options builds one per call).
_OBSERVATION_JSON = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode

_RECORD_TEXTS: IdentityMemo[str] = IdentityMemo(256)
"""The observation text of records as the state holds them, by identity: records are never
changed in place, and the same few records are shown again and again (a reservation is read
in most tasks that change it). Encoding one was a quarter of a cheap call. Each entry keeps
its record alive, so the table is small: a long run's records are mostly its dead tasks' own
(see benchmarks/README.md, generate RSS)."""


def _record_text(record: Any) -> str:
    text = _RECORD_TEXTS.get(record)
    if text is None:
        text = _RECORD_TEXTS.put(record, _OBSERVATION_JSON(record))
    return text


FAULT_MESSAGES = {
    "error": "internal server error (HTTP 500); the request was not processed",
    "timeout": "the request timed out after 30 s; it was not processed",
    "rate_limit": "rate limit exceeded (HTTP 429); retry the request",
}


@fast_init
@dataclass(frozen=True)
class Observation:
    ok: bool
    content: Any
    error_type: str | None = None
    """``tool_error``, ``not_found``, ``precondition``, ``conflict``, ``handler_error``, or
    ``fault:<kind>`` for an injected fault."""
    stored: bool = False
    """``content`` is a record as the state holds it (see
    :func:`~taskkit.sim.behaviors.returns_stored_record`): not to be changed."""

    @property
    def faulted(self) -> bool:
        return bool(self.error_type and self.error_type.startswith("fault:"))

    def text(self) -> str:
        if self.ok:
            return _record_text(self.content) if self.stored else _OBSERVATION_JSON(self.content)
        return _OBSERVATION_JSON({"error": self.content})

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "content": self.content, "error_type": self.error_type}


def fault_for(
    task_id: str, faults: Faults | None, call_index: int, tool: str, *, run_seed: int = 0
) -> str | None:
    """The fault (if any) injected into the ``call_index``-th call: a pure function of its
    inputs, so reruns and resumed runs meet the same faults."""
    if faults is None or faults.rate <= 0 or not faults.kinds:
        return None
    if faults.tools is not None and tool not in faults.tools:
        return None
    key = f"{faults.seed}|{run_seed}|{task_id}|{call_index}|{tool}".encode()
    h = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
    if (h % 1_000_000) / 1_000_000 >= faults.rate:
        return None
    return faults.kinds[(h >> 32) % len(faults.kinds)]


def execute(
    env: ToolEnv,
    args: dict[str, Any],
    state: dict[str, Any],
    *,
    trusted: bool = False,
    fault: str | None = None,
) -> Observation:
    """Run ``env`` with ``args`` on ``state`` (mutated by writes)."""
    if fault is not None:
        return Observation(False, FAULT_MESSAGES[fault], f"fault:{fault}")
    try:
        if env.behavior is not None and env.behavior.handler is not None:
            with using_handlers(env.pack_root):
                return Observation(True, run_behavior(env.behavior, args, state, trusted=trusted))
        content = run_behavior(env.behavior, args, state, trusted=trusted)
        return Observation(True, content, stored=returns_stored_record(env.behavior))
    except ToolError as exc:
        return Observation(False, exc.message, exc.kind)
