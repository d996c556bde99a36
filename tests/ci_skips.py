"""Under CI (``CI=true``), a test skipped because an optional package is missing fails.

CI installs every extra the tests use (``.ci/run``), so such a skip there means an install
line is missing and the compatibility it claims goes untested. Locally the skip stays a skip.
A skip counts as "a missing package" when its reason is pytest.importorskip's ("could not
import ...") or says "is not installed"; skips for other reasons (a platform, a corpus that
is not there) are left alone.

The hooks are imported into ``tests/conftest.py``; this module exists so that a test can
load them into a pytest run of its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from typing import Any

import pytest

_MISSING = re.compile(r"could not import|is not installed")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def _fail_if_missing_package(report: Any) -> None:
    if not (report.skipped and _in_ci()):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if _MISSING.search(reason):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped in CI for a missing optional package: {reason}\n"
            "install it in .ci/run (an extra of pyproject.toml), so that CI runs this test"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Generator[None, Any, Any]:
    report = yield
    _fail_if_missing_package(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    report = yield  # a module-level importorskip skips at collection
    _fail_if_missing_package(report)
    return report
