"""taskkit: declarative tool-use tasks for LLM agents.

Authors write abstract tasks, tool docs, content datasets and evaluators as YAML with Jinja
templates; taskkit lints them, compiles them into runnable tasks, simulates tools on a world
state, scores every action and episode programmatically, and exports SFT/DPO data.

The public API is what ``__all__`` lists::

    import taskkit

    tasks = taskkit.compile(["task_library", "content_datasets"]).tasks
    episode = taskkit.run_episode(tasks[0], taskkit.agents.ReplayAgent(), "openai")

Each name is imported when first used (PEP 562): ``import taskkit`` alone loads neither
the simulator nor the models, so the CLI's ``--help`` and a no-op resume stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from . import agents, lint
    from .compiler import compile_paths as compile
    from .compiler.output import load_compiled
    from .runs.episodes import run_episode
    from .sim.episode import Episode

__all__ = [
    "Diagnostic",
    "Episode",
    "Severity",
    "__version__",
    "agents",
    "compile",
    "lint",
    "load_compiled",
    "run_episode",
]

# name -> (module, attribute in it; "" for the module itself)
_HOMES: dict[str, tuple[str, str]] = {
    "compile": ("taskkit.compiler", "compile_paths"),
    "load_compiled": ("taskkit.compiler.output", "load_compiled"),
    "Episode": ("taskkit.sim.episode", "Episode"),
    "run_episode": ("taskkit.runs.episodes", "run_episode"),
    "agents": ("taskkit.agents", ""),
    "lint": ("taskkit.lint", ""),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(home[0])
    return getattr(module, home[1]) if home[1] else module


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
