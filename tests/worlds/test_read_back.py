"""A task that starts from a shared world plays the same whether it was just compiled or
read back from a compiled file (its world stored once, in canonical key order): the same
task text, and the same episodes, byte for byte. A rerun that resumes from a compiled file
(on any executor) relies on this."""

from __future__ import annotations

from taskkit.agents import MutantAgent
from taskkit.compiler import load_compiled, write_compiled
from taskkit.datagen import ExploreConfig, GenerateConfig, generate

SETTINGS = {"agent": "mutant", "created": "fixed"}  # one start time: the files compare whole
CONFIG = GenerateConfig(explore=ExploreConfig(samples=3, seed=5))


def test_a_world_task_read_back_plays_as_the_one_compiled(compiled_library, tmp_path):
    # airline: a world whose records' keys are not in sorted order in its files
    tasks = [t for t in compiled_library if t.pack == "airline"][:12]
    path = tmp_path / "c" / "tasks.jsonl"
    write_compiled(tasks, path)
    read_back = load_compiled(path)
    assert [t.model_dump_json() for t in read_back] == [t.model_dump_json() for t in tasks]
    generate(tasks, MutantAgent(), tmp_path / "compiled", CONFIG, settings=SETTINGS)
    generate(read_back, MutantAgent(), tmp_path / "read", CONFIG, settings=SETTINGS)
    for name in ("trajectories.jsonl", "sft.jsonl", "dpo.jsonl"):
        assert (tmp_path / "compiled" / name).read_bytes() == (
            tmp_path / "read" / name
        ).read_bytes()
