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
>>> from pathlib import Path
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
import html
import io
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from graph.analyses import institute
from graph.metrics.concentration import lorenz_curve
from graph.reports import figures as support
from graph.store import GraphStore
from graph.text import num, pct, span, usd_short

__all__ = ["Report", "build", "METHODOLOGY", "recipient_note"]

METHODOLOGY = (
    (
        "Money",
        "Only funding flows whose amount the source documents give are used, in US dollars "
        "(as the document states them, or converted at the rate it gives). A flow that names a donor "
        "without an amount is counted in the coverage figures and never estimated.",
    ),
    (
        "Shares",
        "Each donor's share s_i is its known total divided by the known total of all donors; "
        "donors with no known amount are left out.",
    ),
    (
        "HHI",
        "Herfindahl-Hirschman index = sum of (100 x s_i)^2, from near 0 (many small donors) to "
        "10,000 (one donor). Bands: 2023 US merger guidelines - above 1,800 highly concentrated, "
        "1,000-1,800 moderately; 2010 guidelines - above 2,500 highly, 1,500-2,500 moderately.",
    ),
    ("CR1, CR3, CR5", "The combined share of the one, three and five largest donors."),
    (
        "Effective number of donors",
        "1 / sum of s_i^2 (= 10,000 / HHI) and exp(H), where "
        "H = -sum s_i ln s_i is the Shannon entropy: how many equal donors would give the same "
        "concentration. Evenness J = H / ln n.",
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
    name = institute.recipient_name(store, recipient, short=False)
    rest = (
        f"Money received by the {len(others)} other organization{'s' if len(others) != 1 else ''} "
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

    def filename(self, ext: str) -> str:
        """``board-report-YYYY-MM-DD.<ext>``; ``board-report-all-recipients-…`` when the
        report counts every recipient's money."""
        scope = "-all-recipients" if self.recipient is None else ""
        return f"board-report{scope}-{self.generated:%Y-%m-%d}.{ext}"


# ------------------------------------------------------------------------------ helpers


def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


#: Ranges in the report are written with a plain hyphen (the PDF's core fonts have no
#: en dash); shares as whole percentages.
_rng = partial(span, sep=" - ")
_pct0 = partial(pct, digits=0)


def fingerprint(store: GraphStore) -> str:
    """A short hash of the funding records and counts the figures come from."""
    flows = store.funding_flows()
    cols = ["flow_id", "donor_id", "recipient_id", "project_id", "year", "amount_usd", "channel"]
    text = flows[cols].astype(str).to_csv(index=False) if len(flows) else ""
    text += repr(sorted(store.counts()["nodes"].items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------------- svg


def svg_trend(by_year: pd.DataFrame, width=520, height=240) -> str:
    """HHI by year: a bar from the low to the high case, guideline lines at 1,000 and 1,800."""
    left, right, top, bottom = 48, 12, 14, 30
    w, h = width - left - right, height - top - bottom
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="11">'
    ]
    out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')

    def y(v):
        return top + h - h * float(v) / 10000.0

    for v in (0, 2500, 5000, 7500, 10000):
        out.append(
            f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eeeeee"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#555555">{v:,}</text>'
        )
    for v, label in ((1000, "1,000 moderate"), (1800, "1,800 high")):
        out.append(
            f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#c0392b" '
            'stroke-dasharray="4,3"/>'
        )
        out.append(
            f'<text x="{left + w - 2}" y="{y(v) - 3:.1f}" text-anchor="end" fill="#c0392b">{label}</text>'
        )
    n = max(1, len(by_year))
    step = w / n
    for i, rec in enumerate(by_year.to_dict("records")):
        cx = left + step * (i + 0.5)
        bw = min(40, step * 0.5)
        y1, y2 = y(rec["hhi_high"]), y(rec["hhi_low"])
        out.append(
            f'<rect x="{cx - bw / 2:.1f}" y="{y1:.1f}" width="{bw:.1f}" height="{max(2.0, y2 - y1):.1f}" '
            'fill="#1f6fb2" fill-opacity="0.55"/>'
        )
        out.append(
            f'<text x="{cx:.1f}" y="{top + h + 16}" text-anchor="middle" fill="#333333">{_e(rec["year"])}</text>'
        )
        out.append(
            f'<text x="{cx:.1f}" y="{y1 - 4:.1f}" text-anchor="middle" fill="#1f3b57">'
            f"{_e(_rng(rec['hhi_low'], rec['hhi_high'], num))}</text>"
        )
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + h}" stroke="#999999"/>')
    out.append("</svg>")
    return "".join(out)


def svg_lorenz(curve: pd.DataFrame, size=260) -> str:
    """The Lorenz curve against the diagonal of equal giving."""
    m = 36
    s = size - 2 * m
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="10">'
    ]
    out.append(f'<rect x="0" y="0" width="{size}" height="{size}" fill="#ffffff"/>')
    out.append(f'<rect x="{m}" y="{m}" width="{s}" height="{s}" fill="none" stroke="#cccccc"/>')
    out.append(
        f'<line x1="{m}" y1="{m + s}" x2="{m + s}" y2="{m}" stroke="#9aa5b1" stroke-dasharray="4,3"/>'
    )
    pts = " ".join(
        f"{m + s * float(a):.1f},{m + s - s * float(b):.1f}"
        for a, b in zip(curve["donor_share"], curve["money_share"], strict=False)
    )
    out.append(f'<polyline points="{pts}" fill="none" stroke="#1f6fb2" stroke-width="2"/>')
    for a, b in zip(curve["donor_share"], curve["money_share"], strict=False):
        out.append(
            f'<circle cx="{m + s * float(a):.1f}" cy="{m + s - s * float(b):.1f}" r="2.5" fill="#1f6fb2"/>'
        )
    out.append(
        f'<text x="{m + s / 2}" y="{size - 8}" text-anchor="middle" fill="#333333">share of donors</text>'
    )
    out.append(
        f'<text x="12" y="{m + s / 2}" text-anchor="middle" fill="#333333" '
        f'transform="rotate(-90 12 {m + s / 2})">share of money</text>'
    )
    for v in (0, 50, 100):
        out.append(
            f'<text x="{m + s * v / 100:.1f}" y="{m + s + 12}" text-anchor="middle" fill="#555555">{v}%</text>'
        )
        out.append(
            f'<text x="{m - 4}" y="{m + s - s * v / 100 + 3:.1f}" text-anchor="end" fill="#555555">{v}%</text>'
        )
    out.append("</svg>")
    return "".join(out)


def svg_bars(labels: list[str], values: list[float], width=520, unit="USD k") -> str:
    """Horizontal bars with their labels and values."""
    row = 22
    left = 200
    height = 20 + row * max(1, len(values))
    vmax = max([float(v) for v in values] + [1e-9])
    w = width - left - 80
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Helvetica, Arial, sans-serif" font-size="11">'
    ]
    out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    for i, (lab, v) in enumerate(zip(labels, values, strict=False)):
        y = 10 + i * row
        text = lab if len(lab) <= 32 else lab[:31] + "..."
        out.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" fill="#333333">{_e(text)}</text>'
        )
        bw = w * float(v) / vmax
        out.append(
            f'<rect x="{left}" y="{y + 2}" width="{max(1.0, bw):.1f}" height="{row - 8}" fill="#1f6fb2"/>'
        )
        out.append(
            f'<text x="{left + bw + 4:.1f}" y="{y + 13}" fill="#333333">{float(v):,.1f} {unit}</text>'
        )
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------------------- build


