"""The lint cache changes nothing but the time lint takes: a run that takes some files'
findings from the cache finds exactly what a run that reads every file finds, whatever
changed in between; and what it cannot use, it ignores."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from edits import edit_one_place
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.cli.main import cli
from taskkit.diagnostics import format_diagnostics
from taskkit.io import cache_files
from taskkit.io.yamlio import dump_yaml
from taskkit.library import discover
from taskkit.lint import cache, shards
from taskkit.lint import linter as runner
from taskkit.lint.registry import RULES
from taskkit.rule_ids import HANDLER_MISSING, HANDLER_SIGNATURE
from tests.conftest import LIBRARY

EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = sorted(
    p for kind in ("valid", "invalid") for p in (EXAMPLES / kind).iterdir() if p.is_dir()
)


def lint_json(paths: list[Path], cache_dir: Path | None = None) -> tuple[str, int]:
    result = runner.lint(paths, cache_dir=cache_dir)
    assert result.cache_error is None
    return format_diagnostics(result.diagnostics, "json"), result.files


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the shards read (in this process: small libraries are not forked)."""
    seen: list[str] = []
    first = shards._Shard.first

    def counting(self: shards._Shard) -> bytes:
        seen.extend(path for _, path in self.files)
        return first(self)

    monkeypatch.setattr(shards._Shard, "first", counting)
    return seen


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_second_run_reads_only_the_files_it_has_no_findings_of(
    case: Path, tmp_path: Path, reads: list[str]
) -> None:
    expected = lint_json([case])
    assert lint_json([case], tmp_path) == expected  # fills the cache
    kept = cache.LintCache(tmp_path, _configuration()).records
    reads.clear()
    assert lint_json([case], tmp_path) == expected
    unkept = sorted(p for p in discover([case])[0] if p not in kept or kept[p].found is None)
    assert sorted(reads) == unkept
    if case.parent.name == "valid":
        assert not unkept


def _configuration() -> str:
    return cache.configuration(
        rules=runner._selected((), ()), trust=(), max_bytes=runner.MAX_FILE_BYTES
    )


def test_the_bundled_library_and_every_invalid_example_at_once(
    tmp_path: Path, reads: list[str]
) -> None:
    paths = [*LIBRARY, *(p for p in CASES if p.parent.name == "invalid")]
    expected = lint_json(paths)
    assert lint_json(paths, tmp_path) == expected
    reads.clear()
    assert lint_json(paths, tmp_path) == expected
    assert len(reads) <= 3  # the files too large or unreadable to keep


# --- any edits -------------------------------------------------------------------------------

_LIBRARIES = [p for p in CASES if p.parent.name == "valid"] + [
    EXAMPLES / "invalid" / "TK201-duplicate-entry-id-in-jsonl",
    EXAMPLES / "invalid" / "TK401-jsonl-entry-violates-fields",
    EXAMPLES / "invalid" / "TK602-task-edited-without-version-bump",
]
_EDITS = [
    "mutate",
    "delete",
    "copy",
    "jsonl",
    "lock",
    "touch",
    "pack name",
    "toolset",
    "dataset",
    "evaluator",
    "tool name",
]
_KINDS = {"toolset": "toolset", "dataset": "content", "evaluator": "evaluator"}


def _of_kind(yamls: list[Path], kind: str) -> list[Path]:
    return [p for p in yamls if f"kind: {kind}" in p.read_text(encoding="utf-8")]


