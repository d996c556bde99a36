"""The task list's timings, read from the page's own performance measures (ms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.support.ui import WebDriverWait

# Set a filter, then wait two animation frames: the time includes style, layout and paint.
_FILTER = """
const [id, value, done] = arguments;
const el = document.getElementById(id);
const t0 = performance.now();
el.value = value;
el.dispatchEvent(new Event(el.tagName === "INPUT" ? "input" : "change"));
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
"""


def open_page(driver: Any, url: str) -> None:
    """Load ``url`` and wait until the viewer has rendered its route."""
    driver.get("about:blank")
    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.dataset.ready !== undefined")
    )


def list_timings(driver: Any, page: Path) -> dict[str, float]:
    open_page(driver, page.as_uri() + "#/run/0/episodes")
    measure = driver.execute_script(
        "const m = performance.getEntriesByName('taskkit:list').pop();"
        "return [m.duration, m.startTime + m.duration];"
    )
    out = {"list render": measure[0], "page load to list": measure[1]}
    driver.set_script_timeout(30)
    error = driver.execute_script(
        "const t = document.getElementById('filter-error');"
        "return t.options.length > 1 ? t.options[1].value : '';"
    )
    for name, (element, value) in {
        "filter to failed": ("filter-status", "failed"),
        "filter by error type": ("filter-error", error),
        "filter by text": ("filter-q", "install"),
    }.items():
        out[name] = driver.execute_async_script(_FILTER, element, value)
        driver.execute_async_script(_FILTER, element, "")  # back to everything
    return out


def rendered_count(driver: Any) -> tuple[int, int]:
    """(shown, total) from the list's count line."""
    text: str = driver.find_element("id", "count").text
    shown, _, total, *_ = text.split()
    return int(shown), int(total)
