"""Forged and broken lint caches: whatever stands in the cache folder, lint finds what it
finds without a cache (same findings, same exit code), never crashes and never hangs.

The library holds a task with two schema errors. Each case changes the cache after a run
filled it -- the record of that task edited to say "no findings" and signed again with a key
that is not the user's, or with the unkeyed digest of earlier caches; records of the wrong
shape signed with the user's own key; truncated, garbage, oversized, special files; links;
a key that is not private -- and lints again from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.lint import cache

EXAMPLES = Path(__file__).parents[2] / "examples"
BROKEN_TASK = """\
kind: task
schema_version: 1
id: broken
version: 1
title: Two schema errors
category: data
difficulty: easy
tools: [listings.search_homes]
content: viewing_requests
user_command: Homes in {{ city }}?
initial_state: {homes: "{{ homes }}", viewings: []}
max_turns: 4
colour: red
final:
  gold_actions: [{tool: listings.search_homes, args: {city: "{{ city }}"}}]
  expect: {state: matches_gold}
  surprise: 1
"""


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # taskkit's cache folder, where the user's key is; the cases use lint/ in it
    monkeypatch.setenv("TASKKIT_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "lib"
    src = EXAMPLES / "valid" / "home-starter-pack"
    for path in sorted(src.rglob("*")):
        if path.is_file():
            (root / path.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
            (root / path.relative_to(src)).write_bytes(path.read_bytes())
    (root / "task_library" / "home" / "tasks" / "broken.yaml").write_text(BROKEN_TASK)
    return root


def lint(library: Path, *args: str | Path) -> tuple[int, Any, str]:
    result = CliRunner().invoke(
        cli, ["lint", "--format", "json", *map(str, args), str(library)], catch_exceptions=False
    )
    return result.exit_code, json.loads(result.stdout)["diagnostics"], result.stderr


@pytest.fixture
def filled(library: Path, tmp_path: Path) -> tuple[Path, tuple[int, Any]]:
    """The cache folder after a run filled it, and what lint finds without a cache."""
    cache_dir = tmp_path / "cache" / "lint"
    code, found, _ = lint(library, "--no-cache")
    assert code == 1 and sum(d["rule"] == "TK103" for d in found) == 2
    assert lint(library, "--cache-dir", cache_dir)[:2] == (code, found)
    return cache_dir, (code, found)


def _folder(cache_dir: Path) -> Path:
    [folder] = [p for p in cache_dir.glob("lint-*") if p.is_dir()]
    return folder


def _bucket_of_task(library: Path, cache_dir: Path) -> Path:
    task = library / "task_library" / "home" / "tasks" / "broken.yaml"
    return _folder(cache_dir) / f"{cache.bucket_of(str(task)):02x}.json"


def _split(raw: bytes) -> tuple[bytes, bytes]:
    head = len(cache._MAGIC) + cache.MAC_SIZE
    return raw[:head], raw[head:]


def _sign(path: Path, body: bytes, key: bytes) -> None:
    """Write ``body`` as the bucket ``path``, signed with ``key`` as taskkit signs."""
    configuration = path.parent.name.removeprefix("lint-")
    path.write_bytes(cache._MAGIC + cache._mac(key, configuration, path.name, body) + body)


def _user_key(cache_dir: Path) -> bytes:
    key = cache.user_key(create=False)
    assert key is not None
    return key


def _quiet_record(body: bytes) -> bytes:
    """The bucket with the broken task's record saying it found nothing."""
    rows = orjson.loads(body)
    for row in rows:
        if row[0].endswith("broken.yaml"):
            row[5][1] = []  # round one's schema diagnostics
            row[7] = {}
    return orjson.dumps(rows)


# --- forged: the edit would hide the two errors, were it believed -------------------------------


def test_the_control_signed_with_the_users_key_an_edited_record_is_believed(
    library: Path, filled: tuple[Path, Any]
) -> None:
    """What the cases below forge does hide the findings when signed with the user's key:
    so it is the signature that they test."""
    cache_dir, (_, found) = filled
    bucket = _bucket_of_task(library, cache_dir)
    _sign(bucket, _quiet_record(_split(bucket.read_bytes())[1]), _user_key(cache_dir))
    code, hidden, _ = lint(library, "--cache-dir", cache_dir)
    assert code == 0 and len(hidden) == len(found) - 2


def _resigned_with_another_key(bucket: Path, cache_dir: Path) -> None:
    _sign(bucket, _quiet_record(_split(bucket.read_bytes())[1]), os.urandom(cache.KEY_SIZE))


