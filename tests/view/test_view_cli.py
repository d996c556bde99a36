"""`taskkit view`, `taskkit compare` and `taskkit report --plots` from the command line."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from view_records import read_jsonl, record, write

from taskkit.cli.main import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_view_writes_one_self_contained_file(runs_dir, tmp_path):
    out = tmp_path / "a.html"
    result = invoke("view", str(runs_dir / "a.jsonl"), "-o", str(out))
    assert result.exit_code == 0, result.output
    episodes = len(read_jsonl(runs_dir / "a.jsonl"))
    assert f"{episodes} episodes" in result.output
    html = out.read_text(encoding="utf-8")
    # Nothing fetched from anywhere: no external script, style or image.
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    assert html.count('type="application/x-taskkit-chunk"') == -(-episodes // 64)


def test_compare_text_and_json(runs_dir, planted):
    a, p = str(runs_dir / "a.jsonl"), str(planted["path"])
    text = invoke("compare", a, p)
    assert text.exit_code == 0
    lines = text.output.splitlines()
    assert f"regressions (A passed, B failed): {len(planted['regressions'])}" in lines
    flipped = [line.split()[1] for line in lines if line.startswith(("  - ", "  + "))]
    assert flipped == sorted(planted["regressions"]) + sorted(planted["fixes"])
    doc = json.loads(invoke("compare", a, p, "--format", "json").output)
    assert [f["key"] for f in doc["flips"]] == flipped
    assert doc["overall"]["regressions"] == len(planted["regressions"])
    assert doc["overall"]["fixes"] == len(planted["fixes"])
    assert 0 < doc["overall"]["p_exact"] <= 1


def test_compare_html(runs_dir, tmp_path):
    out = tmp_path / "cmp.html"
    result = invoke(
        "compare", str(runs_dir / "a.jsonl"), str(runs_dir / "b.jsonl"), "--format", "html",
        "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0
    assert '"compare":{' in out.read_text(encoding="utf-8")


def test_report_plots(runs_dir, tmp_path):
    result = invoke("report", str(runs_dir / "a.jsonl"), "--plots", str(tmp_path / "plots"))
    assert result.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "plots").iterdir())
    assert names == ["error_types.svg", "pass_rate_by_category.svg", "steps_to_success.svg"]
    tree = ET.parse(tmp_path / "plots" / "pass_rate_by_category.svg")
    texts = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    records = read_jsonl(runs_dir / "a.jsonl")
    assert {r["category"] for r in records} <= set(texts)


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (json.dumps(record()) + "\n" + json.dumps(record("p/t@1#e-2"))[:40], None),
        ('{"id": "x", "gold_actions": [], "initial_state": {}}\n', "compiled tasks file"),
        ("date,amount\n2026-01-01,3\n", "line 1 is not valid JSON"),
    ],
    ids=["truncated", "compiled-tasks", "csv"],
)
def test_bad_input_is_a_clear_message(tmp_path, content, words):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    result = invoke("view", str(bad), "-o", str(tmp_path / "v.html"))
    _no_traceback(result)
    if words is None:  # truncated: the complete records are shown, with a warning
        assert result.exit_code == 0
        assert "warning: " in result.output and "the last line is cut off" in result.output
        assert "the 1 complete lines before it are read" in result.output
    else:
        assert result.exit_code == 2
        assert words in result.output
        assert f"{bad}:1:1: " in result.output


def test_compare_different_task_sets_is_a_clear_message(tmp_path):
    a = write(tmp_path / "a.jsonl", [record("p/t@1#e-1"), record("p/t@1#e-2")])
    b = write(tmp_path / "b.jsonl", [record("p/t@1#e-1")])
    for fmt in ("text", "json", "html"):
        result = invoke("compare", str(a), str(b), "--format", fmt, "-o", str(tmp_path / "c"))
        _no_traceback(result)
        assert result.exit_code == 2
        assert "compare-tasks" in result.output
        assert "the two runs cover different tasks: 1 only in 'a.jsonl'" in result.output
