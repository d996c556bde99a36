"""The CI guard of tests/ci_skips.py, in a pytest run of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

CASES = """
import pytest

def test_missing_module():
    pytest.importorskip("no_such_module_for_taskkit_tests")

def test_missing_extra():
    pytest.skip("the fast YAML reader is not installed")

def test_other_reason():
    pytest.skip("only on Windows")
"""


def _run(tmp_path: Path, ci: str | None, module_level: bool = False) -> str:
    (tmp_path / "conftest.py").write_text(
        "from ci_skips import pytest_make_collect_report, pytest_runtest_makereport\n"
    )
    body = CASES
    if module_level:
        body = 'import pytest\npytest.importorskip("no_such_module_for_taskkit_tests")\n' + CASES
    (tmp_path / "test_cases.py").write_text(body)
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    env.pop("CI", None)
    if ci is not None:
        env["CI"] = ci
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:taskkit"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout.strip().splitlines()[-1]


def test_outside_ci_a_missing_package_is_a_skip(tmp_path: Path) -> None:
    last = _run(tmp_path, None)
    assert last.startswith("3 skipped"), last


def test_in_ci_a_missing_package_fails_and_other_skips_stay(tmp_path: Path) -> None:
    last = _run(tmp_path, "true")
    assert last.startswith("2 failed, 1 skipped"), last


def test_in_ci_a_module_level_importorskip_fails(tmp_path: Path) -> None:
    last = _run(tmp_path, "true", module_level=True)
    assert "1 error" in last or "1 failed" in last, last
