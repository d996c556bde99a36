"""``taskkit``: the command-line entry point. Each command lives in its own module."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from .. import __version__
from . import quick_exit
from .exit_codes import INTERNAL, INTERRUPTED

# name -> (module, attribute). Imported only when the command runs, so `taskkit lint`
# never pays for the simulator, the openai client or rich.
COMMANDS: dict[str, tuple[str, str]] = {
    "lint": ("taskkit.cli.lint_cmd", "lint"),
    "rules": ("taskkit.cli.lint_cmd", "rules"),
    "schema": ("taskkit.cli.schema_cmd", "schema"),
    "new": ("taskkit.cli.new_cmd", "new"),
    "compile": ("taskkit.cli.compile_cmd", "compile_"),
    "run": ("taskkit.cli.run_cmd", "run"),
    "import": ("taskkit.cli.import_cmd", "import_"),
    "generate": ("taskkit.cli.generate_cmd", "generate_"),
    "report": ("taskkit.cli.generate_cmd", "report"),
    "stats": ("taskkit.cli.stats_cmd", "stats"),
    "packs": ("taskkit.cli.packs_cmd", "packs"),
    "pack": ("taskkit.cli.pack_cmd", "pack"),
    "test": ("taskkit.cli.test_cmd", "test"),
    "view": ("taskkit.cli.view_cmd", "view"),
    "compare": ("taskkit.cli.view_cmd", "compare"),
    "ls": ("taskkit.cli.ls_cmd", "ls"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (mod, _) in COMMANDS.items() if _available(mod))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None or not _available(spec[0]):
            return None
        command: click.Command = getattr(importlib.import_module(spec[0]), spec[1])
        return command


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="taskkit")
def cli() -> None:
    """Declarative tool-use tasks for LLM agents: lint, compile, run, generate."""


def run() -> None:
    """The process entry (the ``taskkit`` command, ``python -m taskkit``): :func:`main`, and
    a quick exit for a command that allows one (see :mod:`.quick_exit`)."""
    try:
        main()
    except SystemExit as exc:
        quick_exit.leave(exc.code)
        raise


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="taskkit", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(INTERRUPTED)
    except Exception as exc:  # a bug in taskkit, never a user's input problem
        import traceback  # noqa: PLC0415 - only on the failure path

        traceback.print_exc()
        click.echo(
            f"taskkit {__version__}: internal error ({type(exc).__name__}); please report it "
            "with the traceback above",
            err=True,
        )
        sys.exit(INTERNAL)