def _edit(root: Path, edit: str, data: st.DataObject) -> None:
    """Change the library under ``root`` the way an author might."""
    yamls = sorted(root.rglob("*.yaml"))
    if edit in _KINDS and _of_kind(yamls, _KINDS[edit]):
        # Most edits of an index document change no name: what a finer fingerprint serves.
        edit_one_place(data.draw(st.sampled_from(_of_kind(yamls, _KINDS[edit]))), data)
        return
    if edit == "tool name" and _of_kind(yamls, "toolset"):
        path = data.draw(st.sampled_from(_of_kind(yamls, "toolset")))
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "toolset" and doc.get("tools"):
                tool = data.draw(st.sampled_from(doc["tools"]))
                if isinstance(tool, dict):
                    tool["name"] = f"{tool.get('name')}x"
        path.write_text("---\n".join(dump_yaml(d) for d in docs), encoding="utf-8")
        return
    if edit == "jsonl":
        lines = sorted(root.rglob("*.jsonl"))
        if lines:
            path = data.draw(st.sampled_from(lines))
            text = path.read_text(encoding="utf-8").splitlines()
            i = data.draw(st.integers(0, max(0, len(text) - 1)))
            line = data.draw(
                st.sampled_from(['{"id": "x"}', "{", text[i] if text else "{}", '{"id": 1}'])
            )
            text[i : i + data.draw(st.integers(0, 1))] = [line]
            path.write_text("\n".join(text) + "\n", encoding="utf-8")
            return
    if edit == "lock":
        packs = sorted(root.rglob("pack.yaml"))
        if packs:
            lock = data.draw(st.sampled_from(packs)).with_name("pack.lock")
            if lock.exists() and data.draw(st.booleans()):
                lock.unlink()
            else:
                lock.write_text(data.draw(st.sampled_from(["{", '{"lock_version": 1}', "[]"])))
            return
    if not yamls:
        return
    path = data.draw(st.sampled_from(yamls))
    if edit == "delete":
        path.unlink()
    elif edit == "copy":
        shutil.copyfile(path, path.with_name(f"copy-{path.name}"))
    elif edit == "touch":
        path.write_bytes(path.read_bytes())
    elif edit == "pack name" and path.name == "pack.yaml":
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(manifest, dict):
            manifest["name"] = f"{manifest.get('name')}x"
            path.write_text(dump_yaml(manifest), encoding="utf-8")
    else:
        edit_one_place(path, data)


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.sampled_from(_LIBRARIES),
    st.lists(st.sampled_from(_EDITS), min_size=1, max_size=4),
    st.data(),
)
def test_after_any_edits_the_cache_finds_what_reading_every_file_finds(
    case: Path, edits: list[str], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / case.name
        shutil.copytree(case, root)
        cache_dir = Path(tmp) / "cache"
        lint_json([root], cache_dir)
        for edit in edits:
            _edit(root, edit, data)
            assert lint_json([root], cache_dir) == lint_json([root]), edit


def _rename_pack(path: Path) -> None:
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    manifest["name"] += "x"
    path.write_text(dump_yaml(manifest), encoding="utf-8")


def _set_version(path: Path, version: str) -> None:
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    manifest["version"] = version
    path.write_text(dump_yaml(manifest), encoding="utf-8")


_VALID, _INVALID = EXAMPLES / "valid", EXAMPLES / "invalid"


@pytest.mark.parametrize(
    ("case", "pattern", "change"),
    [
        # what a task's findings depend on besides the task: every input of the index
        (_VALID / "cross-pack-references-and-multi-document-files", "core/pack.yaml", _rename_pack),
        (_VALID / "jsonl-entries-file", "**/*.jsonl", lambda p: p.write_text('{"id": 1}\n')),
        (_VALID / "home-starter-pack", "**/tools/*.yaml", lambda p: p.unlink()),
        (_INVALID / "TK602-task-edited-without-version-bump", "**/pack.lock", lambda p: p.unlink()),
        (
            _INVALID / "TK602-task-edited-without-version-bump",
            "**/pack.lock",
            lambda p: p.write_text("{"),
        ),
        (
            _VALID / "cross-pack-references-and-multi-document-files",
            "core/pack.yaml",
            lambda p: _set_version(p, "2.0.0"),
        ),
    ],
    ids=[
        "pack renamed",
        "entries file edited",
        "toolset deleted",
        "lock deleted",
        "lock broken",
        "required pack's version out of range",
    ],
)
def test_findings_follow_what_the_index_reads(
    case: Path, pattern: str, change: Any, tmp_path: Path
) -> None:
    root = tmp_path / case.name
    shutil.copytree(case, root)
    lint_json([root], tmp_path / "cache")
    before = lint_json([root])
    [path] = root.glob(pattern)
    change(path)
    after = lint_json([root])
    assert after != before  # the change shows
    assert lint_json([root], tmp_path / "cache") == after


# --- what an edit of an index document re-lints --------------------------------------------------


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the bundled library, linted once into ``tmp_path / "cache"``."""
    root = tmp_path / "lib"
    for path in LIBRARY:
        shutil.copytree(path, root / path.name)
    lint_json([root], tmp_path / "cache")
    return root


def _naming(root: Path, needle: str) -> list[str]:
    """The task files whose text holds ``needle`` (a reference to what was edited)."""
    return sorted(
        str(p)
        for p in discover([root])[0]
        if "kind: task" in Path(p).read_text(encoding="utf-8")
        and needle in Path(p).read_text(encoding="utf-8")
    )


def _set_description(path: Path, description: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["description"] = description
    path.write_text(dump_yaml(data), encoding="utf-8")


def test_editing_a_toolset_relints_the_tasks_that_offer_its_tools_only(
    library: Path, tmp_path: Path, reads: list[str]
) -> None:
    toolset = library / "task_library" / "media" / "tools" / "movies.yaml"
    users = _naming(library, "movies.")
    others = _naming(library, "music.")
    assert users and set(others) - set(users)  # the pack's other toolset's tasks stay
    _set_description(toolset, "Edited: the movie catalogue.")
    reads.clear()
    cached = lint_json([library], tmp_path / "cache")
    assert sorted(set(reads)) == sorted([str(toolset), *users])
    assert cached == lint_json([library])


def test_a_toolset_edit_is_reported_again_in_exactly_the_tasks_that_offer_it(
    library: Path, tmp_path: Path, reads: list[str]
) -> None:
    toolset = library / "task_library" / "media" / "tools" / "movies.yaml"
    users = _naming(library, "movies.")
    data = yaml.safe_load(toolset.read_text(encoding="utf-8"))
    for tool in data["tools"]:  # every call of its tools now lacks an argument
        tool["parameters"] = {"type": "object", "properties": {"x": {}}, "required": ["x"]}
    toolset.write_text(dump_yaml(data), encoding="utf-8")
    reads.clear()
    cached = runner.lint([library], cache_dir=tmp_path / "cache")
    # read once each, in one pass: the tasks that name the toolset are known up front
    assert sorted(reads) == sorted([str(toolset), *users])
    assert cached.diagnostics == runner.lint([library]).diagnostics
    assert {d.path for d in cached.diagnostics} == {str(toolset), *users}


def test_editing_a_dataset_relints_the_tasks_that_draw_from_it_only(
    library: Path, tmp_path: Path, reads: list[str]
) -> None:
    dataset = library / "content_datasets" / "home" / "viewing_requests.yaml"
    users = _naming(library, "content: viewing_requests")
    assert users
    _set_description(dataset, "Edited: viewing requests.")
    reads.clear()
    cached = lint_json([library], tmp_path / "cache")
    assert sorted(reads) == sorted([str(dataset), *users])  # once each
    assert cached == lint_json([library])


def test_an_edit_that_breaks_a_toolset_shows_in_every_task_that_offers_it(
    library: Path, tmp_path: Path
) -> None:
    toolset = library / "task_library" / "media" / "tools" / "movies.yaml"
    data = yaml.safe_load(toolset.read_text(encoding="utf-8"))
    data["tools"][0]["parameters"] = {"type": "object", "properties": {}, "required": ["x"]}
    toolset.write_text(dump_yaml(data), encoding="utf-8")
    after = lint_json([library])
    assert json.loads(after[0])["diagnostics"]  # the gold actions no longer validate
    assert lint_json([library], tmp_path / "cache") == after


def test_renaming_a_tool_changes_the_names_every_hint_reads(
    library: Path, tmp_path: Path, reads: list[str]
) -> None:
    toolset = library / "task_library" / "media" / "tools" / "movies.yaml"
    data = yaml.safe_load(toolset.read_text(encoding="utf-8"))
    data["tools"][0]["name"] += "x"
    toolset.write_text(dump_yaml(data), encoding="utf-8")
    reads.clear()
    cached = lint_json([library], tmp_path / "cache")
    assert sorted(set(reads)) == discover([library])[0]  # every file: the names changed
    assert cached == lint_json([library])


def _generated(root: Path) -> Path:
    """A library of the benchmark's shape (``benchmarks/synth.py``): five packs of 120 tasks
    that share a few toolsets, datasets inline and in JSONL files."""
    where = Path(__file__).parents[3] / "benchmarks" / "synth.py"
    spec = importlib.util.spec_from_file_location("taskkit_bench_synth", where)
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = synth  # its dataclasses look their module up by name
    spec.loader.exec_module(synth)
    synth.build(root, synth.Params(tasks=600, packs=5, entries_per_dataset=3))
    return root


def _reworded(path: Path, key: str, take: int) -> None:
    """``path`` with its top-level ``key`` (one line of text) changed: no name changes."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}: "))
    lines[at] = f"{key}: Edited, take {take}.\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_on_a_generated_library_cached_findings_equal_uncached_ones_after_each_edit(
    tmp_path: Path, reads: list[str]
) -> None:
    root = _generated(tmp_path / "lib")
    paths = [root / "task_library", root / "content_datasets"]
    cache_dir = tmp_path / "cache"
    assert lint_json(paths, cache_dir) == lint_json(paths)
    pack = sorted((root / "task_library").iterdir())[0]
    toolset = sorted(pack.glob("tools/*.yaml"))[0]
    dataset = sorted((root / "content_datasets" / pack.name).glob("*.yaml"))[0]
    task = sorted(pack.glob("tasks/*.yaml"))[0]
    tasks = [str(p) for p in sorted(pack.glob("tasks/*.yaml"))]

    def naming(needle: str) -> list[str]:
        return [p for p in tasks if needle in Path(p).read_text(encoding="utf-8")]

    manifest = pack / "pack.yaml"
    users = naming(f"{toolset.stem}.")
    edits: list[tuple[str, Any, list[str] | None]] = [
        # what is edited, and the files read again (None: not told here)
        ("toolset", lambda: _reworded(toolset, "description", 1), [str(toolset), *users]),
        ("dataset", lambda: _reworded(dataset, "description", 2), None),
        ("manifest", lambda: _reworded(manifest, "title", 3), [str(manifest), *tasks]),
        ("task", lambda: _reworded(task, "title", 4), [str(task)]),
        ("toolsets", lambda: [_reworded(t, "description", 5) for t in pack.glob("tools/*")], None),
        ("a tool gone", lambda: _drop_last_tool(toolset), None),
    ]
    for what, edit, read_again in edits:
        edit()
        reads.clear()
        assert lint_json(paths, cache_dir) == lint_json(paths), what
        if read_again is not None:
            assert sorted(reads) == sorted(read_again), what  # once each


