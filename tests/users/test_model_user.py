"""The model-backed user (``USERS["model"]``): what its model is told, how its replies, its
stop token and the facts it discloses are read, and its server's failures, against a
loopback OpenAI-compatible server (tests/users/test_model_user_cli.py plays whole episodes)."""

from __future__ import annotations

import pytest
from fake_openai import FakeOpenAI
from users_helpers import compiled

from taskkit.agents import USERS
from taskkit.agents.errors import EpisodeFailed, ServerUnavailable
from taskkit.agents.user_model import STOP_TOKEN, ModelUser, UserOptions, user_messages
from taskkit.sim.users import UserView

pytest.importorskip("openai")


def test_the_model_user_reads_the_stop_token_and_the_facts_it_discloses() -> None:
    task = compiled()
    user = USERS["model"](task, {"model": "m", "base_url": "http://127.0.0.1:9/v1"})
    assert isinstance(user, ModelUser) and user.fork() is user
    assert user.parse("It is 9 oak  AVE.").reveals == ("address",)
    ended = user.parse(f"All good, thanks. {STOP_TOKEN}")
    assert (ended.text, ended.stop) == ("All good, thanks.", True)
    silent = user.parse(STOP_TOKEN)
    assert (silent.text, silent.stop) == (None, True)
    assert user.settings() == {
        "kind": "model",
        "model": "m",
        "base_url": "http://127.0.0.1:9/v1",
        "seed": None,
        "temperature": 0.0,
    }


def test_the_user_model_sees_the_conversation_from_the_users_side() -> None:
    task = compiled()
    view = UserView(
        task=task,
        message="Shall I proceed?",
        transcript=(
            ("user", task.user_command),
            ("assistant", "What is the new address?"),
            ("user", "9 Oak Ave."),
            ("assistant", "Shall I proceed?"),
        ),
        calls=(),
        replies=2,
    )
    messages = user_messages(view)
    assert [m["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert messages[-1]["content"] == "Shall I proceed?"
    body = ModelUser(task, UserOptions(model="m", seed=3)).request(view)
    assert body["seed"] == 3 and body["model"] == "m"


def _view() -> UserView:
    task = compiled()
    message = "What is the new address?"
    transcript = (("user", task.user_command), ("assistant", message))
    return UserView(task=task, message=message, transcript=transcript, calls=(), replies=1)


def test_a_reply_comes_from_the_server_with_the_seed_and_temperature_asked_for() -> None:
    with FakeOpenAI(lambda request: {"content": "9 Oak Ave, please."}) as server:
        options = {"model": "m", "base_url": server.url, "seed": 11, "temperature": 0.3}
        reply = USERS["model"](compiled(), options).reply(_view())
    assert (reply.text, reply.stop, reply.reveals) == ("9 Oak Ave, please.", False, ("address",))
    (request,) = server.requests
    assert (request["model"], request["seed"], request["temperature"]) == ("m", 11, 0.3)


@pytest.mark.parametrize(
    ("failure", "error"),
    [("500", EpisodeFailed), ("not_a_completion", EpisodeFailed), ("401", ServerUnavailable)],
)
def test_server_failures_are_the_agents_failures(failure: str, error: type) -> None:
    """A server error fails the episode; a bad key stops the run: one line naming the URL."""
    with FakeOpenAI(lambda request: {"content": "x"}) as server:
        server.failure = failure
        user = USERS["model"](compiled(), {"model": "m", "base_url": server.url, "max_retries": 0})
        with pytest.raises(error, match=r"127\.0\.0\.1"):
            user.reply(_view())


def test_a_refused_connection_stops_the_run() -> None:
    user = USERS["model"](
        compiled(), {"model": "m", "base_url": "http://127.0.0.1:9/v1", "max_retries": 0}
    )
    with pytest.raises(ServerUnavailable, match="connection refused"):
        user.reply(_view())


def test_a_model_user_needs_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKKIT_USER_MODEL", raising=False)
    with pytest.raises(ValueError, match="--user-model"):
        USERS["model"](compiled(), {"base_url": "http://127.0.0.1:9/v1"})
