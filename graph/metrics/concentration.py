"""How concentrated funding is over donors: the pure formulas.

This module holds shares, the Herfindahl-Hirschman index (HHI) and its merger-guideline
bands, concentration ratios CR_k, the Gini coefficient, Shannon entropy, Pielou evenness,
effective numbers of donors (Hill numbers), the HHI change when two donors merge, and a
low/high range for money that arrives through pooled funds. Nothing here touches a store.

Every function takes donor totals first: a dict ``donor -> amount``, a pandas Series
indexed by donor, or a plain sequence (donors are then known by position). Amounts must
be numbers >= 0. Donors with amount 0 are dropped: they are not donors of this money,
so ``n`` is always the number of donors with a positive amount.

Errors: :class:`~graph.errors.EmptySelection` when nothing is given or the amounts sum
to 0; :class:`~graph.errors.AnalysisError` for a negative, NaN, infinite or non-numeric
amount; :class:`~graph.errors.UnknownEntity` for a donor that is not in the data.

Examples
--------
The worked example of the design notes (shares 50 %, 25 %, 15 %, 10 %):

>>> amounts = {"A": 500, "B": 250, "C": 150, "D": 100}
>>> hhi(amounts)
3450.0
>>> concentration_ratio(amounts, 1), concentration_ratio(amounts, 3)
(0.5, 0.9)
>>> print(f"{effective_number(amounts):.2f} {effective_number(amounts, order=1):.2f}")
2.90 3.35
>>> print(f"{evenness(amounts):.3f} {gini(amounts):.3f} {gini(amounts, corrected=True):.3f}")
0.871 0.325 0.433
>>> hhi_band(hhi(amounts)).band
'highly concentrated'
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import TypedDict

import numpy as np
import pandas as pd

from graph.errors import AnalysisError, EmptySelection, UnknownEntity
from graph.metrics.amounts import Amounts, as_amounts, positive, positive_values
from graph.metrics.bands import HHIBand, hhi_band

__all__ = [
    "METRICS",
    "Summary",
    "HHIBand",
    "shares",
    "hhi",
    "concentration_ratio",
    "gini",
    "lorenz_curve",
    "shannon",
    "evenness",
    "effective_number",
    "hhi_band",
    "concentration_summary",
    "merger_delta",
    "entropy",
]


def _scaled(x: np.ndarray) -> np.ndarray:
    """``x`` times a power of two so that its largest value lies in [0.5, 1).

    Scaling by a power of two is exact, so sums of squares cannot overflow and whole-number
    amounts still give exact results (HHI 3450.0, not 3450.0000000000005).
    """
    _, exponent = math.frexp(float(x.max()))
    return np.ldexp(x, -exponent)


def _fsum(values: np.ndarray) -> float:
    """The exactly rounded sum of an array, as :func:`math.fsum` gives it; read as Python
    floats first (summing the array itself makes a NumPy scalar per value, twice as slow).

    >>> _fsum(np.array([0.1] * 10))
    1.0
    """
    return math.fsum(values.tolist())


def entropy(p: np.ndarray) -> float:
    """``-sum p ln p`` over shares, with ``0 ln 0 = 0`` (a share can round to 0)."""
    p = p[p > 0]
    return max(0.0, -_fsum(p * np.log(p)))


# ----------------------------------------------------------------------------- measures


def shares(amounts: Amounts) -> pd.Series:
    """Each donor's share of the total, donors with amount 0 left out.

    Parameters
    ----------
    amounts : dict, pandas.Series or sequence of numbers
        Donor totals, each >= 0.

    Returns
    -------
    pandas.Series
        Shares named ``"share"`` (labels kept; positions for a plain sequence); they sum
        to 1 up to rounding.

    Raises
    ------
    EmptySelection
        Nothing given, or the amounts sum to 0 (no division by zero is attempted).
    AnalysisError
        A negative, NaN, infinite or non-numeric amount, or a donor listed twice.

    Examples
    --------
    >>> shares({"A": 500, "B": 250, "C": 150, "D": 100, "E": 0})
    A    0.50
    B    0.25
    C    0.15
    D    0.10
    Name: share, dtype: float64
    >>> shares([0, 0])
    Traceback (most recent call last):
    ...
    graph.errors.EmptySelection: the donor amounts sum to 0; shares (and every measure built on them) are undefined
    """  # noqa: E501
    s = positive(amounts)
    y = _scaled(s.to_numpy())
    return pd.Series(y / _fsum(y), index=s.index, name="share")


def hhi(amounts: Amounts) -> float:
    """Herfindahl-Hirschman index, HHI = sum of (100 * s_i)**2, on 0-10,000.

    10,000 means one donor gives everything; ``10_000 / n`` is the lowest value ``n``
    donors can reach (all give the same).

    Parameters
    ----------
    amounts : dict, pandas.Series or sequence of numbers
        Donor totals, each >= 0.

    Returns
    -------
    float

    Examples
    --------
    >>> hhi([500, 250, 150, 100])
    3450.0
    >>> hhi([1, 1, 1, 1])
    2500.0
    """
    y = _scaled(positive(amounts).to_numpy())
    return _hhi(y, _fsum(y))


def _hhi(y: np.ndarray, total: float) -> float:
    """:func:`hhi` of scaled amounts ``y`` whose exact sum is ``total``."""
    return _hhi_of(_fsum(y * y), total)


def _hhi_of(squares: float, total: float) -> float:
    """:func:`hhi` from the exact sums of the scaled amounts' squares and of the amounts."""
    return 10_000 * squares / total**2


