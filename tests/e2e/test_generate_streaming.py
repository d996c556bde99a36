"""A long `generate` holds neither its tasks nor its exports: compiled tasks are read from
their file as the run meets them, and the exports are written an episode at a time. What
it writes is byte for byte what it wrote when it held everything."""

from __future__ import annotations

import json
import os
import shutil
from array import array
from pathlib import Path

import pytest
from click.testing import CliRunner

from taskkit.agents import MutantAgent
from taskkit.cli.main import cli
from taskkit.compiler import CompiledFileError, Selection, load_compiled, write_compiled
from taskkit.compiler.select import select
from taskkit.compiler.taskfile import open_compiled
from taskkit.datagen import ExploreConfig, GenerateConfig, export_all, generate
from taskkit.datagen.export import EpisodeOutput, write_sorted_exports
from taskkit.io.atomic import atomic_writer

CONFIG = GenerateConfig(explore=ExploreConfig(samples=3, seed=4), agent="mutant")
EXPORTS = ("sft.jsonl", "dpo.jsonl", "report.json")


@pytest.fixture(scope="module")
def compiled(compiled_library, tmp_path_factory) -> Path:
    """One instance of each of 40 abstract tasks, compiled to a file."""
    seen, tasks = set(), []
    for t in compiled_library:
        if t.task not in seen and len(tasks) < 40:
            seen.add(t.task)
            tasks.append(t)
    path = tmp_path_factory.mktemp("c") / "tasks.jsonl"
    write_compiled(tasks, path)
    return path


def exports(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in EXPORTS}


def test_a_compiled_file_gives_the_tasks_loading_it_gives(compiled):
    loaded = load_compiled(compiled)
    opened = open_compiled([compiled])
    assert len(opened) == len(loaded) == opened.read
    assert opened.ids == [t.id for t in loaded]
    assert list(opened) == loaded
    assert opened[-1] == loaded[-1] and opened[3:5][1] == loaded[4]
    assert opened[0] is not opened[0]  # parsed when asked for, not held


def test_a_selection_keeps_what_compile_keeps(compiled):
    loaded = load_compiled(compiled)
    category = loaded[0].category
    for selection in (
        Selection(categories=(category,)),
        Selection(limit=7),
        Selection(split="test"),
    ):
        opened = open_compiled([compiled], selection)
        assert opened.ids == [t.id for t in select(loaded, selection)]
        assert opened.read == len(loaded)


def _beside_its_worlds(compiled, tmp_path):
    """A copy of a compiled file goes with the shared worlds its tasks start from."""
    if (compiled.parent / "worlds").is_dir():
        shutil.copytree(compiled.parent / "worlds", tmp_path / "worlds", dirs_exist_ok=True)


def test_a_bom_and_blank_lines_are_the_same_tasks(compiled, tmp_path):
    _beside_its_worlds(compiled, tmp_path)
    path = tmp_path / "bom.jsonl"
    text = compiled.read_text(encoding="utf-8").replace("\n", "\n\n", 2)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert list(open_compiled([path])) == load_compiled(compiled)


def test_a_line_that_is_not_a_task_refuses_the_file_before_anything_runs(compiled, tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = compiled.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:5], '{"id": "x"}\n', *lines[5:]]), encoding="utf-8")
    with pytest.raises(CompiledFileError, match=r"bad.jsonl:6: not a compiled task"):
        open_compiled([path])
    path.write_bytes(b"\xff\xfe\n")
    with pytest.raises(CompiledFileError, match="not UTF-8"):
        open_compiled([path])


def test_a_file_replaced_during_a_run_does_not_change_its_tasks(compiled, tmp_path):
    _beside_its_worlds(compiled, tmp_path)
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(compiled.read_bytes())
    opened = open_compiled([path])
    first = opened[0]
    with atomic_writer(path) as f:  # as a recompile writes it: a new file renamed in place
        f.write(compiled.read_text(encoding="utf-8").splitlines(keepends=True)[1])
    assert opened[0] == first and len(opened) == len(load_compiled(compiled))


def test_a_file_written_over_in_place_is_an_error_not_other_tasks(compiled, tmp_path):
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(compiled.read_bytes())
    opened = open_compiled([path])
    with path.open("r+b") as f:
        f.write(b"x" * 200)
    with pytest.raises(CompiledFileError, match="changed while the run read it"):
        opened[0]


def test_generating_from_the_file_writes_what_generating_from_the_tasks_writes(compiled, tmp_path):
    held, streamed = tmp_path / "held", tmp_path / "streamed"
    generate(load_compiled(compiled), MutantAgent(), held, CONFIG, repeats=2)
    generate(open_compiled([compiled]), MutantAgent(), streamed, CONFIG, repeats=2)
    a, b = exports(held), exports(streamed)
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert a[name] == b[name], name
    reports = [json.loads(x["report.json"]) for x in (a, b)]
    for report in reports:
        del report["settings"]
    assert reports[0] == reports[1]
    assert reports[1]["counts"]["episodes"] == 2 * len(load_compiled(compiled))


def test_the_streamed_exports_equal_a_one_shot_export_of_the_trajectories(compiled, tmp_path):
    out = tmp_path / "g"
    report = generate(open_compiled([compiled]), MutantAgent(), out, CONFIG)
    streamed = exports(out)
    again = export_all(out)  # everything held, sorted in memory
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert (out / name).read_bytes() == streamed[name], name
    assert again == report  # the run's settings too: the records carry them


