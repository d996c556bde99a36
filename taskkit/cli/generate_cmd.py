"""``taskkit generate`` and ``taskkit report``.

What a rerun with nothing left to do needs is imported here; the agents, the simulator and
the executors only when there is something to do (:func:`_nothing_to_do`): a no-op resume
of a finished run answers from the run's indexes, in the time the interpreter takes to
start. ``tests/e2e/test_generate_resume.py`` checks what it imports."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..compiler import Selection
from ..compiler.index import held_tasks
from ..datagen.config import ExploreConfig, GenerateConfig
from ..datagen.messages import ARGUMENTS, Arguments
from ..datagen.resume import ConfigMismatch, noop_report
from ..datagen.store import read_records
from ..io.jsonlines import JsonlError
from ..io.writer_lock import LockHeld, output_lock
from ..runs.pass_rates import build_report, format_table
from .exit_codes import OK, SERVER, USAGE
from .names import FORMATS, OFFLINE_AGENTS
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
from .progress import echo_pass_rates

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models import CompiledTask
    from ..models.records import EpisodeRecord

TASKS_INDEX = ".tasks.idx"
"""Where in OUTDIR ``generate`` keeps what checking its compiled files found: a rerun on
the same unchanged files (a resume) reads it instead of parsing every task."""


class _Progress:
    """A one-line progress display on stderr: done / total, rate and ETA."""

    def __init__(self) -> None:
        self.total = self.done = self.skipped = 0
        self.start = time.monotonic()

    def begin(self, skipped: int, todo: int) -> None:
        self.skipped, self.total = skipped, todo
        if skipped:
            click.echo(f"resuming: {skipped} episodes already done, {todo} to go", err=True)

    def tick(self, output: object) -> None:
        self.done += 1
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0.0
        click.echo(
            f"\r{self.done}/{self.total} episodes  {rate:6.1f}/s  eta {eta:5.0f}s",
            err=True,
            nl=False,
        )

    def end(self) -> None:
        if self.total:
            click.echo("", err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option(
    "-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=str)
)
@agent_option(default="mutant")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="openai", show_default=True
)
@click.option(
    "-k",
    "--samples",
    type=click.IntRange(min=1),
    default=7,
    show_default=True,
    help="Responses sampled at every step.",
)
@click.option("--t-min", type=float, default=0.0, show_default=True)
@click.option("--t-max", type=float, default=1.0, show_default=True)
@click.option(
    "--policy",
    type=click.Choice(["first", "random"]),
    default="first",
    show_default=True,
    help="Which passing sample the episode continues with.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Explore each task this many times, with different seeds (for pass^k).",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Run again the episodes a previous run recorded as failed (a rerun leaves them).",
)
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--no-faults", is_flag=True)
@click.option(
    "--trust",
    multiple=True,
    metavar="PACK",
    help="Run this pack's Python handlers (the pack that declares the tool; see the trust file).",
)
@click.option(
    "--arguments",
    type=click.Choice(ARGUMENTS),
    default="object",
    show_default=True,
    help="Tool-call arguments in the rows: JSON objects, or JSON strings (DeepSeek-V3).",
)
@selection_options()
@agent_options(retries=6)
@user_options()
@executor_options()
def generate_(
    paths: tuple[str, ...],
    outdir: str,
    agent_spec: str,
    fmt: str,
    samples: int,
    t_min: float,
    t_max: float,
    policy: str,
    seed: int,
    repeats: int,
    retry_failed: bool,
    concurrency: int,
    no_faults: bool,
    arguments: Arguments,
    trust: tuple[str, ...],
    model: str | None,
    base_url: str | None,
    timeout: float,
    retries: int,
    **options: Any,
) -> None:
    """Explore every task with an agent and export SFT and DPO data and a pass-rate report.

    At every step, --samples responses are drawn at temperatures spread over [t-min, t-max],
    each scored on its own copy of the state; the episode goes on along a passing one.
    Rerunning the same command after a crash or Ctrl-C resumes where it stopped. An
    episode the agent fails (it raises, outlasts --timeout, or its server keeps failing) is
    recorded as failed and the run goes on; a rerun runs again those the server failed, and
    all failed ones with --retry-failed. One process writes an OUTDIR at a time.
    """
    selection = selection_from(options)
    config = GenerateConfig(
        explore=ExploreConfig(
            samples=samples,
            t_min=t_min,
            t_max=t_max,
            policy=policy,  # type: ignore[arg-type]
            seed=seed,
            format=fmt,
            faults=not no_faults,
            trust=tuple(sorted(trust_from_flags(trust))),
            arguments=arguments,
        ),
        concurrency=concurrency,
        agent=agent_spec,
    )
    progress = _Progress()
    done = _nothing_to_do(
        paths,
        outdir,
        selection,
        config,
        options,
        repeats=repeats,
        retry_failed=retry_failed,
        on_start=progress.begin,
    )
    if done is not None:
        _finish(done, outdir)
    # What a run needs is imported once there is something to run (see the docstring).
    from .failures import run_failures  # noqa: PLC0415
    from .run_cmd import open_tasks  # noqa: PLC0415

    tasks = open_tasks(paths, trust, selection, index=Path(outdir) / TASKS_INDEX)
    with run_failures(outdir, resumable=True):
        report = _explore(
            tasks,
            outdir,
            config,
            options,
            progress,
            model=model,
            base_url=base_url,
            timeout=timeout,
            retries=retries,
            repeats=repeats,
            retry_failed=retry_failed,
        )
    _finish(report, outdir)


def _explore(
    tasks: Sequence[CompiledTask],
    outdir: str,
    config: GenerateConfig,
    options: dict[str, Any],
    progress: _Progress,
    *,
    model: str | None,
    base_url: str | None,
    timeout: float,
    retries: int,
    repeats: int,
    retry_failed: bool,
) -> dict[str, Any]:
    """Play and export every episode still to do; the run's report."""
    from ..datagen import generate  # noqa: PLC0415 - see the module's docstring
    from ..runs.episodes import run_settings  # noqa: PLC0415

    explore, spec = config.explore, config.agent
    agent, user = agent_and_user_from(
        spec, options, model=model, base_url=base_url, timeout=timeout, retries=retries
    )
    config = replace(config, explore=replace(explore, user=user))
    settings = run_settings(
        agent,
        agent_spec=spec,
        fmt=explore.format,
        seed=explore.seed,
        temperature=[explore.t_min, explore.t_max],
        samples=explore.samples,
        user=user,
    )
    # Each Ray actor builds its own agent, as this one was (a server's model resolved).
    factory = functools.partial(
        agent_from_flags,
        spec,
        model=settings["model"] or model,
        base_url=base_url,
        timeout=timeout,
        max_retries=retries,
    )
    executor = executor_from(options, factory)
    Path(outdir).mkdir(parents=True, exist_ok=True)
    with output_lock(outdir):
        try:
            return generate(
                tasks,
                agent,
                outdir,
                config,
                repeats=repeats,
                retry_failed=retry_failed,
                settings=settings,
                on_done=progress.tick,
                on_start=progress.begin,
                on_quarantine=_quarantined,
                executor=executor,
            )
        finally:
            progress.end()


