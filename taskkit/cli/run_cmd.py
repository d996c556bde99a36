"""``taskkit run``."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from ..agents import Agent, ClosableAgent
from ..compiler import CompiledFileError, Selection, compile_paths, load_compiled
from ..compiler.select import select
from ..compiler.taskfile import open_compiled
from ..diagnostics import format_diagnostics
from ..executors import Executor, LocalExecutor
from ..handlers.trust import UntrustedHandlers, check_trust
from ..io.atomic import atomic_writer
from ..io.writer_lock import output_lock
from ..models import CompiledTask
from ..models.records import RunSettings, TrajectoryRecord
from ..packs.discovery import resolve_targets
from ..runs.episodes import run_settings, run_tasks
from ..runs.pass_rates import Report, build_report
from ..sim.formats import FORMATS
from .exit_codes import FINDINGS, OK, SERVER, USAGE
from .failures import run_failures
from .options import (
    agent_and_user_from,
    agent_from_flags,
    agent_option,
    agent_options,
    executor_from,
    executor_options,
    selection_from,
    selection_options,
    trust_from_flags,
    user_options,
)
from .progress import echo_pass_rates, progress


def load_tasks(
    paths: tuple[str, ...], trust: tuple[str, ...], selection: Selection | None = None
) -> list[CompiledTask]:
    """Compiled JSONL files are loaded; anything else is compiled first (lint included).
    Pack names (see `taskkit packs`) stand for the pack's folders. ``selection`` keeps
    the tasks compile would keep with the same options. A task with a handler of a pack
    the user does not trust is refused before anything runs."""
    tasks = _load_tasks(paths, trust, selection)
    try:
        check_trust(tasks, trust_from_flags(trust))
    except UntrustedHandlers as exc:
        _refuse(exc)
    return tasks


def _refuse(exc: UntrustedHandlers) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(USAGE)


def open_tasks(
    paths: tuple[str, ...],
    trust: tuple[str, ...],
    selection: Selection | None = None,
    *,
    index: Path | None = None,
) -> Sequence[CompiledTask]:
    """:func:`load_tasks` for a long run: compiled JSONL files are read a task at a time
    as the run meets them (a :class:`TaskFile`), not held, once every line is checked
    (``index``: where to keep what the check found, for the next run on the same files)."""
    if not _all_compiled(paths):
        return load_tasks(paths, trust, selection)
    allowed = trust_from_flags(trust)
    try:
        tasks = open_compiled(paths, selection, index=index)
    except CompiledFileError as exc:
        click.echo(str(exc), err=True)
        sys.exit(USAGE)
    if not tasks.read:
        raise click.UsageError(f"no compiled tasks in {', '.join(map(repr, paths))}")
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # closed with the command, however it ends (an exit included)
        ctx.call_on_close(tasks.close)
    untrusted = [h for h in tasks.handlers if h.pack not in allowed]
    if untrusted:
        _refuse(UntrustedHandlers(untrusted))
    return tasks


def _all_compiled(paths: tuple[str, ...]) -> bool:
    return all(p.endswith(".jsonl") and Path(p).is_file() for p in paths)


def _load_tasks(
    paths: tuple[str, ...], trust: tuple[str, ...], selection: Selection | None
) -> list[CompiledTask]:
    if _all_compiled(paths):
        try:
            tasks = [t for p in paths for t in load_compiled(p)]
        except CompiledFileError as exc:
            click.echo(str(exc), err=True)
            sys.exit(USAGE)
        if not tasks:
            raise click.UsageError(f"no compiled tasks in {', '.join(map(repr, paths))}")
        return select(tasks, selection) if selection is not None else tasks
    targets = resolve_targets(paths)
    if not targets.ok:
        # As click's own check of a missing path did before pack names existed: a usage error.
        raise click.UsageError("; ".join(d.message for d in targets.diagnostics))
    missing = [p for p in targets.paths if not Path(p).exists()]
    if missing:
        raise click.UsageError(f"path {missing[0]!r} does not exist")
    if targets.only_names and not (selection and selection.packs):
        selection = replace(selection or Selection(), packs=tuple(targets.named))
    result = compile_paths(targets.paths, selection=selection, trust=trust)
    if not result.ok:
        sys.stdout.write(format_diagnostics(result.diagnostics, "text"))
        click.echo("compile failed; nothing run", err=True)
        sys.exit(FINDINGS)
    if not result.tasks:  # a run of nothing would report success
        raise click.UsageError(f"no tasks in {', '.join(map(repr, paths))}")
    return result.tasks


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@agent_option(default="replay")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="openai", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=str), help="Trajectories JSONL."
)
@click.option(
    "--report", "report_path", type=click.Path(dir_okay=False, path_type=str), help="Report JSON."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Run each task this many times, with different seeds (for pass^k).",
)
@click.option("--temperature", type=float, default=0.0, show_default=True)
@click.option("--no-faults", is_flag=True, help="Disable the tasks' injected tool faults.")
@click.option(
    "--full-state",
    is_flag=True,
    help="Keep each episode's whole final state in -o, not a patch against the initial state.",
)
@click.option(
    "--trust",
    multiple=True,
    metavar="PACK",
    help="Run this pack's Python handlers (the pack that declares the tool; see the trust file).",
)
@selection_options()
@agent_options(retries=4)
@user_options()
@executor_options()
def run(
    paths: tuple[str, ...],
    agent_spec: str,
    fmt: str,
    output: str | None,
    report_path: str | None,
    seed: int,
    repeats: int,
    temperature: float,
    no_faults: bool,
    full_state: bool,
    trust: tuple[str, ...],
    model: str | None,
    base_url: str | None,
    timeout: float,
    retries: int,
    **options: Any,
) -> None:
    """Run an agent on every task and print action and task pass rates.

    PATHS are compiled JSONL files, or a library (folders, or names of discovered packs)
    to compile first. An episode the agent fails (it raises, outlasts --timeout, or its
    server keeps failing) is recorded as failed and the run goes on. Ctrl-C keeps the
    finished episodes in -o and exits 130. Episodes are played in order in this process,
    unless --workers or --executor ray say otherwise (then -o holds them as they finish).
    """
    tasks = load_tasks(paths, trust, selection_from(options))
    with run_failures(output, resumable=False):
        agent, user = agent_and_user_from(
            agent_spec, options, model=model, base_url=base_url, timeout=timeout, retries=retries
        )
        settings = run_settings(
            agent, agent_spec=agent_spec, fmt=fmt, seed=seed, temperature=temperature, user=user
        )
        factory = functools.partial(
            agent_from_flags,
            agent_spec,
            model=settings["model"] or model,
            base_url=base_url,
            timeout=timeout,
            max_retries=retries,
        )
        records = _play(
            tasks,
            agent,
            fmt,
            output,
            seed=seed,
            temperature=temperature,
            faults=not no_faults,
            repeats=repeats,
            settings=settings,
            trust=trust_from_flags(trust),
            executor=_in_order(executor_from(options, factory)),
            full_state=full_state,
            user=user,
        )
        report = _report(records, settings, report_path)
    failures = sum(report.failures.values())
    if failures:
        click.echo(f"{failures} episodes failed (see 'failed' in the records)", err=True)
    sys.exit(SERVER if report.failures.get("server") else OK)


def _play(
    tasks: list[CompiledTask], agent: Agent, fmt: str, output: str | None, **kwargs: Any
) -> list[TrajectoryRecord]:
    """The episodes' records, each written to ``output`` (if any) as it ends."""
    with contextlib.ExitStack() as stack:
        if isinstance(agent, ClosableAgent):  # a server agent's connection pool
            stack.callback(agent.close)
        out: IO[str] | None = None
        if output:
            if _lockable(output):
                stack.enter_context(output_lock(output))
            # Written as episodes end, not atomically at the end: an interrupted run
            # keeps what it finished.
            out = stack.enter_context(open(output, "w", encoding="utf-8"))
        return _run(tasks, agent, fmt, out, **kwargs)


