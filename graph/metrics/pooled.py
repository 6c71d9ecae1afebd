"""Concentration when part of the money arrives through pooled funds: a low-high range.

A pool ("USD 675,208 from IITE donors") cannot be traced to one of its members, so every
figure is computed twice: the pool spread evenly over its members, and each pool given
whole to one member. The smaller and larger results are the range shown.

Examples
--------
>>> r = pooled_range({"A": 500}, [(500, ["B", "C"])])
>>> round(r["low"]["hhi"]), round(r["high"]["hhi"])
(3750, 5000)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypedDict

from graph.errors import AnalysisError, EmptySelection
from graph.metrics.amounts import as_amounts, check_number, plain_values
from graph.metrics.concentration import METRICS, Summary, concentration_summary, hhi_band

__all__ = ["POOLED_NOTE", "PooledRange", "low_high", "pooled_range"]

POOLED_NOTE = (
    "Money given through pooled funds cannot be traced to one donor, so each figure is shown "
    "for two reference cases. 'concentrated': each pool's whole amount goes to one member, "
    "the one that is already largest, which pushes concentration up. 'spread': each pool is "
    "split evenly over its members. 'low' and 'high' are the smaller and larger of the two "
    "results for each figure. They are reference cases, not hard bounds: a real split of the "
    "pools could fall outside them."
)


class PooledRange(TypedDict):
    """Concentration with pooled money (:func:`pooled_range`): the :class:`Summary` of each
    attribution (``concentrated``, ``spread``), the smaller and larger figure of the two
    (``low``, ``high``, with the band of each HHI), the donor totals of each case
    (``allocations``) and the rule in words (``note``)."""

    concentrated: Summary
    spread: Summary
    low: dict[str, Any]
    high: dict[str, Any]
    allocations: dict[str, dict]
    note: str


def pooled_range(
    known: Mapping[Hashable, float],
    pools: Sequence[tuple[float, Sequence[Hashable]]],
) -> PooledRange:
    """Concentration figures when part of the money arrives through pooled funds.

    Two attributions of the pools are computed, each added to the ``known`` direct amounts:

    * ``"spread"``: each pool is split evenly over its members.
    * ``"concentrated"``: each pool goes whole to one member. Pools are placed in the order
      given; each goes to the member with the largest amount at that point, counting its
      known amount, the pools already placed, and even shares of the pools not yet placed
      (ties, including "nobody known", go to the first member listed). For one pool this is
      the member with the largest known amount, which is exactly the HHI maximum. For
      several pools it is a rule rather than a search, but it always gives an HHI at least
      as high as ``"spread"`` (each choice keeps the average over all whole-pool attributions
      from falling, and by convexity that average is at least the spread HHI).

    Parameters
    ----------
    known : dict
        Donor -> amount given directly (may be empty).
    pools : list of (pool_amount, [member donor ids])
        Each pool's amount (>= 0) and its members (at least one; a repeated id counts once).

    Returns
    -------
    dict
        ``"concentrated"`` and ``"spread"``: the :func:`concentration_summary` of each case;
        ``"low"`` and ``"high"``: for every numeric figure the smaller and larger of the two
        (``nan`` if either case is ``nan``, e.g. evenness with one donor), plus
        ``band_2023`` / ``band_2010`` of the low and high HHI; ``"allocations"``: the donor
        totals used in each case; ``"note"``: these rules in plain words.

    Examples
    --------
    >>> r = pooled_range({"A": 500, "B": 250}, [(250, ["B", "C"])])
    >>> r["allocations"]["concentrated"]
    {'A': 500.0, 'B': 500.0}
    >>> r["allocations"]["spread"]
    {'A': 500.0, 'B': 375.0, 'C': 125.0}
    >>> r["low"]["hhi"], r["high"]["hhi"]
    (4062.5, 5000.0)
    >>> r["low"]["n_donors"], r["high"]["n_donors"]
    (2, 3)
    """
    base = _known(known)
    checked = _checked_pools(pools)

    spread = dict(base)
    for amt, ids in checked:
        for m in ids:
            spread[m] = spread.get(m, 0.0) + amt / len(ids)

    placed = _place_whole(base, checked)

    allocations = {
        "concentrated": {k: v for k, v in placed.items() if v > 0},
        "spread": {k: v for k, v in spread.items() if v > 0},
    }
    if not allocations["spread"]:
        raise EmptySelection(
            "the known amounts and the pools sum to 0; there is no funding to measure"
        )
    cases = {name: concentration_summary(alloc) for name, alloc in allocations.items()}
    low, high = low_high(cases["concentrated"], cases["spread"])
    return {
        "concentrated": cases["concentrated"],
        "spread": cases["spread"],
        "low": low,
        "high": high,
        "allocations": allocations,
        "note": POOLED_NOTE,
    }


def _checked_pools(pools) -> list[tuple[float, list[Hashable]]]:
    """Each pool as ``(amount, [distinct member ids])``, or :class:`AnalysisError`."""
    checked: list[tuple[float, list[Hashable]]] = []
    for i, pool in enumerate(pools):
        try:
            amount, members = pool
        except (TypeError, ValueError) as e:
            raise AnalysisError(
                f"pool {i} must be a pair (amount, [member ids]), not {pool!r}"
            ) from e
        amt = check_number(amount, f"amount of pool {i}")
        if isinstance(members, (str, bytes)) or not isinstance(members, Iterable):
            raise AnalysisError(f"members of pool {i} must be a list of donor ids, not {members!r}")
        ids = list(dict.fromkeys(members))
        if not ids:
            raise AnalysisError(f"pool {i} has no members; its {amt:g} cannot be attributed")
        checked.append((amt, ids))
    return checked


def _known(known) -> dict[Hashable, float]:
    """Donor -> amount as plain floats, checked as :func:`as_amounts` checks them: a dict
    of plain numbers (what the analyses pass) as it is, anything else through a Series.

    >>> _known({"a": 1, "b": 2.5})
    {'a': 1.0, 'b': 2.5}
    >>> _known({})
    {}
    """
    if isinstance(known, dict) and known:
        values = plain_values(list(known.values()))
        if values is not None:
            return dict(zip(known, values.tolist(), strict=True))
    amounts = as_amounts(known, allow_empty=True)
    return dict(zip(amounts.index.tolist(), amounts.to_numpy(float).tolist(), strict=True))


def _place_whole(base: dict, checked) -> dict[Hashable, float]:
    """Each pool given whole to the member that stands largest when it is placed."""
    placed = dict(base)
    for i, (amt, ids) in enumerate(checked):
        later: dict[Hashable, list[float]] = {}
        for amt_j, ids_j in checked[i + 1 :]:
            for m in ids_j:
                later.setdefault(m, []).append(amt_j / len(ids_j))

        standing = {m: placed.get(m, 0.0) + math.fsum(later.get(m, [])) for m in ids}
        best = max(ids, key=standing.__getitem__)  # max keeps the first of equal values
        placed[best] = placed.get(best, 0.0) + amt
    return placed


def low_high(a: dict[str, Any], b: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The smaller and larger of two :func:`concentration_summary` results, figure by figure,
    with the merger-guideline band of each HHI.

    >>> lo, hi = low_high({m: 1.0 for m in METRICS} | {"hhi": 900.0},
    ...                   {m: 2.0 for m in METRICS} | {"hhi": 3000.0})
    >>> lo["hhi"], hi["hhi"], lo["band_2023"], hi["band_2023"]
    (900.0, 3000.0, 'unconcentrated', 'highly concentrated')
    """
    low: dict[str, Any] = {}
    high: dict[str, Any] = {}
    low: dict[str, Any] = {}
    high: dict[str, Any] = {}
    for metric in METRICS:
        pair = [a[metric], b[metric]]
        if any(isinstance(v, float) and math.isnan(v) for v in pair):
            low[metric] = high[metric] = math.nan
        else:
            low[metric], high[metric] = min(pair), max(pair)
    for side in (low, high):
        side["band_2023"] = hhi_band(side["hhi"], guideline="2023").band
        side["band_2010"] = hhi_band(side["hhi"], guideline="2010").band
    return low, high
