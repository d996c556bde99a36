"""`taskkit view --serve`: a run that is still writing shows up live in the browser."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from browser import console_errors
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from view_records import record

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    """`taskkit view --serve --port 0 live.jsonl` before the run has written anything."""
    path = tmp_path / "live.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "taskkit", "view", "--serve", "--port", "0", str(path)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stderr], [], [], 60)
        assert ready, "the server printed nothing within 60 s"
        line = proc.stderr.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        yield path, line.split()[1], proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        proc.stderr.close()


def append(path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def wait_for_count(driver, text: str) -> None:
    def shown(d) -> bool:
        try:
            return d.find_element(By.ID, "count").text.startswith(text)
        except (NoSuchElementException, StaleElementReferenceException):
            return False  # between two reloads

    WebDriverWait(driver, 30).until(shown)


def test_served_page_follows_a_run_in_progress(server, driver, screenshot):
    path, base, proc = server
    with urllib.request.urlopen(base + "version") as res:
        assert json.load(res) == {"version": "missing"}
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(base + "elsewhere")
    caught.value.close()
    assert caught.value.code == 404

    console_errors(driver)
    driver.get(base + "#/run/0/episodes")
    message = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "input-error"))
    assert "does not exist" in message.text  # a clear page, not a blank one
    assert driver.find_element(By.ID, "live").text == "● live"

    # The run writes two episodes and is in the middle of a third.
    third = json.dumps(record("p/t@1#e-3", 0))
    append(path, json.dumps(record("p/t@1#e-1")) + "\n" + json.dumps(record("p/t@1#e-2")) + "\n")
    append(path, third[:30])
    wait_for_count(driver, "2 of 2")
    assert "the last line is cut off" in driver.find_element(By.ID, "banner").text
    screenshot(
        driver, "serve-live", "taskkit view --serve while a run writes: 2 episodes, a torn line"
    )

    # It finishes that episode and writes one more: the page reloads by itself.
    append(path, third[30:] + "\n" + json.dumps(record("p/t@1#e-4")) + "\n")
    wait_for_count(driver, "4 of 4")
    assert driver.find_element(By.ID, "banner").text == ""
    assert console_errors(driver) == []

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert "stopped" in proc.stderr.read()
    time.sleep(1.5)  # the page notices that the server went away, and says so
    assert driver.find_element(By.ID, "live").text == "○ server stopped"
    console_errors(driver)  # the failed polls are logged by the browser: expected here
