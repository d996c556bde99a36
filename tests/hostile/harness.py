"""Run hostile inputs through the taskkit CLI, one child process each, under limits.

Each class of input is a folder beside this file holding ``cases.py``, whose ``CASES`` is a
list of :class:`Case`: a builder that writes the input into an empty folder and returns the
``taskkit`` arguments to run on it. Every input must end with exit 0, 1 or 2, without a
traceback, within :data:`SECONDS` of wall time and :data:`MEMORY` bytes.

The inputs run in a fresh Python process that has imported taskkit once and forks one child
per input (``os.fork``: a new interpreter per input would spend most of the budget starting
up). The child gets an address-space cap (``RLIMIT_AS``), a CPU cap, its own process group
(so a stuck grandchild is killed with it) and ``/dev/null`` as stdin; the parent measures its
wall time and reads its peak RSS and CPU time from ``os.wait4``.

``python tests/hostile/harness.py [--json PATH]`` runs the whole corpus and prints the size of
each class, the outcomes, and the largest time and memory any input took (and writes them
as JSON: ``benchmarks/bench_hostile.py`` reports them). The pytest run writes the same
summary to ``$TASKKIT_HOSTILE_SUMMARY/inputs.json`` when that folder is named.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SECONDS = float(os.environ.get("TASKKIT_HOSTILE_SECONDS", "5"))
"""The time budget of one input: CPU time always; wall time on an idle machine. On a busy
one (load above its cores) the wall budget grows in proportion, so that a CI box shared
with other jobs does not fail inputs that are fast on their own."""
MEMORY = 500 * 2**20
"""The peak-RSS budget of one input, and the address space it may add to the runner's."""
ALLOWED_EXITS = frozenset({0, 1, 2})


@dataclass(frozen=True)
class Case:
    """One hostile input: ``build(folder)`` writes it and returns taskkit's arguments."""

    name: str
    build: Callable[[Path], Sequence[str]]
    exits: frozenset[int] = ALLOWED_EXITS
    """The exit codes this input may end with (a subset of 0, 1, 2)."""
    needs: str | None = None
    """Text the output must hold (a rule id, a word of the message): the input is not just
    survived but reported."""
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    exit: int | None
    """The exit code; ``None`` when killed (see ``signal``)."""
    signal: int | None
    wall: float
    cpu: float
    max_rss: int
    """Peak resident set size, bytes (of the child and the children it waited for)."""
    stdout: str
    stderr: str
    load: float = 1.0
    """The machine's 1-minute load per core when the input ended (at least 1)."""

    def problems(self, case: Case) -> list[str]:
        """Why this outcome breaks the suite's promise for ``case`` (empty: it keeps it)."""
        out: list[str] = []
        text = self.stdout + self.stderr
        if self.exit is None:
            out.append(f"killed by signal {self.signal} (hang or cap)")
        elif self.exit not in case.exits:
            out.append(f"exit {self.exit}, expected one of {sorted(case.exits)}")
        if "Traceback (most recent call last)" in text or "internal error" in text:
            out.append("traceback / internal error")
        if self.cpu > SECONDS:
            out.append(f"took {self.cpu:.2f} s of CPU > {SECONDS} s")
        if self.wall > SECONDS * self.load:
            out.append(f"took {self.wall:.2f} s > {SECONDS * self.load:.1f} s (load {self.load})")
        if self.max_rss > MEMORY:
            out.append(f"peak RSS {self.max_rss / 2**20:.0f} MiB > {MEMORY / 2**20:.0f} MiB")
        if case.needs is not None and case.needs not in text:
            out.append(f"output lacks {case.needs!r}")
        return out


