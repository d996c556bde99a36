"""A lone expression renders to JSON data: the value as it is when it is JSON already (lists
and dicts given back without a copy), tuples as lists, dict subclasses as dicts, and an
error for what JSON cannot hold (a float that is not finite, a key that is not a string,
anything else), exactly as a walk that copies everything would give."""

from __future__ import annotations

import math
import time
from typing import Any

import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.templates.environment import TemplateError, render_string


class _Sub(dict[str, Any]):
    pass


def _copied(value: Any) -> Any:
    """The reference: every container copied, as plain lists and dicts."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TemplateError("not finite")
        return value
    if isinstance(value, list | tuple):
        return [_copied(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _copied(v) for k, v in value.items()}
    raise TemplateError("not JSON")


_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=3),
    st.floats(allow_nan=True, allow_infinity=True),
)  # fmt: skip
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=2), inner, max_size=3),
        st.dictionaries(st.text(max_size=2), inner, max_size=3).map(_Sub),
        st.dictionaries(st.integers(0, 2), inner, min_size=1, max_size=2),
    ),
    max_leaves=12,
)


def _render(value: Any) -> Any:
    return render_string("{{ v if true else none }}", {"v": value})


@settings(max_examples=400, deadline=None)
@given(_values)
def test_a_native_value_is_what_a_copying_walk_gives(value: Any) -> None:
    try:
        expected = _copied(value)
    except TemplateError:
        with pytest.raises(TemplateError):
            _render(value)
        return
    got = _render(value)
    assert got == expected  # (NaN is refused: not finite)
    assert _shapes(got) == _shapes(expected)


def _shapes(value: Any) -> Any:
    """The exact container types, all the way down (a tuple or a subclass left would show)."""
    if isinstance(value, list | tuple | dict):
        items = value.values() if isinstance(value, dict) else value
        return (type(value).__name__, [_shapes(v) for v in items])
    return type(value).__name__


def test_json_data_comes_back_as_it_is_and_anything_else_as_new_containers() -> None:
    record = {"id": "a", "dates": {"d1": {"prices": [1, 2.5]}}, "tags": ["x"]}
    assert _render(record) is record
    nested = {"pair": (1, 2), "ok": [1]}
    assert _render(nested) == {"pair": [1, 2], "ok": [1]}
    assert _render(nested) is not nested
    with pytest.raises(TemplateError, match="not a JSON"):
        _render({"a": [1, {"b": float("inf")}], 1: 2})


@pytest.mark.parametrize("opening", ["[", '{"a": '])
def test_a_tuple_deep_inside_json_costs_one_walk(opening: str) -> None:
    # each level converted once: walking again from the first changed item cost 2 ** depth
    # (1.7 s at depth 20, hours at 40)
    closing = "]" if opening == "[" else "} "  # (no `}}` inside the braces of `{{ }}`)
    start = time.process_time()
    value = render_string("{{ " + opening * 60 + "(1,)" + closing * 60 + " }}", {})
    assert time.process_time() - start < 1
    for _ in range(60):
        value = value[0] if opening == "[" else value["a"]
    assert value == [1] and type(value) is list


def test_a_key_of_a_str_subclass_deep_inside_costs_one_walk() -> None:
    # a key such as Markup('b') after a nested value once sent the dict to a second walk
    # from its start: 2 ** depth (0.3 s at depth 18)
    value: Any = 1
    for _ in range(60):
        value = {"a": value, markupsafe.Markup("b"): 1}
    start = time.process_time()
    got = _render(value)
    assert time.process_time() - start < 1
    assert got is value  # JSON already: given back as it is
    with pytest.raises(TemplateError, match="keys that are not strings"):
        _render({"a": value, 1: 2})
