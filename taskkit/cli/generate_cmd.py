"""``taskkit generate`` and ``taskkit report``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..datagen import ExploreConfig, GenerateConfig, generate
from ..datagen.export import read_trajectories
from ..datagen.run import ConfigMismatch
from ..report import build_report, format_table, report_from_json
from ..sim.formats import FORMATS
from .exit_codes import INTERRUPTED, OK, USAGE
from .progress import echo_pass_rates
from .run_cmd import agent_from_flags, load_tasks


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
@click.option(
    "--agent",
    "agent_spec",
    default="mutant",
    show_default=True,
    help="mutant, replay, noop, openai, or module:function.",
)
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
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--no-faults", is_flag=True)
@click.option("--trust", multiple=True, metavar="PACK")
@click.option("--model", help="For --agent openai (or TASKKIT_MODEL).")
@click.option("--base-url", help="For --agent openai (or OPENAI_BASE_URL).")
@click.option(
    "--timeout", type=float, default=60.0, show_default=True, help="Per request, seconds."
)
@click.option(
    "--retries", type=int, default=6, show_default=True, help="On 429 and 5xx, with backoff."
)
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
    concurrency: int,
    no_faults: bool,
    trust: tuple[str, ...],
    model: str | None,
    base_url: str | None,
    timeout: float,
    retries: int,
) -> None:
    """Explore every task with an agent and export SFT and DPO data and a pass-rate report.

    At every step, --samples responses are drawn at temperatures spread over [t-min, t-max],
    each scored on its own copy of the state; the episode goes on along a passing one.
    Rerunning the same command after a crash or Ctrl-C resumes where it stopped.
    """
    tasks = load_tasks(paths, trust)
    agent = agent_from_flags(
        agent_spec, model=model, base_url=base_url, timeout=timeout, max_retries=retries
    )
    config = GenerateConfig(
        explore=ExploreConfig(
            samples=samples,
            t_min=t_min,
            t_max=t_max,
            policy=policy,  # type: ignore[arg-type]
            seed=seed,
            format=fmt,
            faults=not no_faults,
        ),
        concurrency=concurrency,
        agent=agent_spec,
    )
    progress = _Progress()
    try:
        report = generate(
            tasks, agent, outdir, config, on_done=progress.tick, on_start=progress.begin
        )
    except ConfigMismatch as exc:
        click.echo(str(exc), err=True)
        sys.exit(USAGE)
    except KeyboardInterrupt:
        progress.end()
        click.echo(
            f"interrupted: finished episodes are kept in {outdir}; rerun to resume", err=True
        )
        sys.exit(INTERRUPTED)
    progress.end()
    _print(report, outdir)
    sys.exit(OK)


def _print(report: dict[str, Any], outdir: str) -> None:
    click.echo(format_table(report_from_json(report)))
    counts = report.get("counts", {})
    click.echo(
        f"wrote {Path(outdir) / 'sft.jsonl'} ({counts.get('sft_rows', 0)} rows), "
        f"dpo.jsonl ({counts.get('dpo_pairs', 0)} pairs), report.json",
        err=True,
    )


@click.command()
@click.argument("trajectories", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def report(trajectories: str, as_json: bool) -> None:
    """Rebuild the pass-rate table from a trajectories.jsonl (of `run` or `generate`)."""
    records = read_trajectories(trajectories)
    built = build_report(records)
    if as_json:
        click.echo(json.dumps(built.as_json(), indent=2))
    else:
        echo_pass_rates(built)  # rich on a terminal, the plain table otherwise
