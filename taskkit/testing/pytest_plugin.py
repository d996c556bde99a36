"""pytest plugin: ``pytest --taskkit PATH`` checks every property of every task under PATH,
one test item per abstract task and property (``taskkit::pack/task::renders``).

Registered through the ``pytest11`` entry point, so it loads in every pytest run where
taskkit is installed: nothing heavier than pytest is imported until ``--taskkit`` is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .session import TestSession

_SESSION: pytest.StashKey[TestSession] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("taskkit", "taskkit task packs")
    group.addoption(
        "--taskkit",
        action="append",
        default=[],
        metavar="PATH",
        help="check every task of the task library at PATH (repeat for packs and content)",
    )
    group.addoption(
        "--taskkit-profile",
        default="ci",
        choices=("ci", "default", "thorough"),
        help="how hard to try (default: ci)",
    )
    group.addoption("--taskkit-examples", type=int, help="generated entries per dataset")
    group.addoption("--taskkit-seed", type=int, help="seed of every random choice")
    group.addoption(
        "--taskkit-trust", action="append", default=[], metavar="PACK", help="trusted pack"
    )


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect items
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    paths: list[str] = config.getoption("taskkit")
    if not paths:
        return
    library = TaskkitLibrary.from_parent(
        session, name="taskkit", path=Path(paths[0]).resolve(), nodeid="taskkit"
    )
    items.extend(library.collect())


class TaskkitLibrary(pytest.Collector):
    """The library named by ``--taskkit``, loaded and linted once."""

    def collect(self) -> Iterator[pytest.Item]:
        from .session import TestSession  # noqa: PLC0415 - only when --taskkit is given

        config = self.config
        test_session = TestSession(
            config.getoption("taskkit"), trust=config.getoption("taskkit_trust")
        )
        config.stash[_SESSION] = test_session
        if test_session.lint_errors:
            yield LintItem.from_parent(self, name="lint")
            return
        from .properties import PROPERTIES  # noqa: PLC0415

        for case in test_session.cases:
            for name in PROPERTIES:
                yield PropertyItem.from_parent(
                    self, name=f"{case.key}::{name}", task=case.key, prop=name
                )


class LintItem(pytest.Item):
    """Fails with the lint errors that stop the properties from running."""

    def runtest(self) -> None:
        errors = self.config.stash[_SESSION].lint_errors
        raise TaskkitFailure("\n".join(d.text() for d in errors))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, TaskkitFailure):
            return f"lint errors (fix them first: taskkit lint):\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, "taskkit lint"


class PropertyItem(pytest.Item):
    """One property of one task."""

    def __init__(self, *, task: str, prop: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.task, self.prop = task, prop

    def runtest(self) -> None:
        from .profiles import get_profile  # noqa: PLC0415
        from .report import format_failure  # noqa: PLC0415

        config = self.config
        profile = get_profile(
            config.getoption("taskkit_profile"),
            examples=config.getoption("taskkit_examples"),
            seed=config.getoption("taskkit_seed"),
        )
        test_session = config.stash[_SESSION]
        result = test_session.check(test_session.case(self.task), self.prop, profile)
        if result.status == "skip":
            pytest.skip(result.note)
        if result.failed:
            raise TaskkitFailure(format_failure(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, TaskkitFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        case = self.config.stash[_SESSION].case(self.task)
        return Path(case.path), case.line - 1, f"taskkit {self.task} {self.prop}"


class TaskkitFailure(Exception):
    """A property failed; the message is the report, counterexamples included."""
