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
