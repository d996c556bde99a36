"""Compiling a task with a ``user`` block: the user rendered, the gold conversation split
into calls and messages, and the facts the gold conversation needs."""

from __future__ import annotations

import json
from pathlib import Path

from users_helpers import compile_changed, compiled

from taskkit.compiler import compile_paths
from taskkit.rule_ids import INVALID_REGEX


def test_the_user_block_is_rendered_over_the_entry_and_its_hidden_facts():
    user = compiled(entry="move-2").user
    assert user is not None
    assert user.goal == "Ship order o-23 to the new address."
    assert user.persona == "A busy customer who answers briefly."
    assert user.hidden == {"address": "12 Birch Ln"}
    assert user.turns[0].say == "Please send it to 12 Birch Ln."
    assert user.turns[0].when.asks == ["address", "where"]
    assert user.turns[1].when.kind == "confirm"
    assert user.otherwise == "stop"


def test_gold_actions_keep_the_calls_and_gold_messages_say_where_they_go():
    final = compiled().final
    assert [a.tool for a in final.gold_actions] == ["get_order", "update_address"]
    assert [(m.before, m.text) for m in final.gold_messages] == [
        (0, "What is the new address?"),
        (1, "I will ship o-17 to 9 Oak Ave. Shall I proceed?"),
    ]
    assert final.gold_answer == "Done: order o-17 now ships to 9 Oak Ave."


def test_needs_are_the_facts_the_scripted_user_reveals_to_the_gold_conversation():
    assert compiled().user.needs == ["address"]  # type: ignore[union-attr]


def test_a_task_without_a_user_compiles_as_before():
    example = Path(__file__).parents[1] / "examples/valid/expect-error-gold-action"
    result = compile_paths([example])
    assert result.ok and result.tasks
    for task in result.tasks:
        assert task.user is None and task.final.gold_messages == []
        assert len(task.final.gold_actions) == 2


def test_a_compiled_line_round_trips(tmp_path: Path):
    from taskkit.compiler import load_compiled, write_compiled

    out = tmp_path / "c.jsonl"
    write_compiled([compiled()], out)
    (back,) = load_compiled(out)
    assert back == compiled()
    line = json.loads(out.read_text().splitlines()[0])
    assert line["user"]["turns"][0]["when"] == {"asks": ["address", "where"]}  # its one key


def test_gold_messages_need_a_user(tmp_path: Path):
    start = "user:\n  persona:"
    result = compile_changed(tmp_path, (start, "xuser:\n  persona:"))
    assert not result.ok  # (the unknown key, and the messages without a user)
    result = compile_changed(tmp_path / "b", *_without_user())
    assert not result.ok
    assert any("has no user" in d.message for d in result.diagnostics)


def _without_user() -> list[tuple[str, str]]:
    text = (Path(__file__).parent / "packs/shop/tasks/change_address.yaml").read_text()
    block = text[text.index("user:\n") : text.index("final:\n")]
    return [(block, "")]


def test_a_trigger_has_exactly_one_key(tmp_path: Path):
    result = compile_changed(tmp_path, ("when: {confirm: true}", "when: {confirm: true, reply: 2}"))
    assert not result.ok
    assert any("exactly one of" in d.message for d in result.diagnostics)
    result = compile_changed(tmp_path / "b", ("when: {confirm: true}", "when: {}"))
    assert not result.ok


def test_turn_ids_are_unique(tmp_path: Path):
    result = compile_changed(tmp_path, ("id: confirm\n", "id: give_address\n"))
    assert not result.ok
    assert any("used twice" in d.message for d in result.diagnostics)


def test_a_user_who_ends_the_gold_conversation_early_is_a_compile_error(tmp_path: Path):
    result = compile_changed(
        tmp_path, ("reveals: [address]\n", "reveals: [address]\n      stop: true\n")
    )
    assert not result.ok
    (d,) = result.diagnostics[:1]
    assert "ends the conversation at gold message 1" in d.message
    lines = Path(d.path).read_text().splitlines()
    assert lines[d.line - 1].strip() == "- say: What is the new address?"  # where it ends


def test_a_user_who_replies_to_the_gold_answer_is_a_compile_error(tmp_path: Path):
    result = compile_changed(tmp_path, ("otherwise: stop", "otherwise: And then?"))
    assert not result.ok
    assert any("replies to the gold answer" in d.message for d in result.diagnostics)


def test_an_invalid_regex_in_a_trigger_or_a_forbidden_text_check_is_a_lint_error(tmp_path: Path):
    result = compile_changed(
        tmp_path,
        ("when: {confirm: true}", 'when: {asks_regex: "(unclosed"}'),
        ('regex: "\\\\b\\\\d{16}\\\\b"', 'regex: "[16"'),
    )
    assert not result.ok
    found = {(d.rule, d.message.split(":")[0]) for d in result.diagnostics}
    assert found == {
        (INVALID_REGEX, "invalid regex '(unclosed'"),
        (INVALID_REGEX, "invalid regex '[16'"),
    }
