"""The airline pack against τ-bench itself: the same action sequences fed to both must give
the same verdict and the same final state (taskkit's, hashed τ-bench's way).

For every task: the gold; the gold without its last write; a wrong argument in its last write;
an extra effective write; an extra failing write; only its writes; without its answer (where
it has outputs); nothing at all. Then sequences that Hypothesis draws over the tools' arguments
(at least 500 calls in all). Every sequence ends with one message to the user (τ-bench's
``respond``, taskkit's final answer), so that both score the same conversation.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import convert
import pytest
import tau
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle_fixture import oracle_fixture  # noqa: F401 - provides `oracle`

from taskkit.compiler import compile_paths
from taskkit.models import CompiledTask
from taskkit.sim.episode import Episode
from taskkit.sim.verify import ToolCall

PACK = Path(__file__).resolve().parents[2] / "task_library" / "airline"
NEUTRAL = "Is there anything else I can help you with?"
Action = tuple[str, dict[str, Any]]


@pytest.fixture(scope="module")
def compiled(oracle: tau.Oracle) -> dict[int, CompiledTask]:
    result = compile_paths([PACK])
    assert result.ok, [d.text() for d in result.diagnostics]
    tasks = {int(t.task.removeprefix("test_")): t for t in result.tasks}
    assert sorted(tasks) == sorted(set(range(50)) - set(convert.missing(oracle)))
    oracle.hasher.freeze(next(iter(tasks.values())).initial_state)  # the world they share
    return tasks


DECLARED = frozenset(convert.declared_tools())
"""The tools the pack declares: a sequence is fed to both only if taskkit offers its tools."""


def playable(actions: list[Action]) -> bool:
    return all(name == tau.RESPOND or name in DECLARED for name, _ in actions)


def taskkit_run(task: CompiledTask, actions: list[Action]) -> tuple[float, dict[str, Any]]:
    """Play ``actions`` in an episode of ``task``: the verdict and the final state."""
    episode = Episode(task, "openai", faults=False)
    for name, kwargs in actions:
        if name == tau.RESPOND:
            episode.advance(episode.format.write(answer=kwargs["content"]))
        else:
            episode.advance(episode.format.write(calls=[ToolCall(name, copy.deepcopy(kwargs))]))
        if episode.done:
            break
    assert episode.done, "every sequence ends with a message to the user"
    assert episode.final is not None
    return float(episode.final.score), episode.state


def agree(oracle: tau.Oracle, task: CompiledTask, index: int, actions: list[Action]) -> None:
    theirs = oracle.run(index, copy.deepcopy(actions))
    score, state = taskkit_run(task, actions)
    where = f"task {index}, sequence {[name for name, _ in actions]}"
    assert score == theirs.reward, (
        f"verdict differs on {where}: taskkit {score}, tau {theirs.reward}"
    )
    assert oracle.hash(state) == theirs.hash, f"final state differs on {where}"


# --- the fixed sequences -------------------------------------------------------------------


def _answer(task: Any) -> list[Action]:
    content = "; ".join(task.outputs) if task.outputs else NEUTRAL
    return [(tau.RESPOND, {"content": content})]


def _gold(task: Any) -> list[Action]:
    return [(a.name, copy.deepcopy(a.kwargs)) for a in task.actions]


def _last_write(actions: list[Action]) -> int | None:
    found = [i for i, (name, _) in enumerate(actions) if name in tau.WRITE_TOOLS]
    return found[-1] if found else None


def _wrong(name: str, kwargs: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with one argument wrong, still of the right type."""
    wrong = copy.deepcopy(kwargs)
    if name == "cancel_reservation":
        others = sorted(r for r in data["reservations"] if r != kwargs["reservation_id"])
        wrong["reservation_id"] = others[len(kwargs["reservation_id"]) % len(others)]
    elif name == "book_reservation":
        wrong["insurance"] = "no" if kwargs["insurance"] == "yes" else "yes"
    elif name == "update_reservation_baggages":
        wrong["total_baggages"] = kwargs["total_baggages"] + 1
    elif name == "update_reservation_flights":
        cabins = ["basic_economy", "economy", "business"]
        wrong["cabin"] = cabins[(cabins.index(kwargs["cabin"]) + 1) % 3]
    elif name == "update_reservation_passengers":
        wrong["passengers"][0]["first_name"] += "a"
    elif name == "send_certificate":
        wrong["amount"] = kwargs["amount"] + 50
    return wrong


