"""20,000 episodes: the HTML stays small and the task list stays fast in the browser
(timed with the page's own performance measures; the generation time is benchmarked by
benchmarks/bench_view.py, since a shared CI machine makes wall times noisy)."""

from __future__ import annotations

import json
import statistics
import time

import pytest
from click.testing import CliRunner
from timing import list_timings, rendered_count
from view_records import read_jsonl

from taskkit.cli.main import cli

pytestmark = pytest.mark.slow

EPISODES = 20_000


@pytest.fixture(scope="module")
def big(runs_dir, tmp_path_factory):
    base = read_jsonl(runs_dir / "a.jsonl")
    folder = tmp_path_factory.mktemp("view-scale")
    source = folder / "big.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for i in range(EPISODES):
            r = dict(base[i % len(base)])
            r["task_id"] = f"{r['task_id']}/copy{i // len(base)}"
            f.write(json.dumps(r) + "\n")
    page = folder / "big.html"
    start = time.perf_counter()
    result = CliRunner().invoke(cli, ["view", str(source), "-o", str(page)])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    print(f"\ntaskkit view on {EPISODES} episodes: {elapsed:.1f} s wall, "
          f"{page.stat().st_size / 1e6:.1f} MB")  # fmt: skip
    failed = sum(1 for i in range(EPISODES) if base[i % len(base)]["task_score"] != 1)
    return page, failed


def test_html_of_20000_episodes_is_small(big):
    page, _ = big
    assert page.stat().st_size <= 50e6


def test_list_of_20000_episodes_renders_and_filters_within_a_second(big, driver, screenshot):
    page, failed = big
    runs = [list_timings(driver, page) for _ in range(3)]
    timings = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    print("browser timings, medians of 3 (ms):", {k: round(v) for k, v in timings.items()})
    for name, ms in timings.items():
        assert ms <= 1000, (name, ms)
    assert rendered_count(driver) == (EPISODES, EPISODES)
    driver.find_element("css selector", "#filter-status option[value=failed]").click()
    assert rendered_count(driver) == (failed, EPISODES)
    screenshot(driver, "scale-20000-failed", f"the task list of {EPISODES} episodes, failed only")
