"""Helpers of the pack tests: isolation (a private index cache, no search path from the
developer's shell) and ways to drive the CLI.

Not a ``conftest.py``: the test folders have no ``__init__.py``, so a second ``conftest``
module would shadow ``tests/conftest.py`` for the other suites' ``from conftest import``.
Each test module imports the autouse fixture ``isolated`` from here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from taskkit.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "tests" / "examples"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TASKKIT_CACHE_DIR", str(cache))
    monkeypatch.delenv("TASKKIT_PATH", raising=False)
    return cache


def taskkit(*args: str | Path, cwd: Path | None = None) -> Result:
    """Run the CLI in-process (click's CliRunner); ``cwd`` changes directory for the call."""
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def taskkit_subprocess(
    *args: str | Path, env: dict[str, str] | None = None, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-m", "taskkit", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def copy_example(name: str, dest: Path) -> Path:
    """A copy of ``tests/examples/valid/<name>`` to edit."""
    return Path(shutil.copytree(EXAMPLES / "valid" / name, dest / name))


def mini_pack(dest: Path, name: str = "mini", version: str = "1.0.0") -> Path:
    """The ``mini`` pack of the examples, renamed: ``dest/<name>/``."""
    src = EXAMPLES / "valid" / "inline-entries" / "mini"
    root = Path(shutil.copytree(src, dest / name))
    manifest = root / "pack.yaml"
    text = manifest.read_text().replace("name: mini", f"name: {name}")
    manifest.write_text(text.replace("version: 1.0.0", f"version: {version}"))
    return root
