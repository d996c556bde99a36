"""``taskkit pack check`` and ``taskkit pack lock``."""

from __future__ import annotations

import json
import sys

import click

from ..diagnostics import format_diagnostics
from .exit_codes import FINDINGS, OK
from .progress import progress


@click.group()
def pack() -> None:
    """Work on one pack as a contributable unit: lock its versions, check it for release."""


@pack.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--no-properties", is_flag=True, help="Skip the property tests (report them as skipped)."
)
@click.option(
    "--profile",
    type=click.Choice(["ci", "default", "thorough"]),
    default="ci",
    show_default=True,
    help="How hard the property tests try (as for `taskkit test`).",
)
@click.option(
    "--trust",
    multiple=True,
    metavar="PACK",
    help="Allow this pack's Python handlers (read them first): its deep lint and property "
    "tests run them.",
)
def check(
    paths: tuple[str, ...], fmt: str, no_properties: bool, profile: str, trust: tuple[str, ...]
) -> None:
    """The contribution gate: strict deep lint, property tests, pack.lock up to date, README,
    LICENSE and a description. Every finding of every check is listed.

    PATHS are pack folders, folders of packs (a pack repository), or discovered pack names.
    Exit status: 0 every check passed or was skipped, 1 otherwise.
    """
    from ..packs.gate import check_pack  # noqa: PLC0415 - keeps `taskkit --help` light

    with progress("pack check", unit="steps") as bar:

        def step(done: int, total: int) -> None:
            bar.total = total
            bar.advance(done - bar.done)

        report = check_pack(
            paths, properties=not no_properties, profile=profile, trust=trust, on_step=step
        )
    if fmt == "json":
        sys.stdout.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
        sys.exit(FINDINGS if report.failed else OK)
    if report.diagnostics:
        sys.stdout.write(format_diagnostics(report.diagnostics, "text"))
    counts = {"ok": 0, "fail": 0, "skip": 0}
    for rep in report.packs:
        click.echo(f"pack {rep.name} {rep.version} ({rep.root})")
        for c in rep.checks:
            counts[c.status] += 1
            mark = {"ok": "ok  ", "fail": "FAIL", "skip": "skip"}[c.status]
            click.echo(f"  {mark}  {c.name:<11} {c.detail}")
        findings = [d for c in rep.checks for d in c.diagnostics]
        if findings:
            click.echo("")
            sys.stdout.write(format_diagnostics(findings, "text"))
    verdict = "failed" if report.failed else "passed"
    click.echo(
        f"pack check {verdict}: {counts['ok']} passed, {counts['fail']} failed, "
        f"{counts['skip']} skipped",
        err=True,
    )
    sys.exit(FINDINGS if report.failed else OK)


@pack.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--force", is_flag=True, help="Record changed tasks even when their version was not bumped."
)
def lock(paths: tuple[str, ...], force: bool) -> None:
    """Write pack.lock: every task's version and content hash, for lint's TK602.

    Run it after bumping the versions of the tasks you changed. A task changed without a
    bump is refused (and the pack's lock left as it was) unless --force.
    PATHS are pack folders, folders of packs, or discovered pack names.
    """
    from ..packs.locking import lock_packs  # noqa: PLC0415 - keeps `taskkit --help` light

    outcomes, problems = lock_packs(paths, force=force)
    if problems:
        sys.stdout.write(format_diagnostics(problems, "text"))
    for out in outcomes:
        if out.problems:
            sys.stdout.write(format_diagnostics(out.problems, "text"))
            click.echo(f"{out.path}: not written ({len(out.problems)} problems)", err=True)
            continue
        changes = [
            f"{len(out.added)} added" if out.added else "",
            f"{len(out.updated)} updated" if out.updated else "",
            f"{len(out.removed)} removed" if out.removed else "",
        ]
        summary = ", ".join(c for c in changes if c) or "no change"
        state = "written" if out.written else "up to date"
        click.echo(f"{out.path}: {state} ({summary})", err=True)
    failed = bool(problems) or not outcomes or any(o.problems for o in outcomes)
    sys.exit(FINDINGS if failed else OK)
