"""The charts, as plain SVG text: pass rate by category (with Wilson intervals), the
error-type distribution and the steps-to-success histogram. The same SVG is inlined in the
viewer and written by ``taskkit report --plots``, so papers and the page show one picture.

No charting library: three chart shapes are less code than vendoring one, and SVG needs no
dependency at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .summary import summarise

if TYPE_CHECKING:  # the types of the records, not their module: no pydantic at run time
    from ..models.records import EpisodeRecord

__all__ = ["Bar", "charts", "hbar_chart", "histogram", "write_plots"]

_FONT = "font-family='system-ui,sans-serif' font-size='12'"
_BLUE, _RED, _INK, _GRID = "#3b6fb6", "#c0504d", "#222", "#ddd"


class Bar(NamedTuple):
    label: str
    value: float
    low: float | None = None
    high: float | None = None
    note: str = ""


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def hbar_chart(
    title: str, bars: list[Bar], *, scale: float | None = None, color: str = _BLUE
) -> str:
    """Horizontal bars, one per label, with an interval whisker where one is given.
    ``scale`` is the value at full width (1.0 for rates; the largest value by default)."""
    label_w = min(260, 12 + 7 * max((len(b.label) for b in bars), default=4))
    plot_w, row_h, top = 360, 22, 34
    height = top + row_h * max(len(bars), 1) + 28
    width = label_w + plot_w + 90
    full = scale or _nice(max((b.value for b in bars), default=1.0))
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        f"<text x='8' y='20' {_FONT} font-weight='bold' fill='{_INK}'>{escape(title)}</text>",
    ]
    for i in range(5):  # grid at 0, 25, 50, 75, 100 % of the scale
        x = label_w + plot_w * i / 4
        out.append(
            f"<line x1='{_num(x)}' y1='{top - 4}' x2='{_num(x)}' y2='{height - 24}' stroke='{_GRID}'/>"
            f"<text x='{_num(x)}' y='{height - 8}' {_FONT} text-anchor='middle' fill='#666'>"
            f"{_tick(full * i / 4, scale)}</text>"
        )
    if not bars:
        out.append(f"<text x='{label_w + 8}' y='{top + 14}' {_FONT} fill='#666'>none</text>")
    for i, b in enumerate(bars):
        y = top + i * row_h
        w = plot_w * min(b.value / full, 1.0)
        tip = f"{b.label}: {_tick(b.value, scale)}" + (f" ({b.note})" if b.note else "")
        out.append(
            f"<g><title>{escape(tip)}</title>"
            f"<text x='{label_w - 6}' y='{y + 15}' {_FONT} text-anchor='end' fill='{_INK}'>"
            f"{escape(_clip(b.label))}</text>"
            f"<rect x='{label_w}' y='{y + 4}' width='{_num(w)}' height='{row_h - 8}' fill='{color}'/>"
        )
        if b.low is not None and b.high is not None:
            x1, x2 = label_w + plot_w * b.low / full, label_w + plot_w * b.high / full
            mid = y + row_h / 2
            out.append(
                f"<path d='M{_num(x1)} {_num(mid)}H{_num(x2)}M{_num(x1)} {_num(mid - 4)}"
                f"v8M{_num(x2)} {_num(mid - 4)}v8' stroke='{_INK}' fill='none'/>"
            )
        out.append(
            f"<text x='{label_w + plot_w + 6}' y='{y + 15}' {_FONT} fill='{_INK}'>"
            f"{escape(_tick(b.value, scale))}{escape(' ' + b.note if b.note else '')}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)


def _nice(peak: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``peak``: round ticks."""
    if peak <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(peak))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= peak)


def _tick(value: float, scale: float | None) -> str:
    return f"{value * 100:.0f}%" if scale == 1.0 else f"{value:g}" if value % 1 else f"{value:.0f}"


def _clip(label: str, width: int = 36) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def histogram(title: str, counts: dict[str, int], *, xlabel: str = "") -> str:
    """Vertical bars over ordered bins (labels as given)."""
    items = list(counts.items())
    bar_w, gap, plot_h, left, top = 28, 6, 160, 44, 34
    width = left + max(len(items), 1) * (bar_w + gap) + 20
    width = max(width, 240)
    height = top + plot_h + 44
    peak = max((v for _, v in items), default=1) or 1
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title)}'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        f"<text x='8' y='20' {_FONT} font-weight='bold' fill='{_INK}'>{escape(title)}</text>",
        f"<line x1='{left}' y1='{top + plot_h}' x2='{width - 10}' y2='{top + plot_h}' stroke='{_INK}'/>",
        f"<text x='{left - 6}' y='{top + 10}' {_FONT} text-anchor='end' fill='#666'>{peak}</text>",
        f"<text x='{left - 6}' y='{top + plot_h}' {_FONT} text-anchor='end' fill='#666'>0</text>",
    ]
    for i, (label, v) in enumerate(items):
        h = plot_h * v / peak
        x = left + gap + i * (bar_w + gap)
        out.append(
            f"<g><title>{escape(f'{label}: {v}')}</title>"
            f"<rect x='{x}' y='{_num(top + plot_h - h)}' width='{bar_w}' height='{_num(h)}' "
            f"fill='{_BLUE}'/><text x='{x + bar_w / 2}' y='{top + plot_h + 14}' {_FONT} "
            f"text-anchor='middle' fill='{_INK}'>{escape(label)}</text></g>"
        )
    if xlabel:
        out.append(
            f"<text x='{width / 2}' y='{height - 8}' {_FONT} text-anchor='middle' fill='#666'>"
            f"{escape(xlabel)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def charts(summary: dict[str, Any]) -> dict[str, str]:
    """The three charts of a summary (see :func:`taskkit.view.summary.summarise`), by file stem."""
    by_category = summary["levels"].get("category", {})
    rate_bars = [
        Bar(
            name,
            g["task_pass_rate"],
            g["interval"]["low"],
            g["interval"]["high"],
            f"{g['tasks_passed']}/{g['episodes']}",
        )
        for name, g in by_category.items()
    ]
    errors = sorted(summary["error_types"].items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "pass_rate_by_category": hbar_chart(
            "Task pass rate by category (95% Wilson interval)", rate_bars, scale=1.0
        ),
        "error_types": hbar_chart(
            "Error types (occurrences)", [Bar(k, v) for k, v in errors], color=_RED
        ),
        "steps_to_success": histogram(
            "Steps to success (passed episodes)",
            summary["steps_to_success"],
            xlabel="steps in the episode",
        ),
    }


def write_plots(records: Sequence[EpisodeRecord], outdir: str | Path) -> list[Path]:
    """Write the charts of ``records`` as ``DIR/<chart>.svg``; return the paths written."""
    folder = Path(outdir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, svg in charts(summarise(records)).items():
        path = folder / f"{name}.svg"
        path.write_text(svg + "\n", encoding="utf-8")
        written.append(path)
    return written
