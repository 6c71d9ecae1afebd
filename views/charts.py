"""Chart specifications for the pages (Altair / Vega-Lite, drawn by Streamlit offline).

Charts only draw numbers the :mod:`graph` analyses computed; the only arithmetic here is
unit conversion for display (USD → USD thousands).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["hhi_trend", "lorenz", "bars", "year_bars", "cliff", "share_vs_target"]

BLUE = "#1f6fb2"
GREY = "#9aa5b1"


def hhi_trend(by_year: pd.DataFrame, *, thresholds=(1000, 1800)):
    """HHI by year as a band from the low to the high case, with the guideline lines."""
    df = by_year.copy()
    df["year_label"] = df["year"].astype(str)
    low, high = thresholds
    base = alt.Chart(df).encode(x=alt.X("year_label:O", title="Year", axis=alt.Axis(labelAngle=0)))
    rng = base.mark_bar(size=28, opacity=0.35, color=BLUE).encode(
        y=alt.Y("hhi_low:Q", title="HHI (0–10,000)", scale=alt.Scale(domain=[0, 10000])),
        y2="hhi_high:Q",
        tooltip=[
            alt.Tooltip("year_label:N", title="Year"),
            alt.Tooltip("hhi_low:Q", title="HHI low", format=",.0f"),
            alt.Tooltip("hhi_high:Q", title="HHI high", format=",.0f"),
            alt.Tooltip("band:N", title="Band"),
        ],
    )
    pts = base.mark_line(point=True, color=BLUE).encode(y="hhi_high:Q")
    rules = (
        alt.Chart(
            pd.DataFrame(
                {
                    "y": [low, high],
                    "label": [f"{low:,} moderately", f"{high:,} highly concentrated"],
                }
            )
        )
        .mark_rule(strokeDash=[4, 4], color="#c0392b")
        .encode(y="y:Q")
    )
    labels = (
        alt.Chart(
            pd.DataFrame({"y": [low, high], "label": [f"{low:,}: moderate", f"{high:,}: high"]})
        )
        .mark_text(align="left", dx=4, dy=-6, color="#c0392b", fontSize=11)
        .encode(y="y:Q", text="label:N", x=alt.value(0))
    )
    return (rng + pts + rules + labels).properties(height=280)


def lorenz(curve: pd.DataFrame):
    """The Lorenz curve against the line of equal giving."""
    eq = pd.DataFrame({"donor_share": [0, 1], "money_share": [0, 1]})
    line = (
        alt.Chart(curve)
        .mark_line(point=True, color=BLUE, interpolate="linear")
        .encode(
            x=alt.X(
                "donor_share:Q", title="Share of donors (smallest first)", axis=alt.Axis(format="%")
            ),
            y=alt.Y("money_share:Q", title="Share of money", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("donor_share:Q", title="Donors", format=".0%"),
                alt.Tooltip("money_share:Q", title="Money", format=".1%"),
            ],
        )
    )
    diag = (
        alt.Chart(eq)
        .mark_line(strokeDash=[4, 4], color=GREY)
        .encode(x="donor_share:Q", y="money_share:Q")
    )
    return (diag + line).properties(height=280)


def bars(
    df: pd.DataFrame, category: str, value: str, *, title: str, fmt: str = ",.1f", height=None
):
    """Horizontal bars of ``value`` by ``category``, largest on top."""
    h = height or max(120, 34 * len(df) + 40)
    return (
        alt.Chart(df)
        .mark_bar(color=BLUE)
        .encode(
            y=alt.Y(
                f"{category}:N",
                sort="-x",
                title=None,
                axis=alt.Axis(labelLimit=220, labelOverlap=False),
            ),
            x=alt.X(f"{value}:Q", title=title),
            tooltip=[
                alt.Tooltip(f"{category}:N", title="Group"),
                alt.Tooltip(f"{value}:Q", title=title, format=fmt),
            ],
        )
        .properties(height=h)
    )


def year_bars(df: pd.DataFrame, value: str, *, title: str, colour: str | None = None):
    """Bars by year, optionally stacked by a colour column."""
    d = df.copy()
    d["year_label"] = d["year"].astype(str)
    enc = {
        "x": alt.X("year_label:O", title="Year", axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(f"{value}:Q", title=title),
        "tooltip": [
            alt.Tooltip("year_label:N", title="Year"),
            alt.Tooltip(f"{value}:Q", title=title, format=",.1f"),
        ],
    }
    if colour:
        enc["color"] = alt.Color(f"{colour}:N", title=None)
        enc["tooltip"].append(alt.Tooltip(f"{colour}:N", title="Group"))
    return alt.Chart(d).mark_bar().encode(**enc).properties(height=260)


def cliff(by_year: pd.DataFrame):
    """Projects by the year their agreement ends (``end`` labels, "not stated" last), with
    known funding and stated budgets in words (``funding``, ``budget``: "not stated" where no
    document gives one) in the tooltip."""
    return (
        alt.Chart(by_year)
        .mark_bar(color=BLUE)
        .encode(
            x=alt.X("end:O", title="Agreement ends", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("projects:Q", title="Projects", axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("end:N", title="Ends"),
                alt.Tooltip("projects:Q", title="Projects"),
                alt.Tooltip("funding:N", title="Known funding"),
                alt.Tooltip("budget:N", title="Stated budgets"),
            ],
        )
        .properties(height=240)
    )


def share_vs_target(df: pd.DataFrame):
    """Each region's share (bar) against its target share (a dark tick), in the order of
    ``df``: columns ``region``, ``share`` and ``target`` (0–1; a missing target draws no
    tick) and ``gap`` (text, e.g. "+2.2 pts")."""
    order = df["region"].tolist()
    base = alt.Chart(df).encode(
        y=alt.Y("region:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    )
    tips = [
        alt.Tooltip("region:N", title="Region"),
        alt.Tooltip("share:Q", title="Share", format=".1%"),
        alt.Tooltip("target:Q", title="Target", format=".1%"),
        alt.Tooltip("gap:N", title="Gap"),
    ]
    bar = base.mark_bar(color=BLUE, opacity=0.8).encode(
        x=alt.X(
            "share:Q", title="Share (bar) against target (black tick)", axis=alt.Axis(format="%")
        ),
        tooltip=tips,
    )
    tick = base.mark_tick(color="#222222", thickness=3, size=26).encode(x="target:Q", tooltip=tips)
    return (bar + tick).properties(height=max(120, 38 * len(df) + 50))
