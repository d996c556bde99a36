"""``taskkit pack check``: the contribution gate.

Every targeted pack goes through the same checks, and every finding of every check is
reported (nothing stops at the first failure):

========== ==================================================================================
lint       ``taskkit lint --strict --deep`` on the pack (with the packs it requires loaded
           as context): every rule, warnings included, every entry rendered and replayed.
properties the property suite of :mod:`taskkit.testing` (``taskkit test``, ``ci`` profile
           by default; TK695), when it can be imported (it needs Hypothesis, from
           ``taskkit-llm[test]``); otherwise the check is *skipped* and says why.
lock       ``pack.lock`` exists and records every task at its current version and hash
           (TK694; an edit without a version bump is lint's TK602).
readme     a README in the pack folder or above it, up to the project root (TK691).
license    a LICENSE / LICENCE / COPYING file, found the same way (TK692).
manifest   a non-empty ``description`` (TK693): people choose packs by it.
========== ==================================================================================

The *project root* is the nearest folder at or above the pack that holds ``pyproject.toml``
or ``.git``: a pack repository made by ``taskkit new pack`` keeps README and LICENSE there.
The TK69x ids are gate findings, not lint rules: lint runs on any folder, while these ask
what only a published pack needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..diagnostics import Diagnostic, Severity
from ..library import Library, LoadedDoc
from ..lint import lint_library
from ..models import Pack, Task
from ..rule_ids import (
    DESCRIPTION_MISSING,
    LICENSE_MISSING,
    LOCK_OUT_OF_DATE,
    PACK_GATE,
    PACK_LOCK_INVALID,
    PROPERTY_FAILS,
    README_MISSING,
    TASK_VERSION_NOT_BUMPED,
)
from .lockfile import LOCK_NAME, LockError, pack_tasks, read_lock, task_hash
from .workspace import PackFolder, load_workspace

__all__ = ["GATE_CHECKS", "CheckResult", "GateReport", "PackReport", "check_pack"]

Status = Literal["ok", "fail", "skip"]

GATE_CHECKS = {rule_id: name for rule_id, (name, _) in PACK_GATE.items()}
"""The gate's own finding ids (the lint step reports lint's rule ids), as the id table
describes them."""

_READMES = ("README.md", "README.rst", "README.txt", "README")
_LICENSES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "COPYING")


@dataclass
class CheckResult:
    name: str
    status: Status
    detail: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class PackReport:
    name: str
    root: str
    version: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks)


@dataclass
class GateReport:
    packs: list[PackReport] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Targets that hold no pack."""

    @property
    def failed(self) -> bool:
        return bool(self.diagnostics) or not self.packs or any(p.failed for p in self.packs)

    def as_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "ok": not self.failed,
            "packs": [
                {
                    "name": p.name,
                    "root": p.root,
                    "version": p.version,
                    "ok": not p.failed,
                    "checks": [
                        {
                            "name": c.name,
                            "status": c.status,
                            "detail": c.detail,
                            "diagnostics": [d.as_json() for d in c.diagnostics],
                        }
                        for c in p.checks
                    ],
                }
                for p in self.packs
            ],
            "diagnostics": [d.as_json() for d in self.diagnostics],
        }


def check_pack(
    targets: Sequence[str],
    *,
    properties: bool = True,
    profile: str = "ci",
    on_step: Callable[[int, int], None] | None = None,
) -> GateReport:
    """Run the gate on every pack under (or named by) ``targets``; ``profile`` is the
    property-test profile (``ci``, ``default``, ``thorough``). ``on_step(done, total)``
    follows the steps (the deep lint, then each pack's checks), for progress displays."""
    ws = load_workspace(targets)
    report = GateReport(diagnostics=list(ws.diagnostics))
    step = on_step or (lambda done, total: None)
    step(0, 1 + len(ws.packs))
    linted = lint_library(ws.library, deep=True)
    step(1, 1 + len(ws.packs))
    for done, pack in enumerate(ws.packs, start=2):
        manifest = ws.library.packs.get(pack.name)
        model = manifest.model if manifest is not None else None
        version = model.version if isinstance(model, Pack) else ""
        rep = PackReport(pack.name, pack.root, version)
        own = [d for d in linted.diagnostics if pack.owns(d.path)]
        rep.checks.append(_lint(own))
        rep.checks.append(
            _properties(ws.paths, pack, profile)
            if properties
            else _skipped("properties", "--no-properties")
        )
        rep.checks.append(_lock(ws.library, pack, own))
        rep.checks.append(_found(pack.root, "readme", _READMES, README_MISSING, "a README"))
        rep.checks.append(
            _found(pack.root, "license", _LICENSES, LICENSE_MISSING, "a LICENSE file")
        )
        rep.checks.append(_manifest(manifest))
        report.packs.append(rep)
        step(done, 1 + len(ws.packs))
    return report


