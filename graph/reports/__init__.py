"""What the board and the pages read: the text findings (:mod:`.findings`), the board report
as HTML and PDF from one section model (:mod:`.board`), the figures the pages show
(:mod:`.figures`), all HTML through the autoescaped templates of :mod:`.templates`.

Examples
--------
>>> print(board_report(example_store(), as_of="2025-01-01").splitlines()[0])
DONOR AND PARTNERSHIP FINDINGS
"""

from graph.reports.board import Report, build
from graph.reports.figures import concentration_view, headline, year_changes
from graph.reports.findings import Findings, Unavailable, board_report, findings, render_report

__all__ = [
    "Findings",
    "Report",
    "Unavailable",
    "board_report",
    "build",
    "concentration_view",
    "findings",
    "headline",
    "render_report",
    "year_changes",
]
