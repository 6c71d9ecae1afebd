"""Projections for a planning period (issue 13, part 1): the record kinds, the properties of
the projection, and the what-it-takes answer checked by running the projection again."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analyses.assumptions import projection_lines
from graph.analyses.projection import project_lines, projection
from graph.analyses.what_it_takes import check, least_new_money, what_it_takes
from graph.errors import ValidationFailed
from graph.store.memory import MemoryStore
from loaders.load import DATA_DIR, load, load_memory

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
PERIOD = (2026, 2028)


def line(
    kind="prospect",
    *,
    p=0.5,
    amount=100.0,
    low=None,
    high=None,
    donor="D",
    first=2026,
    last=2028,
    region=None,
    channel="extrabudgetary",
    sector="foundation",
    i=0,
):
    return {
        "kind": kind,
        "id": f"{kind}-{i}",
        "donor": donor,
        "donor_name": donor,
        "sector": sector,
        "channel": channel,
        "first": first,
        "last": last,
        "probability": p,
        "amount": amount,
        "low": amount if low is None else low,
        "high": amount if high is None else high,
        "agreement": kind != "secured",
        "regions": ((region, 1.0),),
    }


BASE = [
    line("secured", p=1.0, amount=400.0, donor="A", first=2026, last=2026, region="focus:africa"),
    line(
        "secured", p=1.0, amount=250.0, donor="B", first=2027, last=2027, region="focus:eeca", i=1
    ),
]


def run(rows, **kw):
    return project_lines(pd.DataFrame(rows), PERIOD, **kw)


items = st.lists(
    st.tuples(
        st.floats(0.0, 1.0),  # probability
        st.floats(1.0, 1e6),  # amount
        st.sampled_from(["A", "B", "C", "new:X", "new:Y"]),
        st.integers(2026, 2028),
        st.integers(0, 2),
        st.booleans(),  # a range
        st.sampled_from([None, "focus:africa", "focus:eeca", "focus:middle-east"]),
    ),
    max_size=16,
)


def lines_of(drawn):
    out = list(BASE)
    for i, (p, a, donor, first, span, ranged, region) in enumerate(drawn):
        out.append(
            line(
                p=p,
                amount=a,
                low=a / 2 if ranged else None,
                high=a * 1.5 if ranged else None,
                donor=donor,
                first=first,
                last=min(2028, first + span),
                region=region,
                i=i + 2,
            )
        )
    return out


@settings(max_examples=60, deadline=None)
@given(items)
def test_the_expected_value_lies_inside_the_band(drawn):
    p = run(lines_of(drawn), draws=2000)
    y = p.years
    assert (y["low"] <= y["expected"] + 1e-6).all() and (y["expected"] <= y["high"] + 1e-6).all()
    assert (y["secured"] <= y["low"] + 1e-6).all()  # secured money always comes
    for col in ("hhi", "cr1", "agreements"):
        ok = y[col].notna()
        assert (y.loc[ok, f"{col}_low"] <= y.loc[ok, col] + 1e-6).all()
        assert (y.loc[ok, col] <= y.loc[ok, f"{col}_high"] + 1e-6).all()
    for g, t in p.by.items():
        assert (t["low"] <= t["expected"] + 1e-6).all(), g
        assert (t["expected"] <= t["high"] + 1e-6).all(), g


@settings(max_examples=40, deadline=None)
@given(items, st.floats(1.0, 1e6), st.sampled_from([None, "focus:africa", "focus:eeca"]))
def test_a_prospect_of_probability_0_changes_nothing_and_of_1_equals_a_secured_one(
    drawn, amount, region
):
    rows = lines_of(drawn)
    before = run(rows, draws=2000, seed=3)
    zero = run(
        [*rows, line(p=0.0, amount=amount, donor="Z", region=region, i=99)], draws=2000, seed=3
    )
    cols = ["secured", "expected", "low", "high", "hhi", "hhi_low", "hhi_high", "cr1"]
    pd.testing.assert_frame_equal(zero.years[cols], before.years[cols])
    one = run(
        [*rows, line(p=1.0, amount=amount, donor="Z", region=region, i=99)], draws=2000, seed=3
    )
    sure = [
        line("secured", p=1.0, amount=amount, donor="Z", region=region, first=y, last=y, i=100 + y)
        for y in range(2026, 2029)
    ]
    secured = run([*rows, *sure], draws=2000, seed=3)
    cols = ["expected", "low", "high", "hhi", "hhi_low", "hhi_high", "cr1", "balance"]
    pd.testing.assert_frame_equal(one.years[cols], secured.years[cols])


def test_bands_narrow_as_probabilities_go_to_0_or_1():
    def width(p):
        y = run([*BASE, line(p=p, amount=1000.0, donor="C", region="focus:eeca")]).years
        return float((y["high"] - y["low"]).iloc[0])

    up = [width(p) for p in (0.5, 0.8, 0.95, 0.99, 1.0)]
    down = [width(p) for p in (0.5, 0.2, 0.05, 0.01, 0.0)]
    assert up == sorted(up, reverse=True) and up[-1] == 0
    assert down == sorted(down, reverse=True) and down[-1] == 0
    assert up[0] == 1000.0  # an even chance: nothing or all of it


def test_the_same_seed_gives_the_same_draws_and_many_items_are_drawn():
    rows = lines_of([(0.3, 1000.0 * i, "C", 2026, 2, True, None) for i in range(1, 20)])
    a, b = run(rows, seed=7), run(rows, seed=7)
    assert a.method == "10,000 seeded draws (seed 7) over 19 uncertain items"
    pd.testing.assert_frame_equal(a.years, b.years)
    assert not run(rows, seed=8).years["low"].equals(a.years["low"])
    exact = run(lines_of([(0.3, 1000.0, "C", 2026, 2, False, None)] * 12))
    assert exact.method == "exact: every combination of 12 uncertain items (4,096 outcomes)"


def test_a_required_level_gives_the_gap():
    y = run([*BASE, line(p=0.5, amount=200.0)], required={2026: 1000.0, 2027: 500.0}).years
    assert y.loc[0, ["expected", "required", "gap", "gap_low"]].tolist() == [
        500.0,
        1000.0,
        500.0,
        600.0,
    ]
    assert math.isnan(y.loc[2, "required"])


# ------------------------------------------------------------------------- bundled data
RENEWALS = pd.DataFrame(
    [
        {
            "renewal_id": "r-rb",
            "donor_id": "unesco",
            "channel": "regular_budget",
            "probability": 1.0,
            "stated_by": "test",
        },
        {
            "renewal_id": "r-host",
            "donor_id": "rus-gov",
            "channel": "host_country",
            "probability": 0.9,
            "stated_by": "test",
        },
        {
            "renewal_id": "r-huawei",
            "project_id": "huawei-ai-he-tvet",
            "probability": 0.5,
            "stated_by": "test",
        },
    ]
)


def test_the_bundled_data_alone_secures_no_money_in_the_period_and_says_what_runs_on():
    p = projection(load_memory(), prospects=pd.DataFrame(), renewals=pd.DataFrame())
    y = p.years
    assert y["expected"].sum() == 0 and y["secured"].sum() == 0
    # three of the institute's agreements run into the period; none states a yearly amount
    assert y["unfunded"].tolist() == [3, 1, 1, 1] and y["agreements"].tolist() == [3, 1, 1, 1]
    lines = p.lines.set_index("id")
    assert lines.at["codemao-youth-coding", "basis"] == "its agreement runs to 2029"


def test_renewals_extend_from_their_basis_year_and_an_unknown_amount_stays_unknown():
    p = projection(load_memory(), prospects=pd.DataFrame(), renewals=RENEWALS)
    lines = p.lines.set_index("id")
    assert lines.at["r-rb", "amount"] == 414_000 and lines.at["r-host", "amount"] == 423_163
    assert (int(lines.at["r-huawei", "first"]), int(lines.at["r-huawei", "last"])) == (2027, 2029)
    assert math.isnan(lines.at["r-huawei", "amount"])
    y = p.years.set_index("year")
    assert y.at[2026, "expected"] == pytest.approx(414_000 + 0.9 * 423_163)
    assert y.at[2027, "unknown"] == 1 and y.at[2027, "agreements"] == 1.5
    assert y.at[2026, "low"] == 414_000 and y.at[2026, "high"] == 414_000 + 423_163


def test_what_it_takes_is_enough_when_the_projection_is_run_again_and_no_less_would_do():
    p = projection(load_memory(), prospects=pd.DataFrame(), renewals=RENEWALS)
    for base in ("secured", "expected"):
        w = what_it_takes(p, base=base, hhi_max=2500, tolerance=0.10)
        assert w.feasible and w.total > 0
        again = check(w, p)
        assert again.years["hhi"].iloc[0] <= 2500 + 1e-6
        money = again.regions[again.regions["measure"] == "money"].set_index("region")
        for r, floor in zip(w.table["group"], w.table["floor"], strict=True):
            assert money.at[r, "share"] >= floor - 1e-9
    # by sector, against a floor for private companies
    w = what_it_takes(p, by="sector", base="expected", sector_floors={"private_company": 0.25})
    again = check(w, p, by="sector")
    share = again.by["sector"].set_index("key")["expected"]
    assert share.get("private_company", 0) / share.sum() >= 0.25 - 0.10 - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from("ABCDEF"), st.floats(1.0, 1e6), min_size=1),
    st.floats(0.0, 1e6),
    st.floats(0.0, 1e6),
    st.floats(1000.0, 5000.0),
    st.floats(1e3, 1e6),
)
def test_the_least_new_money_meets_both_conditions_and_a_little_less_does_not(
    donors, africa, eeca, hhi_max, size
):
    targets = {"focus:africa": 0.4, "focus:eeca": 0.35, "focus:middle-east": 0.15, "other": 0.1}
    groups = {"focus:africa": africa, "focus:eeca": eeca}
    w = least_new_money(donors, groups, targets, hhi_max=hhi_max, tolerance=0.1, donor_size=size)
    b = np.array(list(donors.values()))
    big, s = b.sum(), (b**2).sum()

    def holds(x):
        hhi = 10_000 * (s + size * x) / (big + x) ** 2
        assigned = africa + eeca + x
        need = sum(
            max(0.0, (targets[k] - 0.1) * assigned - groups.get(k, 0.0))
            for k in ("focus:africa", "focus:eeca", "focus:middle-east")
        )
        return hhi <= hhi_max + 1e-6 and need <= x + 1e-6

    assert holds(w.total)
    if w.total > 1:
        assert not holds(w.total * 0.999 - 1e-6)


# ---------------------------------------------------------------------------- records
def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_assumption_records_load_into_both_stores_and_project_the_same(tmp_path, either_store):
    folder = write(
        tmp_path / "plans",
        "renewals.csv",
        "renewal_id,donor_id,channel,probability,level,stated_by\n"
        "r-host,rus-gov,host_country,90%,1.1,Strategy team (test)\n",
    )
    write(
        folder,
        "prospects.csv",
        "prospect_id,title,donor_name,donor_sector,amount_low,amount_high,currency,usd_rate,"
        "start_year,end_year,probability,region_id,stated_by\n"
        "p-new,Digital skills in Africa,A new foundation,foundation,100000,300000,EUR,1.1,"
        "2027,2028,0.4,focus:africa,Strategy team (test)\n",
    )
    store = either_store
    load(DATA_DIR, store)
    load(folder, store, source="plans")
    lines = projection_lines(store, (2026, 2029)).set_index("id")
    assert lines.at["r-host", "amount"] == pytest.approx(1.1 * 423_163)
    assert (lines.at["p-new", "low"], lines.at["p-new", "high"]) == (110_000.0, 330_000.0)
    assert lines.at["p-new", "regions"] == (("focus:africa", 1.0),)
    mem = MemoryStore()
    load(DATA_DIR, mem)
    load(folder, mem, source="plans")
    a, b = projection(store), projection(mem)
    pd.testing.assert_frame_equal(a.years, b.years)


def test_bad_assumption_records_are_reported_together_and_nothing_is_written(tmp_path):
    folder = write(
        tmp_path / "bad",
        "prospects.csv",
        "prospect_id,title,donor_id,donor_name,amount,amount_low,currency,start_year,"
        "probability,stated_by\n"
        "p1,No donor,,,100,,USD,2026,0.5,me\n"
        "p2,Half a range,unesco,,,50,USD,2026,0.5,me\n"
        "p3,No rate,unesco,,100,,EUR,2026,0.5,me\n"
        "p4,Unsure,unesco,,100,,USD,2026,150%,me\n"
        "p5,Nobody says,unesco,,100,,USD,2026,0.5,\n",
    )
    store = load_memory()
    before = store.counts()
    with pytest.raises(ValidationFailed) as e:
        load(folder, store)
    said = [(p.location.line, p.column, p.message) for p in e.value.problems]
    assert said == [
        (2, "donor_id", "a prospect needs a donor"),
        (3, "amount_high", "a range needs both ends"),
        (4, "usd_rate", "an amount in EUR needs a rate to USD"),
        (5, "probability", "a share must be between 0 and 1 (or 0% and 100%)"),
        (6, "stated_by", "a value is required"),
    ]
    assert store.counts() == before


def test_assumptions_are_not_part_of_the_partnership_graph(tmp_path):
    from graph.analyses.network import to_networkx

    folder = write(
        tmp_path / "p",
        "prospects.csv",
        "prospect_id,title,donor_id,amount,currency,start_year,probability,stated_by\n"
        "p1,More,unesco,100,USD,2026,0.5,me\n",
    )
    store = load_memory()
    nodes = to_networkx(store).number_of_nodes()
    load(folder, store)
    assert to_networkx(store).number_of_nodes() == nodes
    assert store.counts()["nodes"]["Prospect"] == 1


def test_thousands_of_donors_project_as_a_direct_sum_says():
    """Each donor's column found once (the what-it-takes check adds thousands of new donors
    of one size: finding each by a list search made the Strategy page take minutes)."""
    rng = np.random.default_rng(3)
    amounts = rng.pareto(1.2, 3000) * 1000 + 1.0
    rows = [
        line("secured", p=1.0, amount=float(a), donor=f"d{i}", first=2026, last=2026, i=i)
        for i, a in enumerate(amounts)
    ]
    y = run(rows).years.set_index("year")
    shares = amounts / amounts.sum()
    assert y.at[2026, "expected"] == pytest.approx(amounts.sum())
    assert y.at[2026, "hhi"] == pytest.approx(10_000 * (shares**2).sum(), abs=1e-6)  # rounded
    assert y.at[2026, "cr1"] == pytest.approx(shares.max(), rel=1e-9)
