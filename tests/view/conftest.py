"""Fixtures of the viewer's tests: the acceptance runs on the bundled library (made once per
session through the real CLI), a run with planted flips, and a headless Chromium.

Screenshots go to ``tests/.artifacts/view/`` (git-ignored; CI's checkout keeps them), with
an ``index.txt`` saying what each one shows.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium, missing
from view_records import read_jsonl

from tests.conftest import LIBRARY, REPO

ARTIFACTS = REPO / "tests" / ".artifacts" / "view"

# Flips planted into a copy of the mutant run: passed episodes made to fail (regressions in
# `compare a planted`) and failed ones made to pass (fixes).
N_REGRESSIONS, N_FIXES = 3, 2


def taskkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taskkit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The acceptance commands: compile the bundled library, run mutant and replay on it."""
    out = tmp_path_factory.mktemp("view-runs")
    steps = [
        ("compile", *map(str, LIBRARY), "-o", "out/tasks.jsonl"),
        ("run", "out/tasks.jsonl", "--agent", "mutant", "-o", "a.jsonl"),
        ("run", "out/tasks.jsonl", "--agent", "replay", "-o", "b.jsonl"),
    ]
    for args in steps:
        done = taskkit(*args, cwd=out)
        assert done.returncode == 0, (args, done.stderr[-2000:])
    return out


@pytest.fixture(scope="session")
def planted(runs_dir: Path) -> dict:
    """``planted.jsonl``: run A with N_REGRESSIONS passed episodes failed (one with a state
    diff whose changed field the page must highlight) and N_FIXES failed ones passed."""
    records = read_jsonl(runs_dir / "a.jsonl")
    passing = [r for r in records if r["task_score"] == 1]
    failing = [r for r in records if r["task_score"] == 0]
    regressions = [r["task_id"] for r in passing[:: len(passing) // N_REGRESSIONS][:N_REGRESSIONS]]
    fixes = [r["task_id"] for r in failing[:: len(failing) // N_FIXES][:N_FIXES]]
    out = []
    for original in records:
        r = dict(original)
        if r["task_id"] in regressions:
            r["task_score"] = 0
            r["final"] = {
                "score": 0,
                "errors": [{"type": "planted_failure", "message": "planted by the test"}],
                "diff": {
                    "tickets": {
                        "changed": [
                            {
                                "id": "t-1",
                                "before": {"id": "t-1", "status": "open", "owner": "ana"},
                                "after": {"id": "t-1", "status": "closed", "owner": "ana"},
                            }
                        ]
                    }
                },
            }
        elif r["task_id"] in fixes:
            r["task_score"] = 1
            r["final"] = {"score": 1, "errors": [], "diff": {}}
        out.append(r)
    path = runs_dir / "planted.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return {"path": path, "regressions": regressions, "fixes": fixes}


@pytest.fixture(scope="session")
def driver():
    why = missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI: {why}")
        pytest.skip(why)
    with chromium() as d:
        yield d


_SHOTS: list[tuple[str, str]] = []


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(driver, name, what)``: save a PNG artefact and note what it shows."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(d, name: str, what: str, *, full: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        if full:  # the whole page (to 4000 px), not only the window
            w, h = d.execute_script(
                "const e = document.documentElement; return [e.scrollWidth, e.scrollHeight];"
            )
            clip = {"x": 0, "y": 0, "width": w, "height": min(h, 4000), "scale": 1}
            shot = d.execute_cdp_cmd(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "clip": clip},
            )
            path.write_bytes(base64.b64decode(shot["data"]))
        else:
            d.save_screenshot(str(path))
        _SHOTS.append((path.name, what))
        return path

    yield take
    if _SHOTS:
        index = "".join(f"{name}: {what}\n" for name, what in _SHOTS)
        (ARTIFACTS / "index.txt").write_text(index, encoding="utf-8")
        print(f"\nviewer screenshots in {ARTIFACTS}:\n{index}")
