"""The projection, what it takes and the board limits in words and tables, as the Strategy
page, the sidebar and the board report show them (one wording for all three).

Examples
--------
>>> import pandas as pd
>>> from loaders.load import load_memory
>>> from graph.analyses.projection import projection
>>> p = projection(load_memory(), prospects=pd.DataFrame(), renewals=pd.DataFrame())
>>> year_table(p).iloc[0].to_dict()["Secured"]
'USD 0'
>>> print(projection_said(p))
Nothing is secured for 2026–2029: no funding flow is dated in those years. 3 of the institute's agreements run into the period with no yearly amount stated. No renewals or prospects are assumed: add them on the Strategy page, or load renewals.csv and prospects.csv.
"""

from __future__ import annotations

import math

import pandas as pd

from graph.analyses.limits import LimitCheck, projected_text
from graph.analyses.projection import Projection
from graph.analyses.what_it_takes import WhatItTakes
from graph.reports.sections import Paragraph, Section, Table
from graph.text import label, num, pct, plural, span, usd

__all__ = [
    "STATUS_WORDS",
    "year_table",
    "fan_frame",
    "channel_frame",
    "concentration_frame",
    "concentration_table",
    "region_table",
    "region_frame",
    "assumption_table",
    "projection_said",
    "what_it_takes_table",
    "what_it_takes_said",
    "limits_table",
    "projection_sections",
]

#: How a limit's status reads.
STATUS_WORDS = {"holds": "holds", "breached": "breached", "unclear": "unclear"}


def _usd_range(lo, hi) -> str:
    return span(lo, hi, usd)


def year_table(p: Projection) -> pd.DataFrame:
    """One row a year, in words: secured, expected, the band, agreements in force, what is
    not known, and the gap when a required level is given."""
    y = p.years
    out = pd.DataFrame(
        {
            "Year": y["year"].astype(str),
            "Secured": y["secured"].map(usd),
            "Expected": y["expected"].map(usd),
            "Low – high (10th–90th percentile)": [
                _usd_range(a, b) for a, b in zip(y["low"], y["high"], strict=True)
            ],
            "Agreements (expected)": y["agreements"].map(lambda v: num(v, 1)),
            "Not known": [
                _unknown_words(u, f) for u, f in zip(y["unknown"], y["unfunded"], strict=True)
            ],
        }
    )
    if "required" in y:
        out["Required"] = y["required"].map(usd)
        out["Gap (required − expected)"] = y["gap"].map(
            lambda g: "none" if not math.isnan(g) and g <= 0 else usd(g)
        )
    return out


def _unknown_words(unknown: int, unfunded: int) -> str:
    parts = []
    if unfunded:
        parts.append(f"{plural(unfunded, 'agreement')} with no yearly amount")
    if unknown:
        parts.append(f"{plural(unknown, 'assumption')} with no amount")
    return "; ".join(parts) or "—"


def fan_frame(p: Projection) -> pd.DataFrame:
    """Per year: ``year``, ``secured``, ``expected``, ``low``, ``high`` (for the fan chart)."""
    return p.years[["year", "secured", "expected", "low", "high"]].copy()


def channel_frame(p: Projection) -> pd.DataFrame:
    """Per year and channel: ``year``, ``channel`` (in words), ``part`` ("secured" or
    "expected on top"), ``usd``: the secured money and what renewals and prospects are
    expected to add."""
    t = p.by["channel"]
    rows = []
    for r in t.to_dict("records"):
        rows.append(
            {"year": r["year"], "channel": r["name"], "part": "secured", "usd": r["secured"]}
        )
        rows.append(
            {
                "year": r["year"],
                "channel": r["name"],
                "part": "expected on top",
                "usd": max(0.0, r["expected"] - r["secured"]),
            }
        )
    return pd.DataFrame(rows, columns=["year", "channel", "part", "usd"])


def concentration_frame(p: Projection) -> pd.DataFrame:
    """Per year: ``year``, ``hhi``/``hhi_low``/``hhi_high``, ``cr1``…, ``cr1_voluntary``…"""
    cols = ["year", "hhi", "hhi_low", "hhi_high", "cr1", "cr1_low", "cr1_high"]
    cols += ["cr1_voluntary", "cr1_voluntary_low", "cr1_voluntary_high", "largest"]
    return p.years[cols].copy()


def _banded(mid, lo, hi, fmt) -> str:
    """``mid (lo–hi)``, or ``mid`` alone when the band reads the same; "not known" for none."""
    if pd.isna(mid):
        return "not known"
    band = span(lo, hi, fmt, sep="–")
    return fmt(mid) if band == fmt(mid) else f"{fmt(mid)} ({band})"


def concentration_table(p: Projection) -> pd.DataFrame:
    """Per year, in words: the expected HHI, the largest donor's share of all and of
    voluntary money (each with its 10th–90th percentile band), and who the largest is."""
    y = p.years

    def col(name, fmt):
        return [
            _banded(a, b, c, fmt)
            for a, b, c in zip(y[name], y[f"{name}_low"], y[f"{name}_high"], strict=True)
        ]

    return pd.DataFrame(
        {
            "Year": y["year"].astype(str),
            "HHI (band)": col("hhi", num),
            "Largest donor, share of all money": col("cr1", lambda v: pct(v, 0)),
            "Share of voluntary money": col("cr1_voluntary", lambda v: pct(v, 0)),
            "Largest donor (expected)": y["largest"].fillna("none"),
        }
    )