def _report(
    records: list[TrajectoryRecord], settings: RunSettings, report_path: str | None
) -> Report:
    report = build_report(records)
    report.settings = settings
    echo_pass_rates(report)  # rich on a terminal, the plain table otherwise
    if report_path:
        with atomic_writer(report_path) as f:
            f.write(json.dumps(report.as_json(), indent=2) + "\n")
    return report


def _in_order(executor: Executor) -> Executor | None:
    """None (play in this process, in order, as run always did) for the default local
    executor; local workers only when --workers asks for them."""
    if isinstance(executor, LocalExecutor) and executor.workers is None:
        return None
    return executor


def _lockable(output: str) -> bool:
    """A regular file (or one to be made) gets a lock beside it; a device such as
    /dev/stdout is no output two runs could share."""
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    return not path.exists() or path.is_file()


def _run(
    tasks: list[CompiledTask],
    agent: Agent,
    fmt: str,
    out: IO[str] | None,
    **kwargs: Any,
) -> list[TrajectoryRecord]:
    records: list[TrajectoryRecord] = []
    total = len(tasks) * kwargs["repeats"]
    with progress(f"{agent.name} on {len(tasks)} tasks", total=total, unit="episodes") as bar:
        # on_done: an executor's records arrive as they finish, and are yielded at the end
        for record in run_tasks(
            tasks, agent, fmt, out=out, on_done=lambda _: bar.advance(), **kwargs
        ):
            records.append(record)
    return records
