"""The names the commands' options offer (``--format``, ``--agent``), known without importing
what they name: a command is declared, and a rerun with nothing to do is answered, without
loading the simulator or the agents. ``tests/test_registries.py`` checks these against the
registries they come from."""

from __future__ import annotations

__all__ = ["AGENTS", "ENTRY_POINT_GROUP", "FORMATS", "OFFLINE_AGENTS", "USERS"]

FORMATS = ("openai", "xlam", "hermes", "react")
"""The keys of :data:`taskkit.sim.formats.FORMATS`, in its order."""

AGENTS = ("replay", "noop", "mutant", "openai")
"""The keys of :data:`taskkit.agents.AGENTS`, in its order."""

USERS = ("scripted", "model")
"""The keys of :data:`taskkit.agents.USERS`, in its order."""

OFFLINE_AGENTS = frozenset({"replay", "noop", "mutant"})
"""The built-in agents that reach no server: their runs record no model."""

ENTRY_POINT_GROUP = "taskkit.agents"
""":data:`taskkit.agents.ENTRY_POINT_GROUP`."""
