"""The board report's section model as a PDF (``fpdf2``, pure Python), drawing the same SVG
charts the HTML shows.

Examples
--------
>>> from graph.reports.sections import Paragraph, ReportModel, Section
>>> m = ReportModel("Report", "Generated today.", "IITE", (Section("One", (Paragraph("Hi."),)),), "x")
>>> render_pdf(m)[:5]
b'%PDF-'
"""

from __future__ import annotations

import io
from pathlib import Path

from graph.reports.sections import ReportModel, Table

__all__ = ["render_pdf"]

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


def _latin1(s) -> str:
    """Text the PDF core fonts can draw (they only know Latin-1)."""
    return (
        str(s)
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


class _Writer:
    """Draws blocks of the section model onto an FPDF document."""

    def __init__(self):
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(True, margin=15)
        font = _unicode_font()
        if font:
            self.pdf.add_font("Body", "", str(font[0]))
            self.pdf.add_font("Body", "B", str(font[1]))
            self.family, self.t = "Body", str
        else:
            self.family, self.t = "Helvetica", _latin1

    def text(self, size: float, text: str, *, bold: bool = False, height: float = 4.6) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, self.t(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        if self.pdf.get_y() > 255:
            self.pdf.add_page()
        self.pdf.ln(2)
        self.pdf.set_font(self.family, "B", 12)
        self.pdf.cell(0, 7, self.t(text), new_x="LMARGIN", new_y="NEXT")

    def grid(self, table: Table) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "B", 8)
        for h, w, a in zip(table.header, table.widths, table.align, strict=False):
            pdf.cell(w, 5.5, self.t(h), border="B", align=a)
        pdf.ln()
        pdf.set_font(self.family, "", 8)
        for r in table.rows:
            for v, w, a in zip(r, table.widths, table.align, strict=False):
                s = self.t(v)
                while pdf.get_string_width(s) > w - 1 and len(s) > 4:
                    s = s[:-4] + "..."
                pdf.cell(w, 5, s, border="B", align=a)
            pdf.ln()
        pdf.ln(2)

    def block(self, b) -> None:
        if b.kind == "paragraph":
            self.text(
                7 if b.style == "stamp" else 9, b.text, height=3.6 if b.style == "stamp" else 4.6
            )
            self.pdf.ln(1)
        elif b.kind == "cards":
            self.grid(Table(("Figure", "Value"), b.items, ("L", "R"), (110, 70)))
        elif b.kind == "table":
            self.grid(b)
        elif b.kind == "chart":
            self.pdf.image(io.BytesIO(str(b.svg).encode("utf-8")), w=b.width)
        elif b.kind == "terms":
            for term, text in b.items:
                self.text(9, term, bold=True, height=5)
                self.text(9, text)
                self.pdf.ln(1)


def render_pdf(model: ReportModel) -> bytes:
    """The report as PDF bytes."""
    w = _Writer()
    w.pdf.set_title(model.title)
    w.pdf.set_creator("partner graph explorer")
    w.pdf.add_page()
    w.pdf.set_font(w.family, "B", 18)
    w.pdf.cell(0, 10, w.t(model.title), new_x="LMARGIN", new_y="NEXT")
    w.text(8, model.generated, height=4)
    w.pdf.ln(1)
    w.text(10, f"Figures for money received by {model.recipient_name}.", bold=True, height=5)
    w.pdf.ln(2)
    for section in model.sections:
        w.heading(section.title)
        for b in section.blocks:
            w.block(b)
    w.text(7, model.footer, height=3.6)
    return bytes(w.pdf.output())
