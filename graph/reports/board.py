"""The governing board's report on donor concentration: one self-contained HTML file and a PDF.

Both carry the concentration figures with their bands, the trend by year, a Lorenz curve,
the top donors, the breakdown by channel and donor sector, the range that pooled money
leaves open, and the methodology note. The money is that received by the institute (the
organization that receives the most funding flows, as in the text report of
:mod:`graph.reports.findings`) unless every recipient is asked for; the header and the methodology
say which. They are dated and stamped with the data they were
computed from: where the store is, the loads it holds and a fingerprint of the funding
records, so two reports can be told apart.

Charts are inline SVG drawn here (no script, no web font, nothing fetched), so the HTML
opens anywhere offline; the PDF is written with ``fpdf2`` (pure Python) and draws the same
SVG charts.

Examples
--------
>>> from loaders.load import load_memory
>>> store = load_memory(MINIMAL)
>>> rep = build(store, now=_dt.datetime(2026, 1, 2, 3, 4, tzinfo=_dt.UTC))
>>> rep.html.startswith("<!DOCTYPE html>"), rep.pdf[:5]
(True, b'%PDF-')
>>> "<img src=x" in rep.html, "&lt;img src=x onerror=alert(1)&gt;" in rep.html
(False, True)
>>> rep.filename("pdf"), rep.recipient
('board-report-2026-01-02.pdf', 'iite')
>>> "money received by <b>UNESCO Institute for Information Technologies in Education (IITE)</b>" in rep.html
True
>>> everyone = build(store, recipient=None, now=_dt.datetime(2026, 1, 2, tzinfo=_dt.UTC))
>>> "money received by <b>every recipient in the data</b>" in everyone.html, everyone.filename("html")
(True, 'board-report-all-recipients-2026-01-02.html')
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from functools import partial

import pandas as pd

from graph.analyses import institute
from graph.analyses.channels import WHY
from graph.analyses.funding import funding_years
from graph.reports import figures as support
from graph.reports import loads, planning
from graph.reports.charts import svg_bars, svg_lorenz, svg_trend
from graph.reports.pdf import render_pdf
from graph.reports.sections import (
    Cards,
    Chart,
    Paragraph,
    ReportModel,
    Section,
    Table,
    Terms,
)
from graph.reports.templates import render
from graph.schema import FLOW_TYPES
from graph.store import DEFAULT_FLOW_TYPES, Filters, GraphStore
from graph.text import clip, joined, label, num, pct, plural, pooled_name, span, usd_short

__all__ = [
    "Report",
    "build",
    "report_filename",
    "METHODOLOGY",
    "plain_words",
    "recipient_note",
    "report_model",
]

METHODOLOGY = (
    (
        "Money",
        "Only funding flows whose amount the source documents give are used, in US dollars "
        "(as the document states them, or converted at the rate it gives). A flow that names a donor "
        "without an amount is counted in the coverage figures and never estimated; where a table "
        "shows such a group, its money reads 'unknown', never 0.",
    ),
    (
        "Shares",
        "Each donor's share sᵢ is its known total divided by the known total of all n donors "
        "(Σ sᵢ = 1); donors with no known amount are left out.",
    ),
    (
        "HHI",
        "Herfindahl–Hirschman index: HHI = Σ (100 · sᵢ)², from near 0 (many small donors) to "
        "10,000 (one donor). Bands: 2023 US merger guidelines — above 1,800 highly concentrated, "
        "1,000–1,800 moderately; 2010 guidelines — above 2,500 highly, 1,500–2,500 moderately. "
        "A band is not given for a group with one donor.",
    ),
    (
        "CR1, CR3, CR5",
        "CRₖ = the sum of the k largest shares: the one, three and five largest donors.",
    ),
    (
        "Effective number of donors",
        "1 / Σ sᵢ² (= 10,000 / HHI) and exp(H), where H = −Σ sᵢ ln sᵢ is the Shannon entropy: "
        "how many equal donors would give the same concentration. Evenness J = H / ln n.",
    ),
    ("Gini", "Inequality of donor totals, 0 when all give the same."),
    (
        "Pooled funds",
        "Money given through a pooled fund cannot be traced to one member. Every "
        "figure is computed twice: with each pool split evenly over its members ('spread') and with "
        "each pool given whole to one member ('concentrated'); the report shows the two as a range. "
        "They are reference cases, not hard bounds.",
    ),
    (
        "Lorenz curve",
        "Donors sorted from smallest to largest; the curve shows which share of the "
        "money the smallest x % of donors give. The further below the diagonal, the more concentrated.",
    ),
    (
        "Rounding",
        "Figures are rounded half away from zero at the precision shown, the same on every page, "
        "in this report and on the command line.",
    ),
)


def recipient_note(store: GraphStore, recipient: str | None) -> str:
    """The methodology's word on whose money the figures count.

    Examples
    --------
    >>> print(recipient_note(example_store(), "inst"))
    Only money received by Education Institute is counted: the organization that receives the most funding flows, as in the text report. No other organization in the data receives money.
    """
    everyone = institute.recipients(store)
    others = [r for r in everyone if r != recipient]
    if recipient is None:
        return (
            f"Money received by every organization in the data is counted ({len(everyone)} "
            "recipients), not only the institute's, so the figures may differ from the text "
            "report's, which counts the institute's money only."
        )
    name = clip(institute.recipient_name(store, recipient, short=False))
    rest = (
        f"Money received by the {plural(len(others), 'other organization')} "
        "in the data is left out."
        if others
        else "No other organization in the data receives money."
    )
    why = (
        ": the organization that receives the most funding flows, as in the text report"
        if recipient == institute.recipient_of(store)
        else ""
    )
    return f"Only money received by {name} is counted{why}. {rest}"


@dataclass
class Report:
    """A built report; ``recipient`` is whose money it counts (``None``: every recipient)."""

    html: str
    pdf: bytes
    generated: _dt.datetime
    stamp: str
    recipient: str | None = None
    year: int | None = None

    def filename(self, ext: str) -> str:
        """See :func:`report_filename`."""
        return report_filename(ext, self.recipient, self.generated, year=self.year)


def report_filename(
    ext: str, recipient, generated: _dt.datetime | None = None, *, year: int | None = None
) -> str:
    """``board-report-YYYY-MM-DD.<ext>`` (UTC today by default);
    ``board-report-all-recipients-…`` when the report counts every recipient's money
    (``recipient`` None), ``board-report-2024-…`` for one year's money.

    >>> report_filename("pdf", "iite", _dt.datetime(2026, 3, 1))
    'board-report-2026-03-01.pdf'
    >>> report_filename("html", None, _dt.datetime(2026, 3, 1), year=2024)
    'board-report-all-recipients-2024-2026-03-01.html'
    """
    when = generated or _dt.datetime.now(_dt.UTC)
    scope = "-all-recipients" if recipient is None else ""
    period = f"-{year}" if year is not None else ""
    return f"board-report{scope}{period}-{when:%Y-%m-%d}.{ext}"


# ------------------------------------------------------------------------------ helpers

#: Ranges in the report are written as on the pages, ``4,050 – 4,443`` (the PDF's Latin-1
#: fallback font draws the dash as a hyphen); shares as whole percentages.
_rng = span
_pct0 = partial(pct, digits=0)


def fingerprint(store: GraphStore) -> str:
    """A short hash of the funding sums and counts the figures come from (computed where the
    data lives: sums by donor, recipient, project, year and channel, not every flow)."""
    keys = ("donor", "recipient", "project", "year", "channel")
    sums = store.funding_totals(keys, flow_types=FLOW_TYPES)
    text = sums.astype(str).to_csv(index=False) if len(sums) else ""
    text += repr(sorted(store.counts()["nodes"].items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# ------------------------------------------------------------------------------- build


def _period(store: GraphStore, year: int | None) -> str:
    """The period the report covers, in words."""
    if year is not None:
        return str(year)
    years = funding_years(store)
    if not years:
        return "all years"
    return f"all years with funding ({years[0]}–{years[-1]})" if len(years) > 1 else str(years[0])


def _loads(store: GraphStore) -> list[str]:
    """Each load the store records, in words: what, when, whether it finished."""
    h = loads.load_history(store)
    return [
        f"{r['what'] or 'records'}, {r['when']}"
        + ("" if r["outcome"] == "finished" else f" ({r['outcome']})")
        for r in h.to_dict("records")
    ]


def _collect(store: GraphStore, recipient, year: int | None = None) -> dict:
    rid = institute.recipient_of(store, recipient)
    f = Filters(year_from=year, year_to=year)
    pic = support.concentration_view(store, f, recipient=rid, top=15)
    trend = support.trend_table(store, recipient=rid)
    by_channel = support.breakdown_table(store, "channel", f, recipient=rid)
    channels = support.channel_view(store, f, recipient=rid)
    by_sector = support.breakdown_table(store, "donor_sector", f, recipient=rid)
    curve = pic["lorenz"]["spread"] if pic is not None else None
    types = joined(label(t) for t in DEFAULT_FLOW_TYPES)
    name = clip(institute.recipient_name(store, rid, short=False))
    made_with = (
        ("Period", _period(store, year)),
        ("Money received by", name if rid is not None else institute.EVERY_RECIPIENT),
        ("Flow types counted", types),
        ("Amounts", "known amounts in US dollars; own funds (carry-over, interest) left out"),
        ("Pooled money", "shown as a range: spread evenly over a pool's members, or given by one"),
    )
    return {
        "recipient": rid,
        "recipient_name": name,
        "year": year,
        "made_with": made_with,
        "methodology": (("Recipient", recipient_note(store, rid)), *METHODOLOGY),
        "pic": pic,
        "trend": trend,
        "top": pic["top"] if pic is not None else None,
        "by_channel": by_channel,
        "channels": channels,
        "by_sector": by_sector,
        "curve": curve,
        "loads": _loads(store),
        "counts": store.counts(),
        "where": store.describe(),
        "fingerprint": fingerprint(store),
    }


def plain_words(pic) -> str:
    """The headline in one paragraph a board member reads without the formulas."""
    lo, hi = pic["low"], pic["high"]
    band = (
        hi["band_2023"]
        if lo["band_2023"] == hi["band_2023"]
        else f"between {lo['band_2023']} and {hi['band_2023']}"
    )
    return (
        f"Known donor funding of {usd_short(pic['total_known'])} came from {plural(int(hi['n_donors']), 'donor')} "
        f"(each member of a pooled fund counted). It is {band} under the 2023 US merger "
        f"guidelines and {hi['band_2010']} under the 2010 guidelines. The largest donor gives "
        f"{pct(hi['cr1'], 0)} of known money; the money is as concentrated as if it came from about "
        f"{num(lo['effective_order2'], 1)} equal donors."
    )


def _headline(pic) -> Section:
    lo, hi = pic["low"], pic["high"]
    band = (
        hi["band_2023"]
        if lo["band_2023"] == hi["band_2023"]
        else f"{lo['band_2023']} / {hi['band_2023']}"
    )
    cards = (
        ("HHI (0-10,000)", _rng(lo["hhi"], hi["hhi"], num)),
        ("Band, 2023 US merger guidelines", band),
        ("Band, 2010 US guidelines", hi["band_2010"]),
        ("Largest donor's share (CR1)", _rng(lo["cr1"], hi["cr1"], _pct0)),
        ("Top three (CR3)", _rng(lo["cr3"], hi["cr3"], _pct0)),
        (
            "Effective number of donors (1 / Σ sᵢ²)",
            _rng(lo["effective_order2"], hi["effective_order2"], lambda v: num(v, 1)),
        ),
        ("Gini", _rng(lo["gini"], hi["gini"], lambda v: num(v, 3))),
        ("Known funding", usd_short(pic["total_known"])),
        (
            "Donor flows stating an amount",
            f"{pic['coverage']['flows_with_amount']} of {pic['coverage']['flows']}",
        ),
    )
    return Section(
        "Headline",
        (
            Cards(cards),
            Paragraph(plain_words(pic), style="plain"),
            Paragraph("Coverage: " + pic["coverage"]["statement"]),
        ),
    )


def _donor_or_channel(pic, ch) -> Section:
    """Concentration by donor and by channel side by side, and core against voluntary."""
    if ch is None:
        return Section("By donor and by channel", (Paragraph("No donor flow to break down."),))
    lo, hi = pic["low"], pic["high"]
    top = label(ch.top_channel)
    cards = (
        ("HHI by donor", _rng(lo["hhi"], hi["hhi"], num)),
        ("HHI by channel", num(ch.hhi)),
        ("Largest donor's share", _rng(lo["cr1"], hi["cr1"], _pct0)),
        (f"Largest channel ({top})", pct(ch.cr1, 0)),
        (
            "Core money (regular budget, host country)",
            f"{usd_short(ch.core_usd)}, {pct(ch.core_share, 0)}",
        ),
        ("Voluntary money", f"{usd_short(ch.voluntary_usd)}, {pct(1 - ch.core_share, 0)}"),
    )
    return Section("By donor and by channel", (Cards(cards), Paragraph(f"{WHY} {ch.note}")))


def _trend(d: dict) -> Section:
    blocks: list = []
    if len(d["trend"]):
        blocks.append(Chart(svg_trend(d["trend"]), 120))
    if d["curve"] is not None:
        blocks.append(Chart(svg_lorenz(d["curve"]), 70))
    if len(d["trend"]):
        rows = tuple(
            (
                str(r["year"]),
                str(r["donors"]),
                usd_short(r["total"]),
                _rng(r["hhi_low"], r["hhi_high"], num),
                str(r["band"]),
                _rng(r["cr1_low"], r["cr1_high"], _pct0),
                pct(r["share_with_amount"], 0),
                str(r["covers"]),
            )
            for r in d["trend"].to_dict("records")
        )
        header = (
            "Year",
            "Donors",
            "Known funding",
            "HHI",
            "Band (2023)",
            "CR1",
            "Flows with amount",
            "Covers",
        )
        blocks.append(
            Table(
                header,
                rows,
                ("L", "R", "R", "R", "L", "R", "R", "L"),
                (11, 15, 20, 24, 28, 14, 18, 50),
            )
        )
    title = "Trend by year and Lorenz curve (pooled money spread evenly)"
    if d.get("year") is not None:
        title += "; the trend shows every year"
    return Section(title, tuple(blocks))


def _top(top: pd.DataFrame) -> Section:
    rows = tuple(
        (
            str(r["rank"]),
            clip(pooled_name(r["donor"], r["pooled"])),
            usd_short(r["usd"]),
            pct(r["share"], 1),
            pct(r["cumulative"], 1),
        )
        for r in top.head(15).to_dict("records")
    )
    header = ("#", "Donor", "Known funding", "Share", "Cumulative")
    return Section(
        "Top donors", (Table(header, rows, ("R", "L", "R", "R", "R"), (8, 100, 30, 20, 22)),)
    )


def _breakdown(title: str, df: pd.DataFrame) -> Section:
    known = df[df["usd"].notna() & (df["usd"] > 0)]
    blocks: list = []
    if len(known):
        labels = [clip(label(g), 120) for g in known["group"]]
        blocks.append(Chart(svg_bars(labels, list(known["usd"] / 1000)), 120))
    rows = tuple(
        (
            clip(label(r["group"])),
            str(r["donors"]),
            usd_short(r["usd"]),
            pct(r["share"], 1, unknown="unknown"),
            str(r["band"]),
        )
        for r in df.to_dict("records")
    )
    header = ("Group", "Donors", "Known funding", "Share", "Concentration within")
    blocks.append(Table(header, rows, ("L", "R", "R", "R", "L"), (60, 18, 32, 22, 48)))
    return Section(title, tuple(blocks))


def _pooled(pic) -> Section:
    if not pic["has_range"]:
        return Section(
            "What pooled money leaves open",
            (Paragraph("No pooled money: the figures are exact for the known amounts."),),
        )
    lo, hi = pic["low"], pic["high"]
    said = (
        f"{usd_short(pic['pooled_total'])} arrived through pooled funds. Given whole to one "
        f"member, HHI would be {num(hi['hhi'])}; spread evenly, {num(lo['hhi'])}."
    )
    return Section("What pooled money leaves open", (Paragraph(said), Paragraph(pic["note"])))


def report_model(d: dict, generated: _dt.datetime, stamp: str) -> ReportModel:
    """The report's sections from the collected figures (see :func:`build`)."""
    pic = d["pic"]
    made_with = Section(
        "What this report counts",
        (Table(("", "Used for every figure below"), d["made_with"], ("L", "L"), (45, 135)),),
    )
    if pic is None:
        none = (
            f"No donor funding with a known amount matches ({d['made_with'][0][1]}), so "
            "concentration cannot be measured. The documents name donors without amounts; "
            "pick another period, or every recipient."
        )
        sections: list[Section] = [made_with, Section("Headline", (Paragraph(none),))]
    else:
        sections = [
            made_with,
            _headline(pic),
            _donor_or_channel(pic, d.get("channels")),
            _trend(d),
            _top(d["top"]),
            _breakdown("By channel", d["by_channel"]),
            _breakdown("By donor sector", d["by_sector"]),
            _pooled(pic),
        ]
    if d.get("plan") is not None:
        sections += planning.projection_sections(*d["plan"])
    sections.append(Section("Methodology", (Terms(tuple(d["methodology"])),)))
    loads = "; ".join(d["loads"]) or "none recorded"
    return ReportModel(
        title="Donor concentration — board report",
        generated=f"Board report, generated {generated:%d %B %Y, %H:%M} UTC. Data: {stamp}",
        recipient_name=d["recipient_name"],
        sections=tuple(sections),
        footer=f"Computed from: {d['where']}; loaded: {loads}; data version {d['fingerprint']} "
        "(two reports with the same version were made from the same figures).",
    )