def _collect(store: GraphStore, recipient) -> dict:
    rid = institute.recipient_of(store, recipient)
    pic = support.concentration_view(store, recipient=rid, top=15)
    trend = support.trend_table(store, recipient=rid)
    by_channel = support.breakdown_table(store, "channel", recipient=rid)
    by_sector = support.breakdown_table(store, "donor_sector", recipient=rid)
    curve = lorenz_curve(pic["allocations"]["spread"]) if pic is not None else None
    history = store.load_history()
    loads = []
    if len(history):
        for rec in history.to_dict("records"):
            loads.append(
                f"{rec.get('load_id')} ({rec.get('status')}, {rec.get('finished') or rec.get('started')})"
            )
    return {
        "recipient": rid,
        "recipient_name": institute.recipient_name(store, rid, short=False),
        "methodology": (("Recipient", recipient_note(store, rid)), *METHODOLOGY),
        "pic": pic,
        "trend": trend,
        "top": pic["top"] if pic is not None else None,
        "by_channel": by_channel,
        "by_sector": by_sector,
        "curve": curve,
        "loads": loads,
        "counts": store.counts(),
        "where": store.describe(),
        "fingerprint": fingerprint(store),
    }


def _plain(pic) -> str:
    return plain_words(pic)


def plain_words(pic) -> str:
    """The headline in one paragraph a board member reads without the formulas."""
    lo, hi = pic["low"], pic["high"]
    band = (
        hi["band_2023"]
        if lo["band_2023"] == hi["band_2023"]
        else f"between {lo['band_2023']} and {hi['band_2023']}"
    )
    return (
        f"Known donor funding of {usd_short(pic['total_known'])} came from {int(hi['n_donors'])} donors "
        f"(each member of a pooled fund counted). It is {band} under the 2023 US merger "
        f"guidelines and {hi['band_2010']} under the 2010 guidelines. The largest donor gives "
        f"{pct(hi['cr1'], 0)} of known money; the money is as concentrated as if it came from about "
        f"{num(lo['effective_order2'], 1)} equal donors."
    )