def region_table(p: Projection, measure: str = "agreements") -> pd.DataFrame:
    """One row per focus region (and other regions): its target and, per year, its
    expected share of ``measure`` (``agreements`` or ``money``) with the band."""
    r = region_frame(p, measure)
    years = sorted(r["year"].unique())
    rows = []
    for region, g in r.groupby("region", sort=False):
        g = g.set_index("year")
        row = {"Region": region, "Target": pct(g["target"].iloc[0], 0)}
        for yr in years:
            x = g.loc[yr]
            row[str(yr)] = _banded(x["share"], x["low"], x["high"], lambda v: pct(v, 0))
        rows.append(row)
    return pd.DataFrame(rows, columns=["Region", "Target", *map(str, years)])


def region_frame(p: Projection, measure: str = "agreements") -> pd.DataFrame:
    """Per year and focus region (and other regions): ``year``, ``region`` (name),
    ``share``, ``low``, ``high``, ``target``, ``gap`` of one measure (``agreements`` or
    ``money``)."""
    r = p.regions[p.regions["measure"] == measure].copy()
    if "name" in r:
        r["region"] = r["name"]
    return r[["year", "region", "share", "low", "high", "target", "gap"]].reset_index(drop=True)


def assumption_table(p: Projection) -> pd.DataFrame:
    """Every renewal and prospect counted, in words: what, whose money, years, chance, a
    year's amount, how it was found, who stated it."""
    t = p.lines[p.lines["kind"].isin(["renewal", "prospect"])]
    if not len(t):
        return pd.DataFrame(
            columns=["What", "Kind", "Donor", "Years", "Chance", "A year", "How", "Stated by"]
        )
    return pd.DataFrame(
        {
            "What": t["title"],
            "Kind": t["kind"].map({"renewal": "renewal", "prospect": "prospect"}),
            "Donor": t["donor_name"].fillna("not stated"),
            "Years": [
                f"{a}–{b}" if a != b else str(a) for a, b in zip(t["first"], t["last"], strict=True)
            ],
            "Chance": t["probability"].map(lambda v: pct(v, 0)),
            "A year": [
                _usd_range(lo, hi) if lo != hi else usd(a)
                for a, lo, hi in zip(t["amount"], t["low"], t["high"], strict=True)
            ],
            "How": t["basis"],
            "Stated by": t["stated_by"].fillna("not stated"),
        }
    ).reset_index(drop=True)


def projection_said(p: Projection) -> str:
    """The projection in a few sentences: what is secured, what runs on, what is assumed."""
    y = p.years
    a, b = p.period
    period = f"{a}–{b}" if a != b else str(a)
    if y["secured"].sum() > 0:
        said = [
            f"Secured for {period}: {joined_years(y, 'secured')} (funding flows dated in those years)."
        ]
    else:
        said = [f"Nothing is secured for {period}: no funding flow is dated in those years."]
    running = p.lines[p.lines["kind"] == "agreement"]
    if len(running):
        said.append(
            f"{len(running):,} of the institute's agreements run into the period with no yearly "
            "amount stated."
        )
    assumed = p.lines[p.lines["kind"].isin(["renewal", "prospect"])]
    if len(assumed):
        who = sorted({str(s) for s in assumed["stated_by"].dropna()})
        said.append(
            f"{len(assumed):,} renewals and prospects are assumed (stated by {', '.join(who)}): "
            f"expected {joined_years(y, 'expected')}, worked out {p.method}."
        )
    else:
        said.append(
            "No renewals or prospects are assumed: add them on the Strategy page, or load "
            "renewals.csv and prospects.csv."
        )
    return " ".join(said)


def joined_years(y: pd.DataFrame, col: str) -> str:
    """A figure per year in words (one figure when every year is the same)."""
    values = [usd(v) for v in y[col]]
    if len(set(values)) == 1:
        return f"{values[0]} a year"
    return "; ".join(f"{yr}: {v}" for yr, v in zip(y["year"], values, strict=True))


def what_it_takes_table(w: WhatItTakes, names: dict) -> pd.DataFrame:
    """Per focus region (or sector): now, the share to reach, the new money it needs."""
    t = w.table
    return pd.DataFrame(
        {
            "Region or sector": [names.get(g, label(g)) for g in t["group"]],
            "Now": t["now"].map(usd),
            "Share now": t["now_share"].map(lambda v: pct(v, 0)),
            "Share to reach (target less tolerance)": t["floor"].map(lambda v: pct(v, 0)),
            "New money a year": t["new"].map(usd),
        }
    )


