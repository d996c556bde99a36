"""Leaving the process without taking its heap apart, for a command whose work is done.

A lint of a large library ends holding millions of small objects (the index documents, the
lint cache's records, the validators' caches). When Python exits it frees each of them and
then collects the garbage of the whole heap once more: a tenth of a second or more of a
re-lint that took one, spent after the output is written. A command that has nothing left
to do (its output written through ``sys.stdout``/``sys.stderr``, its files written
atomically and closed) says so with :func:`allow`; the process entry (:func:`.main.run`)
then flushes the standard streams, runs the ``atexit`` handlers (multiprocessing's, the
template sandbox's timer, coverage's) and leaves with ``os._exit``.

Only there: a command run in-process (click's CliRunner, :func:`.main.main` called by a
program) exits as usual. And only when nothing could still need the normal way out: no
other thread running, an exit status that is a number, streams that flush without error
(a closed pipe is reported as Python reports it).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

__all__ = ["allow", "leave"]

_ALLOWED: set[bool] = set()
"""Holds True once a command allowed the quick exit."""


def allow() -> None:
    """Say that this command has finished everything but the exit."""
    _ALLOWED.add(True)


def leave(code: object) -> None:
    """Exit with ``code`` at once if :func:`allow` was called and it is safe; otherwise
    return, and the caller exits as usual."""
    if not _ALLOWED or not (code is None or type(code) is int):
        return
    if threading.active_count() != 1:  # a thread Python would wait for
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: the usual exit reports it
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()  # what the handlers wrote
        sys.stderr.flush()
    except (OSError, ValueError):
        code = 120  # as Python exits when it cannot flush them
    os._exit(code or 0)
