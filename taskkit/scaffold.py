"""``taskkit new``: lint-clean starting points for every document kind.

Each scaffold carries the ``yaml-language-server`` line so editors complete and check it
from the first keystroke: a relative path to a ``schemas/`` folder above the file when there
is one (inside a library checkout), the published URL otherwise.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .atomic import atomic_writer
from .pack_repo import python_package, repo_files
from .schemas import SCHEMA_BASE_URL

__all__ = ["NAME_RE", "ScaffoldError", "new_content", "new_pack", "new_task", "new_toolset"]

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class ScaffoldError(ValueError):
    """A name or target that a scaffold cannot use."""


def _schema_line(target: Path, kind: str) -> str:
    for parent in target.resolve().parents:
        candidate = parent / "schemas" / f"{kind}.schema.json"
        if candidate.is_file():
            rel = os.path.relpath(candidate, target.resolve().parent)
            return f"# yaml-language-server: $schema={Path(rel).as_posix()}\n"
    return f"# yaml-language-server: $schema={SCHEMA_BASE_URL}/{kind}.schema.json\n"


def _write(path: Path, kind: str | None, body: str, *, force: bool) -> Path:
    if path.exists() and not force:
        raise ScaffoldError(f"{path} exists; pass --force to overwrite")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (_schema_line(path, kind) if kind else "") + body
    with atomic_writer(path) as f:
        f.write(text)
    return path


def _check(name: str) -> None:
    if not NAME_RE.match(name):
        raise ScaffoldError(f"{name!r} is not a valid name: use lower-case letters, digits and _")


TOOLSET = """\
kind: toolset
schema_version: 1
name: {name}
description: Tools of the {name} service.
tools:
  - name: search_items
    description: Search items by category, cheapest first.
    effect: read
    parameters:
      type: object
      properties:
        category: {{type: string, description: Category to search.}}
        limit: {{type: integer, minimum: 1, maximum: 50, default: 10}}
      required: [category]
      additionalProperties: false
    behavior:
      select: items
      where: {{category: "{{{{ args.category }}}}"}}
      sort: price
      limit: "{{{{ args.limit | default(10) }}}}"
  - name: order_item
    description: Order one item by its id.
    effect: write
    parameters:
      type: object
      properties:
        item_id: {{type: string}}
        quantity: {{type: integer, minimum: 1}}
      required: [item_id, quantity]
      additionalProperties: false
    behavior:
      require:
        - exists: {{collection: items, id: "{{{{ args.item_id }}}}"}}
          error: "no item with id {{{{ args.item_id }}}}"
      insert: orders
      record: {{item_id: "{{{{ args.item_id }}}}", quantity: "{{{{ args.quantity }}}}"}}
      id_prefix: "o-"
"""

CONTENT = """\
kind: content
schema_version: 1
name: {name}
description: Requests for the {name} tasks.
fields:
  type: object
  properties:
    category: {{type: string}}
    quantity: {{type: integer, minimum: 1}}
    items:
      type: array
      items:
        type: object
        properties:
          id: {{type: string}}
          category: {{type: string}}
          name: {{type: string}}
          price: {{type: number}}
        required: [id, category, name, price]
    cheapest_id: {{type: string}}
    cheapest_name: {{type: string}}
  required: [category, quantity, items, cheapest_id, cheapest_name]
  additionalProperties: false
entries:
  - id: two-kettles
    category: kitchen
    quantity: 2
    cheapest_id: i-2
    cheapest_name: Steel kettle
    items:
      - {{id: i-1, category: kitchen, name: Glass kettle, price: 39.5}}
      - {{id: i-2, category: kitchen, name: Steel kettle, price: 24.0}}
      - {{id: i-3, category: garden, name: Hose reel, price: 31.0}}
  - id: one-lamp
    category: lighting
    quantity: 1
    cheapest_id: i-5
    cheapest_name: Desk lamp
    items:
      - {{id: i-4, category: lighting, name: Floor lamp, price: 89.0}}
      - {{id: i-5, category: lighting, name: Desk lamp, price: 19.9}}
