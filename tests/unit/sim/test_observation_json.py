"""The observation text of a value is what ``json.JSONEncoder(ensure_ascii=False,
separators=(", ", ": ")).encode`` writes, for every JSON value and every value that is not
JSON (which fails as the encoder fails)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskkit.sim.execute import Observation, observation_json

REFERENCE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from([math.inf, -math.inf, math.nan, "é\u2028\ud800", 10**40])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_a_value_is_written_as_the_encoder_writes_it(value: Any) -> None:
    assert observation_json(value) == REFERENCE(value)


def _failure(encode: Any, value: Any) -> tuple[type[BaseException], str]:
    with pytest.raises(Exception) as caught:
        encode(value)
    return caught.type, str(caught.value)


def test_a_value_that_is_not_json_fails_as_the_encoder_fails() -> None:
    looped: list[Any] = []
    looped.append(looped)
    for value in ({"a": {1, 2}}, [object()], looped, {"a": looped}):
        assert _failure(observation_json, value) == _failure(REFERENCE, value)
    # and the table of what is being written starts empty each time
    assert observation_json([1, [2]]) == "[1, [2]]"


def test_an_observation_shows_its_content_or_its_error() -> None:
    assert Observation(True, {"id": "u1", "name": "Zoé"}).text() == '{"id": "u1", "name": "Zoé"}'
    assert Observation(False, "no such user", "not_found").text() == '{"error": "no such user"}'
