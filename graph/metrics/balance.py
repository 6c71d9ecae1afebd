"""Regional balance: the pure formulas.

This module holds how evenly money (or projects, partners, events) is spread over
regions, how far that spread is from configured target shares (e.g. Priority Africa),
one balance score, and the two rules for splitting a multi-country project's amount over
its regions. Nothing here touches a store.

Amounts come as a dict ``region -> amount`` or a pandas Series indexed by region, each
>= 0. Unlike :mod:`graph.metrics.concentration`, a region listed with 0 *counts*: a region that
gets nothing is exactly what a balance measure has to see.

Errors: :class:`~graph.errors.EmptySelection` when nothing is given or everything is 0;
:class:`~graph.errors.AnalysisError` for negative, NaN or non-numeric values and for
target shares that do not sum to 1.

Examples
--------
>>> actual = {"Africa": 200, "Asia": 500, "Europe": 300}
>>> targets = {"Africa": 0.4, "Asia": 0.4, "Europe": 0.2}
>>> b = balance_score(actual, targets)
>>> round(b["distance_to_targets"], 3), round(b["score"], 3), round(b["evenness"], 3)
(0.2, 0.8, 0.937)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from graph.errors import AnalysisError, EmptySelection
from graph.metrics.amounts import as_amounts, check_number
from graph.metrics.concentration import entropy

__all__ = [
    "normalized_entropy",
    "target_shares_check",
    "balance_score",
    "split_evenly",
    "split_by_shares",
]

_TOLERANCE = 1e-6


def _region_amounts(actual: Any) -> pd.Series:
    """Validated amounts per region, zeros kept; EmptySelection if they sum to 0."""
    s = as_amounts(actual, of="region")
    if not (s > 0).any():
        raise EmptySelection("the amounts sum to 0 over every region; shares are undefined")
    return s


def _targets(targets: Any) -> pd.Series:
    """Validated target shares: each >= 0, summing to 1 within 1e-6."""
    if targets is None or (isinstance(targets, (Mapping, pd.Series)) and len(targets) == 0):
        raise AnalysisError("no target shares given; give a dict region -> share summing to 1")
    t = as_amounts(targets, what="target share", of="region")
    total = math.fsum(t.to_numpy())
    if abs(total - 1) > _TOLERANCE:
        hint = (
            " (they look like percentages: divide them by 100)"
            if abs(total - 100) <= 100 * _TOLERANCE
            else ""
        )
        raise AnalysisError(
            f"target shares sum to {total:g}, not 1 (tolerance {_TOLERANCE:g}); "
            f"give fractions such as 0.4 for 40 %{hint}"
        )
    return t


def normalized_entropy(values: Mapping[Hashable, float] | pd.Series | Iterable[float]) -> float:
    """Evenness over regions, ``J = H / ln n``, from 0 (all in one region) to 1 (all equal).

    ``H = -sum p_i ln p_i`` over the regions' shares and ``n`` is the number of regions
    *listed*, those with 0 included (they add nothing to ``H`` but raise ``ln n``). With a
    single region ``J`` is 0/0 and the result is ``nan``: there is no spread to judge.

    Parameters
    ----------
    values : dict, pandas.Series or sequence of numbers
        Amount (or count) per region, each >= 0.

    Returns
    -------
    float

    Examples
    --------
    >>> normalized_entropy({"Africa": 1, "Asia": 1, "Europe": 1})
    1.0
    >>> normalized_entropy({"Africa": 0, "Asia": 9, "Europe": 0})
    0.0
    >>> round(normalized_entropy([500, 250, 150, 100]), 3)
    0.871
    """
    s = _region_amounts(values)
    n = len(s)
    if n == 1:
        return math.nan
    x = s.to_numpy()
    if np.all(x == x[0]):
        return 1.0  # exactly, rather than 0.9999999999999998 from rounding
    return min(1.0, entropy(x / math.fsum(x)) / math.log(n))


def target_shares_check(
    actual: Mapping[Hashable, float] | pd.Series,
    targets: Mapping[Hashable, float] | pd.Series,
) -> pd.DataFrame:
    """Each region's actual share next to its target share.

    Regions are the target regions in their given order, then any other region of
    ``actual`` (its target share is 0). A target region missing from ``actual`` has
    actual 0.

    Parameters
    ----------
    actual : dict or pandas.Series
        Region -> amount, each >= 0, not all 0.
    targets : dict or pandas.Series
        Region -> target share as a fraction; each >= 0, summing to 1 within 1e-6.

    Returns
    -------
    pandas.DataFrame
        Columns ``region``, ``actual``, ``actual_share``, ``target_share`` and ``gap``
        (``actual_share - target_share``; negative means below target).

    Raises
    ------
    AnalysisError
        A bad value, or target shares that do not sum to 1 (the message names the sum).
    EmptySelection
        ``actual`` is empty or all 0.

    Examples
    --------
    >>> target_shares_check({"Asia": 500, "Africa": 200, "Europe": 300},
    ...                     {"Africa": 0.4, "Asia": 0.4, "Europe": 0.2})
       region  actual  actual_share  target_share  gap
    0  Africa   200.0           0.2           0.4 -0.2
    1    Asia   500.0           0.5           0.4  0.1
    2  Europe   300.0           0.3           0.2  0.1
    >>> target_shares_check({"Africa": 1}, {"Africa": 40, "Asia": 60})
    Traceback (most recent call last):
    ...
    graph.errors.AnalysisError: target shares sum to 100, not 1 (tolerance 1e-06); give fractions such as 0.4 for 40 % (they look like percentages: divide them by 100)
    """  # noqa: E501
    t = _targets(targets)
    a = _region_amounts(actual)
    regions = list(t.index) + [r for r in a.index if r not in t.index]
    amounts = a.reindex(regions, fill_value=0.0).to_numpy()
    total = math.fsum(amounts)
    target = t.reindex(regions, fill_value=0.0).to_numpy()
    actual_share = amounts / total
    return pd.DataFrame(
        {
            "region": regions,
            "actual": amounts,
            "actual_share": actual_share,
            "target_share": target,
            "gap": actual_share - target,
        }
    )


def balance_score(
    actual: Mapping[Hashable, float] | pd.Series,
    targets: Mapping[Hashable, float] | pd.Series | None = None,
) -> dict[str, Any]:
    """Balance of money (or counts) over regions, with and without targets.

    Parameters
    ----------
    actual : dict or pandas.Series
        Region -> amount, each >= 0, not all 0.
    targets : dict or pandas.Series, optional
        Region -> target share (fractions summing to 1 within 1e-6).

    Returns
    -------
    dict
        ``evenness``: :func:`normalized_entropy` over the regions of ``actual`` and of
        ``targets``; ``distance_to_targets``: total variation distance
        ``1/2 * sum |a_i - t_i|`` between actual and target shares (0 = on target, 1 = as
        far as possible); ``score``: ``1 - distance_to_targets``. Without targets there is
        nothing to be distant from, so ``distance_to_targets`` and ``score`` are ``None``;
        ``evenness`` is then the target-free figure.

    Examples
    --------
    >>> balance_score({"Africa": 0, "Asia": 10})
    {'evenness': 0.0, 'distance_to_targets': None, 'score': None}
    >>> balance_score({"Asia": 10}, {"Africa": 1.0})
    {'evenness': 0.0, 'distance_to_targets': 1.0, 'score': 0.0}
    """
    if targets is None:
        return {
            "evenness": normalized_entropy(_region_amounts(actual)),
            "distance_to_targets": None,
            "score": None,
        }
    table = target_shares_check(actual, targets)
    distance = min(1.0, 0.5 * math.fsum(np.abs(table["gap"].to_numpy())))
    return {
        "evenness": normalized_entropy(
            pd.Series(table["actual"].to_numpy(), index=table["region"])
        ),
        "distance_to_targets": distance,
        "score": 1.0 - distance,
    }


def _total(total: Any) -> float:
    return check_number(total, "total")


def split_evenly(total: float, keys: Iterable[Hashable]) -> dict[Hashable, float]:
    """Split a multi-country project's amount evenly over its countries or regions.

    Parameters
    ----------
    total : float
        The amount, >= 0.
    keys : iterable of hashable
        The countries or regions; at least one, none repeated.

    Returns
    -------
    dict
        Key -> ``total / len(keys)``, in the order given.

    Examples
    --------
    >>> split_evenly(900, ["KE", "TZ", "UG"])
    {'KE': 300.0, 'TZ': 300.0, 'UG': 300.0}
    """
    t = _total(total)
    if isinstance(keys, (str, bytes)):
        raise AnalysisError(f"keys must be a list of ids, not the text {keys!r}")
    ks = list(keys)
    if not ks:
        raise EmptySelection(f"no countries or regions given to split {t:g} over")
    if len(set(ks)) != len(ks):
        dup = next(k for k in ks if ks.count(k) > 1)
        raise AnalysisError(f"{dup!r} is listed more than once among the keys to split over")
    return {k: t / len(ks) for k in ks}


def split_by_shares(total: float, shares: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Split a multi-country project's amount by given shares.

    The shares are divided by their own sum before use, so percentages (40, 60), fractions
    (0.4, 0.6) or any weights (2, 3) all give the same split, and shares that do not add up
    to exactly 100 % are scaled to do so.

    Parameters
    ----------
    total : float
        The amount, >= 0.
    shares : dict
        Key -> share, each >= 0, not all 0.

    Returns
    -------
    dict
        Key -> ``total * share / sum(shares)``, in the order given (zero shares kept as 0).

    Examples
    --------
    >>> split_by_shares(1000, {"KE": 40, "TZ": 60})
    {'KE': 400.0, 'TZ': 600.0}
    >>> split_by_shares(1000, {"KE": 0.4, "TZ": 0.6}) == split_by_shares(1000, {"KE": 2, "TZ": 3})
    True
    """
    t = _total(total)
    w = as_amounts(shares, what="share", of="key")
    weight = math.fsum(w.to_numpy())
    if weight == 0:
        raise AnalysisError(f"the shares sum to 0; {t:g} cannot be split by them")
    return {k: t * float(v) / weight for k, v in w.items()}
