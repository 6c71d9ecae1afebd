"""Grouping by integer codes (``graph.store.grouping``) gives what pandas gives: the same
groups, the same distinct pairs and, for sums, the same last digit (pandas adds a group's
floats with Kahan's compensation, and the stores' tables are compared with it exactly).
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.store import flows
from graph.store.flows import FlowCodes
from graph.store.grouping import distinct_codes, group_index, group_sums, sorted_factorize
from graph.store.tables import categorical, isin
from graph.store.totals import target_weights


def test_group_sums_add_as_a_pandas_group_by_not_as_a_plain_sum():
    groups, values = np.array([0, 0, 2, 0]), np.array([0.1, 0.2, 5.0, 0.3])
    assert np.bincount(groups, values).tolist()[0] == 0.6000000000000001
    assert group_sums(groups, values, 3).tolist() == [0.6, 0.0, 5.0]  # a group with no row: 0


#: Column sizes whose keys are marked in an array, hashed as 32-bit and as 64-bit integers.
SPACES = [(4, 7), (1_000, 100_000), (2**20, 2**13)]


@pytest.mark.parametrize("na, nb", SPACES)
@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6)), min_size=1, max_size=80))
def test_groups_and_distinct_pairs_are_those_pandas_finds(na, nb, rows):
    a = np.array([x * (na // 4) for x, _ in rows], dtype=np.int64)
    b = np.array([y * (nb // 7) for _, y in rows], dtype=np.int64)
    inverse, keys, first = group_index([(a, na), (b, nb)], len(rows))
    frame = pd.DataFrame({"a": a, "b": b})
    assert len(keys) == len(frame.drop_duplicates()) and keys.dtype == np.int64
    for g in range(len(keys)):  # each group holds the rows of one pair, its first row first
        rows_of = np.flatnonzero(inverse == g)
        assert rows_of[0] == first[g] and len({(a[i], b[i]) for i in rows_of}) == 1
        assert keys[g] == a[first[g]] * nb + b[first[g]]  # the key orders as the codes
    pairs = set(
        zip(*(c.tolist() for c in distinct_codes([(a, na), (b, nb)], len(rows))), strict=True)
    )
    assert pairs == set(frame.drop_duplicates().itertuples(index=False, name=None))


FLOW_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", None]),
        st.one_of(st.none(), st.integers(2020, 2040)),
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
        st.one_of(st.none(), st.floats(0, 10)),
        st.booleans(),
    ),
    min_size=1,
    max_size=80,
)


@pytest.mark.parametrize("dense", [True, False], ids=["counted key by key", "numbered"])
@settings(max_examples=60, deadline=None)
@given(rows=FLOW_ROWS)
def test_flow_sums_are_those_pandas_finds_either_way_they_are_grouped(dense, rows):
    view = pd.DataFrame(rows, columns=["start", "year", "amount_usd", "amount", "kept"])
    for c in ("amount_usd", "amount"):
        view[c] = view[c].astype(float)
    codes = FlowCodes(view, ("start", "year"))
    mask = view["kept"].to_numpy()
    # a few keys are always counted key by key; else as if there could be too many
    too_many = mock.patch.object(flows, "dense_keys", lambda columns, rows: None)
    with contextlib.nullcontext() if dense else too_many:
        got = codes.sums(("start", "year"), mask, amount=True)
    kept = view[mask].astype({"start": object, "year": object})
    kept = kept.assign(year=kept["year"].map(lambda y: None if pd.isna(y) else int(y)))
    kept = kept.assign(start=kept["start"].map(lambda s: None if pd.isna(s) else s))
    want = {
        (s, y): (
            part["amount_usd"].fillna(0).sum(),
            len(part),
            int(part["amount_usd"].notna().sum()),
            int(part["amount"].notna().sum()),
        )
        for (s, y), part in kept.groupby(["start", "year"], dropna=False)
    }
    want = {tuple(None if pd.isna(v) else v for v in k): w for k, w in want.items()}
    found = {
        (r.start, r.year): (r.amount_usd, r.flows, r.usd_known, r.amount_known)
        for r in got.itertuples(index=False)
    }
    assert found.keys() == want.keys()
    for k, (usd, count, usd_known, amount_known) in want.items():
        assert found[k][1:] == (count, usd_known, amount_known)
        assert found[k][0] == pytest.approx(usd, rel=1e-12, abs=1e-6)


def test_stated_shares_are_divided_by_their_sum_as_pandas_adds_it():
    ties = pd.DataFrame(
        {
            "project": ["p"] * 3,
            "target": ["KAZ", "KEN", "UZB"],
            "label": ["Country"] * 3,
            "share": [0.1, 0.2, 0.3],
        }
    )
    weights = target_weights(ties, {}, level="country")
    assert weights["key"].tolist() == ["KAZ", "KEN", "UZB"]
    assert weights["split"].tolist() == ["shares"] * 3
    total = pd.Series([0.1, 0.2, 0.3]).groupby(["p"] * 3).sum()["p"]  # 0.6: compensated
    assert total == 0.6
    assert weights["weight"].tolist() == [0.1 / total, 0.2 / total, 0.3 / total]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)), max_size=4)),
        max_size=40,
    )
)
def test_text_is_ordered_and_encoded_as_pandas_does(values):
    """Arrow's sort of text (UTF-8 bytes) and its dictionary encoding give pandas' codes,
    in code-point order and in order of first appearance, NULs and accents included."""
    array = np.array(values, dtype=object)
    codes, uniques = sorted_factorize(array)
    want_codes, want_uniques = pd.factorize(array, sort=True)
    assert codes.tolist() == want_codes.tolist()
    assert uniques.tolist() == list(want_uniques)
    arrow = categorical(pd.Series(values, dtype="string[pyarrow]"))
    plain = categorical(array)
    assert arrow.codes.tolist() == plain.codes.tolist()
    assert arrow.categories.tolist() == plain.categories.tolist()


def test_text_arrow_cannot_hold_is_ordered_by_pandas():
    lone = np.array(["b", "\ud800", "a"], dtype=object)  # a lone surrogate: not UTF-8
    codes, uniques = sorted_factorize(lone)
    assert codes.tolist() == pd.factorize(lone, sort=True)[0].tolist()
    assert uniques.tolist() == ["a", "b", "\ud800"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", None]), max_size=30),
    st.lists(st.frozensets(st.sampled_from(["a", "b", "c", "x"])), min_size=1, max_size=12),
)
def test_matches_kept_for_a_frozenset_are_those_pandas_finds(values, sets):
    """``isin`` keeps what it made from a frozenset (its text for Arrow, the categories
    it holds) for the next call with that frozenset: every answer, first or kept, and
    after older ones are let go, is pandas' own."""
    plain = pd.Series(values, dtype=object)
    columns = [
        pd.Series(values, dtype="string[pyarrow]"),
        pd.Series(categorical(values)),
        pd.Series(categorical(values)[::-1][::-1]),  # the same categories, another object
    ]
    for wanted in [*sets, *sets]:  # each frozenset twice, many more than are kept
        want = plain.isin(wanted).to_numpy() & plain.notna().to_numpy()
        as_arrow = pd.Index(sorted(wanted), dtype="string[pyarrow]")  # ids of a table
        for column in columns:
            assert isin(column, wanted).tolist() == want.tolist()
            assert isin(column, as_arrow).tolist() == want.tolist()


