"""Tool docs: what an agent is offered, and how each tool behaves in the simulator."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from .common import DocModel, JsonSchema, Model
from .operations import EVERYTHING, OPERATIONS, WHERE_OPERATORS, option_names

__all__ = [
    "OPERATIONS",
    "WHERE_OPERATORS",
    "Behavior",
    "Require",
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


class Behavior(Model):
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
        for name, cond in (self.where or {}).items():
            if isinstance(cond, dict):
                unknown = sorted(set(cond) - WHERE_OPERATORS)
                if unknown:
                    raise ValueError(
                        f"where.{name}: unknown operator {unknown[0]!r} "
                        f"(one of {', '.join(sorted(WHERE_OPERATORS))})"
                    )
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

    @property
    def operation(self) -> str | None:
        return next((op for op in OPERATIONS if getattr(self, op, None) is not None), None)

    @property
    def touched(self) -> str | None:
        """What running this behaviour may change: the collection its operation names,
        ``*`` (:data:`~taskkit.models.operations.EVERYTHING`: a handler), or ``None``."""
        op = self.operation
        if op is None or OPERATIONS[op].writes == "no":
            return None
        if OPERATIONS[op].touches == "everything":
            return EVERYTHING
        return str(getattr(self, op))


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
