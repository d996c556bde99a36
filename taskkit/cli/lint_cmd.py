"""``taskkit lint`` and ``taskkit rules``."""

from __future__ import annotations

import sys

import click

from ..diagnostics import Severity, fold, format_diagnostics
from ..lint import RULES
from ..lint import lint as run_lint
from ..lint.cache import default_dir
from ..packs.discovery import resolve_targets
from ..rule_ids import PACK_GATE
from . import quick_exit
from .exit_codes import FINDINGS, OK

FORMATS = ("text", "parsable", "json", "github")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--select", multiple=True, metavar="RULE", help="Only these rules (id or prefix).")
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules (id or prefix).")
@click.option(
    "--max-file-size", type=click.IntRange(min=1), default=16, show_default=True, help="In MiB."
)
@click.option("--deep", is_flag=True, help="Also render every entry and replay the gold actions.")
@click.option(
    "--trust", multiple=True, metavar="PACK", help="With --deep: run this pack's handlers."
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Where to keep what each file was found to hold, so that unchanged files are not "
    "read again. Default: lint/ in $TASKKIT_CACHE_DIR, else ~/.cache/taskkit.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="TASKKIT_NO_CACHE",
    help="Read every file, and keep nothing [env: TASKKIT_NO_CACHE].",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="List the findings that follow from another (a toolset that fails to load, one "
    "template failing for many entries) under it, not just their count.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
def lint(
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    max_file_size: int,
    deep: bool,
    trust: tuple[str, ...],
    cache_dir: str | None,
    no_cache: bool,
    verbose: bool,
    quiet: bool,
) -> None:
    """Check task packs, toolsets, content and evaluators before anything runs.

    PATHS are files, pack folders or whole libraries (e.g. task_library content_datasets),
    or names of discovered packs (see `taskkit packs`), which bring the packs they require.
    Findings that follow from another one (every "unknown tool" of a toolset that fails to
    load; one gold action failing for many entries) are counted under it: --verbose lists
    them. Exit status: 0 clean, 1 findings (warnings only with --strict), 2 usage error.
    """
    unknown = [r for r in (*select, *ignore) if not any(k.startswith(r) for k in RULES)]
    if unknown:
        raise click.UsageError(f"unknown rule {unknown[0]!r}; see `taskkit rules`")
    targets = resolve_targets(paths)
    compile_phase = None
    if deep:
        from ..compiler.deep import compile_findings  # noqa: PLC0415 - the compiler: --deep only

        compile_phase = compile_findings
    result = run_lint(
        targets.paths,
        select=select,
        ignore=ignore,
        max_bytes=max_file_size * 2**20,
        compile_phase=compile_phase,
        trust=trust,
        cache_dir=None if no_cache else cache_dir or default_dir(),
    )
    if result.cache_error:
        click.echo(f"warning: {result.cache_error}", err=True)
    found = [*targets.diagnostics, *result.diagnostics]
    sys.stdout.write(format_diagnostics(found, fmt, verbose=verbose))
    errors = result.errors + sum(d.severity is Severity.ERROR for d in targets.diagnostics)
    if not quiet and fmt in ("text", "parsable"):
        folded = len(found) - len(fold(found))
        more = (
            f" ({folded} follow from another; --verbose lists them)"
            if folded and not verbose
            else ""
        )
        click.echo(
            f"{result.files} files: {errors} errors, {result.warnings} warnings{more}", err=True
        )
    quick_exit.allow()  # all written: the process need not take the library apart
    sys.exit(FINDINGS if result.failed(strict=strict) or not targets.ok else OK)


@click.command()
@click.argument("rule_id", required=False)
def rules(rule_id: str | None) -> None:
    """List lint rules (and the pack gate's checks), or show one rule's documentation with
    examples."""
    if rule_id is None:
        rows = [
            (rid, each.NAME, str(each.SEVERITY), _summary(each.__doc__))
            for rid, each in RULES.items()
        ]
        # the gate's ids too: `taskkit rules` explains every id taskkit can print
        rows += [
            (rid, name, "error", f"{text} (taskkit pack check)")
            for rid, (name, text) in PACK_GATE.items()
        ]
        for rid, name, severity, summary in sorted(rows):
            click.echo(f"{rid}  {name:<22} {severity:<8} {summary}")
        return
    rule = RULES.get(rule_id.upper())
    if rule is None and rule_id.upper() in PACK_GATE:
        name, text = PACK_GATE[rule_id.upper()]
        click.echo(f"{rule_id.upper()} {name} (error, taskkit pack check)\n\n{text}")
        return
    if rule is None:
        raise click.UsageError(f"unknown rule {rule_id!r}")
    click.echo(f"{rule.ID} {rule.NAME} ({rule.SEVERITY})\n")
    click.echo((rule.__doc__ or "").strip())


def _summary(doc: str | None) -> str:
    """The first sentence of a rule's docstring, on one line."""
    text = " ".join((doc or "").strip().split("\n\n")[0].split())
    return text.split(". ")[0].rstrip(".") + "."