def test_matches_kept_are_right_when_the_app_s_threads_share_them():
    """The app's sessions run in threads: many frozensets matched at once, more than are
    kept, each answer still pandas' own."""
    column = pd.Series(categorical(["a", "b", "c", None] * 50))
    sets = [frozenset(s) for s in ({"a"}, {"b"}, {"a", "c"}, {"x"}, {"b", "c"}, set())] * 5
    want = [int(column.isin(s).sum()) for s in sets]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(20):
            got = list(pool.map(lambda s: int(isin(column, s).sum()), sets))
            assert got == want


def _inferred_by_pandas(frame: pd.DataFrame) -> pd.DataFrame:
    """``plain_missing`` as it was before Arrow typed the columns: each column's values as
    Python objects, missing ones None, and pandas' inference."""
    out = {}
    for c in frame.columns:
        col = frame[c]
        present = col.notna()
        if not present.any():
            out[c] = np.full(len(col), None, dtype=object)
        elif col.dtype.kind in "ifb" or isinstance(col.dtype, pd.StringDtype):
            out[c] = col
        else:
            out[c] = col.astype(object).where(present, None).tolist()
    return pd.DataFrame(out, index=frame.index)


CELLS = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.text(max_size=4),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=6), st.data())
def test_plain_missing_types_columns_as_pandas_infers_them(rows, data):
    """A server's answers (Python values, None or NaN missing) come out of ``plain_missing``
    typed as pandas' own inference types them, whether Arrow or pandas does it: text,
    whole numbers (floats with a gap), floats, booleans, mixed columns as objects."""
    from graph.store.flows import plain_missing

    # columns of one kind each too, as a store's columns mostly are
    kind = data.draw(st.sampled_from([st.text(max_size=3), st.integers(-5, 5), st.booleans()]))
    uniform = data.draw(
        st.lists(st.one_of(st.none(), kind), min_size=len(rows), max_size=len(rows))
    )
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    frame["d"] = pd.Series(uniform, dtype=object)
    got, want = plain_missing(frame), _inferred_by_pandas(frame)
    for c in frame.columns:
        assert got[c].dtype == want[c].dtype, (c, frame[c].tolist())
        pd.testing.assert_series_equal(got[c], want[c], check_exact=True)
