"""What a rerun of ``generate`` has to do, decided from the run's small files alone.

``run.json`` (the settings), ``done.idx`` (the episodes held and their outcomes, see
:mod:`.store`) and ``.exports.json`` (what the exports were built from) answer whether a
rerun has anything to play or write. When it has nothing, :func:`noop_report` says so
without the tasks, the agent or the simulator: a no-op resume of a 20,000-episode run
costs the index read, not the imports of everything a run uses.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import json
from array import array
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ..io.atomic import atomic_writer
from .config import GenerateConfig
from .store import QUARANTINE, EpisodeKey, Store, key_of

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import ExploredRecord, RunSettings

__all__ = [
    "RETRIED_BY_DEFAULT",
    "STAMP",
    "ConfigMismatch",
    "Episodes",
    "check_config",
    "fresh_report",
    "noop_report",
    "stamp",
    "to_play",
]

RETRIED_BY_DEFAULT = frozenset({"server"})
"""Failures a plain rerun runs again: the server's, which say nothing about the agent."""

STAMP = ".exports.json"
"""What the exports were last built from (the trajectories' size and change time): a
rerun with nothing to do and nothing changed rewrites nothing."""


class ConfigMismatch(ValueError):
    """OUTDIR holds a run with other settings; resuming it would mix two runs."""


def _config_json(config: GenerateConfig) -> dict[str, Any]:
    """The settings a resumed run must share (who may run handlers is not one of them)."""
    doc = asdict(config)
    doc["explore"].pop("trust", None)
    return doc


def _with_defaults(recorded: Any, defaults: Any) -> Any:
    """A recorded config with the settings added since it was written at their defaults, so
    that a run begun by an older taskkit resumes."""
    if not isinstance(recorded, dict) or not isinstance(defaults, dict):
        return recorded
    return {**defaults, **{k: _with_defaults(v, defaults.get(k)) for k, v in recorded.items()}}


def check_config(outdir: Path, config: GenerateConfig, settings: RunSettings) -> RunSettings:
    """Record the run's settings in ``run.json``, or check that a resumed run has the same
    ones; return the settings its records carry (with the time of its first start)."""
    path = outdir / "run.json"
    if not path.exists():
        with atomic_writer(path) as f:
            f.write(
                json.dumps({"config": _config_json(config), "settings": settings}, indent=2) + "\n"
            )
        return settings
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        held = None
    if not isinstance(held, dict):
        raise ConfigMismatch(f"{path} is not a run description; use another OUTDIR")
    old: RunSettings = held["settings"] if isinstance(held.get("settings"), dict) else {}
    recorded = _with_defaults(held.get("config"), _config_json(GenerateConfig()))
    if recorded != _config_json(config) or old.get("model") != settings.get("model"):
        raise ConfigMismatch(
            f"{outdir} holds a run with other settings ({path}); use another OUTDIR"
        )
    return {**settings, "created": old.get("created", settings.get("created"))}


def stamp(store: Store) -> dict[str, int]:
    st = store.trajectories.stat() if store.trajectories.exists() else None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns} if st else {"size": 0, "mtime_ns": 0}


def fresh_report(out: Path, store: Store, wanted: Episodes) -> dict[str, Any] | None:
    """The report of the last export, when it covers exactly ``wanted`` and nothing has
    changed since."""
    try:
        held = json.loads((out / STAMP).read_text(encoding="utf-8"))
        report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if held != {**stamp(store), "episodes": wanted.digest()}:
        return None
    return report


_BLOCK = 2048
"""Ids sorted at a time by :class:`_Sorted`."""


class _Sorted(Sequence[str]):
    """The distinct strings of ``ids`` in sorted order, as positions in ``ids`` (a number
    each), not as a sorted copy of the strings."""

    def __init__(self, ids: Sequence[str]) -> None:
        self._ids = ids
        self._at = array("q")
        # Sorted a block at a time, then merged: one sort of them all made a string for
        # every id at once (a peak that grew with the run: 2 MiB for 20,000 tasks).
        blocks = [
            array("q", sorted(range(lo, min(lo + _BLOCK, len(ids))), key=ids.__getitem__))
            for lo in range(0, len(ids), _BLOCK)
        ]
        last: str | None = None
        for i in heapq.merge(*blocks, key=ids.__getitem__):  # equal ids: the first first
            if ids[i] != last:
                self._at.append(i)
                last = ids[i]

    def __len__(self) -> int:
        return len(self._at)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        return self._ids[self._at[i]]


class Episodes:
    """The episodes a run covers: every task id (once) times every repeat. Each is a slot
    numbered in export order (task id, then repeat), so that what a run keeps per episode
    is a few numbers, not records or keys."""

    def __init__(self, ids: Sequence[str], repeats: int) -> None:
        # Positions in the run's id table, not a sorted copy of its strings.
        self.order = _Sorted(ids)
        self.repeats = repeats

    def __len__(self) -> int:
        return len(self.order) * self.repeats

    def slot_of(self, record: ExploredRecord) -> int | None:
        """The slot a record fills, ``None`` for an episode this run does not cover."""
        task_id, repeat = key_of(record)
        # A search of the sorted ids, not a table of them: it is done once an episode.
        i = bisect.bisect_left(self.order, task_id)
        if i == len(self.order) or self.order[i] != task_id or not 0 <= repeat < self.repeats:
            return None
        return i * self.repeats + repeat

    def digest(self) -> str:
        """Which episodes the run covers, in a few bytes."""
        h = hashlib.sha256()
        sep = ""
        for task_id in self.order:
            for repeat in range(self.repeats):
                h.update(f"{sep}{task_id}\t{repeat}".encode("utf-8", "surrogatepass"))
                sep = "\n"
        return h.hexdigest()


def to_play(outcome: str | None, retry_failed: bool) -> bool:
    """Whether an episode whose latest outcome is ``outcome`` (``None``: none held) is
    played (again) by this run."""
    return outcome is None or (outcome != "ok" and (retry_failed or outcome in RETRIED_BY_DEFAULT))


def noop_report(
    outdir: str | Path,
    ids: Sequence[str],
    config: GenerateConfig,
    settings: RunSettings,
    *,
    repeats: int = 1,
    retry_failed: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_quarantine: Callable[[int, Path], None] | None = None,
) -> dict[str, Any] | None:
    """The report of the run in ``outdir`` when rerunning it on the tasks ``ids`` has
    nothing to play and nothing to export (what :func:`~taskkit.datagen.generate` would
    return, having told ``on_start`` and ``on_quarantine`` the same); ``None`` when it has
    something to do, or cannot tell (then a full rerun decides). Raises
    :class:`ConfigMismatch` as ``generate`` does. The caller holds ``outdir``'s lock."""
    out = Path(outdir)
    if not (out / "run.json").is_file():
        return None  # a first run: it has everything to do
    check_config(out, config, settings)
    store = Store.open(out)
    if store.quarantined and on_quarantine is not None:
        on_quarantine(store.quarantined, out / QUARANTINE)
    status: dict[EpisodeKey, str] = store.take_status()
    if any(to_play(status.get((i, r)), retry_failed) for i in ids for r in range(repeats)):
        return None
    wanted = Episodes(ids, repeats)
    report = fresh_report(out, store, wanted)
    if report is not None and on_start is not None:
        on_start(len(wanted), 0)
    return report