def _nothing_to_do(
    paths: tuple[str, ...],
    outdir: str,
    selection: Selection,
    config: GenerateConfig,
    options: dict[str, Any],
    *,
    repeats: int,
    retry_failed: bool,
    on_start: Callable[[int, int], None],
) -> dict[str, Any] | None:
    """The report of the run in ``outdir`` when this command has nothing to play and
    nothing to export, decided from the run's indexes without the tasks, the agent or the
    executor; ``None`` when there is something to do, or when anything is not as a
    finished run of the same command left it (the full run then says what is wrong, as it
    would have). An agent that may reach a server is always made (its model is part of the
    run's settings), as is an executor other than the local one."""
    if config.agent not in OFFLINE_AGENTS or options["executor"] != "local" or options["address"]:
        return None
    if not all(p.endswith(".jsonl") and Path(p).is_file() for p in paths):
        return None  # packs are compiled (and linted) first
    held = held_tasks(paths, selection, Path(outdir) / TASKS_INDEX)
    if (
        held is None
        or not held.ids
        or any(h.pack not in config.explore.trust for h in held.handlers)
    ):
        return None
    try:
        with output_lock(outdir):
            return noop_report(
                outdir,
                held.ids,
                config,
                {"model": None},
                repeats=repeats,
                retry_failed=retry_failed,
                on_start=on_start,
                on_quarantine=_quarantined,
            )
    except (ConfigMismatch, LockHeld, OSError):
        return None


def _finish(report: dict[str, Any], outdir: str) -> NoReturn:
    _print(report, outdir)
    failures = report.get("failures") or {}
    if failures:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(failures.items()))
        click.echo(
            f"failed episodes: {kinds} (a rerun runs the server's again; --retry-failed all)",
            err=True,
        )
    sys.exit(SERVER if failures.get("server") else OK)


def _quarantined(n: int, path: Path) -> None:
    click.echo(
        f"moved {n} corrupt lines of trajectories.jsonl to {path}; their episodes run again",
        err=True,
    )


def _print(report: dict[str, Any], outdir: str) -> None:
    click.echo(format_table(report))
    counts = report.get("counts", {})
    click.echo(
        f"wrote {Path(outdir) / 'sft.jsonl'} ({counts.get('sft_rows', 0)} rows), "
        f"dpo.jsonl ({counts.get('dpo_pairs', 0)} pairs), report.json",
        err=True,
    )


@click.command()
@click.argument("trajectories", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--plots",
    "plots_dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Also write the viewer's charts as SVG files into this folder.",
)
def report(trajectories: str, as_json: bool, plots_dir: str | None) -> None:
    """Rebuild the pass-rate table from a trajectories.jsonl (of `run` or `generate`).

    The latest record of each episode counts (a rerun's replaces a failure). A torn last
    line (a run still writing, or killed) is left out with a warning; any other line that
    is not a record is an error, at its file:line (the numbers would leave an episode out).
    """
    lines = read_records(trajectories)
    try:
        records: list[EpisodeRecord] = [record for _, record in lines]
    except JsonlError as exc:
        click.echo(exc.diagnostic.text(), err=True)
        sys.exit(USAGE)
    torn = lines.torn_note(len(records))
    if torn is not None:
        click.echo(f"warning: {torn}", err=True)
    latest = {(r["task_id"], r.get("repeat", 0)): r for r in records}
    built = build_report(latest.values())
    if as_json:
        click.echo(json.dumps(built.as_json(), indent=2))
    else:
        echo_pass_rates(built)  # rich on a terminal, the plain table otherwise
    if plots_dir:
        from ..view.plots import write_plots  # noqa: PLC0415 - only with --plots

        for path in write_plots(list(latest.values()), plots_dir):
            click.echo(f"wrote {path}", err=True)
