"""The fixture of the airline tests: τ-bench's airline domain as an oracle (``tau.py``).

Imported by each test module (not a ``conftest.py``: the e2e tests import the one in
``tests/`` by that name)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tau.py and convert.py are test helpers

import tau


@pytest.fixture(scope="session", name="oracle")
def oracle_fixture() -> tau.Oracle:
    root = tau.corpus()
    if root is None:
        pytest.skip("the tau-bench corpus (shared/corpora/taubench-airline) is not there")
    return tau.Oracle(root)
