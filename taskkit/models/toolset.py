"""Tool docs: what an agent is offered, and how each tool behaves in the simulator."""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from .common import DocModel, JsonSchema, Model
from .operations import (
    EVERYTHING,
    OPERATIONS,
    STEP_NAMESPACE,
    STEPS,
    WHERE_OPERATORS,
    option_names,
)

__all__ = [
    "OPERATIONS",
    "WHERE_OPERATORS",
    "Behavior",
    "Require",
    "Step",
    "Tool",
    "ToolName",
    "Toolset",
]

ToolName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
"""A function name as OpenAI-compatible APIs accept it."""


class Require(Model):
    """A precondition; when it does not hold the tool returns ``error`` instead of acting."""

    exists: dict[str, Any] | None = None
    """``{collection, id}`` (or ``{collection, where}``) that must match a record."""
    absent: dict[str, Any] | None = None
    """``{collection, id}`` (or ``{collection, where}``) that must match no record."""
    check: str | None = None
    """A Jinja expression over ``args`` and ``state`` that must be true."""
    error: str
    """The error message the agent sees (templated)."""

    @model_validator(mode="after")
    def _one(self) -> Self:
        if sum(x is not None for x in (self.exists, self.absent, self.check)) != 1:
            raise ValueError("a requirement has exactly one of 'exists', 'absent' or 'check'")
        return self


class _Derives(Model):
    """A model that derives values from its fields (a step's kind, a behaviour's operation,
    what either writes) once, on first asking, and keeps them on itself
    (``functools.cached_property``): the simulator asks on every call, and the models are
    frozen, so the answer never changes. Equality, dumps and schemas see fields only; a copy
    (``model_copy(update=...)`` included) derives afresh."""

    def __copy__(self) -> Self:
        other = super().__copy__()
        _forget_derived(other)
        return other

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        other = super().__deepcopy__(memo)
        _forget_derived(other)
        return other


def _forget_derived(model: Model) -> None:
    for cls in type(model).__mro__:
        for name, value in vars(cls).items():
            if isinstance(value, functools.cached_property):
                model.__dict__.pop(name, None)


_BOUND_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
"""A name a step binds (``as``, a ``let`` key): a template variable."""


def _check_where(where: dict[str, Any] | None) -> None:
    for name, cond in (where or {}).items():
        if isinstance(cond, dict):
            unknown = sorted(set(cond) - WHERE_OPERATORS)
            if unknown:
                raise ValueError(
                    f"where.{name}: unknown operator {unknown[0]!r} "
                    f"(one of {', '.join(sorted(WHERE_OPERATORS))})"
                )