def _skipped(name: str, why: str) -> CheckResult:
    return CheckResult(name, "skip", why)


def _lint(own: list[Diagnostic]) -> CheckResult:
    if not own:
        return CheckResult("lint", "ok", "strict and deep: no findings")
    errors = sum(d.severity is Severity.ERROR for d in own)
    detail = f"{errors} error(s), {len(own) - errors} warning(s); strict fails on both"
    return CheckResult("lint", "fail", detail, own)


# --- property tests --------------------------------------------------------------------------


def _properties(paths: list[str], pack: PackFolder, profile: str) -> CheckResult:
    """``taskkit test`` on the pack's tasks (the other packs loaded are context only)."""
    try:
        # taskkit.testing needs Hypothesis (taskkit-llm[test]); it is imported only here.
        from ..testing import get_profile, run_library  # noqa: PLC0415
    except (ImportError, AttributeError) as exc:
        return _skipped("properties", f"taskkit.testing is not available ({exc})")
    result = run_library(paths, get_profile(profile), tasks=[f"{pack.name}/*"])
    if result.lint_errors:
        return CheckResult("properties", "fail", "not run: the library has lint errors (see lint)")
    diags: list[Diagnostic] = []
    for failed in result.failures:
        what = f"{failed.task}: property {failed.name!r} fails"
        hint = "`taskkit test` shows the counterexample"
        if not failed.findings:
            diags.append(
                Diagnostic(failed.task, 1, 1, PROPERTY_FAILS, f"{what}: {failed.note}", hint=hint)
            )
        for finding in failed.findings:
            diags.append(
                Diagnostic(
                    finding.path or failed.task,
                    finding.line or 1,
                    1,
                    PROPERTY_FAILS,
                    f"{what}: {finding.message}",
                    hint=finding.hint or hint,
                )
            )
    warnings = [
        Diagnostic(
            w.path or r.task,
            w.line or 1,
            1,
            PROPERTY_FAILS,
            f"{r.task}: property {r.name!r}: {w.message}",
            Severity.WARNING,
            hint=w.hint or None,
        )
        for r in result.results
        for w in r.warnings
    ]
    checked = len(result.results)
    allowed = [r for r in result.results if r.status == "allowed"]
    shown = (
        f", {len(allowed)} allowed by the task ("
        + "; ".join(f"{r.task} {r.name}: {r.note}" for r in allowed)
        + ")"
        if allowed
        else ""
    )
    if result.failures:
        return CheckResult(
            "properties",
            "fail",
            f"{len(result.failures)} of {checked} failed{shown} ({profile})",
            diags + warnings,
        )
    passed = sum(r.status == "pass" for r in result.results)
    detail = f"{passed} passed, {checked - passed - len(allowed)} skipped{shown}"
    return CheckResult("properties", "ok", f"{detail} ({profile} profile)", warnings)


# --- lock, files, manifest -------------------------------------------------------------------


