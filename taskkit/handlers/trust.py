"""Who may run a pack's Python handlers: the person running taskkit, never a file.

A compiled task names, for each tool, the pack that declared it (``ToolEnv.pack``); whether
that pack's code may run is decided at run time only, from ``--trust PACK``, the user's own
trust file, or an API argument. The check is on the *declaring* pack: trusting the pack of
a task does not trust another pack whose tool the task offers.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only annotations: the trust file is read without loading the models
    from ..models import CompiledTask, ToolEnv

__all__ = [
    "Handler",
    "HandlerRefused",
    "TrustFileError",
    "UntrustedHandlers",
    "check_trust",
    "declaring_pack",
    "handlers",
    "resolve_trust",
    "trust_file",
    "user_trust",
]


@dataclass(frozen=True, order=True)
class Handler:
    """One Python handler a task would run, and the pack that declared its tool."""

    pack: str
    tool: str
    handler: str


class HandlerRefused(Exception):
    """A Python handler in a pack the user has not marked trusted (raised by the simulator,
    which imports the trust rules, so the exception lives with them)."""


class UntrustedHandlers(HandlerRefused):
    """Tasks whose handlers come from packs the caller has not trusted."""

    def __init__(self, untrusted: Collection[Handler]) -> None:
        self.handlers = sorted(set(untrusted))
        packs = sorted({h.pack for h in self.handlers})
        listed = ", ".join(f"{h.pack}: {h.tool} -> {h.handler}" for h in self.handlers)
        super().__init__(
            f"refusing to run Python handlers of untrusted pack(s) {', '.join(packs)} "
            f"({listed}); read the handlers, then pass "
            + " ".join(f"--trust {p}" for p in packs)
            + f" or list the pack in {trust_file()}"
        )


class TrustFileError(ValueError):
    """The user's trust file exists but cannot be relied on (not theirs, or writable by
    others)."""


def declaring_pack(env: ToolEnv, task: CompiledTask) -> str:
    """The pack whose toolset declared ``env``. Files compiled before ``ToolEnv.pack``
    existed carry the pack in a cross-pack ``ref`` (``pack/toolset.tool``) or none (the
    task's own pack)."""
    if env.pack is not None:
        return env.pack
    if "/" in env.ref:
        return env.ref.partition("/")[0]
    return task.pack


def handlers(task: CompiledTask) -> list[Handler]:
    """Every Python handler ``task`` may run."""
    return [
        Handler(declaring_pack(env, task), env.name, env.behavior.handler)
        for env in task.environment
        if env.behavior is not None and env.behavior.handler is not None
    ]


def check_trust(tasks: Iterable[CompiledTask], trust: Collection[str]) -> None:
    """Raise :class:`UntrustedHandlers` listing every handler of an untrusted pack."""
    untrusted = [h for task in tasks for h in handlers(task) if h.pack not in trust]
    if untrusted:
        raise UntrustedHandlers(untrusted)


def trust_file() -> Path:
    """``$XDG_CONFIG_HOME/taskkit/trust`` (``~/.config/taskkit/trust``): pack names, one a
    line, ``#`` starts a comment."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "taskkit" / "trust"


def user_trust(path: Path | None = None) -> frozenset[str]:
    """The packs the user's trust file lists; none when it does not exist. A file that
    another user owns or may write is refused: it would let them decide what runs."""
    path = path or trust_file()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return frozenset()
    except OSError as exc:
        raise TrustFileError(f"cannot read the trust file {str(path)!r}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise TrustFileError(f"the trust file {str(path)!r} is not a regular file")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise TrustFileError(f"the trust file {str(path)!r} is owned by another user")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise TrustFileError(
            f"the trust file {str(path)!r} is writable by others; chmod go-w it to use it"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustFileError(f"cannot read the trust file {str(path)!r}: {exc}") from None
    names = (line.partition("#")[0].strip() for line in text.splitlines())
    return frozenset(name for name in names if name)


def resolve_trust(trust: Iterable[str] | None) -> frozenset[str]:
    """An API caller's ``trust``: the packs given, or the user's trust file when ``None``."""
    return user_trust() if trust is None else frozenset(trust)
