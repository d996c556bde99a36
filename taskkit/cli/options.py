"""Options several commands share, declared once: which tasks to take (compile, run,
generate, ls), how to reach a model server, which simulated user answers the agent and
where the episodes are played (run, generate). Declaring them loads no agent and no
simulator (see :mod:`.names`)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.shell_completion import CompletionItem

from ..compiler import Selection
from ..executors import EXECUTORS, make_executor
from ..handlers.trust import TrustFileError, user_trust
from ..runs.user_choice import UserChoice
from .names import AGENTS, ENTRY_POINT_GROUP, USERS

if TYPE_CHECKING:
    from ..agents import Agent
    from ..executors import Executor

__all__ = [
    "AgentName",
    "agent_and_user_from",
    "agent_from_flags",
    "agent_option",
    "agent_options",
    "executor_from",
    "executor_options",
    "selection_from",
    "selection_options",
    "trust_from_flags",
    "user_from",
    "user_options",
]

F = TypeVar("F", bound=Callable[..., Any])

_SELECTION = (
    click.option("--pack", "packs", multiple=True, help="Only these packs."),
    click.option("--category", "categories", multiple=True, help="Only these categories."),
    click.option(
        "--task",
        "tasks",
        multiple=True,
        metavar="GLOB",
        help="Only tasks matching (id or pack/id).",
    ),
    click.option("--limit", type=click.IntRange(min=0), help="At most this many instances."),
    click.option(
        "--split", type=click.Choice(["train", "test"]), help="Keep one side of a seeded split."
    ),
    click.option("--test-fraction", type=click.FloatRange(0, 1), default=0.2, show_default=True),
    click.option(
        "--split-by", type=click.Choice(["task", "entry"]), default="task", show_default=True
    ),
)

_SPLIT_SEED = click.option(
    "--split-seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of --split (compile's --seed): the same split as compiling with it.",
)


def selection_options(*, split_seed: bool = True) -> Callable[[F], F]:
    """``--pack --category --task --limit --split --test-fraction --split-by`` (and
    ``--split-seed`` where ``--seed`` means something else, as in run and generate)."""

    def decorate(fn: F) -> F:
        for option in reversed((*_SELECTION, _SPLIT_SEED) if split_seed else _SELECTION):
            fn = option(fn)
        return fn

    return decorate


class AgentName(click.types.StringParamType):
    """``--agent``: a built-in or installed agent, or ``module:function``. Checked when the
    agent is made, where the message can list what is known; completed from the registry."""

    name = "agent"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from ..agents import installed_agents  # noqa: PLC0415 - only when completing

        names = [*AGENTS, *installed_agents()]
        return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def agent_option(*, default: str) -> Callable[[F], F]:
    """``--agent``, its help listing the built-in agents (``default`` first)."""
    names = [default, *(name for name in AGENTS if name != default)]
    return click.option(
        "--agent",
        "agent_spec",
        type=AgentName(),
        default=default,
        show_default=True,
        help=f"{', '.join(names)}, an installed agent (entry point group "
        f"{ENTRY_POINT_GROUP}), or module:function.",
    )


def agent_options(*, retries: int) -> Callable[[F], F]:
    """``--model --base-url --timeout --retries``: how an agent is reached and how long it may
    take (``retries``: the command's default; generate retries more, as it runs longer)."""
    options = (
        click.option("--model", help="Model name for --agent openai (or TASKKIT_MODEL)."),
        click.option("--base-url", help="Server URL for --agent openai (or OPENAI_BASE_URL)."),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=60.0,
            show_default=True,
            help="Seconds an agent may take for one response (a request, for a server agent).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0),
            default=retries,
            show_default=True,
            help="Server agents: retries of a failed request (429, 5xx, timeouts), with backoff.",
        ),
    )

    def decorate(fn: F) -> F:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


_EXECUTOR = (
    click.option(
        "--executor",
        type=click.Choice(list(EXECUTORS)),
        default="local",
        show_default=True,
        help="Where episodes are played: "
        + "; ".join(f"{name}: {about}" for name, (_, about) in EXECUTORS.items())
        + ".",
    ),
    click.option(
        "--address",
        metavar="HOST:PORT",
        help="--executor ray: the cluster to join (or RAY_ADDRESS; 'auto': the one on "
        "this machine); default: a local one for this run.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        help="Worker processes (local) or actors (ray); default: the cores, or the cluster's CPUs.",
    ),
)


def executor_options() -> Callable[[F], F]:
    """``--executor --address --workers``: where the episodes are played."""

    def decorate(fn: F) -> F:
        for option in reversed(_EXECUTOR):
            fn = option(fn)
        return fn

    return decorate


def executor_from(
    options: dict[str, Any], agent_factory: Callable[[], Agent] | None = None
) -> Executor:
    """The executor the options ask for; pops them from ``options``. ``agent_factory``
    builds the agent where the episodes are played (a Ray actor)."""
    name, address, workers = (options.pop(k) for k in ("executor", "address", "workers"))
    try:
        return make_executor(name, workers=workers, address=address, agent_factory=agent_factory)
    except (ValueError, RuntimeError) as exc:
        raise click.UsageError(str(exc)) from None