def fixed_sequences(task: Any, data: dict[str, Any]) -> dict[str, list[Action]]:
    gold, answer = _gold(task), _answer(task)
    out = {"gold": gold + answer, "nothing": [(tau.RESPOND, {"content": NEUTRAL})]}
    last = _last_write(gold)
    if last is not None:
        name, kwargs = gold[last]
        out["without last write"] = gold[:last] + gold[last + 1 :] + answer
        out["wrong argument"] = [*gold[:last], (name, _wrong(name, kwargs, data)), *answer]
    extra: Action = ("send_certificate", {"user_id": task.user_id, "amount": 150})
    out["extra effective write"] = [*gold, extra, *answer]
    failing: Action = ("cancel_reservation", {"reservation_id": "NO5UCH"})
    out["extra failing write"] = [*gold, failing, *answer]
    out["only writes"] = [a for a in gold if a[0] in tau.WRITE_TOOLS] + answer
    if task.outputs:
        out["without answer"] = [*gold, (tau.RESPOND, {"content": NEUTRAL})]
    return out


def test_fixed_sequences_agree_on_every_task(oracle, compiled):
    count = left = 0
    for index, task in compiled.items():
        for actions in fixed_sequences(oracle.tasks[index], oracle.fresh).values():
            if playable(actions):
                agree(oracle, task, index, actions)
                count += 1
            else:
                left += 1
    print(f"\n{count} fixed sequences agree ({left} need a tool not declared yet)")
    assert count >= 3 * len(compiled)  # the gold, nothing, only its writes: always playable


# --- sequences drawn by Hypothesis ---------------------------------------------------------


def _pools(data: dict[str, Any]) -> dict[str, list[Any]]:
    users = sorted(data["users"])
    return {
        "users": users,
        "reservations": sorted(data["reservations"]),
        "flights": sorted(data["flights"]),
        "airports": sorted({f["origin"] for f in data["flights"].values()}),
        "dates": [f"2024-05-{d:02d}" for d in range(10, 31)],
    }


def _call(draw: Callable[..., Any], data: dict[str, Any], pools: dict[str, list[Any]]) -> Action:
    """One call of one of the 13 tools that do not end the episode, its arguments of the
    declared types, drawn mostly from the world's own ids so that calls take effect."""
    some = lambda pool: draw(st.sampled_from(pools[pool]))  # noqa: E731
    user = some("users")
    payments = sorted(data["users"][user]["payment_methods"])
    reservation = draw(
        st.sampled_from(data["users"][user]["reservations"] or pools["reservations"])
    )
    res = data["reservations"][reservation]
    pay = draw(st.sampled_from([*payments, "gift_card_0000000"]))
    cabin = draw(st.sampled_from(["basic_economy", "economy", "business"]))
    segments = [{"flight_number": f["flight_number"], "date": f["date"]} for f in res["flights"]]
    if draw(st.booleans()):
        segments[-1] = {"flight_number": some("flights"), "date": some("dates")}
    name = draw(
        st.sampled_from(
            [
                name
                for name in (
                    "get_user_details",
                    "get_reservation_details",
                    "search_direct_flight",
                    "search_onestop_flight",
                    "list_all_airports",
                    "calculate",
                    "think",
                    "cancel_reservation",
                    "send_certificate",
                    "update_reservation_baggages",
                    "update_reservation_flights",
                    "update_reservation_passengers",
                    "book_reservation",
                )
                if name in DECLARED
            ]
        )
    )
    if name == "get_user_details":
        return name, {"user_id": user}
    if name == "get_reservation_details":
        return name, {"reservation_id": reservation}
    if name in ("search_direct_flight", "search_onestop_flight"):
        return name, {
            "origin": some("airports"),
            "destination": some("airports"),
            "date": some("dates"),
        }
    if name == "list_all_airports":
        return name, {}
    if name == "calculate":
        a, b = draw(st.integers(0, 999)), draw(st.integers(1, 99))
        return name, {"expression": f"({a} + {b}) * {b} / {b}"}
    if name == "think":
        return name, {"thought": draw(st.text(max_size=20))}
    if name == "cancel_reservation":
        return name, {"reservation_id": draw(st.sampled_from([reservation, "ZZZZZZ"]))}
    if name == "send_certificate":
        return name, {"user_id": user, "amount": draw(st.sampled_from([50, 100, 150.5]))}
    if name == "update_reservation_baggages":
        total = draw(st.integers(0, 5))
        return name, {
            "reservation_id": reservation,
            "total_baggages": total,
            "nonfree_baggages": draw(st.integers(0, total)),
            "payment_id": pay,
        }
    if name == "update_reservation_flights":
        return name, {
            "reservation_id": reservation,
            "cabin": draw(st.sampled_from([res["cabin"], cabin])),
            "flights": segments,
            "payment_id": pay,
        }
    if name == "update_reservation_passengers":
        people = copy.deepcopy(res["passengers"])
        if draw(st.booleans()):
            people[0]["last_name"] = draw(st.sampled_from(["Smith", "Ng"]))
        if draw(st.booleans()):
            people = people[:-1] or people + people
        return name, {"reservation_id": reservation, "passengers": people}
    return name, _booking(draw, data, user, segments, cabin, payments)