def _html(d: dict, generated: _dt.datetime, stamp: str) -> str:
    pic = d["pic"]
    lo, hi = (pic["low"], pic["high"]) if pic is not None else (None, None)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        "<title>Donor concentration - board report</title><style>",
        "body{font-family:Helvetica,Arial,sans-serif;max-width:900px;margin:24px auto;padding:0 16px;color:#222;line-height:1.45}",
        "h1{font-size:24px;margin-bottom:2px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}",
        ".stamp{color:#666;font-size:12px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}",
        ".card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:150px}",
        ".card b{display:block;font-size:20px}.card span{color:#666;font-size:12px}",
        "table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}",
        "th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left}td.n,th.n{text-align:right}",
        ".plain{background:#f4f8fb;border-left:4px solid #1f6fb2;padding:8px 12px}",
        ".charts{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}dt{font-weight:bold;margin-top:6px}",
        "@media print{body{margin:0}}</style></head><body>",
        "<h1>Donor concentration</h1>",
        f"<div class='stamp'>Board report, generated {_e(generated.strftime('%Y-%m-%d %H:%M UTC'))}. "
        f"Data: {_e(stamp)}</div>",
        f"<p>Figures for money received by <b>{_e(d['recipient_name'])}</b>.</p>",
    ]
    if lo is None:
        parts.append(
            "<p>No funding with a known amount is in the store, so concentration cannot be measured.</p>"
        )
    else:
        parts.append("<div class='cards'>")
        for label, value in (
            ("HHI (0-10,000)", _rng(lo["hhi"], hi["hhi"], num)),
            (
                "Band, 2023 guidelines",
                hi["band_2023"]
                if lo["band_2023"] == hi["band_2023"]
                else f"{lo['band_2023']} / {hi['band_2023']}",
            ),
            ("Largest donor (CR1)", _rng(lo["cr1"], hi["cr1"], _pct0)),
            ("Top three (CR3)", _rng(lo["cr3"], hi["cr3"], _pct0)),
            (
                "Effective donors",
                _rng(lo["effective_order2"], hi["effective_order2"], lambda v: num(v, 1)),
            ),
            ("Known funding", usd_short(pic["total_known"])),
        ):
            parts.append(f"<div class='card'><b>{_e(value)}</b><span>{_e(label)}</span></div>")
        parts.append("</div>")
        parts.append(f"<p class='plain'>{_e(_plain(pic))}</p>")
        parts.append(f"<p>Coverage: {_e(pic['coverage']['statement'])}</p>")
        parts.append("<h2>Trend by year and Lorenz curve</h2><div class='charts'>")
        if len(d["trend"]):
            parts.append(svg_trend(d["trend"]))
        if d["curve"] is not None:
            parts.append(svg_lorenz(d["curve"]))
        parts.append("</div>")
        if len(d["trend"]):
            parts.append(
                "<table><tr><th>Year</th><th class='n'>Donors</th><th class='n'>Known funding</th>"
                "<th class='n'>HHI</th><th>Band (2023)</th><th class='n'>CR1</th><th class='n'>Flows with amount</th></tr>"
            )
            for r in d["trend"].to_dict("records"):
                parts.append(
                    f"<tr><td>{_e(r['year'])}</td><td class='n'>{r['donors']}</td><td class='n'>{_e(usd_short(r['total']))}</td>"
                    f"<td class='n'>{_e(_rng(r['hhi_low'], r['hhi_high'], num))}</td><td>{_e(r['band'])}</td>"
                    f"<td class='n'>{_e(_rng(r['cr1_low'], r['cr1_high'], _pct0))}</td>"
                    f"<td class='n'>{_e(pct(r['share_with_amount'], 0))}</td></tr>"
                )
            parts.append("</table>")
        parts.append(
            "<h2>Top donors</h2><table><tr><th class='n'>#</th><th>Donor</th><th class='n'>Known funding</th>"
            "<th class='n'>Share</th><th class='n'>Cumulative</th></tr>"
        )
        for r in d["top"].head(15).to_dict("records"):
            pooled = " (pooled fund)" if r["pooled"] else ""
            parts.append(
                f"<tr><td class='n'>{r['rank']}</td><td>{_e(r['donor'])}{pooled}</td><td class='n'>{_e(usd_short(r['usd']))}</td>"
                f"<td class='n'>{_e(pct(r['share'], 1))}</td><td class='n'>{_e(pct(r['cumulative'], 1))}</td></tr>"
            )
        parts.append("</table>")
        for title, df in (("By channel", d["by_channel"]), ("By donor sector", d["by_sector"])):
            parts.append(f"<h2>{_e(title)}</h2>")
            nz = df[df["usd"] > 0]
            if len(nz):
                parts.append(
                    svg_bars(
                        [str(g).replace("_", " ") for g in nz["group"]], list(nz["usd"] / 1000)
                    )
                )
            parts.append(
                "<table><tr><th>Group</th><th class='n'>Donors</th><th class='n'>Known funding</th><th class='n'>Share</th></tr>"
            )
            for r in df.to_dict("records"):
                parts.append(
                    f"<tr><td>{_e(str(r['group']).replace('_', ' '))}</td><td class='n'>{r['donors']}</td>"
                    f"<td class='n'>{_e(usd_short(r['usd']))}</td><td class='n'>{_e(pct(r['share'], 1))}</td></tr>"
                )
            parts.append("</table>")
        parts.append("<h2>What pooled money leaves open</h2>")
        if pic["has_range"]:
            parts.append(
                f"<p>{_e(usd_short(pic['pooled_total']))} arrived through pooled funds. Given whole to one member, "
                f"HHI would be {_e(num(hi['hhi']))}; spread evenly, {_e(num(lo['hhi']))}.</p>"
                f"<p>{_e(pic['note'])}</p>"
            )
        else:
            parts.append("<p>No pooled money: the figures are exact for the known amounts.</p>")
    parts.append("<h2>Methodology</h2><dl>")
    for term, text in d["methodology"]:
        parts.append(f"<dt>{_e(term)}</dt><dd>{_e(text)}</dd>")
    parts.append("</dl>")
    parts.append(
        f"<p class='stamp'>Computed from: {_e(d['where'])}; loads: {_e('; '.join(d['loads']) or 'none recorded')}; "
        f"records fingerprint {_e(d['fingerprint'])}.</p></body></html>"
    )
    return "".join(parts)


