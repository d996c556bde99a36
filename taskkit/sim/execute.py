"""The request execution engine: a verified call runs against the episode's state.

A tool error, a refused precondition or an injected fault becomes the observation the agent
sees next; nothing raises out of the loop except a refused (untrusted) Python handler,
which is a configuration error of the run, not something the agent did.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_string
from typing import Any

from ..handlers.sources import using_handlers
from ..models import Faults, ToolEnv
from ..runtime.memo import IdentityMemo
from .behaviors import ToolError, returns_stored_record, run_behavior
from .fastinit import fast_init

__all__ = [
    "FAULT_MESSAGES",
    "Observation",
    "Outcome",
    "execute",
    "fault_for",
    "observation_json",
    "observation_text",
    "outcome",
]

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)  # not in the type stubs


def observation_json(value: Any) -> str:
    """``value`` as the agent sees it: ``_ENCODER.encode(value)``, with the C encoder called
    directly (what ``encode`` does, without its two Python-level calls: a tenth of encoding
    a record, over half of a short error). A differential test holds the two together."""
    if _make_encoder is None:  # no C accelerator
        return _ENCODER.encode(value)
    if isinstance(value, str):
        return _encode_string(value)
    # the arguments iterencode passes: a fresh circular-reference table each time
    encode = _make_encoder(
        {}, _ENCODER.default, _encode_string, None, ": ", ", ", False, False, True
    )
    return "".join(encode(value, 0))


_RECORD_TEXTS: IdentityMemo[str] = IdentityMemo(256)
"""The observation text of records as the state holds them, by identity: records are never
changed in place, and the same few records are shown again and again (a reservation is read
in most tasks that change it). Encoding one was a quarter of a cheap call. Each entry keeps
its record alive, so the table is small: a long run's records are mostly its dead tasks' own
(see benchmarks/README.md, generate RSS)."""


def _record_text(record: Any) -> str:
    text = _RECORD_TEXTS.get(record)
    if text is None:
        text = _RECORD_TEXTS.put(record, observation_json(record))
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
        return observation_text(self.ok, self.content, self.stored)

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
    return Observation(*outcome(env, args, state, trusted=trusted, fault=fault))


Outcome = tuple[bool, Any, "str | None", bool]
"""What :func:`execute` returns, as a tuple: ``(ok, content, error_type, stored)``."""


def outcome(
    env: ToolEnv,
    args: dict[str, Any],
    state: dict[str, Any],
    *,
    trusted: bool = False,
    fault: str | None = None,
) -> Outcome:
    """:func:`execute`'s result as the fields of its :class:`Observation`: what an episode's
    step reads of a call, without building one."""
    if fault is not None:
        return False, FAULT_MESSAGES[fault], f"fault:{fault}", False
    behavior = env.behavior
    try:
        if behavior is not None and behavior.handler is not None:
            with using_handlers(env.pack_root):
                return True, run_behavior(behavior, args, state, trusted=trusted), None, False
        content = run_behavior(behavior, args, state, trusted=trusted)
        return True, content, None, returns_stored_record(behavior)
    except ToolError as exc:
        return False, exc.message, exc.kind, False


def observation_text(ok: bool, content: Any, stored: bool) -> str:
    """The text the agent sees of a call's outcome (see :meth:`Observation.text`)."""
    if ok:
        return _record_text(content) if stored else observation_json(content)
    return observation_json({"error": content})
