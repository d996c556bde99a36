"""Abstract task x content entry -> :class:`CompiledTask`, with the gold replay.

Each instance is rendered in the Jinja sandbox (StrictUndefined), its gold actions are
replayed on a fresh copy of the initial state through the simulator's own execution engine,
and the final evaluator is run on the gold result: a task whose own answer key fails is a
compile error at the task's line, naming the entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from ..diagnostics import Diagnostic
from ..handlers.sources import pack_root
from ..library import Entry, Library, LoadedDoc
from ..lint.positions import template_position
from ..models import (
    ActionCheck,
    CompiledAction,
    CompiledFinal,
    CompiledGoldMessage,
    CompiledTask,
    CompiledUser,
    Evaluator,
    Expect,
    Faults,
    GoldMessage,
    SourceRef,
    Task,
    ToolEnv,
)
from ..models.operations import EVERYTHING
from ..models.user import CompiledTurn
from ..rule_ids import GOLD_ACTION_FAILS, GOLD_EXPECTATION, RENDER_ERROR, UNTRUSTED_HANDLER
from ..schema.validate import SchemaError, compile_schema
from ..sim.diff import copy_json
from ..sim.evaluate import evaluate_final
from ..sim.execute import Observation, execute
from ..sim.patch import apply_patch, make_patch
from ..sim.users.gold import play_gold
from ..sim.verify import ToolCall, Verifier
from ..templates.render import RenderError, entry_context, render_at
from ..worlds import World, own_collections, with_world

__all__ = ["CompileUnit", "compile_unit", "units"]

_CHECK: TypeAdapter[ActionCheck] = TypeAdapter(ActionCheck)


@dataclass(frozen=True)
class CompileUnit:
    """One abstract task with everything it refers to, resolved."""

    ld: LoadedDoc
    task: Task
    content: LoadedDoc
    envs: dict[str, ToolEnv]
    """Offered tools by reference (``toolset.tool``)."""
    evaluators: list[Evaluator]
    pack_version: str
    trust: frozenset[str]
    """Packs whose handlers the gold replay may run (checked on each tool's declaring pack)."""
    sources_hash: str
    openai_tools: list[dict[str, Any]] = field(default_factory=list)
    world: World | None = None
    """The pack's shared world, which every instance's initial state starts from."""


def units(lib: Library, *, trust: frozenset[str] = frozenset()) -> Iterator[CompileUnit]:
    """Resolved tasks, sorted by pack and id (lint has already vouched for the references)."""
    valid: dict[int, bool] = {}
    for ld in sorted(lib.tasks, key=lambda d: (d.pack, getattr(d.model, "id", ""))):
        task = ld.model
        if not isinstance(task, Task):
            continue
        content = lib.content(ld.pack, task.content)
        if content is None:
            continue
        offered = _offered(lib, ld, task)
        if offered is None or not _vouched(task, offered[0], valid):
            continue
        world = lib.world(ld.pack)
        if world is None and lib.world_diagnostics(ld.pack):
            continue  # lint reports the world files (TK420/TK421)
        yield _unit(lib, ld, task, content, offered, trust=trust, world=world)


def _offered(
    lib: Library, ld: LoadedDoc, task: Task
) -> tuple[dict[str, ToolEnv], list[dict[str, Any]]] | None:
    """The tools a task offers, by reference, and as declared; None if one is unknown."""
    envs: dict[str, ToolEnv] = {}
    raw_tools = []
    for ref in [*task.tools, *task.distractors]:
        info = lib.tool(ld.pack, ref)
        if info is None:
            return None
        envs[ref] = ToolEnv(
            name=info.tool.name,
            ref=ref,
            effect=info.tool.effect,
            parameters=info.tool.parameters,
            behavior=info.tool.behavior,
            terminal=info.tool.terminal,
            pack=info.owner.pack,
            pack_root=(
                pack_root(lib, info.owner.pack)
                if info.tool.behavior is not None and info.tool.behavior.handler is not None
                else None
            ),
        )
        raw_tools.append(info.tool.model_dump(mode="json"))
    return envs, raw_tools


def _unit(
    lib: Library,
    ld: LoadedDoc,
    task: Task,
    content: LoadedDoc,
    offered: tuple[dict[str, ToolEnv], list[dict[str, Any]]],
    *,
    trust: frozenset[str],
    world: World | None,
) -> CompileUnit:
    envs, raw_tools = offered
    evaluators = [
        ev.model
        for ref in task.evaluators
        if (ev := lib.evaluators.get(lib.resolve(ld.pack, ref))) is not None
        and isinstance(ev.model, Evaluator)
    ]
    pack_ld = lib.packs.get(ld.pack)
    pack_version = getattr(pack_ld.model, "version", "0.0.0") if pack_ld else "0.0.0"
    sources = _canon(
        {
            "task": ld.doc.data,
            "tools": raw_tools,
            "evaluators": [e.model_dump(mode="json") for e in evaluators],
            **({"world": world.sha256} if world is not None else {}),
        }
    )
    openai_tools = [
        {
            "type": "function",
            "function": {
                "name": e.name,
                "description": lib.tool(ld.pack, r).tool.description,  # type: ignore[union-attr]
                "parameters": e.parameters,
            },
        }
        for r, e in envs.items()
    ]
    return CompileUnit(
        ld,
        task,
        content,
        envs,
        evaluators,
        pack_version,
        trust,
        hashlib.sha256(sources.encode()).hexdigest(),
        openai_tools,
        world,
    )


def _vouched(task: Task, envs: dict[str, ToolEnv], valid: dict[int, bool]) -> bool:
    """What compiling takes for granted, and `taskkit compile` has linted first, but
    `taskkit lint --deep` may meet unlinted (TK202, TK402 report it): every tool the task
    calls is offered, and every offered tool's ``parameters`` is a valid JSON Schema."""
    called = [action.tool for action in task.final.calls]
    if task.faults is not None and task.faults.tools:
        called += task.faults.tools
    if any(ref not in envs for ref in called):
        return False
    for env in envs.values():
        key = id(env.parameters)  # one object per tool, shared by the tasks offering it
        if key not in valid:
            try:
                compile_schema(env.parameters)
                valid[key] = True
            except (SchemaError, RecursionError):
                valid[key] = False
        if not valid[key]:
            return False
    return True


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class _CompileFailed(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        self.diag = diag


def compile_unit(unit: CompileUnit, entry: Entry) -> CompiledTask | Diagnostic:
    """Render and replay one instance; a failure is a diagnostic at the task, naming the entry."""
    try:
        return _compile(unit, entry)
    except _CompileFailed as failed:
        return failed.diag


def _fail(
    unit: CompileUnit,
    entry: Entry,
    loc: tuple[str | int, ...],
    rule: str,
    message: str,
    *,
    needle: str | None = None,
) -> _CompileFailed:
    line, col = (
        template_position(unit.ld, loc, needle=needle) if needle else unit.ld.doc.locate(loc)
    )
    return _CompileFailed(
        Diagnostic(
            unit.ld.path,
            line,
            col,
            rule,
            f"entry {entry.id!r}: {message}",
            hint=f"entry at {entry.path}:{entry.line}",
        )
    )


def _render(
    unit: CompileUnit, entry: Entry, value: Any, ctx: dict[str, Any], loc: tuple[str | int, ...]
) -> Any:
    try:
        return render_at(value, ctx, loc)
    except RenderError as exc:
        raise _fail(
            unit, entry, exc.loc, RENDER_ERROR, exc.error.message, needle=exc.error.name
        ) from None


def _compile(unit: CompileUnit, entry: Entry) -> CompiledTask:
    """The steps of one instance, in the order their errors are reported."""
    ctx = entry_context(entry.data)
    bare = {ref: env.name for ref, env in unit.envs.items()}
    prompts = _render_prompts(unit, entry, ctx)
    checks = _render_checks(unit, entry, ctx, bare)
    expect, gold_answer = _render_expect(unit, entry, ctx)
    user = _compile_user(unit, entry, ctx, bare)
    gold = _render_gold(unit, entry, ctx, bare, user)
    gold_state, observations = _replay(unit, entry, prompts.initial_state, gold.actions, gold.at)
    if unit.world is not None:
        # The gold state shares what the gold left alone with the initial state (and so with
        # the world and every episode's state): comparing them then costs what changed.
        gold_state = apply_patch(
            prompts.initial_state, make_patch(prompts.initial_state, gold_state)
        )
    _check_gold_meets_expect(
        unit,
        entry,
        expect=expect,
        initial_state=prompts.initial_state,
        gold_state=gold_state,
        gold_answer=gold_answer,
        gold=gold,
    )
    _check_depth(
        unit,
        entry,
        initial_state=prompts.initial_state,
        gold_state=gold_state,
        actions=gold.actions,
        observations=observations,
    )
    compiled = CompiledTask(
        **_identity(unit, entry),
        system_prompt=prompts.system_prompt,
        user_command=str(prompts.user_command),
        tools=unit.openai_tools,
        environment=list(unit.envs.values()),
        initial_state=prompts.initial_state,
        world=unit.world.sha256 if unit.world is not None else None,
        max_turns=unit.task.max_turns,
        user=user,
        faults=_faults(unit.task, bare),
        action_checks=checks,
        final=CompiledFinal(
            gold_actions=gold.actions,
            gold_answer=gold_answer,
            gold_messages=gold.messages,
            expect=expect,
            gold_state=gold_state,
            gold_observations=observations,
        ),
    )
    if user is not None:
        compiled = _with_needs(unit, entry, compiled, user)
    if unit.world is not None:
        compiled._world_data = unit.world.data
    return compiled


class _Prompts(NamedTuple):
    user_command: Any
    system_prompt: Any
    initial_state: dict[str, Any]
    """Rendered, with the pack's world beneath it."""


def _render_prompts(unit: CompileUnit, entry: Entry, ctx: dict[str, Any]) -> _Prompts:
    task = unit.task
    user_command = _render(unit, entry, task.user_command, ctx, ("user_command",))
    system_prompt = _render(unit, entry, task.system_prompt, ctx, ("system_prompt",))
    initial_state = _render(unit, entry, task.initial_state, ctx, ("initial_state",))
    if not isinstance(initial_state, dict):
        raise _fail(
            unit, entry, ("initial_state",), RENDER_ERROR, "initial_state must render to a mapping"
        )
    if unit.world is not None:
        initial_state = with_world(unit.world.data, initial_state)
    return _Prompts(user_command, system_prompt, initial_state)


def _render_checks(
    unit: CompileUnit, entry: Entry, ctx: dict[str, Any], bare: dict[str, str]
) -> list[ActionCheck]:
    """The task's action checks, then its evaluators', with tools as bare names."""
    raw_checks: list[tuple[tuple[str | int, ...], ActionCheck]] = [
        (("action_checks", i), c) for i, c in enumerate(unit.task.action_checks)
    ]
    raw_checks += [(("evaluators",), c) for ev in unit.evaluators for c in ev.action_checks]
    checks = []
    for loc, check in raw_checks:
        data = _render(unit, entry, check.model_dump(mode="json"), ctx, loc)
        checks.append(_CHECK.validate_python(_bare_refs(data, bare)))
    return checks


def _render_expect(
    unit: CompileUnit, entry: Entry, ctx: dict[str, Any]
) -> tuple[Expect, str | None]:
    """The task's expectation merged with its evaluators', and the gold answer."""
    task = unit.task
    expect_data = _render(
        unit, entry, _merged_expect(task, unit.evaluators), ctx, ("final", "expect")
    )
    try:
        expect = Expect.model_validate(expect_data)
    except ValidationError as exc:
        raise _fail(
            unit,
            entry,
            ("final", "expect"),
            RENDER_ERROR,
            f"expect does not render to valid checks: {exc.errors()[0]['msg']}",
        ) from None
    rendered_answer = _render(unit, entry, task.final.answer, ctx, ("final", "answer"))
    return expect, None if rendered_answer is None else str(rendered_answer)


class _Gold(NamedTuple):
    actions: list[CompiledAction]
    messages: list[CompiledGoldMessage]
    at: list[int]
    """Each call's index in the authored ``gold_actions`` (which holds the messages too)."""


def _render_gold(
    unit: CompileUnit,
    entry: Entry,
    ctx: dict[str, Any],
    bare: dict[str, str],
    user: CompiledUser | None,
) -> _Gold:
    """The gold calls and messages; a message may quote what the user keeps ``hidden``."""
    talk_ctx = ctx if user is None else {**ctx, "hidden": user.hidden}
    gold = _Gold([], [], [])
    for i, step in enumerate(unit.task.final.gold_actions):
        at: tuple[str | int, ...] = ("final", "gold_actions", i)
        if isinstance(step, GoldMessage):
            text = _render(unit, entry, step.say, talk_ctx, (*at, "say"))
            gold.messages.append(CompiledGoldMessage(before=len(gold.actions), text=str(text)))
            continue
        args = _render(unit, entry, step.args, ctx, (*at, "args"))
        gold.actions.append(
            CompiledAction(tool=bare[step.tool], args=args, expect_error=step.expect_error)
        )
        gold.at.append(i)
    return gold


def _check_gold_meets_expect(
    unit: CompileUnit,
    entry: Entry,
    *,
    expect: Expect,
    initial_state: dict[str, Any],
    gold_state: dict[str, Any],
    gold_answer: str | None,
    gold: _Gold,
) -> None:
    """A task whose own answer key fails its expectation is a compile error."""
    verdict = evaluate_final(
        expect,
        initial_state=initial_state,
        gold_state=gold_state,
        final_state=gold_state,
        answer=gold_answer,
        messages=[m.text for m in gold.messages],
    )
    if expect.answer is not None and gold_answer is None:
        raise _fail(
            unit,
            entry,
            ("final",),
            GOLD_EXPECTATION,
            "expect.answer is checked but final.answer gives no gold answer",
        )
    if verdict.score == 0:
        reasons = "; ".join(f.message for f in verdict.findings)
        where = ("final", "expect", *verdict.findings[0].where)
        raise _fail(
            unit,
            entry,
            where,
            GOLD_EXPECTATION,
            f"the gold run does not meet the expectation: {reasons}",
        )


def _faults(task: Task, bare: dict[str, str]) -> Faults | None:
    if task.faults is None:
        return None
    tools = [bare[t] for t in task.faults.tools] if task.faults.tools else None
    return Faults(
        rate=task.faults.rate, kinds=task.faults.kinds, tools=tools, seed=task.faults.seed
    )


def _check_depth(
    unit: CompileUnit,
    entry: Entry,
    *,
    initial_state: dict[str, Any],
    gold_state: dict[str, Any],
    actions: list[CompiledAction],
    observations: list[Any],
) -> None:
    """What the compiled line will hold nests no deeper than it can be read back."""
    stored_initial, stored_gold = initial_state, gold_state
    if unit.world is not None:
        # What a compiled line holds of them: the world is stored beside it, not in it.
        stored_initial = own_collections(unit.world.data, initial_state)
        stored_gold = {"patch": make_patch(initial_state, gold_state)}
    for loc, value, envelope in (
        (("initial_state",), stored_initial, 2),
        (("final", "gold_actions"), [a.args for a in actions], 3),
        (("final", "gold_actions"), stored_gold, 3),
        (("final", "gold_actions"), observations, 3),
    ):
        if _deeper_than(value, MAX_JSON_DEPTH - envelope):
            raise _fail(
                unit,
                entry,
                loc,
                RENDER_ERROR,
                f"the compiled task would nest deeper than {MAX_JSON_DEPTH} levels, which "
                "`taskkit run` cannot read back",
            )


def _identity(unit: CompileUnit, entry: Entry) -> dict[str, Any]:
    """Which instance this is, where it comes from, and the hash of all it was made of."""
    task, ld = unit.task, unit.ld
    entry_hash = hashlib.sha256(_canon(entry.data).encode()).hexdigest()
    return {
        "id": f"{ld.pack}/{task.id}@{task.version}#{entry.id}",
        "pack": ld.pack,
        "pack_version": unit.pack_version,
        "task": task.id,
        "task_version": task.version,
        "entry": entry.id,
        "category": task.category,
        "difficulty": task.difficulty,
        "title": task.title,
        "source": {
            "task": SourceRef(path=_posix(ld.path), line=ld.doc.start_line),
            "entry": SourceRef(path=_posix(entry.path), line=entry.line),
        },
        "content_hash": hashlib.sha256(f"{unit.sources_hash}:{entry_hash}".encode()).hexdigest(),
    }


def _compile_user(
    unit: CompileUnit, entry: Entry, ctx: dict[str, Any], bare: dict[str, str]
) -> CompiledUser | None:
    """The task's user block rendered: its turns over the entry and the rendered ``hidden``;
    trigger tools as bare names (a tool not offered keeps its own name and never fires:
    lint warns about it)."""
    user = unit.task.user
    if user is None:
        return None
    loc: tuple[str | int, ...] = ("user",)
    hidden = {
        name: str(_render(unit, entry, text, ctx, (*loc, "hidden", name)))
        for name, text in user.hidden.items()
    }
    talk = {**ctx, "hidden": hidden}
    turns = []
    for i, turn in enumerate(user.turns):
        data = turn.model_dump(mode="json", exclude_none=True)
        data["say"] = str(_render(unit, entry, turn.say, talk, (*loc, "turns", i, "say")))
        after = data["when"].get("after_call")
        if after is not None:
            after["tool"] = bare.get(after["tool"], after["tool"].rsplit(".", 1)[-1])
        turns.append(CompiledTurn.model_validate(data))
    persona = _render(unit, entry, user.persona, ctx, (*loc, "persona"))
    return CompiledUser(
        persona=None if persona is None else str(persona),
        goal=str(_render(unit, entry, user.goal, ctx, (*loc, "goal"))),
        hidden=hidden,
        turns=turns,
        otherwise=str(_render(unit, entry, user.otherwise, talk, (*loc, "otherwise"))),
        max_replies=user.max_replies,
    )


def _with_needs(
    unit: CompileUnit, entry: Entry, compiled: CompiledTask, user: CompiledUser
) -> CompiledTask:
    """``compiled`` with ``user.needs``: what the scripted user reveals to the gold
    conversation, which must hold to the end (the user stops only after the gold answer)."""
    talk = play_gold(compiled)
    indices = [i for i, s in enumerate(unit.task.final.gold_actions) if isinstance(s, GoldMessage)]
    for n, reply in enumerate(talk.replies):
        if reply.stop:
            raise _fail(
                unit,
                entry,
                ("final", "gold_actions", indices[n]),
                GOLD_EXPECTATION,
                f"the scripted user ends the conversation at gold message {n + 1}, "
                "before the gold conversation does",
            )
    if talk.closing is not None and not talk.closing.stop:
        raise _fail(
            unit,
            entry,
            ("user",),
            GOLD_EXPECTATION,
            f"the scripted user replies to the gold answer ({talk.closing.text!r}) instead "
            "of ending the conversation",
        )
    done = user.model_copy(update={"needs": talk.needs})
    return compiled.model_copy(update={"user": done})


MAX_JSON_DEPTH = 200
"""The nesting a compiled line may reach: the JSON reader that loads it back (pydantic's)
refuses deeper lines, so compile refuses to write them."""


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` levels of lists and mappings."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _posix(path: str) -> str:
    return path.replace("\\", "/")


def _bare_refs(data: Any, bare: dict[str, str]) -> Any:
    for key in ("tool", "first", "then"):
        if isinstance(data.get(key), str):
            data[key] = bare.get(data[key], data[key])
    if isinstance(data.get("tools"), list):
        data["tools"] = [bare.get(t, t) for t in data["tools"]]
    return data


def _merged_expect(task: Task, evaluators: list[Evaluator]) -> dict[str, Any]:
    expect = task.final.expect.model_dump(mode="json", exclude_none=True)
    for ev in evaluators:
        if ev.expect is None:
            continue
        extra = ev.expect.model_dump(mode="json", exclude_none=True, exclude_unset=True)
        if extra.get("state") == "matches_gold":  # the stricter of the two wins
            expect["state"] = "matches_gold"
        if extra.get("types") == "strict":
            expect["types"] = "strict"
        expect["ignore"] = [*expect.get("ignore", []), *extra.get("ignore", [])]
        expect["diff"] = [*expect.get("diff", []), *extra.get("diff", [])]
        if "answer" not in expect and "answer" in extra:
            expect["answer"] = extra["answer"]
    return expect


def _may_write(env: ToolEnv | None, state: dict[str, Any]) -> Iterable[str]:
    """The collections a call of ``env`` may change (all, when it cannot say)."""
    touched: Any = env.behavior.touched if env is not None and env.behavior is not None else None
    if touched is None:
        return ()
    names = {touched} if isinstance(touched, str) else set(touched)
    return list(state) if EVERYTHING in names else names


def _replay(
    unit: CompileUnit,
    entry: Entry,
    initial: dict[str, Any],
    actions: list[CompiledAction],
    where: list[int],
) -> tuple[dict[str, Any], list[Any]]:
    """``where``: each action's index in the authored ``gold_actions`` (for locations)."""
    # A shared world is copied only where a gold action may write (a collection at a time):
    # a deep copy of the whole world for every instance was most of compiling one
    # (benchmarks/README.md, "Figures the code points to").
    state = dict(initial) if unit.world is not None else copy_json(initial)
    owned: set[str] | None = set() if unit.world is not None else None
    verifier = Verifier((e.name, e.parameters) for e in unit.envs.values())
    envs = {e.name: e for e in unit.envs.values()}
    observations: list[Any] = []
    for i, action in enumerate(actions):
        if owned is not None:
            for name in _may_write(envs.get(action.tool), state):
                if name not in owned and name in state:
                    state[name] = copy_json(state[name])
                    owned.add(name)
        obs = _replay_one(
            unit,
            entry,
            verifier=verifier,
            env=envs[action.tool],
            action=action,
            state=state,
            at=where[i],
        )
        observations.append(obs.as_json())
    return state, observations


def _replay_one(
    unit: CompileUnit,
    entry: Entry,
    *,
    verifier: Verifier,
    env: ToolEnv,
    action: CompiledAction,
    state: dict[str, Any],
    at: int,
) -> Observation:
    """One gold call on ``state``: valid, allowed, and failing exactly when it says it will."""
    loc = ("final", "gold_actions", at)
    verdict = verifier.verify(ToolCall(action.tool, action.args))
    if not verdict.ok:
        raise _fail(
            unit,
            entry,
            (*loc, "args"),
            GOLD_ACTION_FAILS,
            f"gold action {at + 1} is not a valid call: {verdict.message}",
        )
    handler = env.behavior.handler if env.behavior is not None else None
    if handler is not None and env.pack not in unit.trust:
        # Trust is checked on the pack that declares the tool, not the task's pack.
        raise _fail(
            unit,
            entry,
            (*loc, "tool"),
            UNTRUSTED_HANDLER,
            f"python handler {handler!r} of pack {env.pack!r} refused: "
            f"the pack is not trusted (pass --trust {env.pack})",
        )
    obs = execute(env, action.args, state, trusted=env.pack in unit.trust)
    if not obs.ok and not action.expect_error:
        raise _fail(
            unit,
            entry,
            loc,
            GOLD_ACTION_FAILS,
            f"gold action {at + 1} ({action.tool}) fails: {obs.content}",
        )
    if obs.ok and action.expect_error:
        raise _fail(
            unit,
            entry,
            (*loc, "expect_error"),
            GOLD_ACTION_FAILS,
            f"gold action {at + 1} ({action.tool}) is expected to fail but succeeds",
        )
    return obs
