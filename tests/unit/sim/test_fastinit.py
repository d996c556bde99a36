"""A frozen dataclass given :func:`fast_init` is built exactly as dataclasses builds it:
same fields, defaults, fresh default factories, errors for wrong arguments, and still frozen."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskkit.sim.episode import CallRecord, StepRecord, StepResult
from taskkit.sim.evaluate import Call, FinalVerdict
from taskkit.sim.execute import Observation
from taskkit.sim.fastinit import fast_init
from taskkit.sim.formats.base import AgentInput, Exchange, Parsed


@dataclass(frozen=True)
class Reference:
    a: Any
    b: Any = 1
    c: list[Any] = field(default_factory=list)


@fast_init
@dataclass(frozen=True)
class Fast:
    a: Any
    b: Any = 1
    c: list[Any] = field(default_factory=list)


values = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers()))


@given(st.lists(values, max_size=4), st.dictionaries(st.sampled_from("abcd"), values))
def test_it_is_built_as_dataclasses_builds_it(args, kwargs):
    def outcome(cls: type) -> Any:
        try:
            return dataclasses.astuple(cls(*args, **kwargs))
        except TypeError as exc:
            return type(exc)

    assert outcome(Fast) == outcome(Reference)


def test_a_default_factory_gives_each_instance_its_own_value():
    first, second = Fast(0), Fast(0)
    assert first.c == [] and first.c is not second.c
    assert Fast(0, c=first.c).c is first.c


def test_the_class_stays_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Fast(0).a = 1  # type: ignore[misc]


def test_what_it_cannot_build_is_refused_at_once():
    @dataclass
    class Mutable:
        a: int

    @dataclass(frozen=True)
    class Later:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (Mutable, Later):
        with pytest.raises(TypeError):
            fast_init(cls)


def test_the_step_records_have_it():
    every = (CallRecord, StepRecord, StepResult, Parsed, Exchange, AgentInput, Call, FinalVerdict)
    for cls in (*every, Observation):
        assert getattr(cls.__init__, "fast_init", False), cls