def concentration_ratio(amounts: Amounts, k: int) -> float:
    """CR_k: the combined share of the ``k`` largest donors.

    Parameters
    ----------
    amounts : dict, pandas.Series or sequence of numbers
        Donor totals, each >= 0.
    k : int
        How many of the largest donors to add up, >= 1. When ``k`` is at least the number
        of donors the result is exactly 1.0.

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> concentration_ratio([500, 250, 150, 100], 3)
    0.9
    >>> concentration_ratio([500, 250, 150, 100], 5)
    1.0
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise AnalysisError(f"k must be a whole number >= 1, not {k!r}")
    y = np.sort(_scaled(positive(amounts).to_numpy()))
    return _ratio(y, _fsum(y), k)


def _ratio(ascending: np.ndarray, total: float, k: int) -> float:
    """:func:`concentration_ratio` of sorted scaled amounts whose exact sum is ``total``."""
    if k >= len(ascending):
        return 1.0
    return _fsum(ascending[-k:]) / total


def gini(amounts: Amounts, *, corrected: bool = False) -> float:
    """Gini coefficient of the donor totals.

    ``G = sum_i (2i - n - 1) x_(i) / (n * sum x)`` with the totals sorted ascending
    (equivalently mean absolute difference over twice the mean). It is 0 when all donors
    give the same and stays below ``(n - 1) / n``, approached when one donor gives nearly
    everything (donors with 0 are dropped, so every one of the ``n`` gives something).

    Parameters
    ----------
    amounts : dict, pandas.Series or sequence of numbers
        Donor totals, each >= 0.
    corrected : bool, default False
        Multiply by ``n / (n - 1)``, which stretches that ceiling to 1. With a single
        donor the factor is undefined and the corrected value is ``nan``.

    Returns
    -------
    float

    Examples
    --------
    >>> gini([500, 250, 150, 100])
    0.325
    >>> round(gini([500, 250, 150, 100], corrected=True), 4)
    0.4333
    >>> gini([7]), gini([7], corrected=True)
    (0.0, nan)
    """
    y = np.sort(_scaled(positive(amounts).to_numpy()))
    return _gini(y, _fsum(y), corrected=corrected)


def _gini(ascending: np.ndarray, total: float, *, corrected: bool) -> float:
    """:func:`gini` of sorted scaled amounts whose exact sum is ``total``."""
    n = len(ascending)
    weights = 2 * np.arange(1, n + 1) - n - 1
    g = _fsum(weights * ascending) / (n * total)
    return _corrected(g, n) if corrected else g


def _corrected(g: float, n: int) -> float:
    """The Gini ``g`` of ``n`` donors times ``n / (n - 1)`` (NaN for one donor)."""
    return g * n / (n - 1) if n > 1 else math.nan


def lorenz_curve(amounts: Amounts) -> pd.DataFrame:
    """Points of the Lorenz curve of the donor totals: donors sorted from smallest to
    largest, the cumulative share of donors against the cumulative share of money, from
    (0, 0) to (1, 1). Twice the area between the curve and the diagonal is :func:`gini`.

    Examples
    --------
    >>> lorenz_curve({"A": 500, "B": 250, "C": 150, "D": 100})["money_share"].round(2).tolist()
    [0.0, 0.1, 0.25, 0.5, 1.0]
    >>> lorenz_curve([1, 1])
       donor_share  money_share
    0          0.0          0.0
    1          0.5          0.5
    2          1.0          1.0
    """
    x = np.sort(positive(amounts).to_numpy())
    money = np.concatenate([[0.0], np.cumsum(x)]) / _fsum(x)
    donors = np.arange(x.size + 1) / x.size
    return pd.DataFrame({"donor_share": donors, "money_share": money})


def shannon(amounts: Amounts) -> float:
    """Shannon entropy of the shares, ``H = -sum s_i ln s_i`` (natural log).

    Examples
    --------
    >>> round(shannon([500, 250, 150, 100]), 4)
    1.208
    >>> shannon([3])
    0.0
    """
    return entropy(shares(amounts).to_numpy())


def evenness(amounts: Amounts) -> float:
    """Pielou evenness ``J = H / ln n``: 1 when all ``n`` donors give the same.

    With a single donor ``J`` is 0/0 and this returns ``nan`` on purpose: calling one donor
    "perfectly even" (1.0) would show the most concentrated case possible as the best.

    Examples
    --------
    >>> round(evenness([500, 250, 150, 100]), 3)
    0.871
    >>> evenness([5, 5])
    1.0
    >>> evenness([5, 0])
    nan
    """
    return _evenness(shares(amounts).to_numpy())


def _evenness(p: np.ndarray, h: float | None = None) -> float:
    """:func:`evenness` of the shares ``p`` (``h``: their entropy, when known already)."""
    n = len(p)
    if n == 1:
        return math.nan
    if np.all(p == p[0]):
        return 1.0  # exactly, rather than 0.9999999999999998 from rounding
    return min(1.0, (entropy(p) if h is None else h) / math.log(n))


def effective_number(amounts: Amounts, *, order: float = 2) -> float:
    """Effective number of donors: the Hill number of the given order.

    ``D_q = (sum s_i**q) ** (1 / (1 - q))``; order 2 is ``1 / sum s_i**2`` (10,000 / HHI),
    order 1 is its limit ``exp(H)``, order 0 is the count ``n``. It lies between 1 and
    ``n`` and never grows with the order.

    Parameters
    ----------
    amounts : dict, pandas.Series or sequence of numbers
        Donor totals, each >= 0.
    order : float, default 2
        ``q >= 0``.

    Examples
    --------
    >>> a = [500, 250, 150, 100]
    >>> print(f"{effective_number(a):.2f} {effective_number(a, order=1):.2f}")
    2.90 3.35
    >>> effective_number(a, order=0)
    4.0
    """
    try:
        q = float(order)
    except (TypeError, ValueError) as e:
        raise AnalysisError(f"order must be a number >= 0, not {order!r}") from e
    if not q >= 0 or math.isinf(q):
        raise AnalysisError(f"order must be a finite number >= 0, not {order!r}")
    y = _scaled(positive(amounts).to_numpy())
    return _effective(y, _fsum(y), q)


def _effective(y: np.ndarray, total: float, q: float) -> float:
    """:func:`effective_number` of order ``q`` of scaled amounts whose exact sum is
    ``total``."""
    n = len(y)
    if q == 0:
        return float(n)
    if q == 2:
        d = total**2 / _fsum(y * y)
    else:
        p = y / total
        if q == 1:
            d = math.exp(entropy(p))
        else:
            d = _fsum(p**q) ** (1 / (1 - q))
    return _between_1_and(n, d)


def _between_1_and(n: int, d: float) -> float:
    """An effective number ``d`` kept within ``[1, n]`` (rounding can step outside)."""
    return min(float(n), max(1.0, d))


class Summary(TypedDict):
    """Every concentration figure of one set of donor totals (:func:`concentration_summary`):
    ``n_donors`` (with a positive amount), ``total``, ``hhi`` and its ``band_2023`` /
    ``band_2010``, ``cr1`` / ``cr3`` / ``cr5``, ``gini`` and ``gini_corrected``, ``shannon``,
    ``evenness``, ``effective_order1`` / ``effective_order2`` and ``top_share``."""

    n_donors: int
    total: float
    hhi: float
    band_2023: str
    band_2010: str
    cr1: float
    cr3: float
    cr5: float
    gini: float
    gini_corrected: float
    shannon: float
    evenness: float
    effective_order1: float
    effective_order2: float
    top_share: float


def concentration_summary(amounts: Amounts) -> Summary:
    """Every concentration figure of one set of donor totals, as plain data.

    Returns
    -------
    dict
        ``n_donors`` (donors with a positive amount), ``total``, ``hhi``, ``band_2023`` and
        ``band_2010`` (band names, see :func:`hhi_band`), ``cr1``, ``cr3``, ``cr5``,
        ``gini``, ``gini_corrected``, ``shannon``, ``evenness``, ``effective_order1``
        (exp H), ``effective_order2`` (1 / sum s**2) and ``top_share`` (the largest single
        share; the same figure as ``cr1``).

    Examples
    --------
    >>> s = concentration_summary({"A": 500, "B": 250, "C": 150, "D": 100})
    >>> s["n_donors"], s["total"], s["hhi"], s["band_2023"], s["band_2010"]
    (4, 1000.0, 3450.0, 'highly concentrated', 'highly concentrated')
    >>> s["cr1"], s["cr3"], s["cr5"], s["top_share"]
    (0.5, 0.9, 1.0, 0.5)
    >>> print(f"{s['effective_order2']:.2f} {s['effective_order1']:.2f} {s['evenness']:.3f}")
    2.90 3.35 0.871
    >>> print(f"{s['gini']:.3f} {s['gini_corrected']:.3f} {s['shannon']:.3f}")
    0.325 0.433 1.208
    """
    x = positive_values(amounts)  # checked once; each figure from the same arrays
    y = _scaled(x)
    n = len(x)
    total = _fsum(y)  # exactly rounded: the same whatever the order of the terms
    ascending, p = np.sort(y), y / total
    # each exact sum once, shared by the figures built on it (the same values as the
    # functions above give one by one: :func:`_hhi`, :func:`_gini`, :func:`_effective`)
    squares, g, shannon = _fsum(y * y), _gini(ascending, total, corrected=False), entropy(p)
    h = _hhi_of(squares, total)
    cr1 = _ratio(ascending, total, 1)
    return {
        "n_donors": n,
        "total": _fsum(x),
        "hhi": h,
        "band_2023": hhi_band(h, guideline="2023").band,
        "band_2010": hhi_band(h, guideline="2010").band,
        "cr1": cr1,
        "cr3": _ratio(ascending, total, 3),
        "cr5": _ratio(ascending, total, 5),
        "gini": g,
        "gini_corrected": _corrected(g, n),
        "shannon": shannon,
        "evenness": _evenness(p, shannon),
        "effective_order1": _between_1_and(n, math.exp(shannon)),
        "effective_order2": _between_1_and(n, total**2 / squares),
        "top_share": cr1,
    }


def merger_delta(amounts: Amounts, a: Hashable, b: Hashable) -> float:
    """How much the HHI rises if donors ``a`` and ``b`` were one: ``2 (100 s_a)(100 s_b)``.

    Parameters
    ----------
    amounts : dict or pandas.Series (or a sequence, with positions as keys)
        Donor totals, each >= 0.
    a, b : hashable
        Two different donor keys of ``amounts``. A donor present with amount 0 adds 0.

    Raises
    ------
    UnknownEntity
        ``a`` or ``b`` is not a key of ``amounts``.
    AnalysisError
        ``a`` and ``b`` are the same donor.

    Examples
    --------
    >>> amounts = {"A": 500, "B": 250, "C": 150, "D": 100}
    >>> merger_delta(amounts, "C", "D")
    300.0
    >>> hhi({"A": 500, "B": 250, "C+D": 250}) - hhi(amounts)
    300.0
    >>> merger_delta(amounts, "A", "Z")
    Traceback (most recent call last):
    ...
    graph.errors.UnknownEntity: donor 'Z' is not among the 4 donors given
    """
    s = as_amounts(amounts)
    for key in (a, b):
        if key not in s.index:
            raise UnknownEntity(f"donor {key!r} is not among the {len(s):,} donors given")
    if a == b:
        raise AnalysisError(f"cannot merge donor {a!r} with itself; give two different donors")
    pos = s[s > 0]
    if pos.empty:
        raise EmptySelection(
            "the donor amounts sum to 0; shares (and every measure built on them) are undefined"
        )
    y = pd.Series(_scaled(pos.to_numpy()), index=pos.index)
    ya, yb = float(y.get(a, 0.0)), float(y.get(b, 0.0))
    return 20_000 * ya * yb / math.fsum(y.to_numpy()) ** 2


# ------------------------------------------------------------------------- pooled funds

#: Every figure :func:`concentration_summary` reports, in order.
METRICS = (
    "n_donors",
    "total",
    "hhi",
    "cr1",
    "cr3",
    "cr5",
    "gini",
    "gini_corrected",
    "shannon",
    "evenness",
    "effective_order1",
    "effective_order2",
    "top_share",
)