def test_a_resumed_run_reads_only_the_episodes_it_has_not_done(compiled, tmp_path):
    out = tmp_path / "g"
    tasks = open_compiled([compiled])
    generate(tasks[:10], MutantAgent(), out, CONFIG)
    started: list[tuple[int, int]] = []
    generate(tasks, MutantAgent(), out, CONFIG, on_start=lambda *a: started.append(a))
    assert started == [(10, len(tasks) - 10)]
    whole = tmp_path / "whole"
    generate(tasks, MutantAgent(), whole, CONFIG)
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert (out / name).read_bytes() == (whole / name).read_bytes()


def test_an_interrupted_export_leaves_the_last_exports_whole(compiled, tmp_path):
    out = tmp_path / "g"
    generate(open_compiled([compiled]), MutantAgent(), out, CONFIG)
    before = exports(out)

    def outputs():
        summary = {"task_id": "a", "pack": "p", "category": "c", "task": "t"}
        summary.update(action_scores=[1], task_score=1, error_types=[])
        yield EpisodeOutput("a", "{}\n", '{"row": 1}\n', ['{"pair": 1}\n'], summary)
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_sorted_exports(out, outputs())
    assert exports(out) == before
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]


def test_the_command_reads_a_compiled_file_as_it_goes_and_resumes(compiled, tmp_path):
    args = ["generate", str(compiled), "-o", str(tmp_path / "g"), "-k", "3", "--seed", "4"]
    first = CliRunner().invoke(cli, [*args, "--limit", "12"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert f"12 episodes already done, {len(load_compiled(compiled)) - 12} to go" in again.output
    whole = tmp_path / "whole"
    generate(load_compiled(compiled), MutantAgent(), whole, CONFIG)
    for name in ("sft.jsonl", "dpo.jsonl"):
        assert (tmp_path / "g" / name).read_bytes() == (whole / name).read_bytes()


def test_the_command_refuses_a_compiled_file_with_no_tasks(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", str(path), "-o", str(tmp_path / "g")])
    assert result.exit_code == 2 and "no compiled tasks" in result.output


def test_an_index_of_unchanged_files_stands_for_checking_them_again(compiled, tmp_path):
    path, index = tmp_path / "tasks.jsonl", tmp_path / "out" / ".tasks.idx"
    path.write_bytes(compiled.read_bytes())
    selection = Selection(limit=30)
    first = open_compiled([path], selection, index=index)
    assert index.is_file()
    assert open_compiled([path], selection, index=index).ids == first.ids
    # The same bytes count, change time and file: the index is believed, nothing is parsed
    # (a line spoilt behind its back is found when the run plays that task).
    st = path.stat()
    last = path.read_bytes().splitlines(keepends=True)[-1]
    with path.open("r+b") as f:
        f.seek(st.st_size - len(last))  # the first character of the last line
        f.write(b"#")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert open_compiled([path], selection, index=index).ids == first.ids
    with pytest.raises(CompiledFileError):
        open_compiled([path], selection)  # without it, every line is checked
    with pytest.raises(CompiledFileError):
        open_compiled([path], Selection(limit=29), index=index)  # another selection
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    with pytest.raises(CompiledFileError):
        open_compiled([path], selection, index=index)  # changed since


@pytest.mark.parametrize(
    "forged",
    [b"", b"\x00\xff", b"[]", b'{"key": 1}', b"{" * 5000],
    ids=["empty", "binary", "list", "wrong-key", "deep"],
)
def test_a_broken_or_forged_index_is_ignored(compiled, tmp_path, forged):
    index = tmp_path / ".tasks.idx"
    whole = open_compiled([compiled], index=index)
    index.write_bytes(forged)
    assert open_compiled([compiled], index=index).ids == whole.ids


def test_an_index_that_points_past_the_file_is_ignored(compiled, tmp_path):
    index = tmp_path / ".tasks.idx"
    whole = open_compiled([compiled], index=index)
    head, body = index.read_bytes().split(b"\n", 1)
    where = array("q")
    where.frombytes(body[: 3 * len(whole) * where.itemsize])
    where[2] = 10**12  # the first task's line, a terabyte long
    index.write_bytes(head + b"\n" + where.tobytes() + body[len(where) * where.itemsize :])
    opened = open_compiled([compiled], index=index)
    assert opened.ids == whole.ids and opened[0] == whole[0]


@pytest.mark.parametrize("cut", [1, 3], ids=["short", "id-past-the-end"])
def test_an_index_whose_ids_do_not_add_up_is_ignored(compiled, tmp_path, cut):
    index = tmp_path / ".tasks.idx"
    whole = open_compiled([compiled], index=index)
    data = index.read_bytes()
    if cut == 1:
        index.write_bytes(data[:-1])  # one byte of the last id missing
    else:
        head, body = data.split(b"\n", 1)
        ends = array("q")
        start = 3 * len(whole) * ends.itemsize
        ends.frombytes(body[start : start + len(whole) * ends.itemsize])
        ends[0] = 10**9  # the first id ends past all of them
        index.write_bytes(
            head + b"\n" + body[:start] + ends.tobytes() + body[start + len(ends) * 8 :]
        )
    assert open_compiled([compiled], index=index).ids == whole.ids


def test_an_index_that_is_a_fifo_is_not_waited_on(compiled, tmp_path):
    index = tmp_path / ".tasks.idx"
    os.mkfifo(index)  # reading one with no writer would block for good
    assert open_compiled([compiled], index=index).ids == open_compiled([compiled]).ids
