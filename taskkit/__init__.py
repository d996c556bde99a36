"""taskkit: declarative tool-use tasks for LLM agents.

Authors write abstract tasks, tool docs, content datasets and evaluators as YAML with Jinja
templates; taskkit lints them, compiles them into runnable tasks, simulates tools on a world
state, scores every action and episode programmatically, and exports SFT/DPO data.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .diagnostics import Diagnostic, Severity

__all__ = ["Diagnostic", "Severity", "__version__"]
