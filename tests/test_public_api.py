"""``import taskkit`` is the public API: a short list of names, each imported when used."""

from __future__ import annotations

import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import taskkit

ROOT = Path(__file__).parent.parent

PUBLIC = [
    "Diagnostic",
    "Episode",
    "Severity",
    "__version__",
    "agents",
    "compile",
    "lint",
    "load_compiled",
    "run_episode",
]


def test_the_public_names_are_pinned() -> None:
    assert sorted(taskkit.__all__) == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_name_resolves(name: str) -> None:
    assert getattr(taskkit, name) is not None
    assert name in dir(taskkit)


def test_the_names_are_the_ones_the_readme_uses() -> None:
    from taskkit.agents import ReplayAgent
    from taskkit.compiler import compile_paths
    from taskkit.lint import lint

    assert taskkit.compile is compile_paths
    assert isinstance(taskkit.agents, types.ModuleType)
    assert taskkit.agents.ReplayAgent is ReplayAgent
    assert taskkit.lint.lint is lint


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        taskkit.nope  # noqa: B018 - the lookup is the test


def test_importing_taskkit_loads_no_simulator_models_or_agents() -> None:
    code = "import sys, taskkit; print(sorted(m for m in sys.modules if m.startswith('taskkit')))"
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "['taskkit', 'taskkit.diagnostics']"


def test_the_readme_example_runs(monkeypatch, capsys) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"^```python\n(.*?)^```", readme, re.M | re.S)
    library_example = next(code for code in examples if "taskkit.run_episode" in code)
    monkeypatch.chdir(ROOT)
    exec(compile(library_example, "README.md", "exec"), {})
    assert float(capsys.readouterr().out.split()[0]) == 1.0  # the replay agent passes