class Step(_Derives):
    """One step of a ``steps`` behaviour: exactly one kind key (``get``, ``select``,
    ``count``, ``aggregate``, ``let``, ``require``, ``set``, ``append``, ``increment``,
    ``insert``, ``delete``, ``each``) and that kind's options, by the steps table
    (:data:`~taskkit.models.operations.STEPS`). Values are templates over ``args``,
    ``state``, ``result`` and every name an earlier step bound."""

    # `as` is a Python keyword, so the field is `as_`; dumps (compiled tasks) write `as`
    model_config = ConfigDict(serialize_by_alias=True)

    get: str | None = None
    """Collection to fetch the record ``id`` from; not found is an error."""
    select: str | None = None
    """Collection to list records from (filtered by ``where``, ``sort``, ``limit``)."""
    count: str | None = None
    """Collection whose records matching ``where`` are counted."""
    aggregate: str | None = None
    """Collection whose ``field`` is aggregated with ``op`` over records matching ``where``."""
    let: dict[str, Any] | None = None
    """``name: template`` bindings for later steps (native values kept)."""
    require: str | None = None
    """An expression (with or without braces) that must be true, else ``error``."""
    set: str | None = None
    """Collection whose record ``id`` gets ``values`` (dotted paths)."""
    append: str | None = None
    """Collection whose record ``id`` gets ``value`` appended to the list at ``path``."""
    increment: str | None = None
    """Collection whose record ``id`` gets ``by`` added to the number at ``path``."""
    insert: str | None = None
    """Collection to add ``record`` to (under ``id``, or a generated one)."""
    delete: str | None = None
    """Collection to remove the record ``id`` from (or, with ``path``, a part of it)."""
    each: Any = None
    """A list (a template rendering to one): the nested ``steps`` run once per item."""
    id: Any = None
    """The record's id (templated); in a keyed collection, its key."""
    where: dict[str, Any] | None = None
    """As a behaviour's ``where``; dotted paths name nested fields."""
    sort: str | list[str] | None = None
    limit: int | str | None = None
    fields: list[str] | None = None
    error: str | None = None
    """The error the agent sees when the record is not found / the requirement fails."""
    as_: str | None = Field(default=None, alias="as", pattern=_BOUND_NAME.pattern)
    """The name the step's value is bound to (``each``: the current item)."""
    values: dict[str, Any] | None = None
    """``path: value`` written by ``set`` (a dotted path writes a nested field)."""
    path: str | None = None
    """Dotted path inside the record (``append``, ``increment``, ``delete``)."""
    value: Any = None
    """What ``append`` appends (templated)."""
    by: Any = None
    """The number ``increment`` adds (templated; negative to subtract)."""
    record: dict[str, Any] | None = None
    id_prefix: str | None = None
    op: Literal["sum", "avg", "min", "max", "count"] | None = None
    field: str | None = None
    steps: list[Step] | None = None
    """The nested steps of ``each``."""
    when: Any = None
    """An expression: the step runs only when it is true."""

    @model_validator(mode="after")
    def _by_table(self) -> Self:
        given = self._given()
        kinds = [k for k in STEPS if k in given]
        if len(kinds) != 1:
            found = f", found {', '.join(kinds)}" if kinds else ""
            raise ValueError(f"a step has exactly one of {', '.join(STEPS)}{found}")
        spec = STEPS[kinds[0]]
        extra = sorted((given - {spec.name}) - spec.options)
        if extra:
            raise ValueError(f"{', '.join(extra)} cannot be used with {spec.name!r} (a step)")
        missing = sorted(spec.required - given)
        if missing:
            raise ValueError(f"a {spec.name!r} step needs {', '.join(map(repr, missing))}")
        if spec.name == "aggregate" and self.field is None and self.op != "count":
            raise ValueError("'aggregate' needs 'op' and 'field'")
        _check_where(self.where)
        for name in [self.as_, *(self.let or {})]:
            if name is not None and not _BOUND_NAME.fullmatch(name):
                raise ValueError(f"{name!r} cannot be a template variable (letters, digits, _)")
            if name in STEP_NAMESPACE:
                raise ValueError(f"{name!r} is a name every template sees; bind another name")
        return self

    def _given(self) -> frozenset[str]:
        """The keys given a value: ``key: null`` is no key, as a compiled task (which writes
        every field) reads back."""
        return frozenset(
            "as" if k == "as_" else k for k in self.model_fields_set if getattr(self, k) is not None
        )

    @functools.cached_property
    def kind(self) -> str:
        return self._find_kind()

    def _find_kind(self) -> str:
        return next(k for k in STEPS if k in self._given())

    @functools.cached_property
    def touched(self) -> frozenset[str]:
        """The collections this step (with its nested steps) may write."""
        return self._find_touched()

    def _find_touched(self) -> frozenset[str]:
        if self.steps:
            return frozenset().union(*(s.touched for s in self.steps))
        kind = self.kind
        return frozenset({str(getattr(self, kind))}) if STEPS[kind].writes == "yes" else frozenset()