def _drop_last_tool(toolset: Path) -> None:
    data = yaml.safe_load(toolset.read_text(encoding="utf-8"))
    data["tools"].pop()  # the tasks calling it now name an unknown tool
    toolset.write_text(dump_yaml(data), encoding="utf-8")


# --- what vouches for a file -------------------------------------------------------------------


def _record_for(path: Path, *, read_ns: int, digest: bytes | None = None) -> cache.Record:
    st_ = os.stat(path)
    found = cache.digest(path.read_bytes()) if digest is None else digest
    return cache.Record(cache.FileStamp(cache.stamp_of(st_), found, read_ns, None), (), b"", {})


def test_a_file_read_well_after_its_last_change_is_vouched_for_by_its_stat(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("kind: task\n")
    mtime = os.stat(path).st_mtime_ns
    store = cache.LintCache(tmp_path / "cache", "x")
    # The stat is as recorded and the record is from long after the last change: no
    # hashing, so even a wrong digest is believed (what makes unchanged files cheap).
    store.records[str(path)] = _record_for(path, read_ns=mtime + 10**10, digest=b"wrong")
    assert store.fresh(str(path), None, mtime + 10**10) is not None


def test_a_file_read_in_the_moment_of_its_last_change_is_hashed(tmp_path: Path) -> None:
    """git's "racily clean" case: a write in the clock tick of the read leaves the stat."""
    path = tmp_path / "a.yaml"
    path.write_text("kind: task\n")
    ctime = os.stat(path).st_ctime_ns
    store = cache.LintCache(tmp_path / "cache", "x")
    store.records[str(path)] = _record_for(path, read_ns=ctime, digest=b"wrong")
    assert store.fresh(str(path), None, ctime + 10**10) is None
    store.records[str(path)] = _record_for(path, read_ns=ctime)
    assert store.fresh(str(path), None, ctime + 10**10) is not None


def test_a_record_is_for_its_pack_root_only(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("kind: task\n")
    store = cache.LintCache(tmp_path / "cache", "x")
    store.records[str(path)] = _record_for(path, read_ns=0)
    assert store.fresh(str(path), None, 0) is not None
    assert store.fresh(str(path), str(tmp_path), 0) is None


def test_unchanged_files_old_enough_are_not_even_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]
) -> None:
    root = tmp_path / "lib"
    shutil.copytree(_LIBRARIES[0], root)
    expected = lint_json([root])
    lint_json([root], tmp_path / "cache")
    monkeypatch.setattr(cache_files, "RACY_NS", -(10**12))  # as if the files were old
    lint_json([root], tmp_path / "cache")  # keeps the stats that now vouch
    hashed: list[str] = []
    file_digest = cache.file_digest
    monkeypatch.setattr(cache, "file_digest", lambda p: hashed.append(p) or file_digest(p))
    reads.clear()
    assert lint_json([root], tmp_path / "cache") == expected
    assert reads == []
    assert all(not p.endswith(".yaml") for p in hashed)  # only entries files and locks


