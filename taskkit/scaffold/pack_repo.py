"""The project files of a pack repository, as ``taskkit new pack NAME`` writes them.

Layout (``demo`` as NAME)::

    demo/                               the repository
      pyproject.toml                    distribution taskkit-pack-demo, entry point below
      README.md  LICENSE  .gitignore
      .pre-commit-config.yaml           the `taskkit-lint` hook, run by the installed taskkit
      .github/workflows/taskkit.yml     lint --strict, test, pack check
      schemas/                          the JSON Schemas, for the yaml-language-server lines
      src/taskkit_pack_demo/__init__.py
      src/taskkit_pack_demo/demo/       the pack folder: pack.yaml, pack.lock, README.md,
                                        LICENSE, tools/, content/, tasks/

Why a package around the pack folder: pip installs packages, and the entry point
``[project.entry-points."taskkit.packs"] demo = "taskkit_pack_demo"`` names one whose
directory holds the pack, which taskkit then finds without importing it. The ``src/``
layout keeps the checkout itself from shadowing the installed copy. ``taskkit lint --strict
demo`` works on the checkout because it reads every YAML file under the folder, and hidden
folders (``.github``) are skipped.

Until ``taskkit-llm`` is on PyPI, the pack depends on it by a direct reference to the taskkit
source given at scaffold time (a checkout, a wheel or a git URL; by default the checkout the
running taskkit comes from), so that ``pip install -e .`` resolves. The pre-commit hook is
``repo: local``: it runs the taskkit of the environment, which needs no published tag.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .. import __version__
from ..rule_ids import TASK_VERSION_NOT_BUMPED
from ._license_texts import LICENSES

__all__ = [
    "DISTRIBUTION",
    "INDEX",
    "SourceError",
    "default_source",
    "distribution",
    "python_package",
    "repo_files",
    "taskkit_requirement",
]

DISTRIBUTION = "taskkit-llm"
"""taskkit's distribution name (``pip install taskkit-llm``); PyPI's ``taskkit`` is another
project. The import package and the command are ``taskkit``."""

INDEX = "index"
"""``--taskkit-source index``: depend on ``taskkit-llm`` by version, from the package index."""


class SourceError(ValueError):
    """A ``--taskkit-source`` that names no taskkit."""


def python_package(name: str) -> str:
    return f"taskkit_pack_{name}"


def distribution(name: str) -> str:
    return f"taskkit-pack-{name.replace('_', '-')}"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _is_checkout(folder: Path) -> bool:
    try:
        project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return bool(project.get("project", {}).get("name") == DISTRIBUTION)


def default_source() -> str:
    """The checkout the running taskkit is imported from, or :data:`INDEX` when taskkit
    was installed from a wheel (then the index or wheel it came from resolves it again)."""
    root = Path(__file__).resolve().parents[2]  # taskkit/scaffold/ -> the checkout
    return str(root) if _is_checkout(root) else INDEX


def taskkit_requirement(source: str) -> str:
    """The PEP 508 requirement on taskkit for a pack's ``pyproject.toml``: a direct reference
    to ``source`` (a checkout folder, a wheel file, or a URL pip understands such as
    ``git+https://...@v0.1.0``), or a version range when ``source`` is :data:`INDEX`."""
    if source == INDEX:
        return f"{DISTRIBUTION}>={_minor(__version__)}"
    if "://" in source:
        return f"{DISTRIBUTION} @ {source}"
    path = Path(source).expanduser().resolve()
    if path.is_file() and path.name.endswith(".whl"):
        if not path.name.replace("-", "_").startswith(DISTRIBUTION.replace("-", "_") + "_"):
            raise SourceError(f"{source!r} is not a {DISTRIBUTION} wheel")
        return f"{DISTRIBUTION} @ {path.as_uri()}"
    if path.is_dir() and _is_checkout(path):
        return f"{DISTRIBUTION} @ {path.as_uri()}"
    raise SourceError(
        f"{source!r} is not a taskkit checkout (a folder whose pyproject.toml names "
        f"{DISTRIBUTION}), a {DISTRIBUTION} wheel, a URL, nor {INDEX!r}"
    )


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
# taskkit's distribution is taskkit-llm (import and command: taskkit). {requirement_note}
dependencies = ["{requirement}"]

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
# LICENSE too: the gate of an installed pack looks for it in the pack folder.
[tool.setuptools.package-data]
"*" = ["*.yaml", "*.yml", "*.jsonl", "pack.lock", "*.md", "LICENSE"]
"""

README = """\
# {dist}

A task pack for taskkit (the `taskkit-llm` distribution): `{name}`. The pack itself is
[`src/{package}/{name}/`](src/{package}/{name}/); its README says what the tasks cover.

## Use it

```sh
pip install .                 # from this checkout; installs taskkit too (see pyproject.toml)
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

{requirement_where}

The `# yaml-language-server` line of each YAML file points at `schemas/`, the JSON Schemas
of the taskkit that made the pack: editors complete and check fields offline. After
upgrading taskkit, `taskkit schema export -o schemas` refreshes them.

The pre-commit hook is `repo: local`: it runs `taskkit lint` from this environment, so it
needs no published hook repository. To run taskkit's own hook definition from a taskkit
checkout instead: `pre-commit try-repo PATH/TO/taskkit taskkit-lint --all-files`.

Every change to a task needs a higher `version:` in that task (lint rule {tk602} compares
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
# `repo: local` runs the taskkit installed in this environment (`pip install -e .`), so the
# hook needs no published tag. taskkit's own hook definition (.pre-commit-hooks.yaml in the
# taskkit repository) is the same hook: `pre-commit try-repo PATH/TO/taskkit taskkit-lint
# --all-files` runs it from a checkout; to pin it, replace this block with
#   - repo: <taskkit's git URL>
#     rev: <a tag or commit of it>
#     hooks: [{{id: taskkit-lint, args: [--strict, src]}}]
repos:
  - repo: local
    hooks:
      - id: taskkit-lint
        name: taskkit lint
        entry: taskkit lint
        language: system
        files: (\\.(ya?ml|jsonl)|(^|/)pack\\.lock)$
        # Whole packs, not the changed files: a task is checked against its tools and content.
        pass_filenames: false
        require_serial: true
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
      # taskkit comes from pyproject.toml's taskkit-llm dependency, which must resolve on
      # the runner: a git URL or the package index, not a path (see README.md)
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


def _where(name: str, requirement: str, published: bool) -> str:
    if published:
        return f"taskkit comes from the package index: `{requirement}`."
    text = f"taskkit installs from `{requirement}` (pyproject.toml's dependency)"
    if "file://" in requirement:
        text += (
            ": a path on this machine. For CI elsewhere, scaffold with `taskkit new pack "
            f"{name} --taskkit-source git+https://HOST/OWNER/taskkit@TAG`, or edit the dependency"
        )
    else:
        text += ". Edit the dependency to move"
    return text + f' (once `{DISTRIBUTION}` is on PyPI: `"{DISTRIBUTION}>={_minor(__version__)}"`).'


def repo_files(name: str, source: str | None = None) -> dict[str, str]:
    """Repository-relative path -> text, for everything but the pack folder and
    ``schemas/``; ``source`` is where taskkit installs from (see :func:`taskkit_requirement`;
    default: :func:`default_source`)."""
    source = default_source() if source is None else source
    requirement = taskkit_requirement(source)
    published = source == INDEX
    fields = {
        "name": name,
        "dist": distribution(name),
        "package": python_package(name),
        "title": name.replace("_", " ").capitalize() + " tasks",
        "taskkit": _minor(__version__),
        "version": __version__,
        "requirement": requirement,
        "requirement_note": "From the package index."
        if published
        else 'Until it is on PyPI,\n# a direct reference to the taskkit source; a published pack says "'
        f'{DISTRIBUTION}>={_minor(__version__)}".',
        "requirement_where": _where(name, requirement, published),
    }
    return {
        "pyproject.toml": PYPROJECT.format(**fields),
        "README.md": README.format(**fields, tk602=TASK_VERSION_NOT_BUMPED),
        "LICENSE": LICENSES["Apache-2.0"],
        ".gitignore": GITIGNORE,
        ".pre-commit-config.yaml": PRE_COMMIT.format(**fields),
        ".github/workflows/taskkit.yml": WORKFLOW,
        f"src/{python_package(name)}/__init__.py": INIT.format(name=name),
    }
