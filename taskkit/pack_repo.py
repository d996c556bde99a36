"""The project files of a pack repository, as ``taskkit new pack NAME`` writes them.

Layout (``demo`` as NAME)::

    demo/                               the repository
      pyproject.toml                    distribution taskkit-pack-demo, entry point below
      README.md  LICENSE  .gitignore
      .pre-commit-config.yaml           taskkit's `taskkit-lint` hook
      .github/workflows/taskkit.yml     lint --strict, test, pack check
      src/taskkit_pack_demo/__init__.py
      src/taskkit_pack_demo/demo/       the pack folder: pack.yaml, pack.lock, README.md,
                                        tools/, content/, tasks/

Why a package around the pack folder: pip installs packages, and the entry point
``[project.entry-points."taskkit.packs"] demo = "taskkit_pack_demo"`` names one whose
directory holds the pack, which taskkit then finds without importing it. The ``src/``
layout keeps the checkout itself from shadowing the installed copy. ``taskkit lint --strict
demo`` works on the checkout because it reads every YAML file under the folder, and hidden
folders (``.github``) are skipped.
"""

from __future__ import annotations

from . import __version__
from ._license_texts import LICENSES

__all__ = ["HOOK_REPO", "distribution", "python_package", "repo_files"]

HOOK_REPO = "https://github.com/taskkit/taskkit"
"""Where taskkit's ``.pre-commit-hooks.yaml`` is published, for ``.pre-commit-config.yaml``."""


def python_package(name: str) -> str:
    return f"taskkit_pack_{name}"


def distribution(name: str) -> str:
    return f"taskkit-pack-{name.replace('_', '-')}"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


PYPROJECT = """\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "{dist}"
version = "0.1.0"  # keep in step with version: in pack.yaml
description = "{title}: a taskkit task pack."
readme = "README.md"
requires-python = ">=3.11"
license = {{ text = "Apache-2.0" }}
dependencies = ["taskkit>={taskkit}"]

# How taskkit finds the installed pack: a package whose folder holds pack folders.
[project.entry-points."taskkit.packs"]
{name} = "{package}"

[tool.setuptools.packages.find]
where = ["src"]

# Build in a hidden folder: taskkit skips hidden folders, while a build/lib/ copy of the
# pack would be linted (and listed) a second time.
[tool.distutils.build]
build-base = ".build"

# The pack is data: ship every document, the lock and the README of each pack folder.
[tool.setuptools.package-data]
"*" = ["*.yaml", "*.yml", "*.jsonl", "pack.lock", "*.md"]
"""

README = """\
# {dist}

A [taskkit](https://taskkit.dev) task pack: `{name}`. The pack itself is
[`src/{package}/{name}/`](src/{package}/{name}/); its README says what the tasks cover.

## Use it

```sh
pip install {dist}            # or, from a checkout: pip install .
taskkit packs                 # lists {name}, its version and where it comes from
taskkit compile {name} -o {name}.jsonl
taskkit run {name} --agent replay
```

## Work on it

```sh
pip install -e .
taskkit lint --strict src     # also run by pre-commit: pre-commit install
taskkit test src              # property tests of every task
taskkit pack lock src         # after bumping the version of each task you changed
taskkit pack check .          # the gate CI runs: lint, tests, lock, README, LICENSE
```

Every change to a task needs a higher `version:` in that task (lint rule TK602 compares
with `pack.lock`), so that results from different versions are never mixed up. Bump
`version` in `pack.yaml` and `pyproject.toml` together when you release.
"""

GITIGNORE = """\
__pycache__/
*.egg-info/
.build/
build/
dist/
.venv/
"""

PRE_COMMIT = """\
# pre-commit install  -- then every commit is linted the way CI lints it.
repos:
  - repo: {hook_repo}
    rev: v{version}
    hooks:
      - id: taskkit-lint
        # Whole packs, not the changed files: a task is checked against its tools and content.
        args: [--strict, src]
"""

WORKFLOW = """\
name: taskkit

on:
  push:
  pull_request:

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the pack and taskkit
        run: python -m pip install -e .
      - name: Lint
        run: taskkit lint --strict --format github src
      - name: Property tests
        run: taskkit test src
      - name: Contribution gate
        run: taskkit pack check .
"""

INIT = '''\
"""The taskkit task pack ``{name}``: its files are the folder ``{name}/`` beside this module.

taskkit finds it through the ``taskkit.packs`` entry point and never imports this package.
"""
'''


def repo_files(name: str) -> dict[str, str]:
    """Repository-relative path -> text, for everything but the pack folder."""
    fields = {
        "name": name,
        "dist": distribution(name),
        "package": python_package(name),
        "title": name.replace("_", " ").capitalize() + " tasks",
        "taskkit": _minor(__version__),
        "version": __version__,
        "hook_repo": HOOK_REPO,
    }
    return {
        "pyproject.toml": PYPROJECT.format(**fields),
        "README.md": README.format(**fields),
        "LICENSE": LICENSES["Apache-2.0"],
        ".gitignore": GITIGNORE,
        ".pre-commit-config.yaml": PRE_COMMIT.format(**fields),
        ".github/workflows/taskkit.yml": WORKFLOW,
        f"src/{python_package(name)}/__init__.py": INIT.format(name=name),
    }