def _resigned_with_an_unkeyed_digest(bucket: Path, cache_dir: Path) -> None:
    body = _quiet_record(_split(bucket.read_bytes())[1])
    digest = hashlib.sha256(cache._MAGIC + body).digest()
    bucket.write_bytes(cache._MAGIC + digest + body)


def _edited_not_signed(bucket: Path, cache_dir: Path) -> None:
    head, body = _split(bucket.read_bytes())
    bucket.write_bytes(head + _quiet_record(body))


def _signed_for_another_bucket(bucket: Path, cache_dir: Path) -> None:
    """A bucket signed with the user's key, copied to another bucket's place."""
    other = next(p for p in sorted(bucket.parent.glob("*.json")) if p != bucket)
    _sign(other, _quiet_record(_split(bucket.read_bytes())[1]), _user_key(cache_dir))
    bucket.write_bytes(other.read_bytes())


def _signed_for_another_configuration(bucket: Path, cache_dir: Path) -> None:
    """Signed with the user's key, for a run with other rules selected."""
    other = bucket.parent.with_name("lint-" + "0" * 32)
    other.mkdir()
    _sign(other / bucket.name, _quiet_record(_split(bucket.read_bytes())[1]), _user_key(cache_dir))
    bucket.write_bytes((other / bucket.name).read_bytes())


def _key_replaced(bucket: Path, cache_dir: Path) -> None:
    """Someone who can write the cache folder's parent puts a key of theirs there, and signs
    with it: the user's old buckets no longer verify, and theirs are refused (the file is
    not private)."""
    key = os.urandom(cache.KEY_SIZE)
    path = cache.key_path()
    path.unlink()
    path.write_text(key.hex())
    path.chmod(0o644)
    _sign(bucket, _quiet_record(_split(bucket.read_bytes())[1]), key)


def _key_a_link(bucket: Path, cache_dir: Path) -> None:
    key = os.urandom(cache.KEY_SIZE)
    theirs = cache_dir.parent / "theirs.key"
    theirs.write_text(key.hex())
    theirs.chmod(0o600)
    path = cache.key_path()
    path.unlink()
    path.symlink_to(theirs)
    _sign(bucket, _quiet_record(_split(bucket.read_bytes())[1]), key)


def _key_a_folder(bucket: Path, cache_dir: Path) -> None:
    path = cache.key_path()
    path.unlink()
    path.mkdir()


def _key_damaged(bucket: Path, cache_dir: Path) -> None:
    cache.key_path().write_text("not a key")


# --- the wrong shape, signed with the user's key ------------------------------------------------


def _reshaped(change: Callable[[list[Any]], Any]) -> Callable[[Path, Path], None]:
    def forge(bucket: Path, cache_dir: Path) -> None:
        rows = orjson.loads(_split(bucket.read_bytes())[1])
        for row in rows:
            if row[0].endswith("broken.yaml"):
                row[5][1] = []
                row[7] = {}
        new = change(rows)
        new = rows if new is None else new
        # json, not orjson: it writes integers past 64 bits too
        body = new if isinstance(new, bytes) else json.dumps(new).encode()
        _sign(bucket, body, _user_key(cache_dir))

    return forge


def _each(edit: Callable[[list[Any]], None]) -> Callable[[list[Any]], None]:
    def change(rows: list[Any]) -> None:
        for row in rows:
            edit(row)

    return change


def _set(index: int, value: Any) -> Callable[[list[Any]], None]:
    def edit(row: list[Any]) -> None:
        row[index] = value

    return edit


def _set_first(part: int, value: Any) -> Callable[[list[Any]], None]:
    def edit(row: list[Any]) -> None:
        row[5][part] = value

    return edit


def _bad_diagnostic(row: list[Any]) -> None:
    row[5][1] = [[row[0], "one", 1, "TK103", "x", "error", None, ""]]


def _bad_severity(row: list[Any]) -> None:
    row[5][1] = [[row[0], 1, 1, "TK103", "x", "fatal", None, ""]]


def _huge_line(row: list[Any]) -> None:
    row[5][1] = [[row[0], 10**30, 1, "TK103", "x", "error", None, ""]]


def _bad_document(row: list[Any]) -> None:
    row[5][3] = [[True, [row[0], None, 0, {"kind": "toolset"}, None]]]


def _bad_summary(row: list[Any]) -> None:
    row[5][3] = [[False, [row[0], None, "0", "id", "content", ""]]]