def what_it_takes_said(w: WhatItTakes) -> str:
    """The answer in words."""
    base = "secured" if w.base == "secured" else "expected"
    if not w.feasible:
        return (
            "The targets cannot all be met at once: less the tolerance they still add up to "
            "all of the money. Lower a target or raise the tolerance."
        )
    if w.total <= 0:
        return (
            f"Nothing more is needed in {w.year}: on the {base} money the HHI is "
            f"{num(w.hhi_before)} and every focus region is within its tolerance."
        )
    why = {
        "concentration": f"bringing the HHI under {num(w.hhi_max)} decides it",
        "regions": "the regional targets decide it",
        "both": "the HHI and the regional targets both need it",
    }.get(w.binding, "")
    return (
        f"In {w.year}, on the {base} money, it takes at least {usd(w.total)} a year of new "
        f"money from about {plural(w.donors, 'new donor')} of "
        f"{usd(w.donor_size)} each ({why}); the HHI would go from "
        f"{num(w.hhi_before) if not math.isnan(w.hhi_before) else 'none (no money)'} to "
        f"{num(w.hhi_after)}. Of it, {usd(w.free)} may go to any region."
    )


def limits_table(checks: list[LimitCheck], period) -> pd.DataFrame:
    """One row per board limit: the limit, now, its status and what the projection says."""
    return pd.DataFrame(
        {
            "Limit": [c.what for c in checks],
            "Now": [c.now + (f" ({c.why})" if c.why else "") for c in checks],
            "Status now": [STATUS_WORDS[c.status] for c in checks],
            f"In the projection ({period[0]}–{period[1]})": [
                projected_text(c, period) for c in checks
            ],
        }
    )


def _year_notes(yt: pd.DataFrame) -> str:
    """The year table's "Not known" and "Required" columns as a sentence (the same words
    for every year said once)."""
    said = []
    for col, lead in (("Required", "Required"), ("Not known", "Not known")):
        if col not in yt:
            continue
        cells = yt[col][yt[col] != "—"]
        if not len(cells):
            continue
        if cells.nunique() == 1 and len(cells) == len(yt):
            said.append(f"{lead}: {cells.iloc[0]} every year.")
        else:
            said.append(
                f"{lead}: "
                + "; ".join(
                    f"{y}: {v}" for y, v in zip(yt["Year"][cells.index], cells, strict=True)
                )
                + "."
            )
    return " ".join(said)


def _rows(t: pd.DataFrame) -> tuple:
    return tuple(tuple(str(v) for v in r) for r in t.itertuples(index=False))


def projection_sections(p: Projection, checks: list[LimitCheck] | None) -> list[Section]:
    """The board report's sections: the limits now and projected, and the projection with
    its assumptions stated."""
    out = []
    if checks:
        lt = limits_table(checks, p.period)
        out.append(
            Section(
                "Board limits",
                (
                    Table(tuple(lt.columns), _rows(lt), ("L", "L", "L", "L"), (50, 50, 20, 60)),
                    Paragraph(
                        "The limits are the board's (data/reference/limits.toml). 'Unclear': "
                        "pooled money leaves a range across the limit, or nothing is known "
                        "to measure."
                    ),
                ),
            )
        )
    yt = year_table(p)
    notes = _year_notes(yt)
    yt = yt.drop(columns=[c for c in ("Not known", "Required") if c in yt])
    widths = (12, 24, 26, 50, 22, 30)[: len(yt.columns)]
    ct = concentration_table(p)
    blocks = [
        Paragraph(projection_said(p), style="plain"),
        Table(tuple(yt.columns), _rows(yt), ("L",) + ("R",) * (len(yt.columns) - 1), widths),
        *([Paragraph(notes)] if notes else []),
        Paragraph("Projected concentration (expected, with the 10th–90th percentile band):"),
        Table(tuple(ct.columns), _rows(ct), ("L", "R", "R", "R", "L"), (11, 34, 34, 30, 70)),
    ]
    for measure, what in (("agreements", "agreements in force"), ("money", "money")):
        rt = region_table(p, measure)
        if len(rt) and (rt.iloc[:, 2:] != "not known").any().any():
            blocks.append(Paragraph(f"Projected regional balance, share of {what}:"))
            n = len(rt.columns) - 2
            blocks.append(
                Table(
                    tuple(rt.columns),
                    _rows(rt),
                    ("L", "R") + ("R",) * n,
                    (50, 16) + (min(30.0, 120 / max(n, 1)),) * n,
                )
            )
    at = assumption_table(p).drop(columns=["Donor"])
    if len(at):
        blocks.append(Paragraph("Assumed, not facts of the documents:"))
        blocks.append(
            Table(
                tuple(at.columns),
                _rows(at),
                ("L", "L", "L", "R", "R", "L", "L"),
                (48, 16, 20, 14, 24, 34, 26),
            )
        )
    blocks.append(
        Paragraph(
            "Secured: funding flows dated in the year. Expected: secured, plus each renewal and "
            "prospect times its chance. Low–high: the 10th and 90th percentiles over how the "
            "renewals and prospects can turn out, each independent of the others."
        )
    )
    out.append(Section(f"Projection for {p.period[0]}–{p.period[1]}", tuple(blocks)))
    return out
