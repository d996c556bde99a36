"""``taskkit new``: lint-clean starting points for every document kind.

Each scaffold carries the ``yaml-language-server`` line so editors complete and check it
from the first keystroke: a relative path to the nearest ``schemas/`` folder above the file
(a library checkout has one; ``taskkit new pack`` exports one into the pack repository), so
it resolves offline and matches the taskkit that wrote it. Where there is none the line is
left out (``taskkit schema export -o schemas`` at the repository root makes one).

Inside a pack, ``new task`` and ``new content`` are fitted to the pack's own tools and
datasets (see :mod:`taskkit.scaffold._fit`); elsewhere they write the standalone example.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..io.atomic import atomic_writer
from ..schema.documents import export_schemas
from ._fit import (
    Candidate,
    PackView,
    example_value,
    find_pack,
    own_findings,
    task_candidates,
)
from .pack_repo import SourceError, python_package, repo_files

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
    return ""


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
    view = find_pack(directory)
    if view is not None and name in view.toolsets() and not force:
        raise ScaffoldError(f"pack {view.name!r} already has a toolset {name!r}")
    return _write(
        Path(directory) / f"{name}.yaml", "toolset", TOOLSET.format(name=name), force=force
    )


def new_content(
    name: str,
    directory: str | os.PathLike[str] = ".",
    *,
    toolset: str | None = None,
    force: bool = False,
) -> Path:
    """A content dataset; inside a pack, its fields are the required parameters of the
    pack's ``toolset`` (default: its first), so a task on those tools can use them."""
    _check(name)
    view = find_pack(directory)
    if view is None:
        body = CONTENT.format(name=name)
    else:
        if name in view.contents() and not force:
            raise ScaffoldError(f"pack {view.name!r} already has a content dataset {name!r}")
        body = _fitted_content(name, view, toolset)
    return _write(Path(directory) / f"{name}.yaml", "content", body, force=force)


def new_task(
    name: str,
    directory: str | os.PathLike[str] = ".",
    *,
    toolset: str | None = None,
    content: str | None = None,
    tool: str | None = None,
    category: str = "data",
    force: bool = False,
) -> Path:
    """A task. Outside a pack: the standalone example on ``toolset`` (default ``shop``) and
    ``content`` (default ``orders``). Inside one: a task on one of the pack's tools (``tool``
    of ``toolset`` when given) and one of its datasets (``content``), checked with the pack's
    deep lint before it is kept."""
    _check(name)
    path = Path(directory) / f"{name}.yaml"
    view = find_pack(directory)
    if view is None:
        body = TASK.format(
            name=name,
            toolset=toolset or "shop",
            content=content or "orders",
            category=category,
        )
        return _write(path, "task", body, force=force)
    return _fitted_task(
        name,
        path,
        view,
        toolset=toolset,
        content=content,
        tool=tool,
        category=category,
        force=force,
    )


def _fitted_task(
    name: str,
    path: Path,
    view: PackView,
    *,
    toolset: str | None,
    content: str | None,
    tool: str | None,
    category: str,
    force: bool,
) -> Path:
    # Imported here: `taskkit new toolset` has no need for the linter.
    from ..compiler.deep import compile_findings  # noqa: PLC0415
    from ..lint import lint  # noqa: PLC0415

    if path.exists() and not force:
        raise ScaffoldError(f"{path} exists; pass --force to overwrite")
    here = os.path.realpath(path)
    if any(
        ld.pack == view.name
        and getattr(ld.model, "id", None) == name
        and os.path.realpath(ld.path) != here
        for ld in view.library.tasks
    ):
        raise ScaffoldError(f"pack {view.name!r} already has a task {name!r}")
    datasets = view.contents()
    toolsets = view.toolsets()
    if not datasets:
        raise ScaffoldError(
            f"pack {view.name!r} has no content dataset: add one first "
            f"(`taskkit new content NAME -d {view.root}/content`)"
        )
    if not toolsets:
        raise ScaffoldError(
            f"pack {view.name!r} has no toolset: add one first "
            f"(`taskkit new toolset NAME -d {view.root}/tools`)"
        )
    _known("content dataset", content, datasets, view.name)
    _known("toolset", toolset, toolsets, view.name)
    if tool is not None and not any(t.name == tool for ts in toolsets.values() for t in ts.tools):
        raise ScaffoldError(f"pack {view.name!r} has no tool {tool!r}")
    content_name = content or sorted(datasets)[0]
    tried: list[str] = []
    for cand in task_candidates(view, datasets[content_name], toolset, tool):
        body = _task_body(name, content_name, cand, category)
        _write(path, "task", body, force=True)
        found = own_findings(lint(view.paths, compile_phase=compile_findings).diagnostics, path)
        if not found:
            return path
        tried.append(f"{cand.ref}: {found[0].rule} {found[0].message}")
    if path.exists():
        path.unlink()
    why = "; ".join(tried) if tried else "no tool whose required arguments can be made up"
    raise ScaffoldError(
        f"cannot fit a lint-clean task to pack {view.name!r} with dataset {content_name!r} "
        f"({why}); choose with --tool, --toolset and --content"
    )


