"""The viewer as one self-contained HTML file: the page's CSS and JavaScript (package data,
no build step, no CDN), a small JSON document (settings, summaries, charts, a columnar task
index) and the episode bodies in gzip+base64 chunks that the page inflates with the browser's
``DecompressionStream`` only when an episode is opened.

Twenty thousand episodes are ~170 MB of JSON; compressed in chunks they are a tenth of that,
and the page parses only the index up front.
"""

from __future__ import annotations

import base64
import re
import zlib
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import orjson

from .. import __version__
from .compare import Comparison
from .plots import charts
from .reader import DROPPED, Run
from .summary import episode_row, summarise

__all__ = ["CHUNK", "build_page", "error_page"]

CHUNK = 64
"""Episodes per compressed chunk: large enough to compress well, small enough to inflate in
a few milliseconds when one episode is opened."""

_DROPPED = frozenset(DROPPED)  # when the reader was asked to keep them


def _asset(name: str) -> str:
    return resources.files("taskkit.view").joinpath("static", name).read_text(encoding="utf-8")


def _json_for_script(value: Any) -> str:
    # Inside <script>, "</script>" or "<!--" in a string would end or confuse the element:
    # "<" is written as its JSON escape, which JSON.parse reads back unchanged.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode().replace("<", "\\u003c")


def _index(run: Run) -> dict[str, Any]:
    """The task list's data, as columns of small integers into lookup tables (20,000 rows
    of objects would be several times larger and slower to parse)."""
    tables: dict[str, dict[str, int]] = {"pack": {}, "category": {}, "task": {}, "error": {}}

    def code(table: str, value: str) -> int:
        t = tables[table]
        return t.setdefault(value, len(t))

    keys, pack, category, task, status, errors, steps = [], [], [], [], [], [], []
    for record in run.records:
        row = episode_row(record)
        keys.append(row["key"])
        pack.append(code("pack", row["pack"]))
        category.append(code("category", row["category"]))
        task.append(code("task", row["task"]))
        status.append(2 if row["errored"] else int(row["passed"]))
        errors.append([code("error", e) for e in row["errors"]])
        steps.append(row["steps"])
    return {
        "keys": keys,
        "pack": pack,
        "category": category,
        "task": task,
        "status": status,
        "errors": errors,
        "steps": steps,
        "tables": {name: list(t) for name, t in tables.items()},
    }


def _chunks(run: Run) -> list[str]:
    out = []
    records = run.records
    for start in range(0, len(records), CHUNK):
        bodies = [
            r if _DROPPED.isdisjoint(r) else {k: v for k, v in r.items() if k not in _DROPPED}
            for r in records[start : start + CHUNK]
        ]
        # Level 1: three times faster than the default for a third more bytes (20,000
        # episodes: ~6 MB of HTML instead of ~4.6).
        packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: a gzip stream, as browsers read
        raw = orjson.dumps(bodies, option=orjson.OPT_NON_STR_KEYS)
        out.append(base64.b64encode(packer.compress(raw) + packer.flush()).decode("ascii"))
    return out


def _run_doc(run: Run, number: int) -> dict[str, Any]:
    summary = summarise(run.records)
    return {
        "name": run.name,
        "path": run.path,
        "kind": run.kind,
        "settings": run.settings,
        "warnings": run.warnings,
        "summary": summary,
        "charts": charts(summary),
        "index": _index(run),
        "chunk": CHUNK,
        "id": number,
    }


def _fill(template: str, parts: dict[str, str]) -> str:
    # One pass: a part's own text (data, scripts) is never scanned for placeholders.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


def build_page(
    runs: list[Run],
    *,
    comparison: Comparison | None = None,
    live_version: str | None = None,
) -> str:
    """The whole HTML page for ``runs`` (and the compare page when ``comparison`` is given).
    ``live_version`` makes the page poll ``/version`` and reload when it changes (--serve)."""
    doc = {
        "format": 1,
        "taskkit_version": __version__,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "live": live_version,
        "runs": [_run_doc(run, i) for i, run in enumerate(runs)],
        "compare": comparison.as_json() if comparison is not None else None,
    }
    scripts = [
        f'<script type="application/x-taskkit-chunk" id="chunk-{i}-{j}">{c}</script>'
        for i, run in enumerate(runs)
        for j, c in enumerate(_chunks(run))
    ]
    title = "taskkit compare" if comparison is not None else "taskkit view"
    names = " vs ".join(r.name for r in runs)
    return _fill(
        _asset("viewer.html"),
        {
            "TITLE": _escape(f"{title}: {names}"),
            "CSS": _asset("viewer.css"),
            "DATA": _json_for_script(doc),
            "CHUNKS": "\n".join(scripts),
            "JS": _asset("viewer.js"),
        },
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def error_page(message: str, *, live_version: str | None = None) -> str:
    """A page that says what is wrong (served while input is unusable, e.g. a run that has
    written nothing yet); it keeps polling when served live."""
    doc = {
        "format": 1,
        "taskkit_version": __version__,
        "live": live_version,
        "error": message,
        "runs": [],
        "compare": None,
    }
    return _fill(
        _asset("viewer.html"),
        {
            "TITLE": "taskkit view: error",
            "CSS": _asset("viewer.css"),
            "DATA": _json_for_script(doc),
            "CHUNKS": "",
            "JS": _asset("viewer.js"),
        },
    )