MINI: dict[str, str] = {
    "pack.yaml": (
        "kind: pack\nschema_version: 1\nname: mini\nversion: 1.0.0\n"
        "title: A small shop\nlicense: MIT\n"
    ),
    "tools/shop.yaml": """kind: toolset
schema_version: 1
name: shop
tools:
  - name: find_item
    description: Find items by name.
    parameters:
      type: object
      properties:
        name: {type: string}
      required: [name]
    behavior:
      select: items
      where: {name: "{{ args.name }}"}
""",
    "content/items.yaml": """kind: content
schema_version: 1
name: items
fields:
  type: object
  properties:
    item: {type: string}
  required: [item]
entries:
  - {id: pen, item: pen}
""",
    "tasks/find.yaml": """kind: task
schema_version: 1
id: find
version: 1
category: data
difficulty: easy
tools: [shop.find_item]
content: items
user_command: Find the {{ item }}.
initial_state:
  items: [{id: i-1, name: "{{ item }}"}]
final:
  gold_actions:
    - {tool: shop.find_item, args: {name: "{{ item }}"}}
  answer: "{{ item }}"
""",
}
"""A small valid pack: lint 0 errors, compile one task. Cases change one file of it."""


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``folder``; return it."""
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return folder


def mini(folder: Path, **changes: str | bytes | None) -> Path:
    """The :data:`MINI` pack in ``folder/mini`` with files replaced (``None``: left out);
    keyword names are paths with ``__`` for ``/`` and ``_yaml`` for ``.yaml``."""
    files: dict[str, str | bytes | None] = dict(MINI)
    for key, data in changes.items():
        files[key.replace("__", "/").replace("_yaml", ".yaml").replace("_jsonl", ".jsonl")] = data
    return write(folder / "mini", {k: v for k, v in files.items() if v is not None})


def classes() -> dict[str, list[Case]]:
    """Every class of the corpus: each folder here with a ``cases.py``."""
    found: dict[str, list[Case]] = {}
    for path in sorted(HERE.glob("*/cases.py")):
        spec = importlib.util.spec_from_file_location(f"hostile_{path.parent.name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found[path.parent.name] = list(module.CASES)
    return found


# -- the runner process ------------------------------------------------------------------


def _child(argv: Sequence[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    """In the forked child: limits, redirections, then the CLI as ``python -m taskkit``."""
    code = 3
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        # The cap is on address space the input may *add*: the runner's own (its imports,
        # arenas reserved by native libraries) is mostly reserved, not resident; the RSS
        # budget below is the real measure.
        cap = _address_space() + MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cpu = int(SECONDS * 2) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        os.chdir(cwd)
        os.environ.update(env)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        from taskkit.cli.main import main

        try:
            main(list(argv))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def run_one(argv: Sequence[str], cwd: str, env: dict[str, str] | None = None) -> Outcome:
    """Fork, run ``taskkit ARGV`` in ``cwd``, wait (killing it after twice the budget)."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        sys.stdout.flush()
        sys.stderr.flush()
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(argv, cwd, env or {}, out, err)
        killed = False
        while True:
            wpid, status, usage = os.wait4(pid, os.WNOHANG)
            if wpid:
                break
            if not killed and time.monotonic() - start > min(2 * SECONDS * _load(), 60):
                for kill in (os.killpg, os.kill):
                    with contextlib.suppress(OSError):
                        kill(pid, signal.SIGKILL)
                killed = True
            time.sleep(0.005)
        wall = time.monotonic() - start
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)  # workers it left behind
        return Outcome(
            exit=os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None,
            signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            max_rss=usage.ru_maxrss * 1024,
            stdout=Path(out).read_text(errors="replace")[-4000:],
            stderr=Path(err).read_text(errors="replace")[-4000:],
            load=_load(),
        )


def _address_space() -> int:
    """This process's virtual memory size, bytes."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _load() -> float:
    return round(max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1)), 2)


def _serve() -> None:
    """Read ``[argv, cwd, env]`` jobs (one JSON array a line), answer each with its outcome."""
    # Imported once, before the forks: each input then pays for its own work only.
    import importlib

    for module in (
        "taskkit.cli.main",
        "taskkit.library",
        "taskkit.compiler",
        "taskkit.lint.linter",
        "taskkit.lint.registry",
        "taskkit.importers",
        "taskkit.runs.episodes",
        "taskkit.datagen",
        "taskkit.cli.lint_cmd",
        "taskkit.cli.compile_cmd",
        "taskkit.cli.run_cmd",
        "taskkit.cli.generate_cmd",
        "taskkit.cli.import_cmd",
    ):
        importlib.import_module(module)

    for line in sys.stdin:
        argv, cwd, env = json.loads(line)
        print(json.dumps(asdict(run_one(argv, cwd, env))), flush=True)


Job = tuple[Sequence[str], str, dict[str, str]]


def run_all(
    jobs: Sequence[Job], *, each: Callable[[int, Outcome], None] | None = None
) -> list[Outcome]:
    """Run ``jobs`` in a fresh runner process (``python harness.py --serve``); ``each`` is
    told of every outcome as it comes."""
    with tempfile.TemporaryFile("w+") as requests:
        requests.write("".join(json.dumps([list(a), c, e]) + "\n" for a, c, e in jobs))
        requests.seek(0)
        with subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdin=requests, stdout=subprocess.PIPE, text=True
        ) as proc:
            assert proc.stdout is not None
            outcomes = []
            for line in proc.stdout:
                outcomes.append(Outcome(**json.loads(line)))
                if each is not None:
                    each(len(outcomes) - 1, outcomes[-1])
        if proc.returncode != 0 or len(outcomes) != len(jobs):
            raise RuntimeError(f"the runner stopped after {len(outcomes)} of {len(jobs)} inputs")
    return outcomes


def build(case: Case, folder: Path) -> tuple[list[str], str, dict[str, str]]:
    """Write ``case``'s input into ``folder``; the job that runs it there."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        "TASKKIT_CACHE_DIR": str(folder / ".cache"),
        "XDG_CONFIG_HOME": str(folder / ".config"),
        **case.env,
    }
    return [*case.build(folder)], str(folder), env


