"""Where taskkit keeps its caches (the pack index, the lint cache): one folder per user.

Below lint and packs alike, both of which cache there; ``TASKKIT_CACHE_DIR`` moves it.
"""

from __future__ import annotations

import os

__all__ = ["CACHE_ENV", "cache_dir"]

CACHE_ENV = "TASKKIT_CACHE_DIR"


def cache_dir() -> str:
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "taskkit")
