"""The board report as one section model, rendered twice: to HTML (a jinja2 template) and to
PDF (:mod:`graph.reports.pdf`). A figure is written once, here, so the two cannot disagree.

Examples
--------
>>> t = Table(("Year", "HHI"), (("2024", "3,283"),), ("L", "R"), (20, 30))
>>> s = Section("Trend", (t, Paragraph("Rising.")))
>>> [type(b).__name__ for b in s.blocks]
['Table', 'Paragraph']
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Cards", "Chart", "Paragraph", "ReportModel", "Section", "Table", "Terms"]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``style`` is ``""``, ``"plain"`` (the plain-words box) or
    ``"stamp"`` (small print)."""

    text: str
    style: str = ""
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Cards:
    """Headline figures: ``(label, value)`` pairs (cards in HTML, a two-column table in PDF)."""

    items: tuple[tuple[str, str], ...]
    kind: str = field(default="cards", init=False)


@dataclass(frozen=True)
class Table:
    """A table of text cells; ``align`` is ``"L"`` or ``"R"`` per column, ``widths`` the PDF
    column widths in millimetres."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...]
    widths: tuple[float, ...]
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class Chart:
    """An SVG chart (markup rendered by an autoescaped template) and its PDF width in mm."""

    svg: str
    width: float
    kind: str = field(default="chart", init=False)


@dataclass(frozen=True)
class Terms:
    """A definition list: ``(term, text)`` pairs."""

    items: tuple[tuple[str, str], ...]
    kind: str = field(default="terms", init=False)


@dataclass(frozen=True)
class Section:
    """A titled part of the report."""

    title: str
    blocks: tuple


@dataclass(frozen=True)
class ReportModel:
    """Everything the report says, in order.

    Attributes
    ----------
    title : str
    generated : str
        The "generated … Data: …" line.
    recipient_name : str
        Whose money the figures are for.
    sections : tuple of Section
    footer : str
        Where the figures were computed from.
    """

    title: str
    generated: str
    recipient_name: str
    sections: tuple[Section, ...]
    footer: str