def _bad_refs(row: list[Any]) -> None:
    row[5][3] = [[False, [row[0], None, 0, "id", "content", [1, 2]]]]


def _bad_found(row: list[Any]) -> None:
    row[7] = {"TK202": [[row[0], 1]]}


def _found_a_list(row: list[Any]) -> None:
    row[7] = [1, 2, 3]


def _bad_manifest(row: list[Any]) -> None:
    row[5][2] = [["root"]]


def _deep(rows: list[Any]) -> bytes:
    return orjson.dumps(rows)[:-1] + b"," + b"[" * 10_000 + b"]" * 10_000 + b"]"


SHAPES: dict[str, Callable[[list[Any]], Any]] = {
    "not a list": lambda rows: {"rows": rows},
    "null": lambda rows: [None] * len(rows),
    "short rows": _each(lambda row: row.pop()),
    "long rows": _each(lambda row: row.append(0)),
    "stat of strings": _each(_set(1, ["1", "2", "3", "4"])),
    "digest not hex": _each(_set(2, "z" * 32)),
    "digest too long": _each(_set(2, "ab" * 10_000)),
    "root a number": _each(_set(4, 7)),
    "fingerprint missing": _each(_set(6, "")),
    "first a string": _each(_set(5, "first")),
    "first short": _each(lambda row: row[5].pop()),
    "diagnostic with a string line": _each(_bad_diagnostic),
    "diagnostic of unknown severity": _each(_bad_severity),
    "diagnostic with a huge line": _each(_huge_line),
    "index document without a name": _each(_bad_document),
    "summary with a string position": _each(_bad_summary),
    "references that are numbers": _each(_bad_refs),
    "finding of the wrong length": _each(_bad_found),
    "findings a list": _each(_found_a_list),
    "manifest of one part": _each(_bad_manifest),
    "nested 10,000 deep": _deep,
}


# --- broken files -------------------------------------------------------------------------------


