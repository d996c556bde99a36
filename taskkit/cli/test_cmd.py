"""``taskkit test``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..diagnostics import format_diagnostics
from ..testing.profiles import PROFILES, get_profile
from ..testing.results import PropertyResult
from .exit_codes import FINDINGS, OK, USAGE
from .progress import progress

if TYPE_CHECKING:
    from ..testing.session import LibraryResult, TestSession


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option(
    "--profile",
    type=click.Choice(list(PROFILES)),
    default="default",
    show_default=True,
    help="ci: fast; default; thorough: every entry, every response format.",
)
@click.option(
    "--examples",
    type=click.IntRange(min=1),
    help="Generated content entries per dataset (overrides the profile).",
)
@click.option("--seed", type=int, help="Seed of every random choice (default 0).")
@click.option(
    "--task", "tasks", multiple=True, metavar="GLOB", help="Only tasks matching (id or pack/id)."
)
@click.option("--trust", multiple=True, metavar="PACK", help="Allow this pack's Python handlers.")
@click.option(
    "--full-examples", is_flag=True, help="Print long counterexamples whole, not just the change."
)
def test(
    paths: tuple[str, ...],
    profile: str,
    examples: int | None,
    seed: int | None,
    tasks: tuple[str, ...],
    trust: tuple[str, ...],
    full_examples: bool,
) -> None:
    """Check the properties every task of a pack must have.

    For every abstract task: every schema-valid content entry renders and gives valid gold
    calls (generated with Hypothesis); the gold replay scores 1 on every real entry; an agent
    that does nothing scores 0; every mistake class of the mutant agent is caught with its
    error type; compiling is deterministic; its documents round-trip through YAML. A task
    may declare an exception with its reason (``testing: {allow: [noop_passes], reason:
    ...}``): it is shown as ``allowed``, with the reason, instead of failing.

    Prints a table, then each failure with a minimal counterexample. Exit 1 on any failure.
    """
    try:
        from ..testing.properties import PROPERTIES  # noqa: PLC0415
        from ..testing.report import (  # noqa: PLC0415 - Hypothesis is an optional dependency
            format_header,
            format_row,
            task_width,
        )
        from ..testing.session import TestSession  # noqa: F401, PLC0415 - checks Hypothesis
    except ImportError as exc:
        click.echo(
            f"taskkit test needs Hypothesis ({exc.name} is missing): pip install 'taskkit-llm[test]'",
            err=True,
        )
        sys.exit(USAGE)
    chosen = get_profile(profile, examples=examples, seed=seed)
    session = _session(paths, trust, tasks)
    width = task_width(c.key for c in session.cases)
    click.echo(format_header(width))
    total = len(session.cases) * len(PROPERTIES)
    with progress("test", total=total, unit="properties") as bar:

        def step(result: PropertyResult) -> None:
            click.echo(format_row(result, width))
            bar.advance()

        outcome = session.run(chosen, on_result=step)
    _print_outcome(outcome, [c.key for c in session.cases], full_examples=full_examples)
    sys.exit(FINDINGS if outcome.failed else OK)


def _session(paths: tuple[str, ...], trust: tuple[str, ...], tasks: tuple[str, ...]) -> TestSession:
    """The library loaded and linted, with a case per task; exits when there is nothing to
    test (lint errors, or no task matching)."""
    from ..testing.session import TestSession  # noqa: PLC0415 - see test()

    session = TestSession(paths, trust=trust, tasks=tasks)
    if session.lint_errors:
        sys.stdout.write(format_diagnostics(session.lint_errors, "text"))
        click.echo(
            f"lint found {len(session.lint_errors)} errors: the properties need a library "
            "that lints clean (taskkit lint)",
            err=True,
        )
        sys.exit(FINDINGS)
    if not session.cases:
        wanted = f" matching {', '.join(tasks)}" if tasks else ""
        raise click.UsageError(f"no task{wanted} in {', '.join(paths)}")
    return session


def _print_outcome(outcome: LibraryResult, keys: list[str], *, full_examples: bool) -> None:
    """Each failure with its counterexample, the warnings, the summary."""
    from ..testing.report import (  # noqa: PLC0415 - see test()
        format_failure,
        format_summary,
        format_warnings,
    )

    for failed in outcome.failures:
        click.echo("")
        click.echo(format_failure(failed, full=full_examples), nl=False)
    warnings = format_warnings(outcome.results)
    if warnings:
        click.echo("")
        click.echo(warnings, nl=False)
    click.echo("")
    click.echo(format_summary(outcome, keys))