# --- what the rules read -----------------------------------------------------------------------

_watching: list[list[str]] = []
"""While a test watches, the files opened (an audit hook cannot be taken out again)."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watching and event == "open" and isinstance(args[0], str | os.PathLike):
        _watching[-1].append(os.path.realpath(os.fspath(args[0])))


sys.addaudithook(_audit)


def test_the_rules_read_nothing_the_index_fingerprint_leaves_out() -> None:
    """A finding kept in the cache is reused while the file and the index fingerprint are
    the same. So no rule may read any file but documents, the JSONL entries files and the
    pack locks (which the fingerprint covers)."""
    paths = [*LIBRARY, *CASES]
    roots = [os.path.realpath(p) for p in paths]
    opened: list[str] = []
    _watching.append(opened)
    try:
        runner._lint_in_shards(paths, shards=2)
    finally:
        _watching.pop()
    inside = {p for p in opened if any(p.startswith(r + os.sep) for r in roots)}
    allowed = (".yaml", ".yml", ".jsonl", f"{os.sep}pack.lock")
    # The handler rules read a pack's handlers/*.py (with ast); they are library-wide rules,
    # which run every time and are never cached, so what they read needs no fingerprint.
    assert {RULES[HANDLER_MISSING].READS, RULES[HANDLER_SIGNATURE].READS} == {"library"}
    handlers = f"{os.sep}handlers{os.sep}"
    inside = {p for p in inside if not (handlers in p and p.endswith(".py"))}
    worlds = _declared_world_files(roots)  # the fingerprint covers them too
    assert inside and all(p.endswith(allowed) or p in worlds for p in inside), sorted(
        p for p in inside if not p.endswith(allowed) and p not in worlds
    )


def _declared_world_files(roots: list[str]) -> set[str]:
    """The world files (and their schema files) that the packs' manifests declare."""
    import yaml

    found = set()
    for root in roots:
        for manifest in Path(root).rglob("pack.yaml"):
            try:
                data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
            for key in ("world", "world_schema"):
                files = data.get(key) if isinstance(data, dict) else None
                for rel in files.values() if isinstance(files, dict) else ():
                    if isinstance(rel, str):
                        found.add(os.path.realpath(manifest.parent / rel))
    return found


