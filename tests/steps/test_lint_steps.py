"""What lint says about steps behaviours, from the outside (``taskkit lint``), on the
``steps-buy`` example pack with its toolset's behaviour replaced."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from taskkit.cli.main import cli

CASE = Path(__file__).parents[1] / "examples" / "valid" / "steps-buy"


def _lint(tmp_path: Path, behavior: dict[str, Any]) -> list[str]:
    pack = tmp_path / "case"
    shutil.copytree(CASE, pack)
    tools = pack / "mini" / "tools" / "shop.yaml"
    doc = yaml.safe_load(tools.read_text())
    doc["tools"][1]["behavior"] = behavior
    tools.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = CliRunner().invoke(cli, ["lint", str(pack)], catch_exceptions=False)
    return [
        line.split(": ")[1].split()[0] + " " + line.split("error ")[-1]
        for line in result.output.splitlines()
        if ": TK" in line
    ]


GET = {"get": "items", "id": "{{ args.item_id }}", "as": "item"}
SELL = {"increment": "items", "id": "{{ item.id }}", "path": "stock", "by": "{{ -args.qty }}"}


def test_names_bound_earlier_helpers_and_let_keys_in_order_are_all_readable(tmp_path: Path) -> None:
    behavior = {
        "steps": [
            GET,
            {
                "let": {
                    "cost": "{{ calc('p * q', p=item.price, q=args.qty) }}",
                    "rounded": "{{ round(cost, 2) }}",
                }
            },
            {"require": "rounded >= 0", "error": "Error: {{ item.id }}"},
            {**SELL, "when": "cost > 0"},
        ],
        "respond": {"cost": "{{ rounded }}", "last": "{{ result }}"},
    }
    assert _lint(tmp_path, behavior) == []


@pytest.mark.parametrize(
    ("steps", "respond", "unbound"),
    [
        ([{"require": "item.stock > 0", "error": "no"}, GET, SELL], None, "item"),
        ([{"let": {"a": "{{ b }}", "b": 1}}, GET, SELL], None, "b"),
        (
            [GET, {"each": "{{ [1] }}", "as": "n", "steps": [{"let": {"k": "{{ n }}"}}]}, SELL],
            "{{ k }}",
            "k",
        ),
        ([GET, {"each": "{{ [1] }}", "as": "n", "steps": [SELL]}], "{{ n }}", "n"),
        ([GET, SELL], "{{ itme }}", "itme"),
    ],
    ids=["read-before-bound", "let-key-later", "bound-inside-each", "each-item-after", "typo"],
)
def test_a_name_not_bound_before_it_is_read_is_tk306(
    tmp_path: Path, steps: list[Any], respond: Any, unbound: str
) -> None:
    behavior: dict[str, Any] = {"steps": steps}
    if respond is not None:
        behavior["respond"] = respond
    found = _lint(tmp_path, behavior)
    reported = [f.split(" (did you mean")[0] for f in found if f.startswith("TK306")]
    message = "is not bound by an earlier step (nor args, state, result or a helper)"
    assert reported == [f"TK306 {unbound!r} {message}"], found


def test_helpers_are_known_to_single_operation_templates(tmp_path: Path) -> None:
    behavior = {
        "get": "items",
        "id": "{{ args.item_id }}",
        "error": "{{ calc('q + 1', q=args.qty) }} is too many",
    }
    assert _lint(tmp_path, behavior) == []


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{{ calc('p * q', p=1) }}", "calc(): 'q' is used but not passed (add q=...)"),
        ("{{ calc('p.x', p=1) }}", "calc(): Attribute is not allowed (only arithmetic)"),
        ("{{ round(1.5, '2') }}", "round(): argument 2 must be a whole number, not '2'"),
        ("{{ sum(3) }}", "sum(): argument 1 must be a list, not 3"),
        (
            "{{ add_days('2024-01-01') }}",
            "add_days(): takes 2 to 2 arguments, given 1 (add_days(date, n))",
        ),
    ],
)
def test_a_helper_call_that_must_fail_is_tk411(tmp_path: Path, template: str, problem: str) -> None:
    behavior = {"steps": [GET, {"let": {"v": template}}, SELL]}
    assert _lint(tmp_path, behavior) == [f"TK411 {problem}"]
