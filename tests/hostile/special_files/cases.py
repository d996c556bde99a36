"""Special files where a pack, its data or a compiled file should be: FIFOs, devices,
sockets, links to devices, folders, unreadable files and folders. Only regular files are
read; anything else is a diagnostic, never a hang, an unbounded read or a silent skip."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from harness import MINI, Case, mini

CONTENT_JSONL = MINI["content/items.yaml"].split("entries:")[0] + "entries_file: items.jsonl\n"


def fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


def link(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    return make


def sock(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()


def folder_at(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / "x.yaml").write_text("a: 1\n")


# chmod does not keep root out: run as root, an "unreadable" file is read, and the case
# only shows that nothing breaks (tests/unit/test_discover.py covers the refusal itself).
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
UNREADABLE = frozenset({0, 1}) if ROOT else frozenset({1})


def unreadable(path: Path) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kind: task\n")
    path.chmod(0)


def special(
    where: str, make: Callable[[Path], None], command: str, **changes: str | None
) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        root = mini(folder, **changes)
        target = root / where
        if target.exists() and not target.is_dir():
            target.unlink()
        make(target)
        return [command, "mini", *(["-o", "out.jsonl"] if command == "compile" else [])]

    return build


PLACES = {
    "task-yaml": ("tasks/evil.yaml", {}),
    "pack-yaml": ("pack.yaml", {"pack_yaml": None}),
    "pack-lock": ("pack.lock", {}),
    "entries-jsonl": ("content/items.jsonl", {"content__items_yaml": CONTENT_JSONL}),
}
KINDS: dict[str, Callable[[Path], None]] = {
    "fifo": fifo,
    "dev-zero": link("/dev/zero"),
    "dev-urandom": link("/dev/urandom"),
    "dev-null": link("/dev/null"),
    "socket": sock,
    "dangling-link": link("/nonexistent/x.yaml"),
    "folder": folder_at,
}

CASES: list[Case] = []
for place, (where, changes) in PLACES.items():
    for kind, make in KINDS.items():
        for command in ("lint", "compile") if kind in ("fifo", "dev-zero") else ("lint",):
            CASES.append(
                Case(
                    f"{command}-{place}-{kind}",
                    special(where, make, command, **changes),
                    # a broken pack.lock is a warning (TK604): lint may exit 0
                    exits=frozenset({0, 1}) if place == "pack-lock" else frozenset({1}),
                )
            )
for command in ("lint", "compile"):
    CASES += [
        Case(
            f"{command}-unreadable-tasks-folder",
            special("tasks", unreadable, command),
            exits=UNREADABLE,
            needs=None if ROOT else "cannot read folder",
        ),
        Case(
            f"{command}-unreadable-task-file",
            special("tasks/find.yaml", unreadable, command),
            exits=UNREADABLE,
            needs=None if ROOT else "find.yaml",
        ),
        Case(
            f"{command}-unreadable-entries",
            special("content/items.jsonl", unreadable, command, content__items_yaml=CONTENT_JSONL),
            exits=UNREADABLE,
        ),
        Case(
            f"{command}-self-loop-link",
            special("tasks/loop.yaml", link("loop.yaml"), command),
            exits=frozenset({1}),
        ),
        Case(
            f"{command}-folder-link-loop",
            special("tasks/sub", link(".."), command),
            exits=frozenset({0, 1}),
        ),
    ]
CASES += [
    Case(
        "run-compiled-fifo",
        lambda folder: [fifo(folder / "t.jsonl"), "run", "t.jsonl"][1:],
        exits=frozenset({1, 2}),
    ),
    Case(
        "run-compiled-dev-zero",
        lambda folder: [link("/dev/zero")(folder / "t.jsonl"), "run", "t.jsonl"][1:],
        exits=frozenset({1, 2}),
    ),
    Case(
        "run-compiled-folder",
        lambda folder: [(folder / "t.jsonl").mkdir(), "run", "t.jsonl"][1:],
        exits=frozenset({1, 2}),
    ),
    Case(
        "import-fifo",
        lambda folder: [fifo(folder / "in.json"), "import", "openai", "in.json", "-o", "out"][1:],
        exits=frozenset({2}),
    ),
    Case(
        "import-dev-zero",
        lambda folder: [
            link("/dev/zero")(folder / "in.json"),
            "import",
            "openai",
            "in.json",
            "-o",
            "out",
        ][1:],
        exits=frozenset({2}),
    ),
]

# What each special file must be reported as.
NEEDS = {
    "fifo": "FIFO",
    "dev-zero": "character device",
    "dev-urandom": "character device",
    "socket": "socket",
    "pack-yaml-folder": "pack.yaml is a folder",
}
CASES = [
    replace(
        case, needs=case.needs or next((v for k, v in NEEDS.items() if case.name.endswith(k)), None)
    )
    if "entries-jsonl-dev" not in case.name
    and not case.name.endswith("pack-yaml-dev-zero")
    and not case.name.startswith("compile-pack-lock")  # compile does not read pack.lock
    else case
    for case in CASES
]