class Behavior(_Derives):
    """Declared behaviour of a simulated tool on the world state.

    Exactly one operation key (``select``, ``get``, ``insert``, ``update``, ``delete``,
    ``count``, ``aggregate``, ``handler``), or none with only ``respond``. Values are
    templates over ``args`` (the call's arguments) and ``state``; ``respond`` also sees
    ``result``.
    """

    require: list[Require] = []
    """Preconditions checked in order before the operation."""
    select: str | None = None
    """Collection to list records from (filtered by ``where``, ``sort``, ``limit``)."""
    get: str | None = None
    """Collection to fetch the record ``id`` from; not found is an error."""
    insert: str | None = None
    """Collection to add ``record`` to."""
    update: str | None = None
    """Collection whose record ``id`` (or records matching ``where``) get ``set``."""
    delete: str | None = None
    """Collection to remove the record ``id`` (or records matching ``where``) from."""
    count: str | None = None
    """Collection whose records matching ``where`` are counted."""
    aggregate: str | None = None
    """Collection whose ``field`` is aggregated with ``op`` over records matching ``where``."""
    handler: str | None = None
    """``module:function`` Python handler, run only for trusted packs."""
    steps: list[Step] | None = None
    """Steps run in order, all-or-nothing (see :class:`Step`); ``respond`` sees every name
    they bind and ``result``, the last step's value."""
    where: dict[str, Any] | None = None
    """``field: value`` (equality) or ``field: {op: value}`` with op one of eq, ne, gt, gte,
    lt, lte, contains, icontains, in, not_in, startswith. A condition whose value renders
    to null is skipped, so optional arguments need no special casing."""
    sort: str | list[str] | None = None
    """Field(s) to sort by; prefix ``-`` for descending."""
    limit: int | str | None = None
    fields: list[str] | None = None
    """Project records to these fields."""
    id: Any = None
    record: dict[str, Any] | None = None
    id_prefix: str | None = None
    """Prefix of ids generated for inserted records without one (default: collection name)."""
    set: dict[str, Any] | None = None
    op: Literal["sum", "avg", "min", "max", "count"] | None = None
    field: str | None = None
    error: str | None = None
    """Message when the record is not found (templated)."""
    respond: Any = None
    """The observation returned to the agent (templated; ``result`` is the operation's)."""

    @model_validator(mode="after")
    def _known_operators(self) -> Self:
        _check_where(self.where)
        return self

    @model_validator(mode="after")
    def _one_operation(self) -> Self:
        # Every rule comes from the operations table (taskkit/models/operations.py).
        ops = [op for op in OPERATIONS if getattr(self, op, None) is not None]
        if len(ops) > 1:
            raise ValueError(f"a behavior has one operation, found {', '.join(ops)}")
        if not ops:
            if self.respond is None:
                raise ValueError(
                    f"a behavior needs an operation ({', '.join(OPERATIONS)}) or respond"
                )
            extra = sorted(k for k in option_names() if getattr(self, k, None) is not None)
            if extra:
                raise ValueError(f"{', '.join(extra)} need an operation")
            return self
        spec = OPERATIONS[ops[0]]
        op = spec.name
        extra = [k for k in option_names() - spec.options if getattr(self, k, None) is not None]
        if extra:
            raise ValueError(f"{', '.join(sorted(extra))} cannot be used with {op!r}")
        if spec.one_of and sum(getattr(self, k) is not None for k in spec.one_of) != 1:
            choices = " or ".join(repr(k) for k in sorted(spec.one_of))
            raise ValueError(f"{op!r} needs exactly one of {choices}")
        for key in sorted(spec.required):
            if getattr(self, key) is None:
                raise ValueError(f"{op!r} needs {key!r}")
        # The one rule the table does not state: a count needs no field to count.
        if op == "aggregate" and self.field is None and self.op != "count":
            raise ValueError("'aggregate' needs 'op' and 'field'")
        return self

    @functools.cached_property
    def operation(self) -> str | None:
        return self._find_operation()

    def _find_operation(self) -> str | None:
        return next((op for op in OPERATIONS if getattr(self, op, None) is not None), None)

    @functools.cached_property
    def touched(self) -> frozenset[str]:
        """What running this behaviour may change: the collection its operation names, the
        collections its write steps name, ``{"*"}`` (:data:`~taskkit.models.operations.
        EVERYTHING`: a handler), or nothing."""
        return self._find_touched()

    def _find_touched(self) -> frozenset[str]:
        op = self.operation
        if op is None or OPERATIONS[op].writes == "no":
            return frozenset()
        touches = OPERATIONS[op].touches
        if touches == "everything":
            return frozenset({EVERYTHING})
        if touches == "steps":
            return frozenset().union(*(s.touched for s in self.steps or ()))
        return frozenset({str(getattr(self, op))})


class Tool(Model):
    """One tool, in the OpenAI / MCP function-calling shape plus its simulated behaviour."""

    name: ToolName
    """Function name the agent calls."""
    description: str
    """What the tool does, as the agent reads it."""
    effect: Literal["read", "write"] = "read"
    """Whether the tool changes the world state."""
    parameters: JsonSchema = {"type": "object", "properties": {}}
    """JSON Schema of the arguments object."""
    returns: JsonSchema | None = None
    """JSON Schema of the result, for documentation and checks."""
    behavior: Behavior | None = None
    """Simulated behaviour; a tool without one returns an empty object."""
    terminal: bool = False
    """A successful call ends the episode (e.g. ``transfer_to_human_agents``): the final
    evaluator runs then, and calls after it in the same response are not run."""


class Toolset(DocModel):
    """A named collection of tools."""

    kind: Literal["toolset"]
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
    """Toolset name (no dots: tasks refer to ``toolset.tool``)."""
    description: str = ""
    tools: list[Tool]
