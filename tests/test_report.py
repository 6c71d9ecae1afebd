"""The board report and ``python -m graph report``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graph.__main__ import main
from graph.reports.findings import board_report, findings
from tests.examples import example_store

ROOT = Path(__file__).resolve().parent.parent


def test_report_on_the_example_reads_well():
    text = board_report(example_store(), as_of="2025-01-01")
    for words in (
        "DONOR AND PARTNERSHIP FINDINGS",
        "highly concentrated under the 2023 US merger guidelines",
        "under the 2010 guidelines",
        "Range: pooled money",
        "Largest donors",
        "Sector:",
        "Country:",
        "Balance score",
        "By end of 2025",
        "By end of 2026",
        "If the largest extrabudgetary source, a pool of donors, stopped",
        "USD 500 (41.7 %)",
    ):
        assert words in text, words
    assert "nan" not in text.lower().replace("financ", "")


def test_findings_are_plain_data():
    f = findings(example_store(), as_of="2025-01-01")
    assert f.recipient == "inst" and f.exit_donor == "pool"
    assert set(f.ending) == {2025, 2026}


def test_report_command_on_the_bundled_data():
    out = subprocess.run(
        [sys.executable, "-m", "graph", "report", "--as-of", "2025-01-01"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "UNESCO Institute for Information Technologies in Education" in out
    assert "HHI" in out and "highly concentrated" in out
    assert "pool of 10 donors" in out
    assert "By end of 2026" in out


def test_report_command_bad_request_is_a_clear_error(capsys):
    code = main(
        ["report", "--data", str(ROOT / "tests" / "fixtures" / "minimal"), "--recipient", "nobody"]
    )
    out = capsys.readouterr()
    assert code == 1 and not out.out
    assert "--recipient 'nobody' is not an organization in the data" in out.err


def test_the_board_report_shows_donor_and_channel_concentration_side_by_side():
    from graph.reports import board
    from loaders.load import load_memory

    r = board.build(load_memory())
    assert "By donor and by channel" in r.html
    assert "HHI by channel" in r.html and "2,871" in r.html
    assert "Core money (regular budget, host country)" in r.html


def _pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF written by fpdf2, read back with its own parser-free route:
    every content stream inflated, every hex/literal string kept (good enough to find words
    the core fonts draw; the tests render with the Latin-1 fallback for this)."""
    import re
    import zlib

    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(out)


def test_board_report_says_what_it_counts_and_reads_as_words(monkeypatch):
    """Issue 11: the report prints its period, recipient and filters; unknown money reads
    'unknown', never USD 0; a pool is not called '(pooled)' twice; formulas are typeset;
    the PDF has page numbers and keeps long names whole."""
    import datetime as dt

    from graph.reports import board, pdf
    from loaders.load import load_memory

    store = load_memory()
    rep = board.build(store, year=2024, now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    html = rep.html
    for words in (
        "What this report counts",
        "Period",
        "2024",
        "Money received by",
        "Flow types counted",
        "income, incoming funds",
    ):
        assert words in html, words
    assert rep.filename("pdf") == "board-report-2024-2026-01-02.pdf"
    assert "Σ (100 · sᵢ)²" in html and "1 / Σ sᵢ²" in html  # typeset, not 1/sum s^2
    assert "(pooled fund)" not in html  # the pool's own name says "pooled" already
    everything = board.build(store).html  # every year: some channels have no known amount
    assert ">USD 0<" not in everything and ">unknown<" in everything
    assert "one donor" in everything  # no band for a group of one donor
    assert "all years with funding (2023–2025)" in everything
    assert "load_id" not in html and "bc3f" not in html  # no load ids where a person reads

    # the Latin-1 fallback (no Unicode font on the machine) draws the formulas in words
    monkeypatch.setattr(pdf, "_unicode_font", lambda: None)
    monkeypatch.setattr("fpdf.FPDF.set_compression", lambda self, c: None, raising=False)
    long_name = "Foundation " + "for Very Long Names " * 12 + "END"
    from graph.reports.sections import ReportModel, Section, Table

    model = ReportModel(
        "Donor concentration — board report",
        "Generated today.",
        "IITE",
        tuple(
            Section(f"Part {i}", (Table(("#", "Donor"), (("1", long_name),), ("R", "L"), (8, 80)),))
            for i in range(30)
        ),
        "x",
    )
    text = _pdf_text(pdf.render_pdf(model))
    assert "Page 1 of" in text and "Page 3 of" in text
    assert "END" in text  # wrapped onto more lines, not cut with "..."
    assert "..." not in text


def test_cli_reads_in_words_not_codes():
    from loaders.load import load_memory

    text = board_report(load_memory())
    assert "un_system" not in text and "UN system" in text
    assert "incoming_funds" not in text and "incoming funds" in text
    assert "France" in text and " FRA " not in text
    assert "[pool]" not in text
    assert "nan" not in text.lower().replace("financ", "")