# --------------------------------------------------------------------------------- pdf

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)


def _unicode_font():
    for d in _FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _pdf(d: dict, generated: _dt.datetime, stamp: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title("Donor concentration - board report")
    pdf.set_creator("partner graph explorer")
    font = _unicode_font()
    if font:
        pdf.add_font("Body", "", str(font[0]))
        pdf.add_font("Body", "B", str(font[1]))
        family = "Body"

        def t(s):
            return str(s)
    else:
        family = "Helvetica"

        def t(s):  # the core fonts only know Latin-1
            return (
                str(s)
                .replace("\u2013", "-")
                .replace("\u2014", "-")
                .encode("latin-1", "replace")
                .decode("latin-1")
            )

    pdf.add_page()
    pdf.set_font(family, "B", 18)
    pdf.cell(0, 10, t("Donor concentration - board report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    pdf.multi_cell(
        0,
        4,
        t(f"Generated {generated:%Y-%m-%d %H:%M UTC}. Data: {stamp}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(1)
    pdf.set_font(family, "B", 10)
    pdf.multi_cell(
        0,
        5,
        t(f"Figures for money received by {d['recipient_name']}."),
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pic = d["pic"]
    lo, hi = (pic["low"], pic["high"]) if pic is not None else (None, None)

    def heading(text):
        if pdf.get_y() > 255:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 7, t(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)

    def para(text):
        pdf.set_font(family, "", 9)
        pdf.multi_cell(0, 4.6, t(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def grid(header, rows, widths, align):
        pdf.set_font(family, "B", 8)
        for h, w, a in zip(header, widths, align, strict=False):
            pdf.cell(w, 5.5, t(h), border="B", align=a)
        pdf.ln()
        pdf.set_font(family, "", 8)
        for r in rows:
            for v, w, a in zip(r, widths, align, strict=False):
                s = t(v)
                while pdf.get_string_width(s) > w - 1 and len(s) > 4:
                    s = s[:-4] + "..."
                pdf.cell(w, 5, s, border="B", align=a)
            pdf.ln()
        pdf.ln(2)

    def svg(markup, w):
        pdf.image(io.BytesIO(markup.encode("utf-8")), w=w)

    if lo is None:
        para("No funding with a known amount is in the store, so concentration cannot be measured.")
    else:
        heading("Headline")
        grid(
            ["Figure", "Value"],
            [
                ("HHI (0-10,000)", _rng(lo["hhi"], hi["hhi"], num)),
                (
                    "Band, 2023 US merger guidelines",
                    hi["band_2023"]
                    if lo["band_2023"] == hi["band_2023"]
                    else f"{lo['band_2023']} / {hi['band_2023']}",
                ),
                ("Band, 2010 US guidelines", hi["band_2010"]),
                ("Largest donor's share (CR1)", _rng(lo["cr1"], hi["cr1"], _pct0)),
                ("Top three (CR3)", _rng(lo["cr3"], hi["cr3"], _pct0)),
                (
                    "Effective number of donors (1/sum s^2)",
                    _rng(lo["effective_order2"], hi["effective_order2"], lambda v: num(v, 1)),
                ),
                ("Gini", _rng(lo["gini"], hi["gini"], lambda v: num(v, 3))),
                ("Known funding", usd_short(pic["total_known"])),
                (
                    "Donor flows stating an amount",
                    f"{pic['coverage']['flows_with_amount']} of {pic['coverage']['flows']}",
                ),
            ],
            [110, 70],
            ["L", "R"],
        )
        para(_plain(pic))
        para("Coverage: " + pic["coverage"]["statement"])
        heading("Trend by year")
        if len(d["trend"]):
            svg(svg_trend(d["trend"]), 120)
            grid(
                ["Year", "Donors", "Known funding", "HHI", "Band (2023)", "CR1"],
                [
                    (
                        r["year"],
                        r["donors"],
                        usd_short(r["total"]),
                        _rng(r["hhi_low"], r["hhi_high"], num),
                        r["band"],
                        _rng(r["cr1_low"], r["cr1_high"], _pct0),
                    )
                    for r in d["trend"].to_dict("records")
                ],
                [18, 18, 34, 36, 44, 30],
                ["L", "R", "R", "R", "L", "R"],
            )
        if d["curve"] is not None:
            heading("Lorenz curve (pooled money spread evenly)")
            svg(svg_lorenz(d["curve"]), 70)
        heading("Top donors")
        grid(
            ["#", "Donor", "Known funding", "Share", "Cumulative"],
            [
                (
                    r["rank"],
                    str(r["donor"]) + (" (pooled)" if r["pooled"] else ""),
                    usd_short(r["usd"]),
                    pct(r["share"], 1),
                    pct(r["cumulative"], 1),
                )
                for r in d["top"].head(15).to_dict("records")
            ],
            [8, 100, 30, 20, 22],
            ["R", "L", "R", "R", "R"],
        )
        for title, df in (("By channel", d["by_channel"]), ("By donor sector", d["by_sector"])):
            heading(title)
            grid(
                ["Group", "Donors", "Known funding", "Share"],
                [
                    (
                        str(r["group"]).replace("_", " "),
                        r["donors"],
                        usd_short(r["usd"]),
                        pct(r["share"], 1),
                    )
                    for r in df.to_dict("records")
                ],
                [80, 25, 40, 30],
                ["L", "R", "R", "R"],
            )
        heading("What pooled money leaves open")
        if pic["has_range"]:
            para(
                f"{usd_short(pic['pooled_total'])} arrived through pooled funds. Given whole to one member, HHI would "
                f"be {num(hi['hhi'])}; spread evenly, {num(lo['hhi'])}."
            )
            para(pic["note"])
        else:
            para("No pooled money: the figures are exact for the known amounts.")
    heading("Methodology")
    for term, text in d["methodology"]:
        pdf.set_font(family, "B", 9)
        pdf.cell(0, 5, t(term), new_x="LMARGIN", new_y="NEXT")
        para(text)
    pdf.set_font(family, "", 7)
    pdf.multi_cell(
        0,
        3.6,
        t(
            f"Computed from: {d['where']}; loads: {'; '.join(d['loads']) or 'none recorded'}; "
            f"records fingerprint {d['fingerprint']}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def build(
    store: GraphStore, *, recipient=institute.INSTITUTE, now: _dt.datetime | None = None
) -> Report:
    """Build the board report from a store.

    Parameters
    ----------
    store : GraphStore
    recipient : str, None or INSTITUTE
        Whose money: the institute by default, ``None`` for every recipient (see
        :data:`graph.reports.figures.INSTITUTE`).
    now : datetime, optional
        The date to stamp (UTC now by default).

    Returns
    -------
    Report
        ``html`` (one self-contained file), ``pdf`` (bytes), ``generated``, ``stamp``,
        ``recipient``.
    """
    generated = now or _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    d = _collect(store, recipient)
    n = d["counts"]["nodes"]
    r = d["counts"]["relationships"]
    stamp = (
        f"{d['where']}; {n.get('Organization', 0)} organizations, {r.get('FUNDS', 0)} funding flows; "
        f"fingerprint {d['fingerprint']}"
    )
    return Report(
        html=_html(d, generated, stamp),
        pdf=_pdf(d, generated, stamp),
        generated=generated,
        stamp=stamp,
        recipient=d["recipient"],
    )
