"""Pure formulas over the outcomes of uncertain money: which agreements come through
(every combination with its probability, or seeded draws), weighted percentiles, and
concentration over many outcomes at once.

An *outcome* is one way the uncertain items can turn out: each item comes through (1) or
not (0), and an item given as a range takes one value in it. Every figure of a projection is
computed for all outcomes at once as arrays (outcomes along the first axis), never outcome
by outcome in Python.

Examples
--------
Two prospects, 0.5 and 0.2 likely: the four outcomes and their weights, exactly.

>>> o, w = exact_outcomes(np.array([0.5, 0.2]))
>>> o.tolist(), w.round(2).tolist()
([[0, 0], [1, 0], [0, 1], [1, 1]], [0.4, 0.4, 0.1, 0.1])
>>> weighted_quantile(np.array([0.0, 100.0, 50.0, 150.0]), w, [0.1, 0.5, 0.9]).tolist()
[0.0, 50.0, 100.0]
>>> hhi_rows(np.array([[500.0, 250, 150, 100], [0, 0, 0, 0]])).tolist()
[3450.0, nan]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "EXACT_UP_TO",
    "exact_outcomes",
    "drawn_outcomes",
    "weighted_quantile",
    "band",
    "hhi_rows",
    "top_share_rows",
    "share_rows",
]

#: Up to this many uncertain items (with no ranges), every combination is enumerated
#: (2**12 = 4,096 outcomes); beyond it, outcomes are drawn.
EXACT_UP_TO = 12


def exact_outcomes(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every combination of ``len(p)`` items coming through or not, and its probability
    (items independent).

    Parameters
    ----------
    p : array of float
        Each item's probability, 0–1.

    Returns
    -------
    outcomes : int8 array, shape (2**k, k)
    weights : float array, shape (2**k,), summing to 1
    """
    p = np.asarray(p, dtype=float)
    k = len(p)
    codes = np.arange(2**k, dtype=np.int64)
    outcomes = ((codes[:, None] >> np.arange(k)) & 1).astype(np.int8)
    weights = np.prod(np.where(outcomes == 1, p, 1.0 - p), axis=1) if k else np.ones(1)
    return outcomes, weights


def drawn_outcomes(
    p: np.ndarray, low: np.ndarray, high: np.ndarray, *, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``draws`` seeded outcomes: which items come through (each with its own probability)
    and the value each takes in its range (uniform between ``low`` and ``high``; an item with
    ``low == high`` takes that value). The same seed gives the same outcomes.

    Returns
    -------
    outcomes : int8 array, shape (draws, k)
    values : float array, shape (draws, k)
    weights : float array, shape (draws,), each ``1 / draws``

    >>> o, v, w = drawn_outcomes(np.array([1.0, 0.0]), np.array([5.0, 1.0]),
    ...                          np.array([5.0, 1.0]), draws=3, seed=0)
    >>> o.tolist(), v.tolist()
    ([[1, 0], [1, 0], [1, 0]], [[5.0, 1.0], [5.0, 1.0], [5.0, 1.0]])
    """
    rng = np.random.default_rng(seed)
    p = np.asarray(p, dtype=float)
    outcomes = (rng.random((draws, len(p))) < p).astype(np.int8)
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    values = low + rng.random((draws, len(p))) * (high - low)
    return outcomes, values, np.full(draws, 1.0 / draws)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, qs) -> np.ndarray:
    """The quantiles ``qs`` of ``values`` (first axis: outcomes) with outcome ``weights``:
    the smallest value whose cumulative weight reaches each quantile (missing values and
    their weight left out; all missing gives NaN).

    >>> weighted_quantile(np.array([[1.0, 10], [2, 20], [3, np.nan]]), np.ones(3) / 3, [0.5])
    array([[ 2., 10.]])
    """
    v = np.asarray(values, dtype=float)
    flat = v.reshape(v.shape[0], -1)
    qs = np.atleast_1d(np.asarray(qs, dtype=float))
    out = np.full((len(qs), flat.shape[1]), np.nan)
    # a figure that is the same in every outcome (a certain one: most donors' money) is its
    # own quantile; only the others are sorted, one column at a time
    same = (flat == flat[:1]).all(axis=0) if len(flat) else np.zeros(flat.shape[1], bool)
    out[:, same] = flat[0, same]
    vary = np.flatnonzero(~same)
    order = np.argsort(flat[:, vary], axis=0, kind="stable")  # NaN sorts last
    for i, j in enumerate(vary):
        col = flat[order[:, i], j]
        w = np.asarray(weights, dtype=float)[order[:, i]]
        ok = ~np.isnan(col)
        if not ok.any():
            continue
        cum = np.cumsum(w[ok])
        cum /= cum[-1]
        at = np.searchsorted(cum, qs - 1e-12, side="left")
        out[:, j] = col[ok][np.minimum(at, ok.sum() - 1)]
    return out.reshape((len(qs), *v.shape[1:]))


def band(values: np.ndarray, weights: np.ndarray, expected, *, low=0.1, high=0.9):
    """The low–high band of ``values`` over outcomes: the ``low`` and ``high`` weighted
    quantiles, stretched to hold ``expected`` (the expected value can lie outside them when
    one unlikely, large item pulls it up: a 5 % chance of a million is 50,000 expected, while
    90 % of outcomes are 0).

    >>> lo, hi = band(np.array([0.0, 1e6]), np.array([0.95, 0.05]), 50_000.0)
    >>> float(lo), float(hi)
    (0.0, 50000.0)
    """
    q = weighted_quantile(values, weights, [low, high])
    e = np.asarray(expected, dtype=float)
    return np.fmin(q[0], e), np.fmax(q[1], e)


def _totals(amounts: np.ndarray) -> np.ndarray:
    a = np.clip(np.asarray(amounts, dtype=float), 0.0, None)
    return a.sum(axis=-1)


def hhi_rows(amounts: np.ndarray) -> np.ndarray:
    """HHI (0–10,000) of each row of donor amounts (last axis: donors); NaN where a row
    holds no money. Negative amounts count as 0. Rounded to 1e-6 (float sums of squares
    are not exact)."""
    a = np.clip(np.asarray(amounts, dtype=float), 0.0, None)
    t = a.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = a / t[..., None]
        return np.where(t > 0, np.round(10_000.0 * (s**2).sum(axis=-1), 6), np.nan)


def top_share_rows(amounts: np.ndarray) -> np.ndarray:
    """The largest share (CR1) of each row of amounts; NaN where a row holds no money.

    >>> top_share_rows(np.array([[500.0, 250, 150, 100]])).tolist()
    [0.5]
    """
    a = np.clip(np.asarray(amounts, dtype=float), 0.0, None)
    t = a.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(t > 0, a.max(axis=-1, initial=0.0) / t, np.nan)


def share_rows(amounts: np.ndarray) -> np.ndarray:
    """Each amount's share of its row (last axis); NaN where a row holds no money.

    >>> share_rows(np.array([[1.0, 3.0], [0.0, 0.0]])).tolist()
    [[0.25, 0.75], [nan, nan]]
    """
    a = np.clip(np.asarray(amounts, dtype=float), 0.0, None)
    t = _totals(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(t[..., None] > 0, a / t[..., None], np.nan)
