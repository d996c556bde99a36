"""`taskkit lint` as a process leaves without taking its heap apart (taskkit/cli/quick_exit.py):
what it writes and its exit status are those of the same lint run in-process, in every
output format; `atexit` handlers still run; a command that does not allow the quick exit exits the
usual way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "tests/examples/invalid/TK202-unknown-tool-did-you-mean"


def _taskkit(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taskkit", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.parametrize("fmt", ["text", "parsable", "json", "github"])
def test_a_lint_process_writes_what_lint_in_process_writes(fmt: str) -> None:
    assert (REPO / EXAMPLE).is_dir()
    args = ["lint", "--no-cache", "--format", fmt, EXAMPLE]
    proc = _taskkit(*args)
    here = CliRunner().invoke(cli, args)
    assert proc.returncode == here.exit_code == 1
    assert (proc.stdout, proc.stderr) == (here.stdout, here.stderr)
    assert "TK202" in proc.stdout


_PROGRAM = """
import atexit, pathlib, sys
folder = pathlib.Path(sys.argv[1])
atexit.register((folder / "atexit").write_text, "ran")

class Teardown:  # freed only when the interpreter takes its modules apart
    def __del__(self, path=folder / "teardown"):
        path.write_text("ran")

keep = Teardown()
sys.argv = ["taskkit", *sys.argv[2:]]
from taskkit.cli.main import run
run()
"""


def _program(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(tmp_path), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_lint_runs_the_atexit_handlers_and_skips_the_teardown(tmp_path: Path) -> None:
    proc = _program(tmp_path, "lint", "--no-cache", "-q", "task_library", "content_datasets")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not (tmp_path / "teardown").exists()


def test_other_commands_exit_the_usual_way(tmp_path: Path) -> None:
    proc = _program(tmp_path, "rules")
    assert proc.returncode == 0, proc.stderr
    assert "TK202" in proc.stdout
    assert (tmp_path / "atexit").read_text() == "ran"
    assert (tmp_path / "teardown").read_text() == "ran"
