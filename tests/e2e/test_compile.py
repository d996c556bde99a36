"""Compiling the bundled library: reproducible, portable, and strict about answer keys."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from taskkit.cli.main import cli
from taskkit.compiler import compile_paths, load_compiled, write_compiled
from tests.conftest import LIBRARY, REPO


def run_compile(paths, out):
    result = CliRunner().invoke(
        cli, ["compile", *map(str, paths), "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_compile_is_byte_identical_across_runs_and_file_order(tmp_path):
    first = run_compile(LIBRARY, tmp_path / "a.jsonl")
    again = run_compile(LIBRARY, tmp_path / "b.jsonl")
    # a copy whose files are listed (and created) in another order
    copy = tmp_path / "copy"
    for src in reversed(LIBRARY):
        files = sorted((p for p in src.rglob("*") if p.is_file()), reverse=True)
        for f in files:
            dest = copy / src.name / f.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest)
    moved = run_compile([copy / "content_datasets", copy / "task_library"], tmp_path / "c.jsonl")
    assert first == again
    # source paths differ between the copy and the original; everything else is identical
    strip = lambda data: [  # noqa: E731
        {k: v for k, v in json.loads(line).items() if k != "source"} for line in data.splitlines()
    ]
    assert strip(first) == strip(moved)
    assert len(first.splitlines()) > 0


def test_every_line_validates_and_round_trips(tmp_path):
    run_compile(LIBRARY, tmp_path / "t.jsonl")
    schema = json.loads((REPO / "schemas" / "compiled-task.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    lines = (tmp_path / "t.jsonl").read_text().splitlines()
    for line in lines:
        validator.validate(json.loads(line))
    tasks = load_compiled(tmp_path / "t.jsonl")
    # written again, what was read is the same file (a task on a shared world included)
    write_compiled(tasks, tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_text().splitlines() == lines
    manifest = json.loads((tmp_path / "t.manifest.json").read_text())
    assert manifest["count"] == len(lines)


def test_filters_and_split(tmp_path):
    everything = compile_paths(LIBRARY).tasks
    from taskkit.compiler import Selection

    train = compile_paths(
        LIBRARY, selection=Selection(split="train", split_by="entry", seed=3)
    ).tasks
    test = compile_paths(LIBRARY, selection=Selection(split="test", split_by="entry", seed=3)).tasks
    assert sorted(t.id for t in train + test) == sorted(t.id for t in everything)
    assert not {t.id for t in train} & {t.id for t in test}
    only = compile_paths(LIBRARY, selection=Selection(tasks=("home/count_*",), limit=2)).tasks
    assert [t.task for t in only] == ["count_matching_homes"] * 2


def broken_pack(
    tmp_path: Path,
    task_patch: tuple[str, str] | None = None,
    entry_patch: tuple[str, str] | None = None,
):
    pack = tmp_path / "lib"
    shutil.copytree(REPO / "task_library" / "home", pack / "task_library" / "home")
    shutil.copytree(REPO / "content_datasets" / "home", pack / "content_datasets" / "home")
    if task_patch:
        path = pack / "task_library" / "home" / "tasks" / "book_cheapest_viewing.yaml"
        text = path.read_text()
        assert task_patch[0] in text
        path.write_text(text.replace(task_patch[0], task_patch[1]))
    if entry_patch:
        path = pack / "content_datasets" / "home" / "viewing_requests.yaml"
        text = path.read_text()
        assert entry_patch[0] in text
        path.write_text(text.replace(entry_patch[0], entry_patch[1], 1))
    return [pack / "task_library", pack / "content_datasets"]


def diags(result):
    return [
        (Path(d.path).name, d.line, d.rule, d.message.split(":")[0]) for d in result.diagnostics
    ]


def test_gold_action_with_wrong_arguments_fails_at_its_line(tmp_path):
    paths = broken_pack(
        tmp_path,
        (
            'args: {home_id: "{{ cheapest_id }}", date: "{{ date }}"}',
            'args: {home_id: "{{ cheapest_id }}x", date: "{{ date }}"}',
        ),
    )
    result = compile_paths(paths)
    assert not result.ok
    first = result.diagnostics[0]
    # compile lints first, and plain lint replays the gold actions on the first entry
    assert (Path(first.path).name, first.line, first.rule) == (
        "book_cheapest_viewing.yaml",
        30,
        "TK406",
    )
    assert "entry 'austin-2br-1'" in first.message and "no home with id" in first.message


def test_field_only_some_entries_have_fails_naming_the_entry(tmp_path):
    paths = broken_pack(
        tmp_path,
        ("and book a viewing for {{ date }}.", "and book a viewing for {{ date }} ({{ note }})."),
        ("  cheapest_id: h-103\n", "  cheapest_id: h-103\n  note: mornings only\n"),
    )
    # `note` is only in the first entry; add it to `fields` as optional so lint is clean
    content = paths[1] / "home" / "viewing_requests.yaml"
    content.write_text(
        content.read_text().replace(
            "    cancel_home: {type: string}\n",
            "    cancel_home: {type: string}\n    note: {type: string}\n",
        )
    )
    result = compile_paths(paths)
    assert not result.ok
    messages = {(Path(d.path).name, d.line, d.col, d.rule) for d in result.diagnostics}
    assert ("book_cheapest_viewing.yaml", 14, 41, "TK701") in messages
    assert all("'note' is undefined" in d.message for d in result.diagnostics)
    assert not any("entry 'austin-2br-1'" in d.message for d in result.diagnostics)


def test_expectation_the_gold_run_does_not_meet_fails(tmp_path):
    paths = broken_pack(
        tmp_path,
        (
            "- {collection: viewings, added: 1, removed: 0}",
            "- {collection: viewings, added: 2, removed: 0}",
        ),
    )
    result = compile_paths(paths)
    assert not result.ok
    d = result.diagnostics[0]
    assert (Path(d.path).name, d.line, d.rule) == ("book_cheapest_viewing.yaml", 37, "TK703")
    assert "viewings: 1 records added, expected 2" in d.message


def test_compile_refuses_a_library_with_lint_errors(tmp_path):
    paths = broken_pack(tmp_path, ("content: viewing_requests", "content: viewing_request"))
    result = CliRunner().invoke(cli, ["compile", *map(str, paths), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1
    assert "TK203" in result.output and not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_compile_diagnostics_formats(tmp_path, fmt):
    paths = broken_pack(
        tmp_path,
        (
            "- {collection: viewings, added: 1, removed: 0}",
            "- {collection: viewings, added: 3, removed: 0}",
        ),
    )
    result = CliRunner().invoke(
        cli, ["compile", *map(str, paths), "-o", str(tmp_path / "o.jsonl"), "--format", fmt]
    )
    assert result.exit_code == 1
    assert "TK703" in result.output


def test_scaffolded_task_lines_are_documented():
    text = textwrap.dedent(
        (REPO / "task_library" / "home" / "tasks" / "book_cheapest_viewing.yaml").read_text()
    )
    assert text.startswith("# yaml-language-server: $schema=")
