"""The one place the viewer reads trajectories: files of ``taskkit run -o`` and output folders
of ``taskkit generate``, into a :class:`Run` of raw records plus what was noticed on the way.

Both shapes are dicts with ``task_id``, ``pack``, ``category``, ``task``, ``steps`` and
``task_score``; ``generate``'s steps hold ``samples`` and a ``chosen`` index. Keys added later
(``settings``, ``repeat``, ``failed``) are read when present. Unusable input raises
:class:`ViewInputError` with one :class:`~taskkit.diagnostics.Diagnostic`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic
from ..io.jsonlines import JsonlError, JsonLines
from ..runtime.parallel import paused_gc

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import EpisodeRecord

__all__ = [
    "DROPPED",
    "Run",
    "ViewInputError",
    "episode_key",
    "read_run",
    "read_runs",
    "source_version",
]

DROPPED = ("final_state", "final_state_patch", "tools", "chosen_steps")
"""Keys the viewer never shows, and most of a record's bytes: the final state, whole or as a
patch against the initial state (the diff against gold is kept), the tool schemas and
`generate`'s copy of the chosen steps."""

_REQUIRED = ("task_id", "pack", "category", "task", "steps")

# What other JSONL files of taskkit look like, to say what a wrong file is.
_LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("gold_actions", "a compiled tasks file (run `taskkit run` on it first)"),
    ("initial_state", "a compiled tasks file (run `taskkit run` on it first)"),
    ("messages", "an SFT data file of `taskkit generate`"),
    ("chosen", "a DPO data file of `taskkit generate`"),
)


class ViewInputError(Exception):
    """Input the viewer cannot show; ``diagnostic`` says where and why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.text())
        self.diagnostic = diagnostic


@dataclass
class Run:
    """One run's records as read, with its settings and any warnings (a torn last line)."""

    name: str
    path: str
    kind: str
    """``run`` (records of `taskkit run`) or ``generate`` (explored episodes)."""
    records: list[EpisodeRecord]
    """As the files hold them, but for the keys the reader dropped (:data:`DROPPED`)."""
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def episode_key(record: EpisodeRecord) -> str:
    """A record's stable id within its run: the task id, and the repeat index past the first
    (a run without --repeats keys by task id alone, whether or not it records repeat 0)."""
    repeat = record.get("repeat")
    return f"{record['task_id']}~{repeat}" if repeat else str(record["task_id"])


def _fail(path: str, line: int, rule: str, message: str, hint: str | None = None) -> ViewInputError:
    return ViewInputError(Diagnostic(path, line, 1, rule, message, hint=hint))


def _trajectory_file(path: Path) -> Path:
    if path.is_dir():
        inner = path / "trajectories.jsonl"
        if not inner.is_file():
            raise _fail(
                str(path),
                1,
                "view-input",
                f"folder {str(path)!r} has no trajectories.jsonl",
                "pass a file of `taskkit run -o` or an output folder of `taskkit generate`",
            )
        return inner
    return path


def source_version(paths: list[str]) -> str:
    """A token that changes whenever any input grows or is rewritten (for live reload)."""
    parts = []
    for p in paths:
        f = Path(p) / "trajectories.jsonl" if Path(p).is_dir() else Path(p)
        try:
            st = f.stat()
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("missing")
    return "|".join(parts)