def _truncated(bucket: Path, cache_dir: Path) -> None:
    raw = bucket.read_bytes()
    bucket.write_bytes(raw[: len(raw) // 2])


def _garbage(bucket: Path, cache_dir: Path) -> None:
    bucket.write_bytes(os.urandom(4096))


def _empty(bucket: Path, cache_dir: Path) -> None:
    bucket.write_bytes(b"")


def _oversized(bucket: Path, cache_dir: Path) -> None:
    """A bucket past the size limit (sparse: no disk is used), signed: never read."""
    with bucket.open("r+b") as f:
        f.truncate(cache.MAX_BUCKET_BYTES + 1)


def _a_folder(bucket: Path, cache_dir: Path) -> None:
    bucket.unlink()
    bucket.mkdir()
    (bucket / "x").write_text("x")


def _a_link_to_dev_zero(bucket: Path, cache_dir: Path) -> None:
    bucket.unlink()
    bucket.symlink_to("/dev/zero")


def _a_link_to_a_forged_file(bucket: Path, cache_dir: Path) -> None:
    forged = cache_dir.parent / "forged.json"
    _sign(forged, _quiet_record(_split(bucket.read_bytes())[1]), _user_key(cache_dir))
    bucket.unlink()
    bucket.symlink_to(forged)


def _in_another_bucket(bucket: Path, cache_dir: Path) -> None:
    """The edited record moved to another bucket, both signed with the user's key: a record
    counts in its own bucket only (else it could shadow the genuine one)."""
    key = _user_key(cache_dir)
    rows = orjson.loads(_quiet_record(_split(bucket.read_bytes())[1]))
    moved = [row for row in rows if row[0].endswith("broken.yaml")]
    other = next(p for p in sorted(bucket.parent.glob("*.json")) if p != bucket)
    _sign(other, orjson.dumps([*orjson.loads(_split(other.read_bytes())[1]), *moved]), key)
    _sign(bucket, orjson.dumps([row for row in rows if row not in moved]), key)


def _the_folder_a_link(bucket: Path, cache_dir: Path) -> None:
    """The configuration's folder a link to a copy whose buckets are forged."""
    folder = bucket.parent
    elsewhere = cache_dir.parent / "elsewhere"
    folder.rename(elsewhere)
    target = elsewhere / bucket.name
    raw = target.read_bytes()
    # Signed as if it stood in the real folder: only the link gives it away.
    body = _quiet_record(_split(raw)[1])
    configuration = folder.name.removeprefix("lint-")
    mac = cache._mac(_user_key(cache_dir), configuration, bucket.name, body)
    target.write_bytes(cache._MAGIC + mac + body)
    folder.symlink_to(elsewhere)


def _the_folder_a_file(bucket: Path, cache_dir: Path) -> None:
    folder = bucket.parent
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_text("not a folder")


def _a_fifo(bucket: Path, cache_dir: Path) -> None:
    bucket.unlink()
    os.mkfifo(bucket)


CASES: dict[str, Callable[[Path, Path], None]] = {
    "re-signed with another key": _resigned_with_another_key,
    "re-signed with an unkeyed digest": _resigned_with_an_unkeyed_digest,
    "edited, not signed": _edited_not_signed,
    "signed for another bucket": _signed_for_another_bucket,
    "signed for another configuration": _signed_for_another_configuration,
    "key replaced by a public one": _key_replaced,
    "key a link": _key_a_link,
    "key a folder": _key_a_folder,
    "key damaged": _key_damaged,
    **{f"shape: {name}": _reshaped(change) for name, change in SHAPES.items()},
    "a record in another bucket": _in_another_bucket,
    "truncated": _truncated,
    "garbage": _garbage,
    "empty": _empty,
    "oversized": _oversized,
    "a folder where a bucket should be": _a_folder,
    "a link to /dev/zero": _a_link_to_dev_zero,
    "a link to a forged bucket": _a_link_to_a_forged_file,
    "the configuration's folder a link": _the_folder_a_link,
    "the configuration's folder a file": _the_folder_a_file,
}


@pytest.mark.parametrize("forge", CASES.values(), ids=CASES.keys())
def test_a_forged_or_broken_cache_hides_no_finding(
    library: Path, filled: tuple[Path, Any], forge: Callable[[Path, Path], None]
) -> None:
    cache_dir, expected = filled
    forge(_bucket_of_task(library, cache_dir), cache_dir)
    code, found, err = lint(library, "--cache-dir", cache_dir)
    assert (code, found) == expected
    assert "Traceback" not in err
    # And again: what that run wrote (or could not write) serves as well.
    assert lint(library, "--cache-dir", cache_dir)[:2] == expected


def test_a_fifo_where_a_bucket_should_be_does_not_block(
    library: Path, filled: tuple[Path, Any]
) -> None:
    cache_dir, (code, found) = filled
    _a_fifo(_bucket_of_task(library, cache_dir), cache_dir)
    argv = [sys.executable, "-m", "taskkit", "lint", "--format", "json", "--cache-dir"]
    proc = subprocess.run(
        [*argv, str(cache_dir), str(library)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == code, proc.stderr
    assert json.loads(proc.stdout)["diagnostics"] == found
    assert "Traceback" not in proc.stderr


def test_the_key_is_private_to_the_user(filled: tuple[Path, Any]) -> None:
    cache_dir, _ = filled
    key = cache.key_path()
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.stat().st_uid == os.getuid()
    for bucket in _folder(cache_dir).glob("*.json"):
        assert bucket.stat().st_mode & 0o077 == 0


def test_a_key_others_can_read_is_refused_with_a_warning(
    library: Path, filled: tuple[Path, Any]
) -> None:
    cache_dir, expected = filled
    cache.key_path().chmod(0o644)
    code, found, err = lint(library, "--cache-dir", cache_dir)
    assert (code, found) == expected
    assert "warning: cannot write the lint cache" in err and "chmod 600" in err


@pytest.mark.parametrize("key", ["another", "the user's"])
def test_a_forged_state_file_vouches_for_nothing(
    library: Path, filled: tuple[Path, Any], key: str
) -> None:
    """The state file says which index every record was checked against. Forged (with
    another key), or saying another index (with the user's), it is not believed: after an
    edit of the toolset, the tasks that use it are linted again."""
    cache_dir, _ = filled
    toolset = library / "task_library" / "home" / "tools" / "listings.yaml"
    data = yaml.safe_load(toolset.read_text())
    data["tools"][0]["parameters"] = {"type": "object", "properties": {}, "required": ["x"]}
    toolset.write_text(yaml.safe_dump(data))
    expected = lint(library, "--no-cache")[:2]
    state = _folder(cache_dir) / cache.STATE_NAME
    body = _split(state.read_bytes())[1]
    forged = os.urandom(len(body))
    signing = os.urandom(cache.KEY_SIZE) if key == "another" else _user_key(cache_dir)
    _sign(state, forged, signing)
    code, found, err = lint(library, "--cache-dir", cache_dir)
    assert (code, found) == expected != filled[1]
    assert "Traceback" not in err
