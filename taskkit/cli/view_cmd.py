"""``taskkit view`` and ``taskkit compare``."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click

from ..io.atomic import atomic_writer
from ..view import Run, ViewInputError, build_page, compare_runs, error_page, format_text, read_runs
from .exit_codes import OK, USAGE


def _input_error(exc: ViewInputError) -> NoReturn:
    click.echo(exc.diagnostic.text(), err=True)
    sys.exit(USAGE)


def _read(paths: list[str]) -> list[Run]:
    """The runs at ``paths``, their warnings said; a usage error (exit) when one cannot be
    read."""
    try:
        runs = read_runs(paths)
    except ViewInputError as exc:
        _input_error(exc)
    for run in runs:
        for warning in run.warnings:
            click.echo(f"warning: {warning}", err=True)
    return runs


def _write(path: str, text: str) -> None:
    with atomic_writer(path) as f:
        f.write(text)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "-o",
    "--output",
    default="view.html",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The HTML file to write (without --serve).",
)
@click.option(
    "--serve", is_flag=True, help="Serve on 127.0.0.1 and reload while the run is writing."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any free."
)
def view(paths: tuple[str, ...], output: str, serve: bool, port: int) -> None:
    """Write one self-contained HTML viewer of trajectories (works offline, from disk).

    PATHS are files of `taskkit run -o` or output folders of `taskkit generate`; each is
    shown as a run: settings, pass rates with intervals, charts, a filterable task list and
    every episode's steps, verdicts and final-state diff against gold.
    """
    if serve:
        _serve(list(paths), port)
        return
    runs = _read(list(paths))
    html = build_page(runs)
    _write(output, html)
    episodes = sum(len(r.records) for r in runs)
    click.echo(f"wrote {output} ({episodes} episodes, {len(html) / 1e6:.1f} MB)", err=True)
    sys.exit(OK)


def _serve(paths: list[str], port: int) -> None:
    from ..view.serve import make_server  # noqa: PLC0415 - only when serving

    def build(version: str) -> str:
        try:
            return build_page(read_runs(paths), live_version=version)
        except ViewInputError as exc:  # e.g. a run that has written nothing yet
            return error_page(exc.diagnostic.text(), live_version=version)

    try:
        server = make_server(paths, build, port=port)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    bound = server.server_address[1]
    click.echo(
        f"serving http://127.0.0.1:{bound}/ (reloads as the run writes; Ctrl-C stops)", err=True
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()
    sys.exit(OK)


@click.command()
@click.argument("a", type=click.Path(path_type=str))
@click.argument("b", type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    help="Write here instead of stdout (html: compare.html by default).",
)
def compare(a: str, b: str, fmt: str, output: str | None) -> None:
    """Compare two runs over the same tasks: flips first (regressions, then fixes), then the
    change in pass rate with McNemar's paired test, by pack and by category."""
    runs = _read([a, b])
    try:
        comparison = compare_runs(runs[0], runs[1])
    except ViewInputError as exc:
        _input_error(exc)
    if fmt == "html":
        target = output or "compare.html"
        html = build_page(runs, comparison=comparison)
        _write(target, html)
        click.echo(f"wrote {target} ({len(html) / 1e6:.1f} MB)", err=True)
        sys.exit(OK)
    text = json.dumps(comparison.as_json(), indent=2) if fmt == "json" else format_text(comparison)
    if output:
        _write(output, text + "\n")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)
    sys.exit(OK)
