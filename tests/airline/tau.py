"""τ-bench's airline domain as an oracle, run with no model (see the corpus README):
a stub ``litellm`` module, an environment built once per task and never ``reset()``, a stub
user, ``calculate_reward`` called once, after the agent's state is hashed.

Only test code imports this module: τ-bench is a reference, not a dependency of taskkit.
"""

from __future__ import annotations

import copy
import hashlib
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def corpus() -> Path | None:
    """``shared/corpora/taubench-airline`` beside the checkout, or beside its parent (as
    ``tests/conftest.py`` finds ``shared/``); ``None`` when it is not there."""
    repo = Path(__file__).resolve().parents[2]
    for base in (repo.parent, repo.parent.parent):
        found = base / "shared" / "corpora" / "taubench-airline"
        if (found / "tau_bench").is_dir():
            return found
    return None


RESPOND = "respond"
WRITE_TOOLS = (
    "book_reservation",
    "cancel_reservation",
    "send_certificate",
    "update_reservation_baggages",
    "update_reservation_flights",
    "update_reservation_passengers",
)


@contextmanager
def _importable(root: Path) -> Iterator[None]:
    if "litellm" not in sys.modules:  # user.py imports it at load time; no model is called
        stub = types.ModuleType("litellm")
        stub.completion = lambda *a, **k: None  # type: ignore[attr-defined]
        sys.modules["litellm"] = stub
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))


class Hasher:
    """τ-bench's state hash, ``sha256(str(to_hashable(data)))``, computed the same way but
    fed to SHA-256 piece by piece, with the text of records known never to change (the fresh
    world's) remembered, so hashing a state costs what its changed records cost.
    ``tests/airline/test_oracle.py`` checks it against τ-bench's own ``consistent_hash``."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, bytes]] = {}

    def freeze(self, data: dict[str, Any]) -> None:
        """Remember the text of ``data``'s collections and records, which must never change."""
        for collection in data.values():
            for record in collection.values() if isinstance(collection, dict) else collection:
                self._known[id(record)] = (record, self._bytes(record))
            self._known[id(collection)] = (collection, self._bytes(collection))

    def _bytes(self, value: Any) -> bytes:
        pieces: list[bytes] = []
        self._feed(value, pieces.append)
        return b"".join(pieces)

    def _feed(self, value: Any, out: Any) -> None:
        """Write ``str(to_hashable(value))`` to ``out``, UTF-8 encoded, in pieces."""
        hit = self._known.get(id(value))
        if hit is not None and hit[0] is value:
            out(hit[1])
            return
        if isinstance(value, _CopyOnRead) and not value.owned:
            self._feed(value.base, out)  # not one record of it was touched
            return
        if isinstance(value, dict):
            # items(), not value[key]: a look-up would make a _CopyOnRead record a copy
            items: list[Any] = sorted(value.items(), key=lambda kv: kv[0])
        elif isinstance(value, list):
            items = value
        else:
            out(repr(value).encode("utf-8"))
            return
        out(b"(")
        for i, item in enumerate(items):
            if i:
                out(b", ")
            if isinstance(value, dict):
                out(f"({item[0]!r}, ".encode())
                self._feed(item[1], out)
                out(b")")
            else:
                self._feed(item, out)
        out(b",)" if len(items) == 1 else b")")

    def hash(self, data: dict[str, Any]) -> str:
        digest = hashlib.sha256()
        self._feed(data, digest.update)
        return digest.hexdigest()


class _CopyOnRead(dict):  # type: ignore[type-arg]
    """A collection whose records are the shared fresh world's until τ-bench looks one up
    by key (as its tools do before changing it): then it gets a copy of its own."""

    def __init__(self, records: dict[str, Any]) -> None:
        super().__init__(records)
        self.base = records
        self.owned: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if key not in self.owned and dict.__contains__(self, key):
            dict.__setitem__(self, key, copy.deepcopy(dict.__getitem__(self, key)))
            self.owned.add(key)
        return dict.__getitem__(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.owned.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self.owned.add(key)
        dict.__delitem__(self, key)


class _User:
    """Stands in for the simulated user: hears every message, never ends the conversation."""

    def step(self, content: str) -> str:
        return "ok"

    def get_total_cost(self) -> float:
        return 0


@dataclass(frozen=True)
class Outcome:
    """What τ-bench says of one action sequence."""

    reward: float
    data: dict[str, Any]
    """The agent's final data (before ``calculate_reward`` replays the gold)."""
    hash: str
    observations: list[Any]


class Oracle:
    """One τ-bench environment per task, reused for every sequence fed to it.

    ``fast`` (the default) makes two changes that leave every verdict as it was: fresh data
    shares the records of one load until a tool looks one up (:class:`_CopyOnRead`), and the
    state hash is :class:`Hasher`'s (τ-bench's, remembered for unchanged records). With
    ``fast=False`` τ-bench runs exactly as shipped (slow: ~1 s a hash)."""

    def __init__(self, root: Path, *, fast: bool = True) -> None:
        with _importable(root):
            from tau_bench.envs.airline.data import load_data
            from tau_bench.envs.airline.env import MockAirlineDomainEnv
            from tau_bench.envs.airline.tasks_test import TASKS
            from tau_bench.envs.base import consistent_hash, to_hashable
            from tau_bench.types import Action
        self.tasks = TASKS
        self.fast = fast
        self._env_class = MockAirlineDomainEnv
        self._action = Action
        self.tau_hash = lambda data: str(consistent_hash(to_hashable(data)))
        self._envs: dict[int, Any] = {}
        self.load_data = load_data
        self.hasher = Hasher()
        self.fresh = load_data()
        self.hasher.freeze(self.fresh)

    def action(self, name: str, kwargs: dict[str, Any]) -> Any:
        """τ-bench's ``Action``."""
        return self._action(name=name, kwargs=kwargs)

    def hash(self, data: dict[str, Any]) -> str:
        """τ-bench's state hash: sorted keys, lists in order, scalars by their Python text."""
        return self.hasher.hash(data) if self.fast else self.tau_hash(data)

    def _data(self) -> dict[str, Any]:
        return {name: _CopyOnRead(records) for name, records in self.fresh.items()}

    def env(self, index: int) -> Any:
        if index not in self._envs:
            env = self._env_class(user_strategy="human", task_index=index)
            if self.fast:
                env.data_load_func = self._data
                env.get_data_hash = lambda: self.hasher.hash(env.data)
            self._envs[index] = env
        return self._envs[index]

    def run(self, index: int, actions: Sequence[tuple[str, dict[str, Any]]]) -> Outcome:
        """Feed ``actions`` (``(name, kwargs)``; ``respond`` for a message to the user) to
        task ``index`` from fresh data; the verdict as τ-bench gives it."""
        env = self.env(index)
        env.data = env.data_load_func()
        env.actions = []
        env.user = _User()
        observations: list[Any] = []
        for name, kwargs in actions:
            if name in env.terminate_tools:  # it changes nothing, and scores at once
                data, digest = env.data, self.hash(env.data)
                response = env.step(self._action(name=name, kwargs=kwargs))
                observations.append(response.observation)
                return Outcome(response.reward, data, digest, observations)
            response = env.step(self._action(name=name, kwargs=kwargs))
            observations.append(response.observation)
        data = env.data
        digest = self.hash(data)
        reward = env.calculate_reward().reward  # replaces env.data with the gold state
        return Outcome(reward, data, digest, observations)
