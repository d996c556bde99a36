"""See the runs: the trajectory reader, run summaries and comparisons, SVG charts, and the
self-contained HTML viewer behind ``taskkit view``, ``taskkit compare`` and
``taskkit report --plots``."""

from __future__ import annotations

from .compare import Comparison, McNemar, compare_runs, format_text, mcnemar
from .plots import charts
from .reader import Run, ViewInputError, episode_key, read_run, read_runs
from .summary import summarise
from .writer import build_page, error_page

__all__ = [
    "Comparison",
    "McNemar",
    "Run",
    "ViewInputError",
    "build_page",
    "charts",
    "compare_runs",
    "episode_key",
    "error_page",
    "format_text",
    "mcnemar",
    "read_run",
    "read_runs",
    "summarise",
]