def _booking(
    draw: Callable[..., Any],
    data: dict[str, Any],
    user: str,
    segments: list[dict[str, str]],
    cabin: str,
    payments: list[str],
) -> dict[str, Any]:
    """A booking whose payment adds up when its flights can be booked (so that some take
    effect), one payment method named once (τ-bench is not atomic on a repeated certificate)."""
    passengers = data["users"][user]["saved_passengers"][:1] or [
        {"first_name": "Ann", "last_name": "Lee", "dob": "1990-01-01"}
    ]
    insurance = draw(st.sampled_from(["yes", "no"]))
    nonfree = draw(st.integers(0, 2))
    price = 0
    for seg in segments:
        day = data["flights"].get(seg["flight_number"], {}).get("dates", {}).get(seg["date"], {})
        price += day.get("prices", {}).get(cabin, 0) * len(passengers)
    price += (30 * len(passengers) if insurance == "yes" else 0) + 50 * nonfree
    amount = draw(st.sampled_from([price, price + 1, float(price)]))
    return {
        "user_id": user,
        "origin": "JFK",
        "destination": "SFO",
        "flight_type": "one_way",
        "cabin": cabin,
        "flights": segments,
        "passengers": [{k: p[k] for k in ("first_name", "last_name", "dob")} for p in passengers],
        "payment_methods": [{"payment_id": draw(st.sampled_from(payments)), "amount": amount}],
        "total_baggages": nonfree,
        "nonfree_baggages": nonfree,
        "insurance": insurance,
    }


def test_sequences_drawn_by_hypothesis_agree(oracle, compiled):
    pools = _pools(oracle.fresh)
    calls: list[int] = []

    @settings(
        max_examples=90,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        index = data.draw(st.sampled_from(sorted(compiled)))
        task = oracle.tasks[index]
        length = data.draw(st.integers(6, 10))  # 90 x 6: at least 540 calls
        actions = [_call(data.draw, oracle.fresh, pools) for _ in range(length)]
        gold = _gold(task)
        if (
            gold and playable(gold[-1:]) and data.draw(st.booleans())
        ):  # now and then the task's own last action
            actions.insert(data.draw(st.integers(0, length)), gold[-1])
        agree(oracle, compiled[index], index, [*actions, *_answer(task)])
        calls.append(len(actions))

    check()
    print(f"\n{len(calls)} drawn sequences, {sum(calls)} calls agree")
    assert sum(calls) >= 500