def summary(named: Sequence[tuple[str, Case]], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """What the suite's closing note reports: the size of each class and its outcomes, the
    inputs that broke a promise, and the largest time and memory any input took."""
    per_class: dict[str, Counter[str]] = {}
    failing: list[str] = []
    for (klass, case), outcome in zip(named, outcomes, strict=True):
        if outcome.problems(case):
            failing.append(f"{klass}/{case.name}")
        per_class.setdefault(klass, Counter())[f"exit {outcome.exit}"] += 1
    pairs = list(zip(outcomes, named, strict=True))

    def largest(value: Callable[[Outcome], float]) -> dict[str, Any]:
        outcome, (klass, case) = max(pairs, key=lambda p: value(p[0]))
        return {"input": f"{klass}/{case.name}", "value": value(outcome), "load": outcome.load}

    return {
        "classes": {
            k: {"inputs": sum(c.values()), "outcomes": dict(sorted(c.items()))}
            for k, c in per_class.items()
        },
        "inputs": len(outcomes),
        "failing": failing,
        "largest_wall_s": largest(lambda o: round(o.wall, 3)),
        "largest_cpu_s": largest(lambda o: round(o.cpu, 3)),
        "largest_rss_mib": largest(lambda o: round(o.max_rss / 2**20, 1)),
    }


def print_summary(doc: dict[str, Any]) -> None:
    for klass, row in doc["classes"].items():
        print(f"{klass:14} {row['inputs']:4} inputs  {row['outcomes']}")
    print(f"total {doc['inputs']} inputs, {len(doc['failing'])} failing")
    wall, cpu, rss = doc["largest_wall_s"], doc["largest_cpu_s"], doc["largest_rss_mib"]
    print(
        f"largest wall time {wall['value']:.2f} s ({wall['input']}; "
        f"machine load {wall['load']} per core)"
    )
    print(f"largest CPU time  {cpu['value']:.2f} s ({cpu['input']})")
    print(f"largest peak RSS  {rss['value']:.0f} MiB ({rss['input']})")


def _report(json_out: str | None = None) -> int:
    corpus = classes()
    with tempfile.TemporaryDirectory() as tmp:
        named = [(k, c) for k, cases in corpus.items() for c in cases]
        jobs = [build(c, Path(tmp) / k / c.name) for k, c in named]

        def each(i: int, outcome: Outcome) -> None:
            problems = outcome.problems(named[i][1])
            if problems:
                print(f"FAIL {named[i][0]}/{named[i][1].name}: {'; '.join(problems)}", flush=True)
                print("   ", (outcome.stdout + outcome.stderr)[-600:].replace("\n", "\n    "))

        outcomes = run_all(jobs, each=each)
        for path in Path(tmp).rglob("*"):  # let the cleanup in (cases may remove rights)
            if not path.is_symlink():
                os.chmod(path, 0o700)
    doc = summary(named, outcomes)
    print_summary(doc)
    if json_out is not None:
        Path(json_out).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 1 if doc["failing"] else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        _serve()
    elif sys.argv[1:2] == ["--json"] and len(sys.argv) == 3:
        sys.exit(_report(sys.argv[2]))
    else:
        sys.exit(_report())
