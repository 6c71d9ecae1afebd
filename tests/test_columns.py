"""The column path for big funding files (``loaders.frames``, ``loaders.columns``) reads,
types and judges every cell exactly as the row-by-row path does: the same records (Python
types included), the same problems in the same order, the same notices, the same store.
Each case runs both paths on the same bytes and compares them.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.store import build_batch
from graph.store.batch import FrameRows
from loaders.currency import notices
from loaders.frames import RawFrame, read_csv_frame
from loaders.generate import generate
from loaders.load import check_rows, load_memory
from loaders.readers import read_path
from loaders.tabular import read_csv

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

HEADER = (
    "flow_id,donor_id,recipient_id,project_id,year,amount,currency,amount_usd,usd_rate,"
    "kind,channel,date,pooled,source_id,quote"
)


def both_paths(files: dict[str, bytes], base: Path = DATA):
    """``(rows, problems)`` of the bundled data plus ``files`` read with the column path
    and with the row path only."""
    out = []
    for frames in (True, False):
        rows, problems = read_path(base)
        rows = [r for r in rows if getattr(r, "kind", None) != "funding"]
        for name, data in files.items():
            for item in read_csv(data, "funding", name, frames=frames):
                (rows if not hasattr(item, "message") else problems).append(item)
        out.append((rows, problems))
    return out


def canonical_flows(records) -> list[str]:
    """Every funding relationship the batch would write, as type-strict JSON (``1`` and
    ``1.0`` differ), in id order."""
    batch = build_batch(records)
    rows = [r for key, group in batch.rels.items() if key[0] == "FUNDS" for r in group]
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


def judged(files: dict[str, bytes]):
    """Problems, notices and flows of both paths."""
    result = []
    for rows, read_problems in both_paths(files):
        records, problems = check_rows(rows, read_problems)
        result.append(
            (
                [str(p) for p in problems],
                [str(n) for n in notices(rows)],
                canonical_flows(records) if not problems else None,
                records.count("funding"),
            )
        )
    return result


def funding_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


GOOD = "iite,iite,,{year},{amount},{currency},{usd},{rate},cash,extrabudgetary,,,doc001,Said."


def test_the_bundled_data_loads_to_the_same_store_on_both_paths(monkeypatch):
    frame_store = load_memory(DATA)
    import loaders.readers as readers

    monkeypatch.setattr(
        readers, "read_csv", lambda data, kind, shown: read_csv(data, kind, shown, frames=False)
    )
    row_store = load_memory(DATA)
    pd.testing.assert_frame_equal(frame_store.flows.frame, row_store.flows.frame)
    assert frame_store.counts() == row_store.counts()


def test_a_generated_portfolio_gives_the_same_flows_on_both_paths(tmp_path):
    generate(tmp_path, flows=3000, seed=5)
    data = (tmp_path / "funding.csv").read_bytes()
    rows, _ = read_path(tmp_path)
    assert any(isinstance(r, RawFrame) for r in rows)
    flows = []
    for frames in (True, False):
        rows, read_problems = read_path(tmp_path)
        rows = [r for r in rows if getattr(r, "kind", None) != "funding"]
        rows += list(read_csv(data, "funding", "funding.csv", frames=frames))
        records, found = check_rows(rows, read_problems)
        assert found == []
        flows.append(canonical_flows(records))
    assert flows[0] == flows[1]
    assert len(flows[0]) == 3000


def test_every_bad_cell_gets_the_row_paths_message_in_the_row_paths_order():
    data = funding_file(
        "f1," + GOOD.format(year=2024, amount="1000", currency="USD", usd="", rate=""),
        "f2," + GOOD.format(year=2024, amount="1,000", currency="EUR", usd="", rate=""),
        "f3," + GOOD.format(year=1800, amount="1 000", currency="usd", usd="", rate=""),
        "f4," + GOOD.format(year="20x5", amount="1,5", currency="", usd="", rate=""),
        "f5," + GOOD.format(year=2024, amount="-5", currency="XXQ", usd="abc", rate="1e3"),
        "f6," + GOOD.format(year=2024, amount="inf", currency="EUR", usd="", rate="2"),
        "f1," + GOOD.format(year=2024, amount="7", currency="USD", usd="", rate=""),
        ",,,,,,,,,,,,,,",
        "f7,nobody,iite,no-such-project,2024,5,USD,,,cash,extra budget,2024-13,maybe,docX,",
        "f8," + GOOD.format(year=2024, amount="12", currency="", usd="", rate=""),
    )
    frame_path, row_path = judged({"funding.csv": data})
    assert frame_path == row_path
    problems = frame_path[0]
    assert len(problems) > 15
    assert any("duplicate id (first at funding.csv, line 2)" in p for p in problems)
    assert any("numbers must not contain thousands separators" in p for p in problems)
    assert any("refers to an unknown organizations id" in p for p in problems)
    assert any("an amount needs a currency" in p for p in problems)


def test_amounts_rates_and_usd_values_are_typed_alike():
    data = funding_file(
        "a1," + GOOD.format(year=2024, amount="1000", currency="USD", usd="", rate=""),
        "a2," + GOOD.format(year=2024, amount="1000.50", currency="EUR", usd="", rate="1.1"),
        "a3," + GOOD.format(year=2024, amount="1000", currency="EUR", usd="", rate="2"),
        "a4," + GOOD.format(year=2024, amount="0.125", currency="EUR", usd="", rate="1"),
        "a5," + GOOD.format(year=2024, amount="1e3", currency="EUR", usd="", rate="0.5"),
        "a6," + GOOD.format(year=2024, amount="12.", currency="GBP", usd="", rate=""),
        "a7," + GOOD.format(year=2024, amount="0012", currency="EUR", usd="99", rate=""),
        "a8," + GOOD.format(year=2024, amount="+5", currency="USD", usd="", rate="1"),
        "a9," + GOOD.format(year=2024, amount="1.005", currency="EUR", usd="", rate="1"),
    )
    frame_path, row_path = judged({"funding.csv": data})
    assert frame_path == row_path
    assert frame_path[0] == []
    assert frame_path[1]  # the GBP flow without a rate is noticed on both paths
    flows = {json.loads(r)["id"]: json.loads(r)["props"] for r in frame_path[2]}
    assert flows["a1"]["amount_usd"] == 1000 and flows["a3"]["amount_usd"] == 2000


def test_a_duplicate_across_files_names_the_first_file():
    first = funding_file(
        "d1," + GOOD.format(year=2024, amount="1", currency="USD", usd="", rate="")
    )
    second = funding_file(
        "d2," + GOOD.format(year=2024, amount="1", currency="USD", usd="", rate=""),
        "d1," + GOOD.format(year=2024, amount="2", currency="USD", usd="", rate=""),
    )
    frame_path, row_path = judged({"a_funding.csv": first, "b_funding.csv": second})
    assert frame_path == row_path
    assert any("first at a_funding.csv, line 2" in p for p in frame_path[0])


@pytest.mark.parametrize(
    "text",
    [
        'flow_id,quote\n"f\n1",x\n',  # a quoted line break: lines must be counted row by row
        'flow_id,quote\n"f1"x,y\n',  # text after a closing quote: Python's CSV refuses it
        "flow_id,quote\nf1,x,extra\n",  # more cells than the header
        "flow_id,quote\nf1,x,\n",  # an empty extra cell
        "flow_id,quote\r\nf1,x\r\n\r\nf2,y\r\n",  # CRLF and a blank line
        "flow_id,quote\rf1,x\r",  # lone carriage returns
        "flow_id;quote\nf1;x\n",  # semicolons
        "\ufeffflow_id,quote\nf1, x \n",  # a byte-order mark and padded cells
        "flow_id,quote,quote\nf1,x,y\n",  # a repeated column
        "flow_id,colour\nf1,x\n",  # an unknown column
        "flow_id,quote\nf1,\x1cx\x1f\n",  # separators that Python strips
        "flow_id,quote\nf1,a\x00b\n",  # a NUL byte
        'flow_id,quote\nf1,"say ""hi"", twice"\n',  # quotes written twice
        "flow_id,quote\n",  # no records
        "flow_id,quote\nf1," + "x" * 140_000 + "\n",  # a field over Python's CSV limit
    ],
)
def test_odd_files_read_the_same_on_both_paths(text):
    data = text.encode()
    frame_items = list(read_csv(data, "funding", "f.csv"))
    row_items = list(read_csv(data, "funding", "f.csv", frames=False))
    assert cells_of(frame_items) == cells_of(row_items)


def cells_of(items) -> list:
    """Each row as (line, cells) and each problem as text, whatever the path."""
    out = []
    for item in items:
        if isinstance(item, RawFrame):
            table = item.table.astype(object).where(item.table.notna(), None)
            for pos, rec in enumerate(table.to_dict("records")):
                cells = {k: v for k, v in rec.items()}
                out.append((str(item.location(pos)), cells))
        elif hasattr(item, "values"):
            cells = {k: item.values.get(k) for k in item.values}
            out.append((str(item.location), cells))
        else:
            out.append(str(item))
    return out


def test_the_column_path_is_taken_for_a_plain_file_and_left_for_a_quoted_line_break():
    plain = funding_file(
        "f1," + GOOD.format(year=2024, amount="1", currency="USD", usd="", rate="")
    )
    assert read_csv_frame(plain, plain.decode(), "funding", "f.csv") is not None
    broken = b'flow_id,quote\n"f\n1",x\n'
    assert read_csv_frame(broken, broken.decode(), "funding", "f.csv") is None
    assert read_csv_frame(plain, plain.decode(), "organizations", "o.csv") is None


def test_frame_rows_slice_to_the_row_dicts_a_bolt_store_sends():
    rows, _ = read_path(DATA)
    records, problems = check_rows(rows, [])
    assert problems == []
    batch = build_batch(records)
    flows = batch.rels[("FUNDS", "Organization", "Organization")]
    assert isinstance(flows, FrameRows)
    sliced = flows[0:7] + flows[7:]
    assert sliced == list(flows)
    assert all(None not in r["props"].values() for r in sliced)


CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "7",
            "12.50",
            "1,000",
            "1 000",
            "1,5",
            "-3",
            "+4",
            "1e3",
            "inf",
            "nan",
            ".5",
            "5.",
            "0012",
            "2024",
            "1899",
            "2101",
            "20x5",
            "USD",
            "EUR",
            "usd",
            "XXQ",
            "cash",
            "in kind",
            "In-Kind",
            "extrabudgetary",
            "regular budget",
            "true",
            "no",
            "maybe",
            "2024-02-30",
            "2024-07",
            "2024-07-01",
            "iite",
            "unesco_iite",
            "doc001",
            "Q",
        ]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + " .,-+", max_size=8),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=15, max_size=15), min_size=1, max_size=12))
def test_any_cells_are_judged_alike_on_both_paths(table):
    lines = []
    for cells in table:
        quoted = ['"' + c.replace('"', '""') + '"' if "," in c else c for c in cells]
        lines.append(",".join(quoted))
    frame_path, row_path = judged({"funding.csv": funding_file(*lines)})
    assert frame_path == row_path
