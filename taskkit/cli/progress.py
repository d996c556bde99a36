"""Progress of long runs, and pass-rate tables: rich on a terminal, plain lines elsewhere.

``progress(label, total)`` is a context manager yielding a :class:`Progress`; call
``advance(n)`` as items finish and set ``total`` when it is known late::

    with progress("compile", total=len(tasks), unit="tasks") as bar:
        for task in tasks:
            ...
            bar.advance()

Where it goes (stderr, so stdout keeps the data and the diagnostics):

- on a terminal, with ``rich`` installed (the ``rich`` extra): a bar with the count, the
  rate and the time left, cleared when the run ends;
- otherwise (CI logs, pipes, no rich): plain lines, one at each tenth of the way and one at
  the end, with the rate and the time left, and nothing at all for a run that ends within
  ``quiet_for`` seconds (a second by default): short runs stay quiet.

``TASKKIT_PROGRESS`` overrides the choice: ``rich``, ``plain`` (lines from the start, with no
quiet second) or ``off``.

:func:`echo_pass_rates` prints the pass-rate table of ``run`` and ``report``: a rich table on
a terminal, :func:`taskkit.runs.pass_rates.format_table`'s plain text otherwise (so pipes and CI logs
read the same as before).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from ..runs.pass_rates import Report, format_table, table_of

__all__ = ["Progress", "echo_pass_rates", "progress", "progress_mode"]

MODES = ("rich", "plain", "off")


def _rich_available() -> bool:
    return importlib.util.find_spec("rich") is not None


def progress_mode(stream: IO[str]) -> str:
    """``rich``, ``plain`` or ``quiet-plain`` (plain after the quiet second), or ``off``."""
    forced = os.environ.get("TASKKIT_PROGRESS", "").strip().lower()
    if forced in MODES:
        return "plain" if forced == "rich" and not _rich_available() else forced
    if stream.isatty() and _rich_available():
        return "rich"
    return "quiet-plain"


def _seconds(value: float) -> str:
    value = max(0, round(value))
    return f"{value // 60}m{value % 60:02d}s" if value >= 60 else f"{value}s"


class Progress:
    """Counts finished items; subclasses show them."""

    def __init__(self, label: str, total: int | None, unit: str) -> None:
        self.label, self.unit = label, unit
        self._total = total
        self.done = 0
        self.started = time.monotonic()

    @property
    def total(self) -> int | None:
        return self._total

    @total.setter
    def total(self, value: int | None) -> None:
        self._total = value
        self._show()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._show()

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.started, 1e-9)

    def _show(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Plain(Progress):
    def __init__(
        self, label: str, total: int | None, unit: str, stream: IO[str], quiet_for: float
    ) -> None:
        super().__init__(label, total, unit)
        self.stream, self.quiet_for = stream, quiet_for
        self._shown_tenth = -1  # the last tenth of the way a line was printed for
        self._last = self.started
        self._printed = False

    def _line(self) -> str:
        rate = self.rate()
        if self.total:
            left = (self.total - self.done) / rate if rate else 0.0
            return (
                f"{self.label}: {self.done}/{self.total} {self.unit} "
                f"({100 * self.done // self.total}%), {rate:.1f}/s, {_seconds(left)} left"
            )
        return f"{self.label}: {self.done} {self.unit}, {rate:.1f}/s"

    def _show(self) -> None:
        now = time.monotonic()
        if now - self.started < self.quiet_for:
            return
        if self.total:
            tenth = 10 * min(self.done, self.total) // self.total
            if tenth in (self._shown_tenth, 10):  # the end has a line of its own
                return
            self._shown_tenth = tenth
        elif now - self._last < 5.0:  # no total: a line every five seconds
            return
        self._last = now
        self._printed = True
        print(self._line(), file=self.stream, flush=True)

    def close(self) -> None:
        elapsed = time.monotonic() - self.started
        if self._printed or elapsed >= self.quiet_for:
            print(
                f"{self.label}: {self.done} {self.unit} in {elapsed:.1f}s ({self.rate():.1f}/s)",
                file=self.stream,
                flush=True,
            )


class _Rich(Progress):
    def __init__(
        self, label: str, total: int | None, unit: str, stream: IO[str], forced: bool
    ) -> None:
        super().__init__(label, total, unit)
        from rich.console import Console  # noqa: PLC0415 - an optional dependency
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress  # noqa: PLC0415

        self._bar = RichProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            # TASKKIT_PROGRESS=rich draws even where the stream is no terminal
            console=Console(file=stream, force_terminal=True if forced else None),
            transient=True,
        )
        self._task = self._bar.add_task(label, total=total, rate="")
        self._bar.start()

    def _show(self) -> None:
        self._bar.update(
            self._task,
            completed=self.done,
            total=self.total,
            rate=f"{self.rate():.1f} {self.unit}/s",
        )

    def close(self) -> None:
        self._bar.stop()


@contextmanager
def progress(
    label: str,
    total: int | None = None,
    *,
    unit: str = "items",
    stream: IO[str] | None = None,
    quiet_for: float = 1.0,
) -> Iterator[Progress]:
    """Show the progress of ``label`` (see the module's docstring)."""
    out = stream if stream is not None else sys.stderr
    mode = progress_mode(out)
    shown: Progress
    if mode == "rich":
        forced = os.environ.get("TASKKIT_PROGRESS", "").strip().lower() == "rich"
        shown = _Rich(label, total, unit, out, forced)
    elif mode == "off":
        shown = Progress(label, total, unit)
    else:
        shown = _Plain(label, total, unit, out, 0.0 if mode == "plain" else quiet_for)
    try:
        yield shown
    finally:
        shown.close()


def echo_pass_rates(
    report: Report | dict[str, Any], *, by: tuple[str, ...] = ("pack", "category", "task")
) -> None:
    """The pass-rate table on stdout: rendered by rich on a terminal, plain text otherwise
    (both from the same cells, :func:`taskkit.runs.pass_rates.table_of`)."""
    if not (sys.stdout.isatty() and _rich_available()):
        click.echo(format_table(report, by=by))
        return
    from rich.console import Console  # noqa: PLC0415 - an optional dependency
    from rich.table import Table  # noqa: PLC0415

    cells = table_of(report, by=by)
    table = Table(title="pass rates")
    for i, name in enumerate(cells.columns):
        table.add_column(name, justify="left" if i < 2 else "right", no_wrap=True)
    for row in cells.rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    for note in cells.notes:
        console.print(note)
