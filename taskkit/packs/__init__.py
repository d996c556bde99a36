"""Task packs as units people contribute, version and install.

- :mod:`.versions`: PEP 440 versions and specifiers (no ``packaging`` dependency);
- :mod:`.lockfile`: ``pack.lock``, the per-task version and content hash (lint rule TK602);
- :mod:`.discovery`: packs from paths, the ``TASKKIT_PATH`` search path and installed
  distributions (entry point group ``taskkit.packs``), listed through a cached index;
- :mod:`.gate`: ``taskkit pack check``, the contribution gate.

Nothing is imported here eagerly: ``taskkit packs`` on a warm cache must not pay for
pydantic and the models, which :mod:`.lockfile` and :mod:`.gate` need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .discovery import Discovery, PackInfo, discover_packs, resolve_targets
    from .gate import GateReport, check_pack
    from .lockfile import Lock, read_lock, task_hash
    from .locking import LockOutcome, lock_packs

__all__ = [
    "Discovery",
    "GateReport",
    "Lock",
    "LockOutcome",
    "PackInfo",
    "check_pack",
    "discover_packs",
    "lock_packs",
    "read_lock",
    "resolve_targets",
    "task_hash",
]

_WHERE = {
    "Discovery": "discovery",
    "PackInfo": "discovery",
    "discover_packs": "discovery",
    "resolve_targets": "discovery",
    "GateReport": "gate",
    "check_pack": "gate",
    "Lock": "lockfile",
    "read_lock": "lockfile",
    "task_hash": "lockfile",
    "LockOutcome": "locking",
    "lock_packs": "locking",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'taskkit.packs' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
