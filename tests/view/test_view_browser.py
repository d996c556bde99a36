"""The viewer in a real browser (headless Chromium): the acceptance runs on the bundled
library, `taskkit view a.jsonl` and `taskkit compare a.jsonl b.jsonl`, checked page by page,
with a screenshot of each (see conftest.py for where they go)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from browser import console_errors
from click.testing import CliRunner
from selenium.webdriver.common.by import By
from timing import open_page, rendered_count
from view_records import read_jsonl

from taskkit.cli.main import cli

pytestmark = pytest.mark.slow


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def pages(runs_dir: Path, planted: dict) -> dict[str, Path]:
    a, b = str(runs_dir / "a.jsonl"), str(runs_dir / "b.jsonl")
    out = {name: runs_dir / f"{name}.html" for name in ("view", "compare", "planted", "gen")}
    invoke("view", a, "-o", str(out["view"]))
    invoke("compare", a, b, "--format", "html", "-o", str(out["compare"]))
    invoke("compare", a, str(planted["path"]), "--format", "html", "-o", str(out["planted"]))
    small = runs_dir / "out" / "small.jsonl"  # beside the shared worlds its tasks start from
    lines = (runs_dir / "out" / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:12]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["generate", str(small), "-o", str(runs_dir / "gen"), "-k", "3", "--agent", "mutant"]
    )
    assert result.exit_code == 0, result.output
    invoke("view", str(runs_dir / "gen"), "-o", str(out["gen"]))
    return out


@pytest.fixture(autouse=True)
def no_console_errors(driver):
    console_errors(driver)  # drop what an earlier test left
    yield
    assert console_errors(driver) == []
    banner = driver.find_element(By.ID, "banner").text
    assert "error" not in banner, banner


def url(page: Path, route: str) -> str:
    return page.as_uri() + route


def list_keys(driver) -> list[str]:
    """Every key the virtualised list holds, scrolling it from top to bottom."""
    return driver.execute_script(
        """
        const list = document.getElementById("list");
        const keys = new Set();
        for (let y = 0; ; y += list.clientHeight / 2) {
          list.scrollTop = y;
          list.dispatchEvent(new Event("scroll"));
          for (const row of list.querySelectorAll(".row")) keys.add(row.dataset.key);
          if (y > list.scrollHeight) break;
        }
        list.scrollTop = 0;
        list.dispatchEvent(new Event("scroll"));
        return [...keys];
        """
    )


def test_summary_numbers_equal_the_report(driver, pages, runs_dir, screenshot):
    report = json.loads(invoke("report", str(runs_dir / "a.jsonl"), "--json"))
    open_page(driver, url(pages["view"], "#/run/0"))
    for key in ("episodes", "tasks_passed", "task_pass_rate", "action_pass_rate"):
        cell = driver.find_element(By.ID, f"overall-{key}")
        assert float(cell.get_attribute("data-value")) == report["overall"][key]
    rate = report["overall"]["task_pass_rate"]
    assert driver.find_element(By.ID, "overall-task_pass_rate").text == f"{rate:.3f}"
    for level in ("pack", "category", "task"):
        rows = driver.find_elements(By.CSS_SELECTOR, f"#by-{level} tbody tr")
        shown = {
            r.get_attribute("data-name"): [c.text for c in r.find_elements(By.TAG_NAME, "td")]
            for r in rows
        }
        assert set(shown) == set(report[f"by_{level}"])
        for name, cells in shown.items():
            want = report[f"by_{level}"][name]
            assert int(cells[1]) == want["episodes"] and int(cells[2]) == want["tasks_passed"]
            assert cells[3] == f"{want['task_pass_rate']:.3f}"
            assert cells[6] == f"{want['action_pass_rate']:.3f}"
    settings = driver.find_element(By.ID, "settings").text
    assert "agent mutant" in settings and "format openai" in settings
    charts = driver.find_elements(By.CSS_SELECTOR, ".charts figure svg")
    assert len(charts) == 3
    screenshot(
        driver,
        "view-summary",
        "taskkit view a.jsonl: settings, pass rates with intervals, charts, tables by level",
        full=True,
    )


def test_filter_to_failed_shows_exactly_the_failed(driver, pages, runs_dir, screenshot):
    records = read_jsonl(runs_dir / "a.jsonl")
    failed = sorted(r["task_id"] for r in records if r["task_score"] != 1)
    open_page(driver, url(pages["view"], "#/run/0/episodes"))
    assert rendered_count(driver) == (len(records), len(records))
    driver.find_element(By.CSS_SELECTOR, "#filter-status option[value=failed]").click()
    assert rendered_count(driver) == (len(failed), len(records))
    assert sorted(list_keys(driver)) == failed
    assert driver.execute_script("return location.hash") == "#/run/0/episodes?status=failed"
    screenshot(driver, "view-episodes-failed", "task list filtered to the failed episodes")
    # A filter in the URL is a permalink too.
    kind = "wrong_answer"
    with_kind = sorted(
        r["task_id"]
        for r in records
        if any(e["type"] == kind for e in (r["final"] or {}).get("errors", []))
        or any(e["type"] == kind for s in r["steps"] for e in s["errors"])
    )
    open_page(driver, url(pages["view"], f"#/run/0/episodes?error={kind}"))
    assert sorted(list_keys(driver)) == with_kind
    driver.find_element(By.ID, "filter-q").send_keys("calendar")
    assert sorted(list_keys(driver)) == [k for k in with_kind if "calendar" in k]


def test_opening_an_episode_shows_its_diff(driver, pages, runs_dir, screenshot):
    records = read_jsonl(runs_dir / "a.jsonl")
    changed = next(
        r
        for r in records
        if r["final"] and any("changed" in d for d in r["final"]["diff"].values())
    )
    collection, entry = next((c, d) for c, d in changed["final"]["diff"].items() if "changed" in d)
    change = entry["changed"][0]
    fields = set(change["before"]) | set(change["after"])
    differing = {f for f in fields if change["before"].get(f) != change["after"].get(f)}
    # From the list, by clicking: the URL becomes the episode's permalink.
    open_page(driver, url(pages["view"], "#/run/0/episodes?q=" + quote(changed["task_id"])))
    driver.find_element(By.CSS_SELECTOR, f"#list .row[data-key='{changed['task_id']}']").click()
    driver.find_element(By.CSS_SELECTOR, "#diff")
    permalink = driver.current_url
    assert permalink.endswith("#/run/0/episode/" + quote(changed["task_id"], safe=""))
    # The permalink opened afresh shows the same episode.
    open_page(driver, permalink)
    assert driver.find_element(By.ID, "episode-key").text == changed["task_id"]
    table = driver.find_element(By.CSS_SELECTOR, "#diff table[data-kind=changed]")
    assert collection in table.text
    highlighted = {
        row.get_attribute("data-field")
        for row in table.find_elements(By.CSS_SELECTOR, "tr[data-field]")
        if row.find_elements(By.CSS_SELECTOR, "td.changed")
    }
    assert highlighted == differing
    steps = driver.find_elements(By.CSS_SELECTOR, ".step")
    assert len(steps) == len(changed["steps"])
    checks = driver.find_element(By.ID, "final-checks").text
    for err in changed["final"]["errors"]:
        assert err["type"] in checks
    driver.execute_script("document.getElementById('diff').scrollIntoView()")
    screenshot(
        driver,
        "view-episode-diff",
        "one failed episode: final state vs gold, changed fields highlighted",
    )
    driver.execute_script("window.scrollTo(0, 0)")
    screenshot(driver, "view-episode", "one episode: result, step scores, steps with tool calls")


def test_compare_lists_the_flips(driver, pages, planted, runs_dir, screenshot):
    open_page(driver, url(pages["planted"], ""))
    assert driver.execute_script("return location.hash") == "#/compare"
    rows = driver.find_elements(By.CSS_SELECTOR, "#flips tr.flip")
    listed = [(r.get_attribute("data-flip"), r.get_attribute("data-key")) for r in rows]
    assert listed == [("regression", k) for k in sorted(planted["regressions"])] + [
        ("fix", k) for k in sorted(planted["fixes"])
    ]
    overall = driver.find_element(By.ID, "cmp-flips").text
    assert overall == f"{len(planted['regressions'])} regressions, {len(planted['fixes'])} fixes"
    screenshot(
        driver,
        "compare-planted",
        "compare a.jsonl vs a copy with 3 planted regressions and 2 fixes",
    )
    # A regression's B episode shows the planted diff, its changed field highlighted.
    rows[0].find_element(By.LINK_TEXT, "B's episode").click()
    driver.find_element(By.ID, "diff")
    assert driver.find_element(By.ID, "episode-key").text == sorted(planted["regressions"])[0]
    cells = driver.find_elements(By.CSS_SELECTOR, "#diff tr[data-field] td.changed")
    assert {c.find_element(By.XPATH, "..").get_attribute("data-field") for c in cells} == {"status"}
    screenshot(
        driver, "compare-regression-episode", "the first planted regression in run B: its diff"
    )

    open_page(driver, url(pages["compare"], "#/compare"))
    records = read_jsonl(runs_dir / "a.jsonl")
    fixes = sorted(r["task_id"] for r in records if r["task_score"] != 1)
    keys = [
        r.get_attribute("data-key") for r in driver.find_elements(By.CSS_SELECTOR, "#flips tr.flip")
    ]
    assert keys == fixes  # replay passes everything: every failure of mutant is a fix
    assert "0 regressions" in driver.find_element(By.ID, "cmp-flips").text
    assert driver.find_elements(By.CSS_SELECTOR, "#cmp-by-pack tr[data-name]")
    screenshot(
        driver,
        "compare-a-vs-b",
        "taskkit compare a.jsonl b.jsonl (mutant vs replay): flips and McNemar",
    )


def test_generate_output_shows_every_sample(driver, pages, runs_dir, screenshot):
    record = read_jsonl(runs_dir / "gen" / "trajectories.jsonl")[0]
    open_page(driver, url(pages["gen"], "#/run/0/episode/" + quote(record["task_id"], safe="")))
    samples = driver.find_elements(By.CSS_SELECTOR, ".sample")
    assert len(samples) == sum(len(s["samples"]) for s in record["steps"])
    chosen = driver.find_elements(By.CSS_SELECTOR, ".sample.chosen")
    assert len(chosen) == len(record["steps"])
    for step, element in zip(record["steps"], chosen, strict=True):
        assert int(element.get_attribute("data-sample")) == step["chosen"]
        assert "★ chosen" in element.text
    user = driver.find_element(By.CSS_SELECTOR, "pre.message-user").text
    assert user == record["head"][1]["content"]
    screenshot(
        driver,
        "generate-episode",
        "an explored episode of taskkit generate: samples, temperatures, chosen",
    )


def test_unknown_route_and_episode_say_so(driver, pages):
    open_page(driver, url(pages["view"], "#/run/0/episode/no-such-task"))
    assert 'no episode "no-such-task"' in driver.find_element(By.ID, "app").text
    open_page(driver, url(pages["view"], "#/elsewhere"))
    assert "no such page" in driver.find_element(By.ID, "app").text
