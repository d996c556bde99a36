"""Property testing of task packs: Hypothesis strategies built from taskkit's schemas, the
properties every task must have, and a runner (``taskkit test``, ``pytest --taskkit``).

Modules:

- :mod:`~taskkit.testing.strategies`: content entries, valid and invalid tool calls,
  mutations of gold actions, whole documents;
- :mod:`~taskkit.testing.properties`: the per-task properties, as plain functions;
- :mod:`~taskkit.testing.session`: :class:`TestSession` and :func:`run_library`;
- :mod:`~taskkit.testing.pytest_plugin`: the ``--taskkit`` option of pytest.

Names are imported on first use: Hypothesis is an optional dependency (``taskkit-llm[test]``)
and this package is imported by the pytest plugin in every pytest run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .profiles import PROFILES, Profile, get_profile
    from .properties import PROPERTIES
    from .results import PropertyFinding, PropertyResult
    from .session import LibraryResult, TestSession, run_library
    from .strategies import (
        MutationCase,
        documents,
        entries,
        gold_mutations,
        invalid_calls,
        invalid_kinds,
        mutation_cases,
        valid_calls,
    )

__all__ = [
    "PROFILES",
    "PROPERTIES",
    "LibraryResult",
    "MutationCase",
    "Profile",
    "PropertyFinding",
    "PropertyResult",
    "TestSession",
    "documents",
    "entries",
    "get_profile",
    "gold_mutations",
    "invalid_calls",
    "invalid_kinds",
    "mutation_cases",
    "run_library",
    "valid_calls",
]

_HOME = {
    "PROFILES": "profiles",
    "Profile": "profiles",
    "get_profile": "profiles",
    "PROPERTIES": "properties",
    "PropertyFinding": "results",
    "PropertyResult": "results",
    "LibraryResult": "session",
    "TestSession": "session",
    "run_library": "session",
    "MutationCase": "strategies",
    "documents": "strategies",
    "entries": "strategies",
    "gold_mutations": "strategies",
    "invalid_calls": "strategies",
    "invalid_kinds": "strategies",
    "mutation_cases": "strategies",
    "valid_calls": "strategies",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
