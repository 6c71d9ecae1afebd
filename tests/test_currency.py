"""Exchange rates: the bundled table, user rates files, conversion, and the notices a load
gives for flows without a rate."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import ValidationFailed
from graph.store.memory import MemoryStore
from loaders.__main__ import main as cli
from loaders.currency import RateTable, notices
from loaders.load import DATA_DIR, load, load_rows
from loaders.readers import read_path
from tests.helpers import ecb_file_rates

FIXTURES = Path(__file__).parent / "fixtures"
IATI = FIXTURES / "iati" / "activities-2.03.xml"


@pytest.fixture(scope="module")
def ecb():
    return ecb_file_rates()


@pytest.mark.parametrize(
    ("cur", "day"),
    [("EUR", "2011-11-01"), ("GBP", "2019-06-14"), ("JPY", "2008-10-24"), ("RUB", "2021-12-30")],
)
def test_conversions_match_the_ecb_file(ecb, cur, day):
    table = RateTable.bundled()
    usd_per_eur = ecb["USD"][day]
    expected = usd_per_eur if cur == "EUR" else usd_per_eur / ecb[cur][day]
    q = table.quote(cur, day)
    assert q.usd_per_unit == pytest.approx(expected, rel=1e-9)
    assert q.source == f"ECB reference rate of {day}"


def test_a_year_is_the_mean_of_its_published_days(ecb):
    days = [d for d in ecb["GBP"] if d.startswith("2019") and d in ecb["USD"]]
    expected = sum(ecb["USD"][d] / ecb["GBP"][d] for d in days) / len(days)
    q = RateTable.bundled().quote("GBP", 2019)
    assert q.usd_per_unit == pytest.approx(expected, rel=1e-9)
    assert q.source == f"ECB reference rates, mean of {len(days)} days of 2019"


def test_a_day_without_a_rate_takes_the_last_one_published(ecb):
    assert "2011-11-05" not in ecb["USD"]  # a Saturday
    q = RateTable.bundled().quote("EUR", "2011-11-05")
    assert q.usd_per_unit == ecb["USD"]["2011-11-04"]
    assert "last published on or before" in q.source


def test_nothing_is_extrapolated(ecb):
    table = RateTable.bundled()
    assert max(ecb["RUB"]) == "2022-03-01"
    assert table.quote("RUB", "2022-06-01") is None
    assert table.quote("KES", "2020-01-02") is None  # not in the series
    assert table.quote("EUR", "1998-12-31") is None  # before the euro
    assert table.quote("EUR", "2099-01-01") is None
    assert "USD" in table.currencies() and "GBP" in table.currencies()


def test_usd_is_always_one_and_missing_rates_are_none():
    table = RateTable({}, name="empty")
    assert table.rate("USD", 1990) == 1.0
    assert table.rate("EUR", 2020) is None
    assert table.convert(10, "EUR", 2020) is None
    assert table.convert(10, None, 2020) is None
    assert table.rate("EUR", None) is None


def test_overlay_lets_the_users_rates_win():
    base = RateTable.from_rows([("EUR", 2020, 1.14, "base"), ("GBP", 2020, 1.28, "base")], name="a")
    mine = RateTable.from_rows(
        [("EUR", 2020, 1.10, "mine"), ("KES", 2020, 0.0093, "mine")], name="b"
    )
    both = base.overlay(mine)
    assert (both.rate("EUR", 2020), both.rate("GBP", 2020), both.rate("KES", 2020)) == (
        1.10,
        1.28,
        0.0093,
    )
    assert both.name == "b + a"
    assert both.source("KES", "2020-05-01") == "b: mine (2020)"
    assert base.rate("EUR", 2020) == 1.14  # unchanged


@given(
    st.sampled_from(["EUR", "GBP", "CNY", "RUB"]),
    st.sampled_from(list(range(2010, 2022))),
    st.floats(min_value=0, max_value=1e12, allow_nan=False),
)
def test_convert_is_amount_times_rate_in_cents(cur, year, amount):
    table = RateTable.bundled()
    assert table.convert(amount, cur, year) == round(amount * table.rate(cur, year), 2)


def test_rates_file_problems_all_at_once(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("currency,rate\nEUR,1.1\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        RateTable.load(p)
    assert [str(x) for x in e.value.problems] == [
        "r.csv, line 1, column 'year': required column 'year' is missing. Fix: the columns "
        "are: currency, year, usd_per_unit, source",
        "r.csv, line 1, column 'usd_per_unit': required column 'usd_per_unit' is missing. Fix: "
        "the columns are: currency, year, usd_per_unit, source",
    ]
    with pytest.raises(ValidationFailed) as e:
        RateTable.load(tmp_path / "nope.csv")
    assert str(e.value.problems[0]) == "nope.csv: cannot read rates file: No such file or directory"
    p.write_bytes(b"currency,year,usd_per_unit\nEUR,2020,1,1\n" + b"\xff\n")
    with pytest.raises(ValidationFailed) as e:
        RateTable.load(p)
    assert str(e.value.problems[0]) == (
        "r.csv: the rates file is not UTF-8 text. Fix: save it as CSV UTF-8"
    )


def test_a_rates_file_without_source_column_loads(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("currency,year,usd_per_unit\nKES,2023,0.0071\n", encoding="utf-8")
    t = RateTable.load(p)
    assert (t.rate("KES", 2023), t.source("KES", 2023), len(t)) == (
        0.0071,
        "r.csv: annual rate (2023)",
        1,
    )


# -- conversion in loads --------------------------------------------------------------------


def test_user_rates_fill_the_gap_and_the_notice_goes(tmp_path):
    rates = tmp_path / "kes.csv"
    rates.write_text(
        "currency,year,usd_per_unit,source\nKES,2023,0.0071,test rate\n", encoding="utf-8"
    )
    table = RateTable.bundled().overlay(RateTable.load(rates))
    rows, problems = read_path(IATI, rates=table)
    assert not any("KES" in str(n) for n in notices(rows))
    store = MemoryStore()
    load_rows(rows, problems, store, source=str(IATI))
    flows = store.rel_table("FUNDS").set_index("id")
    assert flows.loc["KE-NGC-OP-1234-SCH#t2", "usd_rate"] == 0.0071
    assert flows.loc["KE-NGC-OP-1234-SCH#t2", "amount_usd"] == pytest.approx(17750)


def test_cli_rates_option(tmp_path, capsys):
    rates = tmp_path / "kes.csv"
    rates.write_text("currency,year,usd_per_unit,source\nKES,2023,0.0071,test\n", encoding="utf-8")
    assert cli(["validate", str(IATI)]) == 0
    assert "no exchange rate to USD for KES on 2023-" in capsys.readouterr().out
    assert cli(["validate", str(IATI), "--rates", str(rates)]) == 0
    out = capsys.readouterr().out
    assert "for KES" not in out and "2 notices (loaded anyway):" in out  # mixed budget, alias
    rates.write_text("currency,year,usd_per_unit,source\nKES,23,x,test\n", encoding="utf-8")
    assert cli(["validate", str(IATI), "--rates", str(rates)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2 problems found; fix them and run again."
    assert "kes.csv, line 2, column 'year', value '23': not a four-digit year." in out


def test_a_plain_record_flow_without_rate_gets_a_notice(tmp_path, capsys):
    folder = tmp_path / "records"
    shutil.copytree(FIXTURES / "minimal", folder)
    path = folder / "funding.csv"
    text = path.read_text(encoding="utf-8").replace(
        "f2,evil,iite,p1,2025,250,USD,,", "f2,evil,iite,p1,2025,250,EUR,,"
    )
    path.write_text(text, encoding="utf-8")
    assert cli(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert (
        "1 notice (loaded anyway):\n  funding.csv, line 3, column 'currency', value 'EUR 2025': "
        "no exchange rate to USD for EUR in 2025: amount_usd is left empty, so the flow is "
        "loaded but not counted in USD totals. Fix: give the rate in the file's usd_rate "
        "column, or load with --rates FILE holding a row EUR,2025,<USD per EUR>,<source>"
    ) in out


def test_bundled_flows_keep_the_reports_own_usd_figures():
    store = MemoryStore()
    load(DATA_DIR, store)
    flows = store.rel_table("FUNDS").set_index("id")
    with (DATA_DIR / "funding.csv").open(encoding="utf-8") as f:
        given_usd = {r["flow_id"]: r["amount_usd"] for r in csv.DictReader(f) if r["amount_usd"]}
    assert given_usd
    for flow_id, usd in given_usd.items():
        assert flows.loc[flow_id, "amount_usd"] == pytest.approx(float(usd)), flow_id
    rows, _ = read_path(DATA_DIR)
    assert notices(rows) == []


def test_a_flow_with_no_year_and_no_rate_is_told_so_on_both_paths():
    import numpy as np
    import pandas as pd

    from loaders.frames import RawFrame
    from loaders.records import Location, RawRow

    row = RawRow("funding", {"amount": "10", "currency": "NOK"}, Location("funding.csv", line=2))
    cells = pd.DataFrame({"amount": ["10"], "currency": ["NOK"], "year": [np.nan]})
    frame = RawFrame("funding", cells, np.array([2]), "funding.csv")
    by_row, by_column = (str(n) for n in (notices([row])[0], notices([frame])[0]))
    assert by_row == by_column
    assert "value 'NOK':" in by_row and "(the flow states no year)" in by_row
    assert "None" not in by_row and "nan" not in by_row