def _lock(lib: Library, pack: PackFolder, own: list[Diagnostic]) -> CheckResult:
    path = os.path.join(pack.root, LOCK_NAME)
    fix = f"run `taskkit pack lock {pack.root}`"
    try:
        lock = read_lock(path)
    except FileNotFoundError:
        return CheckResult(
            "lock",
            "fail",
            "no pack.lock",
            [Diagnostic(path, 1, 1, LOCK_OUT_OF_DATE, "the pack has no pack.lock", hint=fix)],
        )
    except (LockError, OSError):
        return CheckResult(
            "lock", "fail", f"pack.lock is unreadable (see lint, {PACK_LOCK_INVALID})"
        )
    # Tasks lint already reports as edited without a bump (TK602) are not repeated here.
    not_bumped = {(d.path, d.line) for d in own if d.rule == TASK_VERSION_NOT_BUMPED}
    diags: list[Diagnostic] = []
    seen: set[str] = set()
    for ld, task in pack_tasks(lib, pack.name):
        seen.add(task.id)
        if (ld.path, ld.doc.locate(("version",))[0]) in not_bumped:
            continue
        locked = lock.tasks.get(task.id)
        digest = task_hash(lib, ld)
        if locked is None:
            diags.append(_stale(ld, task, "is not recorded in pack.lock", fix))
        elif locked.version != task.version or (digest is not None and digest != locked.hash):
            # lint's TK602 covers an edit without a bump; what is left is a bump not recorded
            what = f"is at version {task.version}; pack.lock records version {locked.version}"
            diags.append(_stale(ld, task, what, fix))
    for gone in sorted(set(lock.tasks) - seen):
        diags.append(
            Diagnostic(
                path,
                1,
                1,
                LOCK_OUT_OF_DATE,
                f"pack.lock records task {gone!r}, which is gone",
                hint=fix,
            )
        )
    failed = bool(diags) or bool(not_bumped)
    detail = f"{_tasks(len(lock.tasks))} recorded" if not failed else "out of date"
    if not_bumped:
        detail = f"{_tasks(len(not_bumped))} edited without a version bump ({TASK_VERSION_NOT_BUMPED}, under lint)"
    return CheckResult("lock", "fail" if failed else "ok", detail, diags)


def _tasks(n: int) -> str:
    return f"{n} task" if n == 1 else f"{n} tasks"


def _stale(ld: LoadedDoc, task: Task, what: str, fix: str) -> Diagnostic:
    return ld.at(("version",), LOCK_OUT_OF_DATE, f"task {task.id!r} {what}", hint=fix)


def project_root(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` with ``pyproject.toml`` or ``.git``."""
    here = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(here, "pyproject.toml")) or os.path.exists(
            os.path.join(here, ".git")
        ):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _found(root: str, name: str, candidates: tuple[str, ...], rule: str, what: str) -> CheckResult:
    top = project_root(root)
    here = os.path.abspath(root)
    searched = []
    while True:
        searched.append(here)
        for c in candidates:
            if os.path.isfile(os.path.join(here, c)):
                return CheckResult(name, "ok", os.path.relpath(os.path.join(here, c)))
        parent = os.path.dirname(here)
        if top is None or here in (top, parent):
            break
        here = parent
    where = os.path.relpath(root)
    if len(searched) > 1:
        where += f" or above it, up to the project root {searched[-1]}"
    return CheckResult(
        name,
        "fail",
        f"none in {where}",
        [
            Diagnostic(
                os.path.join(root, "pack.yaml"),  # an existing file, for editors and CI
                1,
                1,
                rule,
                f"no {' / '.join(candidates[:3])} for pack in {where}",
                hint=f"add {what} to the pack folder or the project root",
            )
        ],
    )


def _manifest(manifest: LoadedDoc | None) -> CheckResult:
    model = manifest.model if manifest is not None else None
    if manifest is None or not isinstance(model, Pack):
        return CheckResult("manifest", "fail", "pack.yaml is not valid (see lint)")
    if model.description.strip():
        return CheckResult("manifest", "ok", f"{model.name} {model.version}, {model.license}")
    where = ("description",) if "description" in manifest.doc.data else ("name",)
    diag = manifest.at(
        where,
        DESCRIPTION_MISSING,
        f"pack {model.name!r} has no description",
        hint="say what the tasks exercise and for whom: people choose packs by it",
    )
    return CheckResult("manifest", "fail", "no description", [diag])