def selection_from(options: dict[str, Any], *, seed: int | None = None) -> Selection:
    """The :class:`Selection` the options ask for; pops them from ``options`` (a command's
    keyword arguments), leaving the command's own."""
    split_seed = options.pop("split_seed", 0)
    return Selection(
        packs=options.pop("packs"),
        categories=options.pop("categories"),
        tasks=options.pop("tasks"),
        limit=options.pop("limit"),
        split=options.pop("split"),
        test_fraction=options.pop("test_fraction"),
        split_by=options.pop("split_by"),
        seed=split_seed if seed is None else seed,
    )


def selects(selection: Selection) -> bool:
    """Whether the selection drops anything (else there is nothing to filter)."""
    return bool(
        selection.packs
        or selection.categories
        or selection.tasks
        or selection.limit is not None
        or selection.split
    )


def trust_from_flags(trust: tuple[str, ...]) -> frozenset[str]:
    """The packs whose handlers may run: ``--trust`` and the user's trust file."""
    try:
        return frozenset(trust) | user_trust()
    except TrustFileError as exc:
        raise click.UsageError(str(exc)) from None


_USER = (
    click.option(
        "--user",
        "user_kind",
        type=click.Choice(list(USERS)),
        default="scripted",
        show_default=True,
        help="Who answers the agent in tasks with a user block: the task's scripted turns, "
        "or a model (--user-model) prompted with the user's persona, goal and hidden facts.",
    ),
    click.option(
        "--user-model", help="--user model: the model playing the user (or TASKKIT_USER_MODEL)."
    ),
    click.option(
        "--user-base-url",
        help="--user model: its server (or TASKKIT_USER_BASE_URL; default: the agent's "
        "--base-url, or OPENAI_BASE_URL). Key: TASKKIT_USER_API_KEY, or OPENAI_API_KEY.",
    ),
    click.option(
        "--user-seed",
        type=int,
        help="--user model: sampling seed sent with each request (default: the episode's).",
    ),
    click.option(
        "--user-temperature",
        type=click.FloatRange(min=0),
        default=0.0,
        show_default=True,
        help="--user model: sampling temperature.",
    ),
)


def user_options() -> Callable[[F], F]:
    """``--user --user-model --user-base-url --user-seed --user-temperature``: who answers
    the agent in multi-turn tasks."""

    def decorate(fn: F) -> F:
        for option in reversed(_USER):
            fn = option(fn)
        return fn

    return decorate


def user_from(
    options: dict[str, Any],
    *,
    base_url: str | None = None,
    timeout: float = 60.0,
    max_retries: int = 4,
    note: Callable[[str], None] | None = None,
) -> UserChoice:
    """The :class:`UserChoice` the options ask for; pops them from ``options``. A model user
    reaches the agent's server (``base_url``) unless told otherwise, and takes the only model
    that server lists when no model is named, as the openai agent does."""
    kind = options.pop("user_kind")
    model, url = options.pop("user_model"), options.pop("user_base_url")
    seed, temperature = options.pop("user_seed"), options.pop("user_temperature")
    if kind == "scripted":
        return UserChoice()
    url = url or os.environ.get("TASKKIT_USER_BASE_URL") or base_url
    model = model or os.environ.get("TASKKIT_USER_MODEL") or _only_model(url, timeout, note)
    return UserChoice(
        kind=kind,
        model=model,
        base_url=url,
        seed=seed,
        temperature=temperature,
        timeout=timeout,
        max_retries=max_retries,
    )


def _only_model(url: str | None, timeout: float, note: Callable[[str], None] | None) -> str:
    from ..agents.openai_agent import only_model  # noqa: PLC0415 - the openai extra

    try:
        return only_model(
            url,
            os.environ.get("TASKKIT_USER_API_KEY"),
            timeout=min(timeout, 10.0),
            what="user model",
            required="--user-model is required for --user model (or TASKKIT_USER_MODEL)",
            note=note,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def agent_from_flags(
    spec: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    max_retries: int = 4,
) -> Agent:
    """The agent named on the command line, made from the same options whatever it is. An
    agent taskkit did not write gets ``timeout`` as its deadline (see :func:`guarded`)."""
    # Imported here, not above: declaring the options loads no agent (see the docstring).
    from ..agents import AgentOptions, make_agent  # noqa: PLC0415
    from ..agents.guard import guarded  # noqa: PLC0415

    options = AgentOptions(
        model=model,
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        note=functools.partial(click.echo, err=True),
    )
    try:
        agent = make_agent(spec, options)
    except (ValueError, ImportError, AttributeError, TypeError, RuntimeError) as exc:
        raise click.UsageError(str(exc)) from None
    return guarded(agent, timeout)


def agent_and_user_from(
    agent_spec: str,
    options: dict[str, Any],
    *,
    model: str | None,
    base_url: str | None,
    timeout: float,
    retries: int,
) -> tuple[Agent, UserChoice]:
    """The agent ``--agent`` names and the user ``--user`` asks for, reached the same way
    (``run`` and ``generate``); pops the user's options from ``options``."""
    agent = agent_from_flags(
        agent_spec, model=model, base_url=base_url, timeout=timeout, max_retries=retries
    )
    user = user_from(
        options,
        base_url=base_url,
        timeout=timeout,
        max_retries=retries,
        note=functools.partial(click.echo, err=True),
    )
    return agent, user