def _settings(records: list[EpisodeRecord], folder: Path | None) -> dict[str, Any]:
    """The run's settings: the records' own ``settings`` (when recorded), else what the
    records and a `generate` folder's run.json say."""
    recorded = [r["settings"] for r in records if isinstance(r.get("settings"), dict)]
    if recorded:
        # One run has one set of settings; a file that joins runs says which ones differ.
        merged: dict[str, Any] = {}
        for key in dict.fromkeys(k for s in recorded for k in s):
            first = recorded[0].get(key)
            if all(s.get(key) == first for s in recorded):
                merged[key] = first
            else:
                values = {json.dumps(s.get(key), sort_keys=True, default=str) for s in recorded}
                merged[key] = f"varies ({len(values)})"
        return merged
    out: dict[str, Any] = {}
    first_record: Mapping[str, Any] = records[0] if records else {}
    for key, source in (
        ("agent", "agent"),
        ("format", "format"),
        ("seed", "run_seed"),
        ("seed", "seed"),
    ):
        if source in first_record:
            out[key] = first_record[source]
    if folder is not None and (folder / "run.json").is_file():
        try:
            config = json.loads((folder / "run.json").read_text(encoding="utf-8"))["config"]
            explore = config.get("explore", {})
            out.update(
                agent=config.get("agent"),
                format=explore.get("format"),
                seed=explore.get("seed"),
                samples=explore.get("samples"),
                temperature=f"{explore.get('t_min')}..{explore.get('t_max')}",
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # the settings are a courtesy: the records are what is shown
    return {k: v for k, v in out.items() if v is not None}


def _is_record(value: Any) -> bool:
    # An episode that failed to run (an agent or server error) may have no steps.
    return isinstance(value, dict) and all(
        k in value or (k == "steps" and "failed" in value) for k in _REQUIRED
    )


def _not_a_trajectory(path: str, lineno: int, value: Any) -> ViewInputError:
    if isinstance(value, dict):
        for key, what in _LOOKALIKES:
            if key in value:
                return _fail(
                    path,
                    lineno,
                    "view-input",
                    f"{path!r} is {what}, not trajectories",
                    "pass a file of `taskkit run -o` or an output folder of `taskkit generate`",
                )
        missing = [k for k in _REQUIRED if k not in value]
        return _fail(
            path,
            lineno,
            "view-input",
            f"line {lineno} is not a taskkit trajectory record (no {', '.join(map(repr, missing))})",
            "pass a file of `taskkit run -o` or an output folder of `taskkit generate`",
        )
    return _fail(
        path,
        lineno,
        "view-input",
        f"line {lineno} is a JSON {type(value).__name__}, not a trajectory record",
        "pass a file of `taskkit run -o` or an output folder of `taskkit generate`",
    )


def read_run(
    path: str | os.PathLike[str], *, name: str | None = None, drop: Iterable[str] = DROPPED
) -> Run:
    """Read one run. A torn last line (a run still writing, or one that died) is a warning;
    any other unreadable line, or a file of another tool, is a :class:`ViewInputError`.
    The keys in ``drop`` are removed from every record as it is read."""
    drop = tuple(drop)
    given = Path(path)
    if not given.exists():
        raise _fail(str(given), 1, "view-input", f"{str(given)!r} does not exist")
    file = _trajectory_file(given)
    shown = str(file)
    records: list[EpisodeRecord] = []
    warnings: list[str] = []
    # the one JSONL policy: a torn last line is a warning, any other bad line the error
    lines = JsonLines(file, name=shown, hint="is it a JSON Lines file of `taskkit run -o`?")
    try:
        # parsed JSON holds no cycles: the collector would walk millions of new objects
        # again and again (three times as long to read 20,000 episodes)
        with paused_gc():
            for lineno, value in lines:
                if not _is_record(value):
                    raise _not_a_trajectory(shown, lineno, value)
                for key in drop:
                    value.pop(key, None)
                records.append(value)
    except JsonlError as exc:
        raise ViewInputError(exc.diagnostic) from None
    except OSError as exc:
        raise _fail(shown, 1, "view-input", f"cannot read {shown!r}: {exc.strerror}") from None
    torn = lines.torn_note(len(records))
    if torn is not None:
        warnings.append(torn)
    if not records:
        raise _fail(
            shown,
            1,
            "view-empty",
            f"{shown!r} holds no complete trajectory record",
            "is the run still starting? `taskkit view --serve` reloads as records arrive",
        )
    kind = "generate" if any("samples" in s for r in records for s in r.get("steps", ())) else "run"
    settings = _settings(records, given if given.is_dir() else None)
    return Run(name or given.name, shown, kind, records, settings, warnings)


def read_runs(paths: list[str]) -> list[Run]:
    """Each path as a run, named by the path (made unique when two share a name)."""
    runs: list[Run] = []
    for p in paths:
        run = read_run(p)
        if any(r.name == run.name for r in runs):
            run.name = str(p)
        runs.append(run)
    return runs
