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


#: What the PDF core fonts (Latin-1 only) draw instead of the typeset formulas' characters,
#: when no Unicode font is on the machine.
_PLAIN = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u03a3": "sum ",
    "\u1d62": "_i",
    "\u2096": "_k",
    "\u2264": "<=",
    "\u2265": ">=",
}


def _latin1(s) -> str:
    """Text the PDF core fonts can draw (they only know Latin-1).

    >>> _latin1("HHI = Σ (100 · sᵢ)² – CRₖ")
    'HHI = sum  (100 · s_i)² - CR_k'
    """
    s = str(s)
    for a, b in _PLAIN.items():
        s = s.replace(a, b)
    return s.encode("latin-1", "replace").decode("latin-1")


#: Millimetres a block needs at least (its first lines) on the page its heading is on.
_KEEP = {"paragraph": 14, "cards": 20, "table": 18, "terms": 16}


def _height(block) -> float:
    """About how tall the start of ``block`` is, in mm, so a heading is never left alone at
    the foot of a page."""
    if block.kind == "chart":
        svg = str(block.svg)
        try:
            w = float(svg.split('width="', 1)[1].split('"', 1)[0])
            h = float(svg.split('height="', 1)[1].split('"', 1)[0])
        except (IndexError, ValueError):
            return 60.0
        return block.width * h / w
    return _KEEP.get(block.kind, 14)


class _Writer:
    """Draws blocks of the section model onto an FPDF document (A4, page numbers in the
    footer, table cells wrapped, never cut)."""

    def __init__(self):
        from fpdf import FPDF

        class _Pages(FPDF):
            def footer(inner):  # noqa: N805 - fpdf2's hook; ``self`` is the writer
                inner.set_y(-11)
                inner.set_font(self.family, "", 7)
                inner.set_text_color(110)
                inner.cell(0, 5, f"Page {inner.page_no()} of {{nb}}", align="C")
                inner.set_text_color(0)

        self.pdf = _Pages(format="A4")
        self.pdf.set_auto_page_break(True, margin=16)
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

    def heading(self, text: str, first=None) -> None:
        """A section heading, on a new page when it and the start of its first block would
        not fit on this one."""
        need = 11 + (_height(first) if first is not None else 0)
        if self.pdf.get_y() + need > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()
        self.pdf.ln(2)
        self.pdf.set_font(self.family, "B", 12)
        self.pdf.cell(0, 7, self.t(text), new_x="LMARGIN", new_y="NEXT")

    def grid(self, table: Table) -> None:
        """A table whose long cells wrap onto more lines (a name is never cut short)."""
        from fpdf.fonts import FontFace

        pdf = self.pdf
        pdf.set_font(self.family, "", 8)
        align = tuple("RIGHT" if a == "R" else "LEFT" for a in table.align)
        with pdf.table(
            col_widths=table.widths,
            width=min(sum(table.widths), pdf.epw),
            align="LEFT",
            text_align=align,
            borders_layout="HORIZONTAL_LINES",
            line_height=4.2,
            padding=(0.8, 1),
            headings_style=FontFace(emphasis="BOLD"),
        ) as grid:
            for cells in (table.header, *table.rows):
                row = grid.row()
                for v in cells:
                    row.cell(self.t(v))
        pdf.ln(2)

    def block(self, b) -> None:
        if b.kind == "paragraph":
            self.text(
                7 if b.style == "stamp" else 9, b.text, height=3.6 if b.style == "stamp" else 4.6
            )
            self.pdf.ln(1)
        elif b.kind == "cards":
            self.grid(Table(("Figure", "Value"), b.items, ("L", "R"), (100, 80)))
        elif b.kind == "table":
            self.grid(b)
        elif b.kind == "chart":
            if self.pdf.get_y() + _height(b) > self.pdf.h - self.pdf.b_margin:
                self.pdf.add_page()
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
        w.heading(section.title, section.blocks[0] if section.blocks else None)
        for b in section.blocks:
            w.block(b)
    w.text(7, model.footer, height=3.6)
    return bytes(w.pdf.output())