# --- the cache files ---------------------------------------------------------------------------


def _bins(directory: Path) -> list[Path]:
    """The bucket files of every configuration's folder."""
    return sorted(directory.glob("lint-*/*.json"))


def _configurations(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("lint-*") if p.is_dir())


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_a_damaged_cache_file_is_ignored_and_written_anew(tmp_path: Path, damage: str) -> None:
    case = EXAMPLES / "invalid" / "TK201-duplicate-entry-id"
    expected = lint_json([case])
    lint_json([case], tmp_path)
    kept = cache.LintCache(tmp_path, _configuration()).records
    assert kept
    for path in _bins(tmp_path):
        raw = path.read_bytes()
        path.write_bytes(
            {
                "garbage": b"\x00\xff" * 100,
                "truncated": raw[: len(raw) // 2],
                "flipped": raw[:-10] + bytes([raw[-10] ^ 1]) + raw[-9:],
                "empty": b"",
            }[damage]
        )
    assert not cache.LintCache(tmp_path, _configuration()).records
    assert lint_json([case], tmp_path) == expected
    assert cache.LintCache(tmp_path, _configuration()).records.keys() == kept.keys()


def test_an_edit_rewrites_only_the_buckets_of_the_files_it_touches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_files, "RACY_NS", -(10**12))  # no stat refreshed on a slow machine
    root = tmp_path / "lib"
    for path in LIBRARY:
        shutil.copytree(path, root / path.name)
    lint_json([root], tmp_path / "cache")
    before = {p: _identity(p) for p in _bins(tmp_path / "cache")}
    assert len(before) > 4
    task = next((root / "task_library" / "home" / "tasks").glob("*.yaml"))
    task.write_text(task.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    lint_json([root], tmp_path / "cache")
    rewritten = [p for p in _bins(tmp_path / "cache") if _identity(p) != before.get(p)]
    assert [p.name for p in rewritten] == [f"{cache.bucket_of(str(task)):02x}.json"]


def _identity(path: Path) -> tuple[int, int]:
    st_ = path.stat()
    return st_.st_ino, st_.st_mtime_ns


def test_the_cache_directory_is_marked_for_git_and_backup_tools(tmp_path: Path) -> None:
    lint_json([CASES[0]], tmp_path / "c")
    assert (tmp_path / "c" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (
        (tmp_path / "c" / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )


def test_each_configuration_has_its_own_file_and_only_the_latest_few_are_kept(
    tmp_path: Path,
) -> None:
    case = [CASES[0]]
    for n in range(cache.KEEP_FILES + 2):
        runner.lint(case, max_bytes=2**20 + n, cache_dir=tmp_path)
    assert len(_configurations(tmp_path)) == cache.KEEP_FILES
    configs = {
        cache.configuration(rules=["TK201"], trust=(), max_bytes=1),
        cache.configuration(rules=["TK202"], trust=(), max_bytes=1),
        cache.configuration(rules=["TK201"], trust=("home",), max_bytes=1),
        cache.configuration(rules=["TK201"], trust=(), max_bytes=2),
    }
    assert len(configs) == 4


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TASKKIT_CACHE_DIR", str(tmp_path / "taskkit-cache"))
    yield tmp_path


def lint_cli(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["lint", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_cli_keeps_its_cache_beside_the_pack_index(in_tmp: Path) -> None:
    case = EXAMPLES / "invalid" / "TK201-duplicate-entry-id"
    first = lint_cli("--format", "json", case)
    assert _bins(in_tmp / "taskkit-cache" / "lint")
    assert lint_cli("--format", "json", case) == first
    assert first[0] == 1 and json.loads(first[1])["diagnostics"]


def test_cli_one_cache_file_per_project_folder(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for project in ("a", "b"):
        (in_tmp / project).mkdir()
        monkeypatch.chdir(in_tmp / project)
        assert lint_cli(_LIBRARIES[0])[0] == 0
    assert len(_configurations(in_tmp / "taskkit-cache" / "lint")) == 2


def test_cli_no_cache_keeps_nothing(in_tmp: Path) -> None:
    assert lint_cli("--no-cache", _LIBRARIES[0])[0] == 0
    assert not (in_tmp / "taskkit-cache").exists()


def test_cli_cache_dir_option(in_tmp: Path) -> None:
    assert lint_cli("--cache-dir", "elsewhere", _LIBRARIES[0])[0] == 0
    assert _bins(in_tmp / "elsewhere")
    # taskkit's cache folder keeps the user's key, and nothing of this cache
    assert [p.name for p in (in_tmp / "taskkit-cache").iterdir()] == [cache.KEY_NAME]


def test_cli_a_cache_that_cannot_be_written_is_a_warning_not_a_failure(in_tmp: Path) -> None:
    (in_tmp / "a-file").write_text("")
    code, _out, err = lint_cli("--cache-dir", in_tmp / "a-file" / "cache", _LIBRARIES[0])
    assert code == 0
    assert "warning: cannot write the lint cache" in err
    assert "Traceback" not in err


def test_a_key_from_the_environment_signs_instead_of_the_users_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[str]
) -> None:
    """CI jobs that share a cache folder share the key as a secret: a run with another key
    believes none of what was kept."""
    case = _LIBRARIES[0]
    files = discover([case])[0]
    monkeypatch.setenv(cache.KEY_ENV, "secret one")
    expected = lint_json([case], tmp_path / "cache")
    assert not cache.key_path().exists()
    monkeypatch.setenv(cache.KEY_ENV, "secret two")
    reads.clear()
    assert lint_json([case], tmp_path / "cache") == expected
    assert sorted(reads) == files  # nothing verified: every file read again
    monkeypatch.setenv(cache.KEY_ENV, "secret two")
    reads.clear()
    assert lint_json([case], tmp_path / "cache") == expected
    assert reads == []


def test_the_key_is_made_without_hard_links_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setenv("TASKKIT_CACHE_DIR", str(tmp_path))
    key = cache.user_key(create=True)
    assert key is not None and len(key) == cache.KEY_SIZE
    assert (tmp_path / cache.KEY_NAME).stat().st_mode & 0o777 == 0o600
    assert cache.user_key(create=False) == key
    assert [p.name for p in tmp_path.iterdir()] == [cache.KEY_NAME]  # no temporary file left


def test_the_key_is_the_users_wherever_the_cache_is(tmp_path: Path) -> None:
    """Not beside a --cache-dir (a project folder, a folder restored as a CI cache)."""
    lint_json([_LIBRARIES[0]], tmp_path / "project" / "cache")
    assert cache.key_path().is_file()
    assert not list((tmp_path / "project").glob("*.key"))


def test_a_save_cut_short_leaves_no_state_that_vouches_for_old_records(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state file says "every record of these files holds for this index": it goes
    before any bucket is rewritten and comes back last, so a save cut short in between
    leaves every record to be checked against its fingerprint."""
    toolset = library / "task_library" / "media" / "tools" / "movies.yaml"
    original = toolset.read_bytes()
    data = yaml.safe_load(original)
    data["tools"][0]["parameters"] = {"type": "object", "properties": {}, "required": ["x"]}
    toolset.write_text(dump_yaml(data), encoding="utf-8")
    write_bytes = cache.write_bytes
    calls: list[Path] = []

    def cut_short(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        write_bytes(path, data)

    monkeypatch.setattr(cache, "write_bytes", cut_short)
    result = runner.lint([library], cache_dir=tmp_path / "cache")
    assert result.cache_error and "No space left" in result.cache_error
    assert not list((tmp_path / "cache").glob(f"lint-*/{cache.STATE_NAME}"))
    monkeypatch.setattr(cache, "write_bytes", write_bytes)
    toolset.write_bytes(original)  # back to the index the old state was for
    assert lint_json([library], tmp_path / "cache") == lint_json([library])


def test_unchanged_runs_trust_the_state_and_an_index_edit_does_not(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[int] = []
    fingerprints = shards._fingerprints

    def counting(*args: Any, **kwargs: Any) -> Any:
        found = fingerprints(*args, **kwargs)
        checked.append(len(found[0]))
        return found

    monkeypatch.setattr(shards, "_fingerprints", counting)
    lint_json([library], tmp_path / "cache")
    assert checked == [0]  # nothing read: the state vouches for every record
    toolset = library / "task_library" / "media" / "tools" / "movies.yaml"
    _set_description(toolset, "Edited.")
    checked.clear()
    assert lint_json([library], tmp_path / "cache") == lint_json([library])
    assert checked[0] == len(discover([library])[0])  # every record checked


# NaN and infinities are findings of their own (TK009): their file's record holds those.
@pytest.mark.parametrize(
    "value",
    ["123456789012345678901234567890", "-123456789012345678901234567890"],
    ids=["past 64 bits", "below -2**63"],
)
def test_what_json_cannot_say_exactly_is_not_kept(
    value: str, tmp_path: Path, reads: list[str]
) -> None:
    """A dataset holding such a value is linted every time: a record that said null (or
    nothing) instead would change what the tasks that read it find."""
    root = tmp_path / "lib"
    shutil.copytree(EXAMPLES / "valid" / "inline-entries", root)
    dataset = root / "mini" / "content" / "purchases.yaml"
    text = dataset.read_text(encoding="utf-8")
    dataset.write_text(text.replace("qty: 1}", f"qty: 1, odd: {value}}}"), encoding="utf-8")
    expected = lint_json([root])
    assert lint_json([root], tmp_path / "cache") == expected
    reads.clear()
    assert lint_json([root], tmp_path / "cache") == expected
    assert reads == [str(dataset)]
