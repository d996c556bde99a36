"""``taskkit run``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..agents import Agent, make_agent
from ..atomic import atomic_writer
from ..compiler import CompiledFileError, Selection, compile_paths, load_compiled
from ..diagnostics import format_diagnostics
from ..models import CompiledTask
from ..packs.discovery import resolve_targets
from ..report import build_report
from ..runner import run_tasks
from ..sim.formats import FORMATS
from .exit_codes import FINDINGS, OK, USAGE
from .progress import echo_pass_rates


def load_tasks(paths: tuple[str, ...], trust: tuple[str, ...]) -> list[CompiledTask]:
    """Compiled JSONL files are loaded; anything else is compiled first (lint included).
    Pack names (see `taskkit packs`) stand for the pack's folders."""
    if all(p.endswith(".jsonl") and Path(p).is_file() for p in paths):
        try:
            return [t for p in paths for t in load_compiled(p)]
        except CompiledFileError as exc:
            click.echo(str(exc), err=True)
            sys.exit(USAGE)
    targets = resolve_targets(paths)
    if not targets.ok:
        # As click's own check of a missing path did before pack names existed: a usage error.
        raise click.UsageError("; ".join(d.message for d in targets.diagnostics))
    missing = [p for p in targets.paths if not Path(p).exists()]
    if missing:
        raise click.UsageError(f"path {missing[0]!r} does not exist")
    selection = Selection(packs=tuple(targets.named)) if targets.only_names else None
    result = compile_paths(targets.paths, selection=selection, trust=trust)
    if not result.ok:
        sys.stdout.write(format_diagnostics(result.diagnostics, "text"))
        click.echo("compile failed; nothing run", err=True)
        sys.exit(FINDINGS)
    return result.tasks


def agent_from_flags(spec: str, **openai_options: Any) -> Agent:
    """The agent named on the command line; the openai options apply to ``openai`` only."""
    kwargs = openai_options if spec == "openai" else {}
    try:
        return make_agent(spec, **kwargs)
    except (ValueError, ImportError, AttributeError) as exc:
        raise click.UsageError(str(exc)) from None


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--agent",
    "agent_spec",
    default="replay",
    show_default=True,
    help="replay, noop, mutant, openai, or module:function.",
)
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
@click.option("--temperature", type=float, default=0.0, show_default=True)
@click.option("--no-faults", is_flag=True, help="Disable the tasks' injected tool faults.")
@click.option("--trust", multiple=True, metavar="PACK")
@click.option("--model", help="Model name for --agent openai (or TASKKIT_MODEL).")
@click.option("--base-url", help="Server URL for --agent openai (or OPENAI_BASE_URL).")
def run(
    paths: tuple[str, ...],
    agent_spec: str,
    fmt: str,
    output: str | None,
    report_path: str | None,
    seed: int,
    temperature: float,
    no_faults: bool,
    trust: tuple[str, ...],
    model: str | None,
    base_url: str | None,
) -> None:
    """Run an agent on every task and print action and task pass rates.

    PATHS are compiled JSONL files, or a library (folders, or names of discovered packs)
    to compile first.
    """
    tasks = load_tasks(paths, trust)
    agent = agent_from_flags(agent_spec, model=model, base_url=base_url)
    sink = atomic_writer(output) if output else None
    records = []
    with click.progressbar(
        length=len(tasks), label=f"{agent.name} on {len(tasks)} tasks", file=sys.stderr
    ) as bar:
        if sink is not None:
            with sink as f:
                for record in run_tasks(
                    tasks,
                    agent,
                    fmt,
                    seed=seed,
                    temperature=temperature,
                    faults=not no_faults,
                    out=f,
                ):
                    records.append(record)
                    bar.update(1)
        else:
            for record in run_tasks(
                tasks, agent, fmt, seed=seed, temperature=temperature, faults=not no_faults
            ):
                records.append(record)
                bar.update(1)
    report = build_report(records)
    echo_pass_rates(report)  # rich on a terminal, the plain table otherwise
    if report_path:
        with atomic_writer(report_path) as f:
            f.write(json.dumps(report.as_json(), indent=2) + "\n")
    sys.exit(OK)
