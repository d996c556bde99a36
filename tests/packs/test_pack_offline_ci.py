"""Acceptance (issue 17): a scaffolded pack installs into a fresh venv offline -- taskkit
included, from the source given at scaffold time -- and its own CI passes there: every `run`
step of its GitHub workflow, then `taskkit pack check` on the installed copy.

The venv sees this interpreter's site-packages (taskkit's dependencies, pip and setuptools)
through a folder of links to every entry *but* taskkit's own, so taskkit can only come from
where the pack's dependency points. pip runs with no index and no build isolation.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
import yaml
from packs_helpers import REPO, isolated, taskkit  # noqa: F401 - the autouse fixture

pytestmark = pytest.mark.slow

_OWN = ("taskkit_llm", "__editable__.taskkit_llm", "__editable___taskkit_llm", "taskkit")


def _venv_without_taskkit(tmp_path: Path) -> Path:
    parent = Path(sysconfig.get_paths()["purelib"])
    visible = tmp_path / "parent-site"
    visible.mkdir()
    for entry in parent.iterdir():
        if not entry.name.startswith(_OWN):
            (visible / entry.name).symlink_to(entry)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "_parent.pth").write_text(f"import site; site.addsitedir({str(visible)!r})\n")
    return python


def _source_copy(tmp_path: Path) -> Path:
    """taskkit's source as a checkout holds it (what `--taskkit-source PATH` names)."""
    src = tmp_path / "taskkit-src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "taskkit", src / "taskkit", ignore=shutil.ignore_patterns("__pycache__"))
    return src


def _sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.skipif(os.name == "nt", reason="the venv layout and bash steps are POSIX")
def test_a_scaffolded_pack_installs_offline_and_passes_its_own_ci(tmp_path: Path) -> None:
    python = _venv_without_taskkit(tmp_path)
    source = _source_copy(tmp_path)
    made = taskkit("new", "pack", "demo", "-d", tmp_path, "--taskkit-source", source)
    assert made.exit_code == 0, made.output
    repo = tmp_path / "demo"
    deps = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps == [f"taskkit-llm @ {source.as_uri()}"]

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "TASKKIT_PATH", "VIRTUAL_ENV")
    }
    env |= {
        "PATH": f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
        "TASKKIT_CACHE_DIR": str(tmp_path / "cache"),
        "PIP_NO_INDEX": "1",  # offline: everything comes from the source or is installed
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this as --no-build-isolation
        "PIP_NO_INPUT": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    workflow = yaml.safe_load((repo / ".github/workflows/taskkit.yml").read_text())
    steps = [s for s in workflow["jobs"]["check"]["steps"] if "run" in s]
    assert [s["run"].split()[0] for s in steps] == ["python", "taskkit", "taskkit", "taskkit"]
    for step in steps:
        done = _sh(step["run"], repo, env)
        assert done.returncode == 0, f"{step['name']}: {done.stdout}\n{done.stderr}"
        if step["run"].startswith("taskkit pack check"):
            assert "pack check passed: 6 passed, 0 failed, 0 skipped" in done.stderr

    where = _sh("python -c 'import taskkit; print(taskkit.__file__)'", tmp_path, env)
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv"), where.stdout

    # The installed copy (not editable) passes the gate by name, from anywhere.
    assert _sh("python -m pip install --quiet --no-deps .", repo, env).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = _sh("taskkit packs --format json", elsewhere, env)
    (demo,) = [p for p in json.loads(listed.stdout)["packs"] if p["name"] == "demo"]
    assert Path(demo["root"]).is_relative_to(tmp_path / "venv")
    gate = _sh("taskkit pack check demo", elsewhere, env)
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert "license" in gate.stdout and "FAIL" not in gate.stdout


@pytest.mark.skipif(os.name == "nt", reason="the venv layout is POSIX")
def test_the_distribution_with_its_rich_extra_resolves_to_this_project(tmp_path: Path) -> None:
    """`pip install --dry-run --report` of `taskkit-llm[rich]` in a fresh venv picks this
    project's wheel (offline: a wheel built from the source, no index)."""
    python = _venv_without_taskkit(tmp_path)
    source = _source_copy(tmp_path)
    wheels = tmp_path / "wheels"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def pip(*args: str | Path) -> None:
        argv = [python, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=600, check=False
        )
        assert done.returncode == 0, done.stderr

    pip("wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, source)
    report = tmp_path / "report.json"
    pip(
        "install",
        "--dry-run",
        "--no-index",
        "--find-links",
        wheels,
        "--report",
        report,
        "taskkit-llm[rich]",
    )
    (install,) = json.loads(report.read_text())["install"]  # its dependencies are there
    assert install["metadata"]["name"] == "taskkit-llm"
    assert install["requested_extras"] == ["rich"]
    assert install["download_info"]["url"].startswith(wheels.as_uri())
    assert any(r.startswith("rich") for r in install["metadata"]["requires_dist"])
