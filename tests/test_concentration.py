"""Tests of graph.metrics.concentration: the worked example, properties, and typed errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from graph.errors import AnalysisError, EmptySelection, UnknownEntity
from graph.metrics import (
    HHIBand,
    concentration_ratio,
    concentration_summary,
    effective_number,
    evenness,
    gini,
    hhi,
    hhi_band,
    lorenz_curve,
    merger_delta,
    pooled_range,
    shannon,
    shares,
)

WORKED = {"A": 500, "B": 250, "C": 150, "D": 100}

# Amounts from 0 to a billion, at least one of them clearly positive.
amount = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
amount_lists = st.lists(amount, min_size=0, max_size=25).flatmap(
    lambda rest: positive.map(lambda p: [p, *rest])
)


def n_positive(xs) -> int:
    return sum(1 for x in xs if x > 0)


# ------------------------------------------------------------------------ worked example


def test_worked_example_exact_hhi():
    assert hhi(WORKED) == 3450
    assert hhi([500, 250, 150, 100]) == 3450


def test_worked_example_figures():
    assert concentration_ratio(WORKED, 1) == pytest.approx(0.50, abs=1e-12)
    assert concentration_ratio(WORKED, 3) == pytest.approx(0.90, abs=1e-12)
    assert effective_number(WORKED) == pytest.approx(2.90, abs=0.005)
    assert effective_number(WORKED, order=1) == pytest.approx(3.35, abs=0.005)
    assert effective_number(WORKED, order=0) == 4
    assert evenness(WORKED) == pytest.approx(0.871, abs=0.0005)
    assert gini(WORKED) == pytest.approx(0.325, abs=1e-12)
    assert gini(WORKED, corrected=True) == pytest.approx(0.433, abs=0.0005)
    assert shannon(WORKED) == pytest.approx(1.208, abs=0.0005)


def test_worked_example_summary():
    s = concentration_summary(WORKED)
    assert s["n_donors"] == 4
    assert s["total"] == 1000
    assert s["hhi"] == 3450
    assert s["band_2023"] == "highly concentrated"
    assert s["band_2010"] == "highly concentrated"
    assert s["cr1"] == s["top_share"] == pytest.approx(0.5)
    assert s["cr3"] == pytest.approx(0.9)
    assert s["cr5"] == 1.0
    assert s["effective_order2"] == pytest.approx(2.90, abs=0.005)
    assert s["effective_order1"] == pytest.approx(3.35, abs=0.005)
    assert s["evenness"] == pytest.approx(0.871, abs=0.0005)
    assert s["gini"] == pytest.approx(0.325, abs=0.0005)
    assert s["gini_corrected"] == pytest.approx(0.433, abs=0.0005)


def test_inputs_of_every_shape_agree():
    as_series = pd.Series(WORKED)
    as_array = np.array([500.0, 250.0, 150.0, 100.0])
    assert hhi(as_series) == hhi(as_array) == hhi((500, 250, 150, 100)) == 3450
    assert list(shares(as_series).index) == ["A", "B", "C", "D"]


def test_zeros_are_dropped():
    s = shares({"A": 500, "B": 0, "C": 500})
    assert list(s.index) == ["A", "C"]
    assert concentration_summary({"A": 1, "B": 0})["n_donors"] == 1


def test_single_donor():
    assert hhi([42]) == 10_000
    assert effective_number([42]) == effective_number([42], order=1) == 1
    assert gini([42]) == 0
    assert math.isnan(gini([42], corrected=True))
    assert math.isnan(evenness([42]))


def test_cr_k_beyond_n_is_one():
    assert concentration_ratio([3, 2, 1], 10) == 1.0


# ---------------------------------------------------------------------------------- bands


@pytest.mark.parametrize(
    ("value", "guideline", "band"),
    [
        (999.99, "2023", "unconcentrated"),
        (1000, "2023", "moderately concentrated"),
        (1800, "2023", "moderately concentrated"),
        (1800.01, "2023", "highly concentrated"),
        (1499.99, "2010", "unconcentrated"),
        (1500, "2010", "moderately concentrated"),
        (2500, "2010", "moderately concentrated"),
        (2500.01, "2010", "highly concentrated"),
    ],
)
def test_band_boundaries(value, guideline, band):
    assert hhi_band(value, guideline=guideline).band == band


def test_band_names_its_guideline():
    assert hhi_band(2000) == HHIBand(
        "highly concentrated", "2023 US merger guidelines", (1000.0, 1800.0)
    )
    b = hhi_band(2000, guideline="2010")
    assert b.guideline == "2010 US Horizontal Merger Guidelines"
    assert b.thresholds == (1500.0, 2500.0)


def test_band_rejects_bad_input():
    with pytest.raises(AnalysisError, match="unknown guideline '1992'"):
        hhi_band(2000, guideline="1992")
    with pytest.raises(AnalysisError, match="HHI must be a number on 0-10,000"):
        hhi_band(12_000)
    with pytest.raises(AnalysisError, match="HHI must be a number on 0-10,000"):
        hhi_band(float("nan"))


# -------------------------------------------------------------------------------- merger


def test_merger_delta_worked():
    assert merger_delta(WORKED, "A", "B") == pytest.approx(2 * 50 * 25)
    assert merger_delta({"A": 1, "B": 0}, "A", "B") == 0


def test_merger_delta_positional_keys():
    assert merger_delta([500, 250, 150, 100], 2, 3) == pytest.approx(300)


# ------------------------------------------------------------------------------- pooled


def test_pooled_range_documented_example():
    r = pooled_range({"A": 500, "B": 250}, [(250, ["B", "C"])])
    assert r["allocations"]["concentrated"] == {"A": 500.0, "B": 500.0}
    assert r["allocations"]["spread"] == {"A": 500.0, "B": 375.0, "C": 125.0}
    assert r["low"]["hhi"] == 4062.5
    assert r["high"]["hhi"] == 5000
    assert r["concentrated"]["hhi"] == 5000
    assert r["high"]["band_2023"] == "highly concentrated"
    assert "cannot be traced to one donor" in r["note"]


def test_pooled_range_nobody_known_goes_to_first_member():
    r = pooled_range({}, [(90, ["X", "Y", "Z"])])
    assert r["allocations"]["concentrated"] == {"X": 90.0}
    assert r["allocations"]["spread"] == {"X": 30.0, "Y": 30.0, "Z": 30.0}
    assert r["high"]["hhi"] == 10_000
    assert math.isnan(r["low"]["evenness"])  # one donor in the concentrated case


def test_pooled_range_looks_ahead_at_later_pools():
    # Greedy on placed money alone would give pool 0 to "A" (a tie at 0) and end below the
    # spread case; counting pool 1's even share sends pool 0 to "B".
    r = pooled_range({}, [(1, ["A", "B"]), (1, ["B"])])
    assert r["allocations"]["concentrated"] == {"B": 2.0}
    assert r["concentrated"]["hhi"] >= r["spread"]["hhi"]


def test_pooled_range_rejects_bad_pools():
    with pytest.raises(AnalysisError, match="pool 0 has no members"):
        pooled_range({"A": 1}, [(5, [])])
    with pytest.raises(AnalysisError, match="amount of pool 1 is negative"):
        pooled_range({"A": 1}, [(5, ["A"]), (-5, ["A"])])
    with pytest.raises(AnalysisError, match=r"pool 0 must be a pair"):
        pooled_range({"A": 1}, [5])
    with pytest.raises(EmptySelection, match="sum to 0"):
        pooled_range({}, [(0, ["A"])])


# --------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    "func",
    [
        shares,
        hhi,
        gini,
        shannon,
        evenness,
        effective_number,
        concentration_summary,
        lambda a: concentration_ratio(a, 3),
    ],
)
def test_bad_inputs_raise_typed_errors(func):
    with pytest.raises(EmptySelection, match="no amounts given"):
        func([])
    with pytest.raises(EmptySelection, match="no amounts given"):
        func({})
    with pytest.raises(EmptySelection, match="no amounts given"):
        func(None)
    with pytest.raises(EmptySelection, match="amounts sum to 0"):
        func([0, 0, 0])
    with pytest.raises(AnalysisError, match=r"amount for donor 'B' is negative \(-5\)"):
        func({"A": 10, "B": -5})
    with pytest.raises(AnalysisError, match="amount at position 1 is NaN"):
        func([10, float("nan")])
    with pytest.raises(AnalysisError, match="amount for donor 'B' is NaN"):
        func(pd.Series({"A": 10.0, "B": np.nan}))
    with pytest.raises(AnalysisError, match="amount at position 0 is infinite"):
        func([math.inf])
    with pytest.raises(AnalysisError, match="amount for donor 'A' is 'lots'"):
        func({"A": "lots"})


def test_errors_share_the_analysis_root():
    assert issubclass(EmptySelection, AnalysisError)
    assert issubclass(UnknownEntity, AnalysisError)


def test_unknown_donor_in_merger():
    with pytest.raises(UnknownEntity, match="donor 'Z' is not among the 4 donors given"):
        merger_delta(WORKED, "Z", "A")
    with pytest.raises(AnalysisError, match="cannot merge donor 'A' with itself"):
        merger_delta(WORKED, "A", "A")


def test_bad_options():
    with pytest.raises(AnalysisError, match="k must be a whole number >= 1, not 0"):
        concentration_ratio(WORKED, 0)
    with pytest.raises(AnalysisError, match="order must be a finite number >= 0, not -1"):
        effective_number(WORKED, order=-1)


def test_duplicate_donor_labels():
    with pytest.raises(AnalysisError, match="donor 'A' is listed more than once"):
        hhi(pd.Series([1.0, 2.0], index=["A", "A"]))


# ----------------------------------------------------------------------------- properties


@given(amount_lists)
def test_hhi_between_floor_and_10000(xs):
    n = n_positive(xs)
    h = hhi(xs)
    assert 10_000 / n * (1 - 1e-9) <= h <= 10_000 * (1 + 1e-12)


@given(amount_lists, st.floats(min_value=1e-6, max_value=1e6))
def test_hhi_unchanged_by_scaling(xs, factor):
    scaled = [x * factor for x in xs]
    assume(n_positive(scaled) == n_positive(xs))  # no positive amount underflowed to 0
    assert hhi(scaled) == pytest.approx(hhi(xs), rel=1e-9)


@given(amount_lists)
def test_effective_numbers_between_1_and_n(xs):
    n = n_positive(xs)
    for order in (0, 0.5, 1, 2, 3):
        assert 1 <= effective_number(xs, order=order) <= n


@given(amount_lists)
def test_effective_number_falls_with_order(xs):
    d0 = effective_number(xs, order=0)
    d1 = effective_number(xs, order=1)
    d2 = effective_number(xs, order=2)
    assert d0 >= d1 * (1 - 1e-9)
    assert d1 >= d2 * (1 - 1e-9)
    assert d2 == pytest.approx(10_000 / hhi(xs), rel=1e-9)


@given(amount_lists, st.data())
def test_merging_two_donors_raises_hhi_by_the_delta(xs, data):
    assume(len(xs) >= 2)
    amounts = {f"d{i}": x for i, x in enumerate(xs)}
    i, j = data.draw(
        st.lists(st.sampled_from(sorted(amounts)), min_size=2, max_size=2, unique=True)
    )
    s = shares(amounts)
    merged = {k: v for k, v in amounts.items() if k not in (i, j)}
    merged["merged"] = amounts[i] + amounts[j]
    delta = merger_delta(amounts, i, j)
    expected = 2 * (100 * s.get(i, 0.0)) * (100 * s.get(j, 0.0))
    assert delta == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert hhi(merged) - hhi(amounts) == pytest.approx(delta, rel=1e-6, abs=1e-6)


@given(amount_lists)
def test_gini_in_unit_interval(xs):
    g = gini(xs)
    n = n_positive(xs)
    assert 0 <= g < 1
    assert g <= (n - 1) / n + 1e-12


@given(amount_lists)
def test_evenness_in_unit_interval(xs):
    j = evenness(xs)
    if n_positive(xs) == 1:
        assert math.isnan(j)
    else:
        assert 0 <= j <= 1


@given(
    st.dictionaries(st.sampled_from("ABCDEFGH"), amount, max_size=8),
    st.lists(
        st.tuples(positive, st.lists(st.sampled_from("ABCDEFGHIJ"), min_size=1, max_size=5)),
        min_size=1,
        max_size=6,
    ),
)
def test_pooled_range_low_at_most_high(known, pools):
    r = pooled_range(known, pools)
    assert r["concentrated"]["hhi"] >= r["spread"]["hhi"] * (1 - 1e-9)
    for metric, low in r["low"].items():
        high = r["high"][metric]
        if isinstance(low, str):
            continue
        if math.isnan(low):
            assert math.isnan(high)
        else:
            assert low <= high
    assert r["low"]["total"] == pytest.approx(math.fsum(known.values()) + sum(p for p, _ in pools))


@given(amount_lists)
def test_lorenz_curve_runs_corner_to_corner_and_its_area_is_gini(xs):
    c = lorenz_curve(xs)
    assert len(c) == n_positive(xs) + 1
    assert c.iloc[0].tolist() == [0.0, 0.0] and c.iloc[-1].tolist() == pytest.approx([1.0, 1.0])
    assert (c["money_share"].diff().dropna() >= -1e-12).all()  # never falls
    assert (c["money_share"] <= c["donor_share"] + 1e-9).all()  # never above equal giving
    area = np.trapezoid(c["money_share"], c["donor_share"])
    assert 1 - 2 * area == pytest.approx(gini(xs), abs=1e-9)


def test_lorenz_curve_of_nothing_is_an_empty_selection():
    with pytest.raises(EmptySelection):
        lorenz_curve({"A": 0})


def test_summaries_carry_exactly_their_typed_fields():
    from graph.metrics import PooledRange, Summary

    assert set(concentration_summary(WORKED)) == set(Summary.__annotations__)
    assert set(pooled_range(WORKED, [(10, ["A", "E"])])) == set(PooledRange.__annotations__)
