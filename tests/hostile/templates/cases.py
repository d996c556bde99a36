"""Hostile templates in a pack: each must be a diagnostic at lint or compile, in budget."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness import MINI, Case, mini

TASK = MINI["tasks/find.yaml"]


def user_command(template: str, command: str) -> Callable[[Path], list[str]]:
    """The template as the task's user command, in a one-line YAML double-quoted string."""
    quoted = template.replace("\\", "\\\\").replace('"', '\\"')
    task = TASK.replace("user_command: Find the {{ item }}.", f'user_command: "{quoted}"')

    def build(folder: Path) -> list[str]:
        mini(folder, tasks__find_yaml=task)
        return [command, "mini", *(["-o", "out.jsonl"] if command == "compile" else [])]

    return build


def gold_argument(template: str, command: str) -> Callable[[Path], list[str]]:
    quoted = template.replace("\\", "\\\\").replace('"', '\\"')
    task = TASK.replace('args: {name: "{{ item }}"}', f'args: {{name: "{quoted}"}}')

    def build(folder: Path) -> list[str]:
        mini(folder, tasks__find_yaml=task)
        return [command, "mini", *(["-o", "out.jsonl"] if command == "compile" else [])]

    return build


TEMPLATES = {
    "repeat-string": "{{ 'a' * 10**10 }}",
    "repeat-list": "{{ [1] * 10**9 }}",
    "repeat-in-text": "x {{ 'ab' * 10**9 }} y",
    "power": "{{ 7 ** 99999999 }}",
    "power-chain": "{{ 2 ** 64 ** 64 }}",
    "product-chain": "{{ 10**1000 * 10**1000 * 10**1000 * 10**1000 * 10**1000 }}",
    "nested-loops": "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    "nested-loops-output": "{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}{% endfor %}",
    "loop-over-repeated": "{% for c in 'a' * 999999 %}{% for d in 'b' * 999999 %}{% endfor %}{% endfor %}",
    "center-filter": "{{ item | center(10**10) }}",
    "indent-filter": "{{ item | indent(10**10) }}",
    "str-method-width": "{{ item.ljust(10**10) }}",
    "format-method-width": "{{ '{:>999999999}'.format(item) }}",
    "percent-format-width": "{{ '%0999999999d' % 1 }}",
    "format-filter-width": "{{ '%0999999999d' | format(1) }}",
    "percent-star-width": "{{ '%*d' % (999999999, 1) }}",
    "format-map-nested-width": "{{ '{x:{w}}'.format_map({'x': 1, 'w': 999999999}) }}",
    "format-many-fields": "{{ ('{:999999}' * 1000).format(*range(1000)) }}",
    "concat-growth": "{% set s = namespace(v='a') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v | length }}",
    "deep-parentheses": "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "deep-lists": "{{ " + "[" * 3000 + "]" * 3000 + " }}",
    "deep-if-blocks": "{% if 1 %}" * 2000 + "x" + "{% endif %}" * 2000,
    "huge-int-literal": "{{ " + "9" * 5000 + " }}",
    "lipsum-alone": "{{ lipsum }}",
    "range-value": "{{ range(3) }}",
    "undefined-attribute-chain": "{{ item" + ".a" * 3000 + " }}",
    "unsafe-attribute": "{{ item.__class__.__mro__ }}",
    "cycler-global": "{{ cycler }}",
    "unclosed-tag": "{{ item ",
}

# Each template in the user command, through lint (which renders it for every entry) and
# compile; the costly ones as a gold argument too (rendered to native values, replayed).
CASES: list[Case] = []
for name, template in TEMPLATES.items():
    CASES.append(Case(f"lint-command-{name}", user_command(template, "lint")))
    CASES.append(Case(f"compile-command-{name}", user_command(template, "compile")))
for name in (
    "repeat-string",
    "repeat-list",
    "power",
    "nested-loops",
    "deep-lists",
    "range-value",
    "lipsum-alone",
):
    CASES.append(Case(f"compile-gold-{name}", gold_argument(TEMPLATES[name], "compile")))
