"""How ``run`` and ``generate`` end when the run cannot go on: one line saying what
happened, and the exit code the README documents; never a traceback."""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Iterator

import click

from ..agents.errors import ServerUnavailable
from ..compiler.output import CompiledFileError
from ..datagen.run import ConfigMismatch, WorkerDied
from ..executors import ExecutorUnavailable
from ..io.writer_lock import LockHeld
from .exit_codes import FINDINGS, INTERRUPTED, SERVER, USAGE

__all__ = ["run_failures"]

_NOT_WRITABLE = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.ENOENT,
    errno.EEXIST,  # a file where the output folder (or one above it) should be
}


@contextlib.contextmanager
def run_failures(output: str | None, *, resumable: bool) -> Iterator[None]:
    """Turn the ways a run stops into a message and an exit code. ``output`` is what the
    run writes (named in the messages)."""
    kept = (
        f"; finished episodes are kept in {output}" + ("; rerun to resume" if resumable else "")
        if output
        else ""
    )
    try:
        yield
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted{kept}", err=True)
        sys.exit(INTERRUPTED)
    except ServerUnavailable as exc:
        click.echo(f"error: {exc}{kept}", err=True)
        sys.exit(SERVER)
    except (LockHeld, ConfigMismatch, ExecutorUnavailable, CompiledFileError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(USAGE)
    except WorkerDied as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(FINDINGS)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else (f" {output}" if output else "")
        what = exc.strerror or str(exc)
        if exc.errno in _NOT_WRITABLE:
            click.echo(f"error: cannot write{where}: {what}", err=True)
            sys.exit(USAGE)
        click.echo(f"error: writing{where} failed: {what}{kept}", err=True)
        sys.exit(FINDINGS)