def build(
    store: GraphStore,
    *,
    recipient=institute.INSTITUTE,
    year: int | None = None,
    now: _dt.datetime | None = None,
    plan: tuple | None = None,
) -> Report:
    """Build the board report from a store.

    Parameters
    ----------
    store : GraphStore
    recipient : str, None or INSTITUTE
        Whose money: the institute by default, ``None`` for every recipient (see
        :data:`graph.reports.figures.INSTITUTE`).
    year : int, optional
        One year's money (the trend still shows every year); all years by default.
    now : datetime, optional
        The date to stamp (UTC now by default).
    plan : (Projection, list of LimitCheck), optional
        The projection for the planning period and the board limits checked on it: adds
        the sections "Board limits" and "Projection" (:mod:`graph.reports.planning`).

    Returns
    -------
    Report
        ``html`` (one self-contained file), ``pdf`` (bytes), ``generated``, ``stamp``,
        ``recipient``.
    """
    generated = now or _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    d = _collect(store, recipient, year)
    d["plan"] = plan
    n = d["counts"]["nodes"]
    r = d["counts"]["relationships"]
    stamp = (
        f"{d['where']}; {n.get('Organization', 0):,} organizations, {r.get('FUNDS', 0):,} funding flows; "
        f"data version {d['fingerprint']}"
    )
    model = report_model(d, generated, stamp)
    return Report(
        html=str(render("board.html.j2", m=model)),
        pdf=render_pdf(model),
        generated=generated,
        stamp=stamp,
        recipient=d["recipient"],
        year=year,
    )
