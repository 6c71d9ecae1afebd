"""The board report's charts as inline SVG (no script, no web font, nothing fetched): the
geometry is worked out here, the markup is a jinja2 template (autoescaped).

Examples
--------
>>> svg = svg_bars(["<b>x</b>", "y"], [2.0, 1.0])
>>> svg.startswith("<svg"), "&lt;b&gt;x&lt;/b&gt;" in svg, "<b>" in svg
(True, True, False)
"""

from __future__ import annotations

import textwrap

import pandas as pd

from graph.reports.templates import Markup, render
from graph.text import num, span

__all__ = ["svg_bars", "svg_lorenz", "svg_trend"]


def _f(v: float) -> str:
    return f"{v:.1f}"


def svg_trend(by_year: pd.DataFrame, width=520, height=240) -> Markup:
    """HHI by year: a bar from the low to the high case, guideline lines at 1,000 and 1,800
    named in the right margin (never over the bars)."""
    left, right, top, bottom = 48, 96, 14, 30
    w, h = width - left - right, height - top - bottom

    def y(v):
        return top + h - h * float(v) / 10000.0

    grid = [{"y": _f(y(v)), "ty": _f(y(v) + 4), "label": f"{v:,}"} for v in range(0, 10001, 2500)]
    guides = [
        {"y": _f(y(v)), "ty": _f(y(v) + dy), "label": label}
        for v, label, dy in ((1000, "1,000 moderate", 9), (1800, "1,800 high", -2))
    ]
    step = w / max(1, len(by_year))
    bars = []
    for i, rec in enumerate(by_year.to_dict("records")):
        cx = left + step * (i + 0.5)
        bw = min(40, step * 0.5)
        y1, y2 = y(rec["hhi_high"]), y(rec["hhi_low"])
        bars.append(
            {
                "x": _f(cx - bw / 2),
                "y": _f(y1),
                "w": _f(bw),
                "h": _f(max(2.0, y2 - y1)),
                "cx": _f(cx),
                "ty": _f(y1 - 4),
                "year": rec["year"],
                "label": span(rec["hhi_low"], rec["hhi_high"], num, sep=" - "),
            }
        )
    return render(
        "trend.svg.j2",
        width=width,
        height=height,
        left=left,
        right=left + w,
        top=top,
        bottom=top + h,
        axis_y=top + h + 16,
        grid=grid,
        guides=guides,
        bars=bars,
    )


def svg_lorenz(curve: pd.DataFrame, size=260) -> Markup:
    """The Lorenz curve against the diagonal of equal giving; the axis titles sit clear of
    the tick labels."""
    left, m = 56, 24
    s = size - left - m
    dots = [
        (_f(left + s * float(a)), _f(m + s - s * float(b)))
        for a, b in zip(curve["donor_share"], curve["money_share"], strict=False)
    ]
    ticks = [
        {"v": v, "x": _f(left + s * v / 100), "y": _f(m + s - s * v / 100 + 3)}
        for v in (0, 50, 100)
    ]
    return render(
        "lorenz.svg.j2",
        size=size,
        left=left,
        m=m,
        s=s,
        points=[f"{x},{y}" for x, y in dots],
        dots=dots,
        ticks=ticks,
    )


def _lines(text: str, width: int) -> list[str]:
    """``text`` wrapped at ``width`` characters (a word longer than that is broken)."""
    return textwrap.wrap(str(text), width, break_long_words=True) or [""]


def svg_bars(labels: list[str], values: list[float], width=520, unit="USD k") -> Markup:
    """Horizontal bars with their labels (wrapped onto more lines, never cut) and values."""
    line, left = 13, 200
    vmax = max([float(v) for v in values] + [1e-9])
    w = width - left - 80
    bars, y = [], 10
    for lab, v in zip(labels, values, strict=False):
        lines = _lines(lab, 32)
        row = max(22, line * len(lines) + 9)
        bars.append(
            {
                "y": y,
                "h": row - 8,
                "lines": [
                    {"text": t, "y": y + row / 2 + 2 + line * (i - (len(lines) - 1) / 2)}
                    for i, t in enumerate(lines)
                ],
                "mid": y + row / 2 + 2,
                "w": max(1.0, w * float(v) / vmax),
                "value": f"{num(v, 1)} {unit}",
            }
        )
        y += row
    return render("bars.svg.j2", width=width, height=y + 10, left=left, bars=bars)
