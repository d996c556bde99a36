"""Agents that misbehave, for the tests of runs that fail well: named on the command line
as ``hostile_agents:NAME`` (the tests put this folder on PYTHONPATH)."""

from __future__ import annotations

import os
import time
from typing import Any

from taskkit.agents import ReplayAgent

_replay = ReplayAgent()


def _doomed(view: Any) -> bool:
    """The episodes these agents fail: about a tenth of the tasks, the same every run."""
    return view.task.id.endswith("3")


def raises(view: Any) -> Any:
    if _doomed(view) and os.environ.get("HOSTILE_HEALED") != "1":
        raise RuntimeError(f"agent bug on {view.task.id}")
    return _replay.act(view)


def blocks(view: Any) -> Any:
    if _doomed(view):
        time.sleep(3600)
    return _replay.act(view)


def blocks_always(view: Any) -> Any:
    time.sleep(3600)


def non_json(view: Any) -> Any:
    if _doomed(view):
        return {"role": "assistant", "content": {1, 2}, "tool_calls": [{"x": b"bytes"}]}
    if view.task.id.endswith("7"):
        return b"bytes"
    return _replay.act(view)


def slow(view: Any) -> Any:
    time.sleep(float(os.environ.get("HOSTILE_DELAY", "0.05")))
    return _replay.act(view)
