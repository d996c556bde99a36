"""Acceptance: a new pack installs with pip into a fresh venv, is listed by `taskkit packs`
and compiles by name; two installed packs with one name are a clear diagnostic.

The venv is made without network access: it has no pip or setuptools of its own, and a
``.pth`` file adds this interpreter's site-packages (taskkit, its dependencies, pip and
setuptools) *after* the venv's own, so what pip installs into the venv is what taskkit
finds first. The wheel is built with ``--no-build-isolation --no-index``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest
from packs_helpers import isolated, taskkit  # noqa: F401 - the autouse fixture

import taskkit as taskkit_package

pytestmark = pytest.mark.slow


def _setuptools_builds_wheels() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1)  # bdist_wheel without the separate `wheel` package


@pytest.fixture
def fresh_venv(tmp_path: Path) -> Path:
    if not _setuptools_builds_wheels():
        pytest.skip(
            "setuptools>=70.1 is not installed (it builds offline): pip install -e '.[test]'"
        )
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, symlinks=os.name != "nt")
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    source = str(Path(taskkit_package.__file__).resolve().parents[1])
    lines = [source, *(f"import site; site.addsitedir({p!r})" for p in sorted(parent))]
    Path(purelib, "_taskkit_test_parent.pth").write_text("\n".join(lines) + "\n")
    return python


def run(
    python: Path, *args: str | Path, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def pip_install(python: Path, project: Path, cwd: Path, env: dict[str, str]) -> None:
    done = run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--disable-pip-version-check",
        project,
        cwd=cwd,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_new_pack_installs_lists_compiles_by_name_and_clashes_clearly(
    tmp_path: Path, fresh_venv: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    assert taskkit("new", "pack", "demo", "-d", work).exit_code == 0
    gate = taskkit("pack", "check", "demo", cwd=work)
    assert gate.exit_code == 0, gate.output

    env = {
        **os.environ,
        "TASKKIT_CACHE_DIR": str(tmp_path / "cache"),
        "PIP_NO_INPUT": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("TASKKIT_PATH", None)
    env.pop("PYTHONPATH", None)
    pip_install(fresh_venv, work / "demo", work, env)
    elsewhere = tmp_path / "elsewhere"  # no ./demo folder here: the name must come from pip
    elsewhere.mkdir()

    listed = run(fresh_venv, "-m", "taskkit", "packs", "--format", "json", cwd=elsewhere, env=env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    (demo,) = [p for p in json.loads(listed.stdout)["packs"] if p["name"] == "demo"]
    assert demo["source"] == {"kind": "distribution", "label": "taskkit-pack-demo 0.1.0"}
    assert demo["version"] == "0.1.0" and demo["tasks"] == 1
    assert Path(demo["root"]).is_relative_to(fresh_venv.parent.parent)  # the installed copy

    compiled = run(
        fresh_venv, "-m", "taskkit", "compile", "demo", "-o", "x.jsonl", cwd=elsewhere, env=env
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    ids = [json.loads(line)["id"] for line in (elsewhere / "x.jsonl").read_text().splitlines()]
    assert ids == ["demo/order_cheapest@1#two-kettles", "demo/order_cheapest@1#one-lamp"]
    checkout = taskkit("lint", "--strict", work / "demo")  # the build left nothing to lint twice
    assert checkout.exit_code == 0, checkout.output

    # A second distribution whose pack is also called `demo`.
    assert taskkit("new", "pack", "demo", "-d", tmp_path / "fork").exit_code == 0
    fork = tmp_path / "fork" / "demo"
    pyproject = fork / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        .replace('name = "taskkit-pack-demo"', 'name = "taskkit-pack-demo-fork"')
        .replace('demo = "taskkit_pack_demo"', 'demo = "taskkit_pack_demo_fork"')
    )
    (fork / "src" / "taskkit_pack_demo").rename(fork / "src" / "taskkit_pack_demo_fork")
    pip_install(fresh_venv, fork, tmp_path, env)

    clash = run(fresh_venv, "-m", "taskkit", "packs", cwd=elsewhere, env=env)
    assert clash.returncode == 1
    assert "TK201 error two packs are named 'demo'" in clash.stdout
    assert "(distribution taskkit-pack-demo-fork 0.1.0)" in clash.stdout
    assert "(distribution taskkit-pack-demo 0.1.0)" in clash.stdout
    assert "Traceback" not in clash.stderr
    by_name = run(
        fresh_venv, "-m", "taskkit", "compile", "demo", "-o", "y.jsonl", cwd=elsewhere, env=env
    )
    assert by_name.returncode == 1
    assert "pack name 'demo' is ambiguous" in by_name.stdout