def _known(what: str, name: str | None, names: dict[str, Any], pack: str) -> None:
    if name is not None and name not in names:
        raise ScaffoldError(
            f"pack {pack!r} has no {what} {name!r} (it has: {', '.join(sorted(names))})"
        )


def _template(field: str) -> str:
    return "{{ " + field + " }}"


def _task_body(name: str, content: str, cand: Candidate, category: str) -> str:
    doc = {
        "kind": "task",
        "schema_version": 1,
        "id": name,
        "version": 1,
        "title": name.replace("_", " ").capitalize(),
        "category": category,
        "difficulty": "easy",
        "tools": [cand.ref],
        "content": content,
        "user_command": f"Use {cand.tool} for {_template(cand.field)}, then tell me.",
        "initial_state": {c: _template(f) for c, f in cand.state.items()},
        "max_turns": 5,
        "final": {
            "gold_actions": [{"tool": cand.ref, "args": cand.args}],
            "answer": f"Done for {_template(cand.field)}.",
            "expect": {
                "state": "matches_gold",
                "answer": {"contains": [_template(cand.field)]},
            },
        },
    }
    return _dump(doc)


def _dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _fitted_content(name: str, view: PackView, toolset: str | None) -> str:
    toolsets = view.toolsets()
    _known("toolset", toolset, toolsets, view.name)
    chosen = toolset or (sorted(toolsets)[0] if toolsets else None)
    props: dict[str, Any] = {}
    for tool in toolsets[chosen].tools if chosen else []:
        params = tool.parameters.get("properties", {})
        for param in tool.parameters.get("required", []):
            schema = params.get(param, {})
            ok = all(example_value(schema, param, n) is not None for n in (1, 2))
            if param not in props and param != "id" and ok:
                props[param] = schema
    if not props:
        props = {"request": {"type": "string"}}
    entries = [
        {"id": f"{name.replace('_', '-')}-{n}"}
        | {p: example_value(s, p, n) for p, s in props.items()}
        for n in (1, 2)
    ]
    doc = {
        "kind": "content",
        "schema_version": 1,
        "name": name,
        "description": f"Requests for the {name} tasks"
        + (f", with the arguments of the {chosen} tools." if chosen else "."),
        "fields": {
            "type": "object",
            "properties": props,
            "required": list(props),
            "additionalProperties": False,
        },
        "entries": entries,
    }
    return _dump(doc)


def new_pack(
    name: str,
    directory: str | os.PathLike[str] = ".",
    *,
    force: bool = False,
    taskkit_source: str | None = None,
) -> list[Path]:
    """A pack repository ``directory/name/``: the self-contained pack folder (manifest,
    README, LICENSE, a toolset, a dataset, a task and ``pack.lock``) inside a Python package,
    so that ``pip install`` makes the pack known to ``taskkit packs`` by its entry point,
    plus the project files a contributor needs and ``schemas/`` (see
    :mod:`taskkit.scaffold.pack_repo`). ``taskkit_source`` is where the pack installs taskkit from
    (:func:`taskkit.scaffold.pack_repo.taskkit_requirement`; default: this taskkit's checkout)."""
    _check(name)
    repo = Path(directory) / name
    if repo.exists() and any(repo.iterdir()) and not force:
        raise ScaffoldError(f"{repo} exists and is not empty; pass --force to overwrite")
    try:
        files = repo_files(name, taskkit_source)
    except SourceError as exc:
        raise ScaffoldError(str(exc)) from None
    (repo / "schemas").mkdir(parents=True, exist_ok=True)
    written = export_schemas(repo / "schemas")  # first: the documents' schema lines find it
    root = repo / "src" / python_package(name) / name
    title = name.replace("_", " ").capitalize() + " tasks"
    written += [
        _write(root / "pack.yaml", "pack", PACK.format(name=name, title=title), force=force),
        _write(root / "README.md", None, README.format(name=name), force=force),
        _write(root / "LICENSE", None, files["LICENSE"], force=force),
        _write(root / "tools" / "shop.yaml", "toolset", TOOLSET.format(name="shop"), force=force),
        _write(
            root / "content" / "orders.yaml", "content", CONTENT.format(name="orders"), force=force
        ),
        _write(
            root / "tasks" / "order_cheapest.yaml",
            "task",
            TASK.format(name="order_cheapest", toolset="shop", content="orders", category="data"),
            force=force,
        ),
    ]
    for rel, body in files.items():
        written.append(_write(repo / rel, None, body, force=force))
    written.append(_lock(root))
    return written


def _lock(root: Path) -> Path:
    # Imported here: locking lints the pack, which `taskkit new toolset` has no need for.
    from ..packs.locking import lock_packs  # noqa: PLC0415

    outcomes, problems = lock_packs([str(root)], force=True)
    if problems or not outcomes or not outcomes[0].ok:  # the templates are lint-clean
        raise ScaffoldError(f"cannot lock the new pack at {root}")
    return Path(outcomes[0].path)
