from __future__ import annotations

import os
from pathlib import Path

import pytest
from ci_skips import (  # noqa: F401 - hooks: under CI a missing optional package fails
    pytest_make_collect_report,
    pytest_runtest_makereport,
)

REPO = Path(__file__).resolve().parents[1]

# The bundled library by default; TASKKIT_TEST_LIBRARY=dir1:dir2 runs the end-to-end
# tests against another one.
LIBRARY = [Path(p) for p in os.environ.get("TASKKIT_TEST_LIBRARY", "").split(":") if p] or [
    REPO / "task_library",
    REPO / "content_datasets",
]


def shared_dir() -> Path | None:
    """``shared/`` beside the checkout (the repo's parent holds it in dev and in CI)."""
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "corpora").is_dir():
            return base / "shared"
    return None


@pytest.fixture(autouse=True)
def _lint_cache_per_test(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """taskkit keeps its caches (the pack index, lint's findings) in the user's cache folder:
    give each test its own empty one, so that no test reads what another left, or what the
    user's own runs did."""
    monkeypatch.setenv("TASKKIT_CACHE_DIR", str(tmp_path_factory.mktemp("lint-cache")))
    monkeypatch.delenv("TASKKIT_NO_CACHE", raising=False)


@pytest.fixture(autouse=True)
def _no_progress_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress lines go to stderr once a run takes a second, which on a loaded machine
    would make the output of other tests depend on timing; tests/cli/test_progress.py
    turns them on where it tests them."""
    monkeypatch.setenv("TASKKIT_PROGRESS", "off")


@pytest.fixture(scope="session")
def compiled_library():
    from taskkit.compiler import compile_paths

    result = compile_paths(LIBRARY)
    assert result.ok, [d.text() for d in result.diagnostics]
    # The starter packs first: tests that take "a task" or the first N take one of them,
    # not a port of a benchmark (airline: a 2,800-record world, tasks a do-nothing agent
    # may pass by declaration, gold that ends with a terminal tool).
    return sorted(result.tasks, key=lambda t: t.pack == "airline")


@pytest.fixture(params=["fast", "reference"])
def yaml_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with each YAML reader: the optional fast one (yaml-rs, the ``fast``
    extra) where it applies, and the reference one (libyaml) always."""
    from taskkit.io import fastyaml

    if request.param == "reference":
        monkeypatch.setattr(fastyaml, "_yaml_rs", None)
    elif not fastyaml.available():
        pytest.skip("the fast YAML reader (the `fast` extra, yaml-rs) is not installed")
    return str(request.param)
