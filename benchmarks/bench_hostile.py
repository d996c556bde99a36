#!/usr/bin/env python3
"""The hostile-input suite's closing note: its size per class, the outcomes, and the largest
time and memory any input took.

    python benchmarks/bench_hostile.py [--json PATH]

Runs ``tests/hostile`` once with pytest (the corpus through the CLI, one forked child an
input, and the hostile model output through the episode API, Hypothesis included) with
``TASKKIT_HOSTILE_SUMMARY`` naming a folder, and prints what the suite wrote there: per
class, the inputs and their exit codes; the largest wall time, CPU time and peak RSS of
any CLI input; per response format, the responses tried and the slowest step. The suite's
promise: every input exits 0, 1 or 2 (or ends in a step verdict), within 5 s and 500 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "hostile"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the summary here.")
    args = parser.parse_args()
    from harness import print_summary

    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        env = {**os.environ, "TASKKIT_HOSTILE_SUMMARY": tmp}
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/hostile"],
            cwd=REPO,
            env=env,
            check=False,  # its exit code is reported, and is this script's
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        tail = done.stdout.strip().splitlines()[-1:] or ["(no output)"]
        print(f"pytest tests/hostile: exit {done.returncode}, {tail[0]} ({wall:.0f} s)")
        inputs = json.loads(Path(tmp, "inputs.json").read_text(encoding="utf-8"))
        model = json.loads(Path(tmp, "model_output.json").read_text(encoding="utf-8"))
    print_summary(inputs)
    print(f"model output: peak RSS of the whole in-process suite {model['peak_rss_mib']} MiB")
    for fmt, n in model["responses"].items():
        print(f"  {fmt:10} {n:5} responses, slowest step {model['slowest_step_s'][fmt]:.3f} s")
    if args.json is not None:
        args.json.write_text(json.dumps({"inputs": inputs, "model_output": model}, indent=2))
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
