"""Behaviour operations, declared once.

Every place that needs to know what an operation is reads :data:`OPERATIONS`: the
:class:`~taskkit.models.toolset.Behavior` validator (which options go with which operation),
the simulator's copy-on-write (what a call may change), lint (TK405 effect mismatch, TK503
vacuous final), the property-test document generator and the docs. The simulator registers
one implementation per name (:func:`taskkit.sim.behaviors.register_operation`), and a test
fails when the two key sets differ, so an operation that writes can never be run without the
episode first copying what it writes.

Models cannot import the simulator, so the table lives here and the implementations there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "EVERYTHING",
    "OPERATIONS",
    "WHERE_OPERATORS",
    "Operation",
    "declare_operation",
    "option_names",
]

EVERYTHING = "*"
"""What a call of an operation with ``touches="everything"`` may change: any collection."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One behaviour operation: its key in a behaviour, and the rules it follows."""

    name: str
    """The behaviour key (``select: homes``); its value names the collection acted on."""
    summary: str
    """One line for the docs' behaviour table."""
    writes: Literal["no", "yes", "maybe"]
    """Whether running it changes the state: ``maybe`` for code taskkit cannot see into.
    Anything but ``no`` makes an episode copy what it touches before it runs."""
    touches: Literal["named", "everything"] = "named"
    """``named``: only the collection its key names; ``everything``: any part of the state
    (a Python handler gets the whole state)."""
    options: frozenset[str] = frozenset()
    """The other behaviour keys it may be given (``where``, ``sort``, ...)."""
    required: frozenset[str] = frozenset()
    """Options it must be given."""
    one_of: frozenset[str] = frozenset()
    """Options of which it must be given exactly one (``id`` or ``where``)."""


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "select",
            "list records matching `where`, sorted, limited, projected to `fields`",
            writes="no",
            options=frozenset({"where", "sort", "limit", "fields"}),
        ),
        Operation(
            "get",
            "fetch the record `id`; not found is an error (`error`)",
            writes="no",
            options=frozenset({"id", "fields", "error"}),
            required=frozenset({"id"}),
        ),
        Operation(
            "insert",
            "add `record`, with a generated id (`id_prefix`) when it has none",
            writes="yes",
            options=frozenset({"record", "id_prefix"}),
            required=frozenset({"record"}),
        ),
        Operation(
            "update",
            "merge `set` into the record `id`, or into every record matching `where`",
            writes="yes",
            options=frozenset({"id", "where", "set", "error"}),
            required=frozenset({"set"}),
            one_of=frozenset({"id", "where"}),
        ),
        Operation(
            "delete",
            "remove the record `id`, or every record matching `where`",
            writes="yes",
            options=frozenset({"id", "where", "error"}),
            one_of=frozenset({"id", "where"}),
        ),
        Operation(
            "count",
            "count the records matching `where`",
            writes="no",
            options=frozenset({"where"}),
        ),
        Operation(
            "aggregate",
            "`op` (sum, avg, min, max, count) of `field` over the records matching `where`",
            writes="no",
            options=frozenset({"where", "op", "field"}),
            required=frozenset({"op"}),
        ),
        Operation(
            "handler",
            "call a Python `module:function` with the arguments and the whole state "
            "(trusted packs only)",
            writes="maybe",
            touches="everything",
        ),
    )
}
"""Every behaviour operation, by name: the one table (see the module docstring)."""

WHERE_OPERATORS = frozenset(
    {
        *("eq", "ne", "ieq", "gt", "gte", "lt", "lte", "in", "not_in"),
        *("contains", "icontains", "startswith", "istartswith"),
    }
)
"""Condition operators of ``where``; :data:`taskkit.sim.records.OPERATORS` implements each
(a test holds the two key sets equal)."""


def option_names() -> frozenset[str]:
    """Every option some operation accepts."""
    return frozenset().union(*(op.options for op in OPERATIONS.values()))


def declare_operation(op: Operation) -> None:
    """Add an operation to the table (a plug-in, or a test's throw-away operation).

    Its implementation is registered with :func:`taskkit.sim.behaviors.register_operation`;
    the behaviour model needs a field of the same name (a subclass of ``Behavior``).
    """
    if op.name in OPERATIONS:
        raise ValueError(f"operation {op.name!r} is declared already")
    OPERATIONS[op.name] = op
