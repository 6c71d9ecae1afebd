"""Hostile input (issue 12): bombs, deep nesting, huge numbers and cells, invisible
characters, formula cells in exports. Each gets a clear problem naming the file and what to
do, in bounded memory, and never a traceback."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd

from loaders.limits import MAX_CELL_CHARS, MAX_NAME_CHARS, MAX_XML_TEXT_CHARS
from loaders.load import load_memory
from loaders.readers import iter_file, iter_path, read_file
from loaders.records import Problem
from loaders.stream_check import check_stream
from tests.attacks import NAMES

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"


def _problems(items) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


def test_a_workbook_bomb_is_refused_before_it_is_read():
    """A small .xlsx whose one part unpacks to hundreds of MB (the review's 1.5 MB file with
    a 1.5 GB cell): refused from the zip's own directory, without unpacking it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/sharedStrings.xml", "w") as part:
            chunk = b"A" * (1 << 20)
            for _ in range(250):
                part.write(chunk)
    data = buf.getvalue()
    assert len(data) < 2_000_000
    tracemalloc.start()
    try:
        problems = _problems(iter_file("organizations.xlsx", data=data))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith("organizations.xlsx: the workbook unpacks to 250 MB")
    assert "Fix:" in text
    assert peak < 20_000_000, f"peak {peak:,} bytes"


def test_deep_json_and_long_numbers_are_problems_not_tracebacks(tmp_path):
    deep = tmp_path / "organizations.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    (p,) = _problems(iter_file(deep))
    assert "nests more than 64 levels deep" in str(p)
    digits = tmp_path / "funding.json"
    digits.write_text(json.dumps([{"flow_id": "f1"}])[:-2] + ', "amount": ' + "9" * 5000 + "}]")
    (p,) = _problems(iter_file(digits))
    assert "a number has 5,000 digits" in str(p) and "funding.json" in str(p)


def test_a_huge_csv_cell_is_named_as_such_not_blamed_on_quotes(tmp_path):
    f = tmp_path / "networks.csv"
    f.write_text(
        'network_id,name,source_id,quote\nn1,Net,s1,"' + "x" * 300_000 + '"\n', encoding="utf-8"
    )
    problems = _problems(iter_file(f))
    assert problems, "a 300,000-character cell is a problem"
    text = str(problems[0])
    assert "longer than" in text and "characters" in text and "quote" not in text.split(":")[1]


def test_names_and_cells_over_the_limits(tmp_path):
    """Your own records: a problem. A published file: cut, with a notice."""
    (tmp_path / "networks.csv").write_text(
        "network_id,name,source_id,quote\n"
        f"n1,{'N' * (MAX_NAME_CHARS + 1)},s1,q\n"
        f"n2,Fine,s1,{'q' * (MAX_CELL_CHARS + 1)}\n",
        encoding="utf-8",
    )
    (tmp_path / "sources.csv").write_text("source_id,title\ns1,Doc\n", encoding="utf-8")
    report = check_stream(iter_path(tmp_path))
    said = [str(p) for p in report.problems]
    assert any(
        "line 2, column 'name'" in s and f"more than the {MAX_NAME_CHARS:,}" in s for s in said
    )
    assert any("line 3, column 'quote'" in s and f"{MAX_CELL_CHARS:,}" in s for s in said)

    title = "T" * 3000
    xml = (
        '<iati-activities version="2.03"><iati-activity><iati-identifier>XM-1</iati-identifier>'
        '<reporting-org ref="XM" type="10"><narrative>Agency</narrative></reporting-org>'
        f"<title><narrative>{title}</narrative></title>"
        '<activity-status code="2"/></iati-activity></iati-activities>'
    )
    report = check_stream(iter_file("long.xml", data=xml.encode()))
    assert not report.problems, report.problems
    assert any(f"cut at {MAX_NAME_CHARS:,} characters" in n.message for n in report.notices)


