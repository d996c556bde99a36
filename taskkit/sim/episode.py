"""The episode: the LAM Simulator's loop as a Gymnasium-style object.

``reset()`` returns the agent's first input; ``step(response)`` parses the response,
verifies each call (syntax verification engine), runs the verified ones on the episode's
state (request execution engine), scores the step (intermediate action evaluator) and, when
the agent answers or runs out of turns, the episode (final task evaluator). The conversation
manager is the history kept here, and :meth:`Episode.record` is the full trajectory as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..handlers import trust as trusting
from ..models import CompiledTask, ToolEnv
from ..models.operations import EVERYTHING
from ..models.records import FinalEntry, StepEntry, TrajectoryRecord
from .behaviors import copies_records
from .collections import clone, is_collection
from .diff import copy_json
from .evaluate import (
    Call,
    FinalVerdict,
    Finding,
    evaluate_action,
    evaluate_message,
    final_for_task,
)
from .execute import fault_for, observation_text, outcome
from .fastinit import fast_init
from .formats import AgentInput, Exchange, Parsed, Response, ResponseFormat, get_format
from .limits import DEFAULT_LIMITS, Limits, recordable
from .patch import make_patch
from .pertask import per_task
from .users import ScriptedUser, SimulatedUser, UserReply, UserView
from .verify import shared_verifier

__all__ = ["Episode", "StepRecord", "StepResult"]


@fast_init
@dataclass(frozen=True)
class CallRecord:
    name: str
    arguments: Any
    verified: bool
    error_type: str | None
    """The verification error type, or the tool's error type / ``fault:<kind>``."""
    observation: str
    findings: list[Finding]
    ends_episode: bool = False
    """A terminal tool that succeeded: the episode ends after this call."""


@fast_init
@dataclass(frozen=True)
class StepRecord:
    index: int
    response: Response
    parsed: Parsed
    calls: list[CallRecord]
    findings: list[Finding]
    score: int
    user: UserReply | None = None
    """The simulated user's reply, when the step's message went to it."""

    @property
    def error_types(self) -> list[str]:
        return [f.type for f in self.findings]

    def as_json(self) -> StepEntry:
        entry: StepEntry = {
            "index": self.index,
            "response": self.response,
            "thought": self.parsed.thought,
            "answer": self.parsed.answer,
            "calls": [
                {
                    "name": c.name,
                    "arguments": c.arguments,
                    "verified": c.verified,
                    "error_type": c.error_type,
                    "observation": c.observation,
                    "findings": [f.as_json() for f in c.findings],
                }
                for c in self.calls
            ],
            "score": self.score,
            "errors": [f.as_json() for f in self.findings],
        }
        if self.user is not None:
            entry["user"] = self.user.as_json()
        return entry


@fast_init
@dataclass(frozen=True)
class StepResult:
    observation: AgentInput
    score: int
    done: bool
    info: dict[str, Any] = field(default_factory=dict)


class _Plan(NamedTuple):
    """What an episode needs to know of a tool to run a call of it, resolved on the tool's
    first call (it depends on the task and the trusted packs only, never on the state)."""

    env: ToolEnv
    touched: frozenset[str]
    """What running it can change, by the operations table (whatever the tool's declared
    ``effect`` says): the collections it names, everything (``*``), or nothing."""
    deep: bool
    """It may change records in place (a registered operation that did not promise
    otherwise): what it writes is copied deeply, not just its container."""
    trusted: bool
    """Its Python handler (if any) may run."""


def _plan(env: ToolEnv, task: CompiledTask, trust: AbstractSet[str]) -> _Plan:
    behavior = env.behavior
    return _Plan(
        env,
        behavior.touched if behavior is not None else frozenset(),
        behavior is not None and not copies_records(behavior.operation),
        trusting.declaring_pack(env, task) in trust,
    )