"""

TASK = """\
kind: task
schema_version: 1
id: {name}
version: 1
title: Order the cheapest item of a category
category: {category}
difficulty: easy
tools: [{toolset}.search_items, {toolset}.order_item]
content: {content}
user_command: Order {{{{ quantity }}}} of the cheapest {{{{ category }}}} item, please.
initial_state:
  items: "{{{{ items }}}}"
  orders: []
max_turns: 5
action_checks:
  - check: no_repeated_calls
  - check: order
    first: {toolset}.search_items
    then: {toolset}.order_item
final:
  gold_actions:
    - tool: {toolset}.search_items
      args: {{category: "{{{{ category }}}}"}}
    - tool: {toolset}.order_item
      args: {{item_id: "{{{{ cheapest_id }}}}", quantity: "{{{{ quantity }}}}"}}
  answer: I ordered {{{{ quantity }}}} x {{{{ cheapest_name }}}}.
  expect:
    state: matches_gold
    answer: {{contains: ["{{{{ cheapest_name }}}}"]}}
"""

PACK = """\
kind: pack
schema_version: 1
name: {name}
version: 0.1.0
title: {title}
description: >-
  What these tasks exercise, and for whom. Replace this text.
license: Apache-2.0
taskkit: ">=0.1"
"""

README = """\
# {name}

A taskkit task pack. It covers: (describe the domain, the tools and what the tasks ask).

| task | category | difficulty | tools |
| --- | --- | --- | --- |
| `{name}/order_cheapest` | data | easy | `shop.search_items`, `shop.order_item` |

Check it with `taskkit lint --strict .` and compile it with `taskkit compile . -o tasks.jsonl`.
"""


def new_toolset(name: str, directory: str | os.PathLike[str] = ".", *, force: bool = False) -> Path:
    _check(name)
    return _write(
        Path(directory) / f"{name}.yaml", "toolset", TOOLSET.format(name=name), force=force
    )


def new_content(name: str, directory: str | os.PathLike[str] = ".", *, force: bool = False) -> Path:
    _check(name)
    return _write(
        Path(directory) / f"{name}.yaml", "content", CONTENT.format(name=name), force=force
    )


def new_task(
    name: str,
    directory: str | os.PathLike[str] = ".",
    *,
    toolset: str = "shop",
    content: str = "orders",
    category: str = "data",
    force: bool = False,
) -> Path:
    _check(name)
    body = TASK.format(name=name, toolset=toolset, content=content, category=category)
    return _write(Path(directory) / f"{name}.yaml", "task", body, force=force)


def new_pack(
    name: str, directory: str | os.PathLike[str] = ".", *, force: bool = False
) -> list[Path]:
    """A pack repository ``directory/name/``: the self-contained pack folder (manifest,
    README, a toolset, a dataset, a task and ``pack.lock``) inside a Python package, so that
    ``pip install`` makes the pack known to ``taskkit packs`` by its entry point, plus the
    project files a contributor needs (see :mod:`taskkit.pack_repo`)."""
    _check(name)
    repo = Path(directory) / name
    if repo.exists() and any(repo.iterdir()) and not force:
        raise ScaffoldError(f"{repo} exists and is not empty; pass --force to overwrite")
    root = repo / "src" / python_package(name) / name
    title = name.replace("_", " ").capitalize() + " tasks"
    written = [
        _write(root / "pack.yaml", "pack", PACK.format(name=name, title=title), force=force),
        _write(root / "README.md", None, README.format(name=name), force=force),
        new_toolset("shop", root / "tools", force=force),
        new_content("orders", root / "content", force=force),
        new_task("order_cheapest", root / "tasks", force=force),
    ]
    for rel, body in repo_files(name).items():
        written.append(_write(repo / rel, None, body, force=force))
    written.append(_lock(root))
    return written


def _lock(root: Path) -> Path:
    # Imported here: locking lints the pack, which `taskkit new toolset` has no need for.
    from .packs.locking import lock_packs  # noqa: PLC0415

    outcomes, problems = lock_packs([str(root)], force=True)
    if problems or not outcomes or not outcomes[0].ok:  # the templates are lint-clean
        raise ScaffoldError(f"cannot lock the new pack at {root}")
    return Path(outcomes[0].path)