def test_invisible_characters(tmp_path):
    """NUL, bidirectional overrides and zero-width characters: a problem in your own
    records (they cannot be seen, and make a name read otherwise); removed with a notice
    from a published file."""
    (tmp_path / "networks.csv").write_text(
        "network_id,name,source_id,quote\nn1,Right-to-left \u202eoverride,s1,q\n"
        "n2,Zero\u200bwidth,s1,q\n",
        encoding="utf-8",
    )
    (tmp_path / "sources.csv").write_text("source_id,title\ns1,Doc\n", encoding="utf-8")
    report = check_stream(iter_path(tmp_path))
    said = " ".join(str(p) for p in report.problems)
    assert "U+202E" in said and "U+200B" in said
    xml = (
        '<iati-activities version="2.03"><iati-activity><iati-identifier>XM-1</iati-identifier>'
        '<reporting-org ref="XM" type="10"><narrative>Age\u202ency</narrative></reporting-org>'
        "<title><narrative>A\u200btitle</narrative></title>"
        '<activity-status code="2"/></iati-activity></iati-activities>'
    )
    rows, problems = read_file("x.xml", data=xml.encode())
    report = check_stream(iter(rows))
    assert not report.problems, report.problems
    assert any("invisible or control character" in n.message for n in report.notices)


def test_a_long_xml_text_node_is_refused_with_a_clear_message():
    text = "x" * (MAX_XML_TEXT_CHARS + 10)
    xml = (
        '<iati-activities version="2.03"><iati-activity><iati-identifier>XM-1</iati-identifier>'
        f"<description><narrative>{text}</narrative></description>"
        "</iati-activity></iati-activities>"
    )
    (p,) = _problems(iter_file("long.xml", data=xml.encode()))
    assert f"longer than {MAX_XML_TEXT_CHARS:,} characters" in str(p)
    assert "DOCTYPE" not in str(p)


def test_streamed_validation_of_a_big_iati_file_stays_small(tmp_path):
    """Rows are checked and dropped as they are read: the peak is a small fraction of what
    keeping every row takes (the old way, measured here on the same file)."""
    from loaders.readers import read_path
    from loaders.validate import validate_rows
    from tests.test_iati import _activity

    def make(n, name):
        path = tmp_path / name
        with path.open("w", encoding="utf-8") as f:
            f.write('<iati-activities version="2.03">\n')
            for i in range(n):
                f.write(_activity(i))
            f.write("</iati-activities>\n")
        return path

    small, big = make(50, "small.xml"), make(6_000, "big.xml")
    check_stream(iter_path(small))  # warm the readers' tables (rates, codes) up
    read_path(small)
    tracemalloc.start()
    try:
        report = check_stream(iter_path(big))
        _, streamed = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    tracemalloc.start()
    try:
        rows, _ = read_path(big)
        validate_rows(rows)
        _, kept = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not report.problems and report.counts["funding"] == 12_000
    assert streamed < kept / 4, f"streamed {streamed:,} bytes, keeping every row {kept:,}"
    assert streamed < big.stat().st_size / 2


def test_csv_exports_neutralise_formulas_and_keep_numbers():
    from views.fmt import csv_bytes

    df = pd.DataFrame({"name": NAMES, "usd": [-1.5] * len(NAMES)})
    out = csv_bytes(df).decode("utf-8-sig").splitlines()
    cells = [line.split('","')[0].lstrip('"') for line in out[1:]]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert all(line.endswith('"-1.5"') for line in out[1:] if line.endswith('"'))
    assert "\"'=HYPERLINK(" in csv_bytes(df).decode("utf-8-sig")


def test_the_board_report_stays_linear_in_a_names_length():
    """A store written by other means may hold a 100,000-character name: the report cuts
    it where it shows it, so the PDF is built at once."""
    from graph.reports import board
    from graph.store.batch import GraphBatch

    store = load_memory(FIXTURE)
    orgs = store.node_table("Organization")
    big = "N" * 100_000
    store.write(
        GraphBatch(
            nodes={"Organization": [{"id": i, "props": {"name": big + i}} for i in orgs["id"]]},
            rels={},
        )
    )
    rep = board.build(store)
    assert rep.pdf.startswith(b"%PDF") and big not in rep.html