class Episode:
    """One compiled task, one agent, one run."""

    def __init__(
        self,
        task: CompiledTask,
        fmt: ResponseFormat | str = "openai",
        *,
        run_seed: int = 0,
        trust: Iterable[str] | None = None,
        faults: bool = True,
        limits: Limits = DEFAULT_LIMITS,
        user: SimulatedUser | None = None,
    ) -> None:
        """``trust``: the packs whose Python handlers may run (``None``: those of the user's
        trust file). A task offering a handler of any other pack is refused here, with
        :class:`~taskkit.handlers.trust.UntrustedHandlers`, before anything runs.

        ``user``: who answers the agent's messages (each reset talks to a fork of it);
        ``None``: the task's scripted user when it has a ``user`` block, else nobody (the
        agent's first message without calls is its final answer)."""
        self.task = task
        self.format = get_format(fmt) if isinstance(fmt, str) else fmt
        self.run_seed = run_seed
        self.trust = (
            trusting.resolve_trust(trust) if trusting.handlers(task) else frozenset(trust or ())
        )
        trusting.check_trust([task], self.trust)
        self.faults = faults
        self._envs = {e.name: e for e in task.environment}
        # tool -> its plan, filled on each tool's first call; shared by the task's episodes
        self._plans: dict[str, _Plan] = per_task(task, ("plans", self.trust), dict)
        self.limits = limits
        # one verifier per compiled task, shared by its episodes and forks (and with it the
        # validators and the nearest-name index): nothing here grows with the tools offered
        self._verifier = shared_verifier(task, limits)
        self._user = user
        self._confirm_turns = frozenset(
            t.id for t in (task.user.turns if task.user is not None else ()) if t.when.confirm
        )
        self.reset()

    def reset(self) -> AgentInput:
        # Copy-on-write from the start: the task's initial state is shared (read-only)
        # until a tool writes, and then only the container of the collection it writes is
        # copied, shallowly: writes replace records, never change one in place. Most
        # episodes write one collection, if any; a full copy per episode was a tenth of
        # generation's time, and a deep copy of a 2,000-record collection 16 ms per write.
        self.state: dict[str, Any] = self.task.initial_state
        # collection -> copied deeply; None: this episode owns all of its state
        self._owned: dict[str, bool] | None = {}
        self.history: list[Exchange] = []
        self.steps: list[StepRecord] = []
        self.calls: list[Call] = []
        self.answer: str | None = None
        self.final: FinalVerdict | None = None
        self.done = False
        self.ended_by: str | None = None
        """What ended the episode: ``answer``, ``empty_answer``, ``user_stop`` (the user
        ended the conversation), ``max_turns``, ``terminal:TOOL`` (a terminal tool's
        successful call) or ``finish``."""
        self.user: SimulatedUser | None = (
            self._user.fork()
            if self._user is not None
            else ScriptedUser(self.task)
            if self.task.user is not None
            else None
        )
        self.revealed: set[str] = set()
        """The hidden facts the user's replies revealed so far."""
        self.confirmed = False
        """A confirmation turn has fired (``confirm_before_write``)."""
        self.transcript: list[tuple[str, str]] = [("user", self.task.user_command)]
        """The conversation with the user (no tool calls), as the user sees it."""
        return self.observe()

    def observe(self) -> AgentInput:
        return self.format.render(self.task, self.history)

    def fork(self) -> Episode:
        """An independent copy at the current point (to score alternative samples)."""
        # copy.copy's reduce protocol, without it: data generation forks once per sample
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        # Copy-on-write: forks share the state until one of them runs a tool that writes,
        # and then copy only the collection it writes.
        self._owned, other._owned = {}, {}
        other.history = list(self.history)
        other.steps = list(self.steps)
        other.calls = list(self.calls)
        other.user = self.user.fork() if self.user is not None else None
        other.revealed = set(self.revealed)
        other.transcript = list(self.transcript)
        return other

    def step(self, response: Response) -> StepResult:
        """Gym's step: :meth:`advance`, then the next observation and the step's record."""
        step = self.advance(response)
        info: dict[str, Any] = {"step": step.as_json()}
        if self.done:
            info["final"] = self.final_json()
            info["ended_by"] = self.ended_by
        return StepResult(self.observe(), step.score, self.done, info)

    def advance(self, response: Response) -> StepRecord:
        """Parse, verify, execute and score ``response``; at the end, the final evaluation.

        :meth:`step` without rendering the next observation, for callers that score many
        samples and go on from one of them (data generation)."""
        if self.done:
            raise RuntimeError("the episode is over; call reset()")
        parsed = self.format.parse(response, self.limits)
        if parsed.error is None and not parsed.calls and parsed.answer is None:
            parsed = Parsed(error="the response has neither tool calls nor an answer")
        findings: list[Finding] = []
        records: list[CallRecord] = []
        observations: list[str] = []
        reply: UserReply | None = None
        if parsed.error is None and self.task.action_checks:
            for text in (parsed.thought, parsed.answer):
                if isinstance(text, str) and text:
                    findings.extend(evaluate_message(self.task, text))
        if parsed.error is not None:
            # kept as far as it is JSON: the trajectory and the next prompt are written out
            response = recordable(response, self.limits)
            findings.append(Finding(parsed.error_type, parsed.error))
            if parsed.error_type == "limit_exceeded":
                observations.append(f"error: your response is over a limit: {parsed.error}")
            else:
                observations.append(f"error: could not parse your response: {parsed.error}")
        elif parsed.calls:
            for call in parsed.calls:
                record = self._run_call(call)
                records.append(record)
                findings.extend(record.findings)
                observations.append(record.observation)
                if record.ends_episode:  # the calls after a terminal tool are not run
                    self.done, self.ended_by = True, f"terminal:{record.name}"
                    break
        elif self.user is not None:
            reply = self._tell_user(parsed.answer or "")
            if reply.stop:
                self.answer = parsed.answer
                self.done, self.ended_by = True, "user_stop"
        else:
            self.answer = parsed.answer
            self.done = True
            self.ended_by = "answer" if (parsed.answer or "").strip() else "empty_answer"
        step = StepRecord(
            len(self.steps), response, parsed, records, findings, 0 if findings else 1, reply
        )
        self.steps.append(step)
        said = reply.text if reply is not None else None
        self.history.append(Exchange(response, parsed, observations, said))
        if not self.done and len(self.steps) >= self.task.max_turns:
            self.done, self.ended_by = True, "max_turns"
        if self.done:
            self.final = self._final(self.answer)
            if self.ended_by == "max_turns":
                self.final = FinalVerdict(
                    0,
                    [
                        Finding("max_turns", f"no final answer within {self.task.max_turns} turns"),
                        *self.final.findings,
                    ],
                    self.final.diff,
                )
        return step

    def _tell_user(self, message: str) -> UserReply:
        """The user's reply to the agent's ``message``, kept in the transcript."""
        assert self.user is not None
        self.transcript.append(("assistant", message))
        replies = sum(1 for role, _ in self.transcript if role == "assistant")
        view = UserView(self.task, message, tuple(self.transcript), tuple(self.calls), replies)
        reply = self.user.reply(view)
        if reply.text is not None:
            self.transcript.append(("user", reply.text))
        self.revealed.update(reply.reveals)
        if reply.turn is not None and reply.turn in self._confirm_turns:
            self.confirmed = True
        return reply

    def _final(self, answer: str | None) -> FinalVerdict:
        revealed = self.revealed if self.user is not None else None
        return final_for_task(self.task, self.state, answer, self.messages(), revealed)

    def messages(self) -> list[str]:
        """The assistant's messages so far: the text of each response (sent with tool calls
        or as the answer), for answer checks with ``scope: any``."""
        out: list[str] = []
        for step in self.steps:
            for text in (step.parsed.thought, step.parsed.answer):
                if isinstance(text, str) and text.strip():
                    out.append(text)
        return out

    def _own(self, touched: str | AbstractSet[str] | None, *, deep: bool = False) -> None:
        """Make what a call is about to write this episode's own (see :meth:`fork`): the
        container of each collection (records are shared, and replaced, never changed), or
        with ``deep`` all of it (for an operation that may change records in place)."""
        if not touched or self._owned is None:  # a read: nothing to copy
            return
        names = (touched,) if isinstance(touched, str) else sorted(touched)
        if EVERYTHING in names:
            self.state = copy_json(self.state)
            self._owned = None
            return
        for name in names:
            if name in self._owned and (self._owned[name] or not deep):
                continue
            if not self._owned:  # the first write: the top-level mapping itself
                self.state = dict(self.state)
            value = self.state.get(name)
            if value is not None:
                shallow = not deep and is_collection(value)
                self.state[name] = clone(value) if shallow else copy_json(value)
            self._owned[name] = deep

    def _run_call(self, call: Any) -> CallRecord:
        verdict = self._verifier.verify(call)
        if not verdict.ok:
            finding = Finding(verdict.error_type or "invalid", verdict.message)
            return CallRecord(
                call.name,
                call.arguments,
                False,
                verdict.error_type,
                f"error: {verdict.message}",
                [finding],
            )
        assert verdict.args is not None
        plan = self._plans.get(verdict.name)
        if plan is None:
            plan = _plan(self._envs[verdict.name], self.task, self.trust)
            self._plans[verdict.name] = plan
        env = plan.env
        if plan.touched:
            self._own(plan.touched, deep=plan.deep)
        fault = (
            fault_for(
                self.task.id, self.task.faults, len(self.calls), env.name, run_seed=self.run_seed
            )
            if self.faults and self.task.faults is not None
            else None
        )
        ok, content, error_type, stored = outcome(
            env, verdict.args, self.state, trusted=plan.trusted, fault=fault
        )
        faulted = error_type is not None and error_type.startswith("fault:")  # as Observation
        executed = Call(env.name, verdict.args, env.effect, faulted, ok)
        findings = (
            evaluate_action(self.task, executed, self.calls, confirmed=self.confirmed)
            if self.task.action_checks
            else []
        )
        self.calls.append(executed)
        return CallRecord(
            call.name,
            verdict.args,
            True,
            error_type,
            observation_text(ok, content, stored),
            findings,
            env.terminal and ok,
        )

    def finish(self, answer: str | None = None) -> FinalVerdict:
        """End the episode now with ``answer`` as the agent's final answer (``None``: it gave
        none), and run the final evaluator. For drivers that see the conversation end
        outside the episode, such as an RL trainer's tool loop; a finished episode keeps
        its verdict. As at the turn limit, an episode without an answer scores 0."""
        if self.final is not None:
            return self.final
        self.answer = answer
        self.done = True
        self.ended_by = "finish"
        final = self._final(answer)
        if answer is None:
            final = FinalVerdict(
                0,
                [Finding("no_answer", "the episode ended without a final answer"), *final.findings],
                final.diff,
            )
        self.final = final
        return final

    @property
    def action_scores(self) -> list[int]:
        return [s.score for s in self.steps]

    def final_json(self) -> FinalEntry | None:
        if self.final is None:
            return None
        return {
            "score": self.final.score,
            "errors": [f.as_json() for f in self.final.findings],
            "diff": dict(self.final.diff),
        }

    def record(self, *, full_state: bool = False) -> TrajectoryRecord:
        """The whole trajectory, as JSON-ready data. The final state is kept as a JSON Patch
        against the task's initial state (``final_state_patch``; see
        :func:`~taskkit.sim.patch.final_state`), or in full (``final_state``) when asked."""
        record: TrajectoryRecord = {
            "task_id": self.task.id,
            "pack": self.task.pack,
            "category": self.task.category,
            "task": self.task.task,
            "format": self.format.name,
            "run_seed": self.run_seed,
            "steps": [s.as_json() for s in self.steps],
            "answer": self.answer,
            "ended_by": self.ended_by,
            "user": self.user.settings() if self.user is not None else None,
            "final": self.final_json(),
            "action_scores": self.action_scores,
            "task_score": self.final.score if self.final else 0,
        }
        if full_state:
            record["final_state"] = self.state
        else:
            record["final_state_patch"] = make_patch(self.task.initial_state, self.state)
        return record
