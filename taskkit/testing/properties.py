"""The properties every task of a pack must have, each a plain function
``(case, profile) -> PropertyResult``; ``taskkit test`` and the pytest plugin run the same.

- ``renders``: every schema-valid content entry renders and its gold actions are valid
  calls (a failure names the fields that break it);
- ``gold_replay``: the answer key scores 1 on every real entry;
- ``noop_fails``: an agent that does nothing scores 0 (no vacuous rewards);
- ``mutations_caught``: every mistake class of the ``mutant`` agent, at every gold step, is
  caught with its error type;
- ``never_asking_fails``: in a task whose gold conversation needs hidden facts of the user
  (``user.needs``), an agent that plays the gold calls without ever asking scores 0;
- ``deterministic``: compiling again, or from a fresh load, gives identical tasks;
- ``round_trip``: every document of the task survives YAML -> model -> YAML -> model.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from ..agents.noop import NoopAgent
from ..agents.replay import ReplayAgent
from ..library import Entry
from ..models import CompiledTask
from ..runs.episodes import run_episode
from ._agents import NeverAsksAgent, OneMistakeAgent
from ._outcome import entry_example, not_compiled, result, skipped
from ._renders import renders
from ._stability import deterministic, round_trip
from .case import TaskCase
from .profiles import Profile
from .results import PropertyFinding, PropertyResult
from .strategies import mutation_cases

__all__ = [
    "PROPERTIES",
    "Property",
    "deterministic",
    "gold_replay",
    "mutations_caught",
    "never_asking_fails",
    "noop_fails",
    "renders",
    "round_trip",
]


class Property(Protocol):
    def __call__(self, case: TaskCase, profile: Profile) -> PropertyResult: ...


def gold_replay(case: TaskCase, profile: Profile) -> PropertyResult:
    started = time.perf_counter()
    findings: list[PropertyFinding] = []
    for entry, compiled in case.instances:
        if (broken := not_compiled(entry, compiled)) is not None:
            findings.append(broken)
            continue
        assert isinstance(compiled, CompiledTask)
        for fmt in profile.formats:
            episode = run_episode(
                compiled, ReplayAgent(), fmt, seed=profile.seed, trust=case.unit.trust
            )
            final = episode.final
            if final is not None and final.score == 1 and set(episode.action_scores) <= {1}:
                continue
            steps = [
                f"step {s.index + 1}: {', '.join(s.error_types)}"
                for s in episode.steps
                if s.score == 0
            ]
            why = "; ".join([*steps, final.explain() if final else "no final verdict"])
            example, label = entry_example(entry)
            findings.append(
                PropertyFinding(
                    f"the gold replay ({fmt}) does not score 1: {why}",
                    example,
                    label,
                    case.path,
                    case.line,
                )
            )
            break
    note = "" if case.entries else "the dataset has no entries"
    return result(case, "gold_replay", len(case.instances), findings, started=started, note=note)


def _asks_for_work(task: CompiledTask) -> bool:
    expect = task.final.expect
    return bool(task.final.gold_actions or expect.answer is not None or expect.diff)


def _why_noop_passes(task: CompiledTask) -> str:
    expect = task.final.expect
    if expect.answer is not None:
        return "the answer check accepts an answer that does nothing"
    if expect.state == "ignore" and not expect.diff:
        return "the final evaluator checks neither the state nor the answer"
    return "the gold actions leave the checked state as it was, and no answer is checked"


def noop_fails(case: TaskCase, profile: Profile) -> PropertyResult:
    started = time.perf_counter()
    compiled = [(e, c) for e, c in case.instances if isinstance(c, CompiledTask)]
    if compiled and not any(_asks_for_work(c) for _, c in compiled):
        return skipped(case, "noop_fails", "the task asks for no work", started)
    passed: list[tuple[Entry, CompiledTask, str | None]] = []
    for entry, task in compiled:
        episode = run_episode(task, NoopAgent(), faults=False, trust=case.unit.trust)
        if episode.final is not None and episode.final.score == 1:
            passed.append((entry, task, episode.answer))
    testing = case.unit.task.testing
    allowed = testing is not None and "noop_passes" in testing.allow
    on = (
        "every entry"
        if len(passed) == len(compiled)
        else f"{len(passed)} of {len(compiled)} entries"
    )
    if allowed and testing is not None:
        return _allowed_noop(case, len(compiled), on if passed else "", testing.reason, started)
    findings: list[PropertyFinding] = []
    if passed:  # one reason for the whole task: report it once, with the first entry
        entry, task, answer = passed[0]
        example, label = entry_example(entry)
        findings.append(
            PropertyFinding(
                f"an agent that does nothing scores 1 on {on}: {_why_noop_passes(task)} "
                f"(it answered {answer!r})",
                example,
                label,
                case.path,
                case.unit.ld.doc.locate(("final",))[0],
                hint="check the answer (expect.answer), or the state the gold actions write; "
                "a task where doing nothing is right declares it: "
                "testing: {allow: [noop_passes], reason: ...}",
            )
        )
    return result(case, "noop_fails", len(compiled), findings, started=started)


def _allowed_noop(
    case: TaskCase, tried: int, passes_on: str, reason: str, started: float
) -> PropertyResult:
    """The result of ``noop_fails`` for a task that declares ``allow: [noop_passes]``."""
    seconds = time.perf_counter() - started
    if passes_on:
        note = f"allowed (an agent that does nothing scores 1 on {passes_on}): {reason}"
        return PropertyResult(case.key, "noop_fails", "allowed", tried, (), note, seconds)
    warning = PropertyFinding(
        "testing.allow lists noop_passes, but an agent that does nothing fails this task anyway",
        path=case.path,
        line=case.unit.ld.doc.locate(("testing", "allow"))[0],
        hint="remove the exception",
    )
    return PropertyResult(
        case.key, "noop_fails", "pass", tried, (), "", seconds, warnings=(warning,)
    )


def _noop_allowed(case: TaskCase) -> bool:
    testing = case.unit.task.testing
    return testing is not None and "noop_passes" in testing.allow


def mutations_caught(case: TaskCase, profile: Profile) -> PropertyResult:
    started = time.perf_counter()
    findings: list[PropertyFinding] = []
    tried = 0
    classes: set[str] = set()
    for index in case.sample(profile, "mutations_caught"):
        entry, task = case.instances[index]
        if not isinstance(task, CompiledTask):
            continue  # gold_replay reports it
        for mc in mutation_cases(task):
            if mc.mutation == "premature_answer" and _noop_allowed(case):
                continue  # answering before any work is doing nothing: the task allows it
            tried += 1
            classes.add(mc.mutation)
            agent = OneMistakeAgent(mc.mutation, mc.step)
            episode = run_episode(task, agent, faults=False, trust=case.unit.trust)
            errors = {t for s in episode.steps for t in s.error_types}
            errors |= {f.type for f in episode.final.findings} if episode.final else set()
            if errors & mc.expected:
                continue
            made: dict[str, Any] = {
                "entry": entry.id,
                "gold_step": mc.step + 1,
                "mutation": mc.mutation,
            }
            if agent.made is not None:
                made["call"] = {"tool": agent.made.name, "arguments": agent.made.arguments}
            else:
                made["answer"] = "All done."
            findings.append(
                PropertyFinding(
                    f"{mc.mutation} at gold step {mc.step + 1} is not caught: expected one of "
                    f"{', '.join(sorted(mc.expected))}; the evaluators reported "
                    f"{', '.join(sorted(errors)) or 'nothing'}",
                    made,
                    "the mistake the evaluators let through",
                    case.path,
                    case.unit.ld.doc.locate(("final", "expect"))[0],
                    hint=_MUTATION_HINTS.get(mc.mutation, _VERIFIER_HINT),
                )
            )
    if classes:
        note = f"classes: {', '.join(sorted(classes))}"
    else:
        note = "no gold actions to mutate" if case.entries else "the dataset has no entries"
    return result(case, "mutations_caught", tried, findings, started=started, note=note)


def never_asking_fails(case: TaskCase, profile: Profile) -> PropertyResult:
    started = time.perf_counter()
    needing = [
        (e, c)
        for e, c in case.instances
        if isinstance(c, CompiledTask) and c.user is not None and c.user.needs
    ]
    if not needing:
        note = "no hidden fact of a user is needed" if case.instances else "no entries"
        return skipped(case, "never_asking_fails", note, started)
    passed: list[tuple[Entry, CompiledTask]] = []
    for entry, task in needing:
        episode = run_episode(task, NeverAsksAgent(), faults=False, trust=case.unit.trust)
        if episode.final is not None and episode.final.score == 1:
            passed.append((entry, task))
    findings: list[PropertyFinding] = []
    if passed:  # one reason for the whole task: reported once, with the first entry
        entry, task = passed[0]
        needs = ", ".join(task.user.needs) if task.user is not None else ""
        example, label = entry_example(entry)
        findings.append(
            PropertyFinding(
                f"an agent that never asks scores 1 on {len(passed)} of {len(needing)} "
                f"entries: the gold conversation needs the hidden facts {needs}, yet the "
                "user reveals them unasked",
                example,
                label,
                case.path,
                case.unit.ld.doc.locate(("user", "turns"))[0],
                hint="reveal a hidden fact only in reply to a question (an asks, asks_regex "
                "or confirm trigger), not on `reply: N` or `after_call`",
            )
        )
    return result(case, "never_asking_fails", len(needing), findings, started=started)


_MUTATION_HINTS = {
    "answers_without_asking": "an agent that never speaks to the user must fail: the user "
    "should reveal the facts the gold path needs only when asked (asks, asks_regex or "
    "confirm triggers)",
    "writes_without_confirmation": "a write without the user's confirmation before it must "
    "fail: check it (action_checks: - check: confirm_before_write)",
    "wrong_value": "the final evaluator must see a wrong write: compare the collection it "
    "writes (state: matches_gold, ignoring only generated ids) or assert on the diff",
    "premature_answer": "answering before the work is done must fail: check the answer "
    "(expect.answer) or the state the remaining gold actions write",
}
_VERIFIER_HINT = "the verifier should catch this on its own: please report it as a taskkit bug"


PROPERTIES: dict[str, Property] = {
    "renders": renders,
    "gold_replay": gold_replay,
    "noop_fails": noop_fails,
    "mutations_caught": mutations_caught,
    "never_asking_fails": never_asking_fails,
    "deterministic": deterministic,
    "round_trip": round_trip,
}
"""Every property, in the order they run and are reported."""
