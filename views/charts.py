"""Chart specifications for the pages (Altair / Vega-Lite, drawn by Streamlit offline).

Charts only draw numbers the :mod:`graph` analyses computed; the only arithmetic here is
unit conversion for display (USD → USD thousands).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = [
    "hhi_trend",
    "lorenz",
    "bars",
    "year_bars",
    "cliff",
    "share_vs_target",
    "fan",
    "stacked_channels",
    "band_vs_limit",
    "region_shares",
]

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


def _years(df: pd.DataFrame) -> pd.DataFrame:
    d = df.copy()
    d["year_label"] = d["year"].astype(str)
    return d


def _x():
    return alt.X("year_label:O", title="Year", axis=alt.Axis(labelAngle=0))


def _limit_rule(value: float, text: str):
    """A dashed red line at ``value`` with its words."""
    d = pd.DataFrame({"y": [value], "label": [text]})
    rule = alt.Chart(d).mark_rule(strokeDash=[4, 4], color="#c0392b").encode(y="y:Q")
    words = (
        alt.Chart(d)
        .mark_text(align="left", dx=4, dy=-6, color="#c0392b", fontSize=11)
        .encode(y="y:Q", text="label:N", x=alt.value(0))
    )
    return rule + words


#: The words of a unit of :func:`views.fmt.chart_unit` on an axis.
UNIT_WORDS = {"k": "thousands", "M": "millions"}


def fan(df: pd.DataFrame, *, required: float | None = None, unit: str = "k"):
    """The projection per year (USD thousands, or millions with ``unit="M"``): the
    10th–90th percentile band, the expected line and the secured bars; a dashed line at the
    required level when one is given. Columns ``year``, ``secured``, ``expected``,
    ``low``, ``high`` (in ``unit``)."""
    d = _years(df)
    tips = [
        alt.Tooltip("year_label:N", title="Year"),
        alt.Tooltip("secured:Q", title=f"Secured (USD {unit})", format=",.1f"),
        alt.Tooltip("expected:Q", title=f"Expected (USD {unit})", format=",.1f"),
        alt.Tooltip("low:Q", title=f"Low, 10th percentile (USD {unit})", format=",.1f"),
        alt.Tooltip("high:Q", title=f"High, 90th percentile (USD {unit})", format=",.1f"),
    ]
    base = alt.Chart(d).encode(x=_x())
    band = base.mark_area(opacity=0.25, color=BLUE).encode(
        y=alt.Y("low:Q", title=f"USD {UNIT_WORDS[unit]} a year"), y2="high:Q", tooltip=tips
    )
    secured = base.mark_bar(color=GREY, size=26, opacity=0.8).encode(y="secured:Q", tooltip=tips)
    line = base.mark_line(point=True, color=BLUE).encode(y="expected:Q", tooltip=tips)
    chart = band + secured + line
    if required:
        chart = chart + _limit_rule(required, f"required: {required:,.0f} {unit}")
    return chart.properties(height=300)


def stacked_channels(df: pd.DataFrame, *, unit: str = "k"):
    """Secured and expected money per year stacked by channel (USD thousands, or millions
    with ``unit="M"``): the secured part solid, what renewals and prospects are expected to
    add paler. Columns ``year``, ``channel``, ``part``, ``usd`` (in ``unit``)."""
    d = _years(df)
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=_x(),
            y=alt.Y("usd:Q", title=f"USD {UNIT_WORDS[unit]} a year", stack="zero"),
            color=alt.Color("channel:N", title="Channel"),
            opacity=alt.Opacity(
                "part:N",
                title=None,
                scale=alt.Scale(domain=["secured", "expected on top"], range=[1.0, 0.45]),
            ),
            order=alt.Order("part:N", sort="descending"),
            tooltip=[
                alt.Tooltip("year_label:N", title="Year"),
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("part:N", title="Part"),
                alt.Tooltip("usd:Q", title=f"USD {unit}", format=",.1f"),
            ],
        )
        .properties(height=280)
    )


def band_vs_limit(
    df: pd.DataFrame, mid: str, *, title: str, limit=None, limit_text: str = "", fmt=",.0f"
):
    """A projected measure per year: its band (``<mid>_low`` to ``<mid>_high``) and the
    expected value, against the board's limit (a dashed line)."""
    d = _years(df)
    tips = [
        alt.Tooltip("year_label:N", title="Year"),
        alt.Tooltip(f"{mid}:Q", title=f"{title}, expected", format=fmt),
        alt.Tooltip(f"{mid}_low:Q", title="10th percentile", format=fmt),
        alt.Tooltip(f"{mid}_high:Q", title="90th percentile", format=fmt),
    ]
    axis = alt.Axis(format="%") if fmt.endswith("%") else alt.Axis()
    base = alt.Chart(d).encode(x=_x())
    band = base.mark_bar(size=28, opacity=0.3, color=BLUE).encode(
        y=alt.Y(f"{mid}_low:Q", title=title, axis=axis), y2=f"{mid}_high:Q", tooltip=tips
    )
    line = base.mark_line(point=True, color=BLUE).encode(y=f"{mid}:Q", tooltip=tips)
    chart = band + line
    if limit is not None:
        chart = chart + _limit_rule(limit, limit_text)
    return chart.properties(height=260)


def region_shares(df: pd.DataFrame):
    """Each region's expected share per year (a line) against its target (a dashed line
    of the same colour). Columns ``year``, ``region``, ``share``, ``low``, ``high``,
    ``target`` (0–1)."""
    d = _years(df)
    colour = alt.Color("region:N", title="Region", legend=alt.Legend(labelLimit=260))
    tips = [
        alt.Tooltip("year_label:N", title="Year"),
        alt.Tooltip("region:N", title="Region"),
        alt.Tooltip("share:Q", title="Expected share", format=".1%"),
        alt.Tooltip("low:Q", title="10th percentile", format=".1%"),
        alt.Tooltip("high:Q", title="90th percentile", format=".1%"),
        alt.Tooltip("target:Q", title="Target", format=".0%"),
    ]
    base = alt.Chart(d).encode(x=_x(), color=colour)
    line = base.mark_line(point=True).encode(
        y=alt.Y("share:Q", title="Share (line) against target (dashed)", axis=alt.Axis(format="%")),
        tooltip=tips,
    )
    target = base.mark_line(strokeDash=[5, 4], opacity=0.7).encode(y="target:Q", tooltip=tips)
    return (line + target).properties(height=280)
