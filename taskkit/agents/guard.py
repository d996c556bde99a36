"""A deadline and a failure boundary around agents taskkit did not write.

A user's agent may block forever, raise, or return anything; none of that may stall or end
a run. :func:`guarded` wraps it so that a call outlasting the deadline, or raising, fails
only its episode (:class:`EpisodeFailed`). The built-in agents are pure computations and
the openai agent keeps its own timeouts, so they go unwrapped (a thread per call would cost
more than a mutant's whole step).
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from typing import Any

from .base import Agent, AgentView, AsyncAgent, PooledAgent
from .errors import EpisodeFailed, ServerUnavailable

__all__ = ["Guarded", "GuardedAsync", "GuardedPooled", "NonJSONResponse", "guarded"]

_PASS_THROUGH = (EpisodeFailed, ServerUnavailable)


class Guarded:
    """``agent`` with every call bounded by ``timeout`` seconds (``None``: no bound)."""

    def __init__(self, agent: Agent, timeout: float | None) -> None:
        self.agent, self.timeout = agent, timeout
        self.name = agent.name

    def act(self, view: AgentView) -> Any:
        if self.timeout is None:
            return _call(self.agent, view)
        # A daemon thread, not an executor: a call that never returns must not keep the
        # process alive at exit (executors join their threads), and the run goes on.
        box: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

        def call() -> None:
            try:
                box.put((True, _call(self.agent, view)))
            except BaseException as exc:  # handed to the caller's thread
                box.put((False, exc))

        threading.Thread(target=call, name=f"agent {self.name}", daemon=True).start()
        try:
            ok, value = box.get(timeout=self.timeout)
        except queue.Empty:
            raise EpisodeFailed(
                "timeout", f"the agent gave no response within {self.timeout:g} s"
            ) from None
        if not ok:
            raise value
        return value


class GuardedAsync(Guarded):
    """An :class:`AsyncAgent` guarded: ``act_async`` bounded too."""

    def __init__(self, agent: AsyncAgent, timeout: float | None) -> None:
        super().__init__(agent, timeout)
        self.async_agent = agent

    async def act_async(self, view: AgentView) -> Any:
        try:
            return await asyncio.wait_for(self.async_agent.act_async(view), self.timeout)
        except _PASS_THROUGH:
            raise
        except TimeoutError:
            raise EpisodeFailed(
                "timeout", f"the agent gave no response within {self.timeout:g} s"
            ) from None
        except Exception as exc:
            raise _raised(exc) from exc


class GuardedPooled(GuardedAsync):
    """A :class:`PooledAgent` guarded: its pool is still sized and closed by the run."""

    def __init__(self, agent: PooledAgent, timeout: float | None) -> None:
        super().__init__(agent, timeout)
        self.pooled_agent = agent

    def limit_in_flight(self, n: int) -> None:
        self.pooled_agent.limit_in_flight(n)

    async def aclose(self) -> None:
        await self.pooled_agent.aclose()


class NonJSONResponse:
    """Stands for a response holding values JSON has no word for (bytes, sets, NaN, a
    lone surrogate, objects): every response format judges it ``unparseable``, a failed
    step, where the value itself would reach the parser and could break it."""

    def __repr__(self) -> str:
        return "NonJSONResponse()"


def _call(agent: Agent, view: AgentView) -> Any:
    try:
        response = agent.act(view)
    except _PASS_THROUGH:
        raise
    except Exception as exc:
        raise _raised(exc) from exc
    if isinstance(response, dict | list):
        try:
            json.dumps(response, allow_nan=False, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError):
            return NonJSONResponse()
    return response


def _raised(exc: Exception) -> EpisodeFailed:
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    return EpisodeFailed(
        "agent", f"the agent raised {type(exc).__name__}" + (f": {text}" if text else "")
    )


def guarded(agent: Agent, timeout: float | None) -> Agent:
    """``agent`` behind a deadline and a failure boundary, unless it is a built-in one."""
    from . import CallableAgent  # noqa: PLC0415 - the package imports this module

    if isinstance(agent, Guarded):
        return agent
    builtin = type(agent).__module__.startswith("taskkit.agents.")
    if builtin and not isinstance(agent, CallableAgent):
        return agent
    if isinstance(agent, PooledAgent):
        return GuardedPooled(agent, timeout)
    if isinstance(agent, AsyncAgent):
        return GuardedAsync(agent, timeout)
    return Guarded(agent, timeout)
