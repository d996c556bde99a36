#!/usr/bin/env python3
"""What a scripted user's turn adds to a simulator step (issue 19: target <= 100 us).

    python benchmarks/bench_user.py [--runs 7] [--episodes 2000] [--format openai]
                                    [--clock wall|cpu]

The test pack of ``tests/users/packs`` (a task with a user block), one ``Episode.step`` per
fresh episode (built outside the timing), with the agent's message "What is the new
address?":

- ``plain``: the same task without its user: the message is the final answer (the episode
  ends, the final evaluator runs);
- ``stop``: with its scripted user, told something no turn matches (``otherwise: stop``):
  every trigger is tried, the user stops, the episode ends as in ``plain`` (plus the
  ``hidden_not_asked`` check). ``stop - plain`` is the cost of a user turn;
- ``reply``: with its user, a message that fires the first turn: the reply is rendered as
  the next observation and the episode goes on (no final evaluation, so it may be cheaper
  than ``plain``).

Each is the median over ``--runs`` of the mean per step; ``--clock cpu`` measures this
process's CPU time (on a shared machine wall time mostly measures the others).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKS = HERE.parent / "tests" / "users" / "packs"
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def _per_step(task: Any, fmt: Any, message: str, *, episodes: int, runs: int, clock: Any) -> float:
    from taskkit.sim.episode import Episode

    response = fmt.write(answer=message)
    means = []
    for _ in range(runs):
        batch = [Episode(task, fmt, faults=False) for _ in range(episodes)]
        start = clock()
        for episode in batch:
            episode.step(response)
        means.append((clock() - start) / episodes)
    return float(statistics.median(means))


def main() -> int:
    from taskkit.compiler import compile_paths
    from taskkit.sim.formats import get_format

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--format", default="openai")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    result = compile_paths([PACKS])
    if not result.ok:
        raise SystemExit("\n".join(d.text() for d in result.diagnostics))
    task = result.tasks[0]
    fmt = get_format(args.format)
    clock = CLOCKS[args.clock]
    sizes = {"episodes": args.episodes, "runs": args.runs, "clock": clock}
    ask = "What is the new address?"
    plain = _per_step(task.model_copy(update={"user": None}), fmt, ask, **sizes)
    stop = _per_step(task, fmt, "Thanks, all done.", **sizes)
    reply = _per_step(task, fmt, ask, **sizes)
    print(f"{args.episodes} episodes x {args.runs} runs, {args.format} format, {args.clock} clock")
    print(f"  plain answer (no user)       {plain * 1e6:8.1f} us per step")
    print(f"  answer, the user stops       {stop * 1e6:8.1f} us per step")
    print(f"  message, the user replies    {reply * 1e6:8.1f} us per step")
    print(f"  a user turn adds (stop - plain) {(stop - plain) * 1e6:.1f} us; target <= 100 us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
