"""Tests of graph.metrics.balance: evenness over regions, target checks, scores and splits."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import AnalysisError, EmptySelection
from graph.metrics.balance import (
    balance_score,
    normalized_entropy,
    split_by_shares,
    split_evenly,
    target_shares_check,
)

ACTUAL = {"Africa": 200, "Asia": 500, "Europe": 300}
TARGETS = {"Africa": 0.4, "Asia": 0.4, "Europe": 0.2}

regions = st.sampled_from(["Africa", "Asia", "Europe", "Americas", "Oceania", "Arab States"])
amount = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
actuals = st.dictionaries(regions, amount, min_size=1).filter(lambda d: sum(d.values()) > 0)
weights = st.dictionaries(regions, st.floats(min_value=1e-3, max_value=1e3), min_size=1)


def test_normalized_entropy_matches_worked_evenness():
    assert normalized_entropy([500, 250, 150, 100]) == pytest.approx(0.871, abs=0.0005)


def test_normalized_entropy_counts_zero_regions():
    assert normalized_entropy({"Africa": 5, "Asia": 5}) == 1.0
    assert normalized_entropy({"Africa": 5, "Asia": 5, "Europe": 0}) == pytest.approx(
        math.log(2) / math.log(3)
    )
    assert normalized_entropy({"Africa": 0, "Asia": 7}) == 0.0
    assert math.isnan(normalized_entropy({"Africa": 7}))


def test_target_shares_check_table():
    t = target_shares_check(ACTUAL, TARGETS)
    assert list(t.columns) == ["region", "actual", "actual_share", "target_share", "gap"]
    assert list(t["region"]) == ["Africa", "Asia", "Europe"]
    assert list(t["actual_share"]) == pytest.approx([0.2, 0.5, 0.3])
    assert list(t["gap"]) == pytest.approx([-0.2, 0.1, 0.1])


def test_target_shares_check_union_of_regions():
    t = target_shares_check({"Asia": 10, "Oceania": 10}, {"Africa": 0.5, "Asia": 0.5})
    assert list(t["region"]) == ["Africa", "Asia", "Oceania"]
    assert list(t["actual"]) == [0, 10, 10]
    assert list(t["target_share"]) == [0.5, 0.5, 0]


def test_balance_score_worked():
    b = balance_score(ACTUAL, TARGETS)
    assert b["distance_to_targets"] == pytest.approx(0.2)
    assert b["score"] == pytest.approx(0.8)
    assert b["evenness"] == pytest.approx(normalized_entropy(ACTUAL))


def test_balance_score_extremes():
    on_target = balance_score({"Africa": 40, "Asia": 60}, {"Africa": 0.4, "Asia": 0.6})
    assert on_target["distance_to_targets"] == pytest.approx(0, abs=1e-12)
    assert on_target["score"] == pytest.approx(1)
    off = balance_score({"Asia": 10}, {"Africa": 1})
    assert off["distance_to_targets"] == 1.0
    assert off["score"] == 0.0


def test_balance_score_without_targets():
    b = balance_score(pd.Series({"Africa": 1.0, "Asia": 1.0}))
    assert b == {"evenness": 1.0, "distance_to_targets": None, "score": None}


def test_targets_must_sum_to_one():
    with pytest.raises(AnalysisError, match=r"target shares sum to 0\.9, not 1"):
        balance_score(ACTUAL, {"Africa": 0.5, "Asia": 0.4})
    with pytest.raises(AnalysisError, match="they look like percentages: divide them by 100"):
        target_shares_check(ACTUAL, {"Africa": 40, "Asia": 60})
    # within the 1e-6 tolerance is fine
    balance_score(ACTUAL, {"Africa": 0.5, "Asia": 0.5 + 5e-7})


def test_bad_targets_and_actuals():
    with pytest.raises(AnalysisError, match=r"target share for region 'Asia' is negative"):
        balance_score(ACTUAL, {"Africa": 1.5, "Asia": -0.5})
    with pytest.raises(AnalysisError, match="target share for region 'Asia' is NaN"):
        balance_score(ACTUAL, {"Africa": 1.0, "Asia": float("nan")})
    with pytest.raises(AnalysisError, match="no target shares given"):
        target_shares_check(ACTUAL, {})
    with pytest.raises(EmptySelection, match="sum to 0 over every region"):
        balance_score({"Africa": 0, "Asia": 0}, TARGETS)
    with pytest.raises(EmptySelection, match="no amounts given"):
        normalized_entropy({})
    with pytest.raises(AnalysisError, match="amount for region 'Asia' is negative"):
        normalized_entropy({"Africa": 1, "Asia": -1})


def test_split_evenly():
    assert split_evenly(900, ["KE", "TZ", "UG"]) == {"KE": 300, "TZ": 300, "UG": 300}
    with pytest.raises(EmptySelection, match="no countries or regions given to split 900"):
        split_evenly(900, [])
    with pytest.raises(AnalysisError, match="'KE' is listed more than once"):
        split_evenly(900, ["KE", "KE"])
    with pytest.raises(AnalysisError, match="total is negative"):
        split_evenly(-1, ["KE"])


def test_split_by_shares_normalises():
    assert split_by_shares(1000, {"KE": 40, "TZ": 60}) == pytest.approx({"KE": 400, "TZ": 600})
    assert split_by_shares(1000, {"KE": 0.25, "TZ": 0.25}) == {"KE": 500, "TZ": 500}
    with pytest.raises(AnalysisError, match="the shares sum to 0"):
        split_by_shares(1000, {"KE": 0, "TZ": 0})
    with pytest.raises(AnalysisError, match="share for key 'TZ' is NaN"):
        split_by_shares(1000, {"KE": 1, "TZ": float("nan")})
    with pytest.raises(EmptySelection, match="no shares given"):
        split_by_shares(1000, {})


@given(actuals)
def test_normalized_entropy_in_unit_interval(actual):
    j = normalized_entropy(actual)
    if len(actual) == 1:
        assert math.isnan(j)
    else:
        assert 0 <= j <= 1


@given(actuals, weights)
def test_distance_and_score_in_unit_interval(actual, w):
    total = math.fsum(w.values())
    targets = {k: v / total for k, v in w.items()}
    b = balance_score(actual, targets)
    assert 0 <= b["distance_to_targets"] <= 1
    assert b["score"] == pytest.approx(1 - b["distance_to_targets"])


@given(st.floats(min_value=0, max_value=1e12), weights)
def test_splits_add_up_to_the_total(total, w):
    assert math.fsum(split_by_shares(total, w).values()) == pytest.approx(total, rel=1e-9)
    assert math.fsum(split_evenly(total, list(w)).values()) == pytest.approx(total, rel=1e-9)
