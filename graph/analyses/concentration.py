"""Donor concentration of a store's funding: overall, by year, recipient, project, region,
channel and kind; the year-over-year trend; the effect of two donors merging.

The formulas are those of :mod:`graph.metrics.concentration`; this module feeds them known USD
per donor from :func:`graph.analyses.funding.donor_totals` (sums computed in the store). Pooled
money gives a range (``low`` … ``high``, see :func:`graph.metrics.pooled.pooled_range`);
when there is no pooled money the two ends are equal. Own funds are left out; donors whose
amounts are all unknown are not counted (the coverage statement says how many there are).

Examples
--------
>>> from graph.store import Filters
>>> store = example_store()
>>> c = donor_concentration(store, Filters(year_from=2024))
>>> c["low"]["hhi"], c["low"]["band_2023"], c["bands"]["2010"]
(3450.0, 'highly concentrated', 'highly concentrated')
>>> c = donor_concentration(store)   # 2023 brings a pool: the figures become a range
>>> round(c["low"]["hhi"]), round(c["high"]["hhi"]), c["pooled"]
(2882, 3090, True)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from graph.analyses.funding import (
    check_org,
    coverage,
    donor_amounts,
    donor_totals,
    known_and_pools,
    org_names,
    pool_members,
    pooled_flags,
    require_money,
    totals_by,
)
from graph.analyses.results import Concentration, DonorConcentration, MergerEffect
from graph.errors import AnalysisError, EmptySelection, UnknownEntity
from graph.metrics import concentration as conc
from graph.metrics.pooled import pooled_range
from graph.store import Filters, GraphStore, reads_once

__all__ = [
    "METRICS",
    "BREAKDOWNS",
    "concentration_of",
    "donor_concentration",
    "concentration_by",
    "concentration_trend",
    "merger_effect",
]

#: Figures reported for every selection (see :func:`graph.metrics.concentration.concentration_summary`).
METRICS = conc.METRICS

#: What :func:`concentration_by` can break funding down by.
BREAKDOWNS = (
    "year",
    "recipient",
    "project",
    "target_region",
    "target_country",
    "channel",
    "kind",
    "donor_sector",
    "donor_region",
)


def _band_text(low: str, high: str) -> str:
    return low if low == high else f"{low} to {high}"


def concentration_of(known: dict, pools: list) -> Concentration:
    """Concentration figures of known amounts plus pools, as a low/high range.

    Parameters
    ----------
    known : dict
        Named donor → amount.
    pools : list of (amount, members)

    Returns
    -------
    dict
        ``low``, ``high`` (every figure of :data:`METRICS`, and ``band_2023``/``band_2010``
        of each end), ``bands`` (``{"2023": text, "2010": text}``: one band, or "X to Y"),
        ``pooled`` (whether a range was needed), ``allocations`` and ``note``.

    Examples
    --------
    >>> r = concentration_of({"A": 500, "B": 250, "C": 150, "D": 100}, [])
    >>> r["low"]["hhi"], r["high"]["cr3"], r["bands"]["2023"], r["pooled"]
    (3450.0, 0.9, 'highly concentrated', False)
    """
    if pools:
        r = pooled_range(known, pools)
        low, high = r["low"], r["high"]
        out = {
            "low": low,
            "high": high,
            "concentrated": r["concentrated"],
            "spread": r["spread"],
            "allocations": r["allocations"],
            "note": r["note"],
            "pooled": True,
        }
    else:
        s = conc.concentration_summary(known)
        out = {
            "low": s,
            "high": dict(s),
            "concentrated": s,
            "spread": s,
            "allocations": {"concentrated": dict(known), "spread": dict(known)},
            "note": "No pooled money: every figure is exact for the amounts known.",
            "pooled": False,
        }
    out["bands"] = {
        g: _band_text(out["low"][f"band_{g}"], out["high"][f"band_{g}"]) for g in ("2023", "2010")
    }
    return out


@reads_once
def donor_concentration(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    recipient: str | None = None,
    flow_types=None,
    top: int = 5,
) -> DonorConcentration:
    """Concentration of the selected funding over donors, with coverage and top donors.

    Parameters
    ----------
    store : GraphStore
    filters : Filters, optional
        Flow year, donor sector, donor country or region.
    recipient : str, optional
        Only funding of this organization (e.g. the institute).
    flow_types : iterable of str, optional
        Flow types counted (default :data:`graph.store.DEFAULT_FLOW_TYPES`).
    top : int, default 5
        How many of the largest donors to list.

    Returns
    -------
    dict
        Everything of :func:`concentration_of` plus ``coverage`` (see
        :func:`graph.analyses.funding.coverage`), ``top_donors`` (DataFrame: donor, sector, pooled,
        amount_usd, share), ``pools`` (pool id → members) and ``flow_types``.

    Raises
    ------
    UnknownEntity
        ``recipient`` is not an organization of the store.
    EmptySelection
        No donor flow matches, or none of them has a known amount.

    Examples
    --------
    >>> c = donor_concentration(example_store(), recipient="inst")
    >>> c["top_donors"][["donor_id", "amount_usd", "share"]].head(3)
      donor_id  amount_usd     share
    0      gov       500.0  0.416667
    1       un       250.0  0.208333
    2     pool       200.0  0.166667
    >>> c["coverage"]["flows_without_amount"], c["pools"]
    (2, {'pool': ['firm', 'uni']})
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise AnalysisError(f"top must be a whole number >= 0, not {top!r}")
    cov = coverage(store, filters, recipient=recipient, flow_types=flow_types)
    require_money(cov)
    totals = donor_totals(store, filters, recipient=recipient, flow_types=flow_types)
    known, pools = donor_amounts(store, totals=totals)
    out = concentration_of(known, pools)
    out["coverage"] = cov
    out["top_donors"] = totals[totals["amount_usd"] > 0].head(top).reset_index(drop=True)
    out["pools"] = {p: m for p, m in pool_members(store).items() if p in set(totals["donor_id"])}
    out["flow_types"] = cov["flow_types"]
    return out


class _DonorSums:
    """Each group's donors with their sums, from one pass over the totals: the group of
    each (group, donor) pair, the donor ids, and the amount, flows, flows with USD and
    whether the donor is a pool. Donors are in id order within a group (the order
    :func:`concentration_of` places pools in).

    >>> t = pd.DataFrame({"year": [2024, 2024, 2025], "donor": ["b", "a", "b"],
    ...                   "amount_usd": [2.0, 1.0, 3.0], "pooled": [False, None, True],
    ...                   "flows": [1, 2, 1], "usd_known": [1, 2, 1]})
    >>> s = _DonorSums(t, "year")
    >>> s.values, [s.donors[s.part(i)].tolist() for i in range(len(s.values))]
    ([2024, 2025], [['a', 'b'], ['b']])
    """

    def __init__(self, t: pd.DataFrame, by: str):
        t = t[t["donor"].notna().to_numpy()]  # as a group-by by donor leaves them out
        key = t[by].astype(object).where(t[by].notna(), None)
        codes, uniques = pd.factorize(key, use_na_sentinel=True)
        groups = sorted(enumerate(uniques.tolist()), key=lambda cv: (type(cv[1]).__name__, cv[1]))
        if (codes < 0).any():  # missing values last
            groups.append((len(uniques), None))
        order = np.empty(len(uniques) + 1, dtype=np.int64)
        order[[c for c, _ in groups]] = np.arange(len(groups))
        group = order[np.where(codes < 0, len(uniques), codes)]
        donor, ids = pd.factorize(t["donor"].astype(object), sort=True)
        n = max(len(ids), 1)
        pair, where = np.unique(group * n + donor, return_inverse=True)

        def summed(column, dtype=float):
            return np.bincount(where, weights=column, minlength=len(pair)).astype(dtype)

        self.values = [v for _, v in groups]
        self.donors = np.asarray(ids, dtype=object)[pair % n]
        self.amount = summed(np.nan_to_num(t["amount_usd"].to_numpy(float)))
        self.flows = summed(t["flows"].to_numpy(float), np.int64)
        self.usd_known = summed(t["usd_known"].to_numpy(float), np.int64)
        self.pooled = summed(pooled_flags(t).astype(float)) > 0
        self._bounds = np.searchsorted(pair // n, np.arange(len(groups) + 1))

    def part(self, i: int) -> slice:
        """Where group ``i``'s donors are."""
        return slice(int(self._bounds[i]), int(self._bounds[i + 1]))

    def figures(self, i: int, members: dict, names: pd.DataFrame) -> dict:
        """Range figures for group ``i``."""
        at = self.part(i)
        amount, pooled, donors = self.amount[at], self.pooled[at], self.donors[at]
        row = {
            "flows": int(self.flows[at].sum()),
            "flows_with_usd": int(self.usd_known[at].sum()),
            "donors": len(amount),
            "total_usd": math.fsum(amount.tolist()),
            "pooled_usd": math.fsum(amount[pooled].tolist()),
        }
        positive = amount > 0
        if not positive.any():
            for m in METRICS:
                row[f"{m}_low"] = row[f"{m}_high"] = math.nan
            row["n_donors_low"] = row["n_donors_high"] = 0
            row.update(band_2023=None, band_2010=None, top_donor=None, note="no amount known")
            return row
        known, pools = known_and_pools(
            donors[positive], amount[positive], pooled[positive], members
        )
        r = concentration_of(known, pools)
        for m in METRICS:
            row[f"{m}_low"], row[f"{m}_high"] = r["low"][m], r["high"][m]
        row["band_2023"], row["band_2010"] = r["bands"]["2023"], r["bands"]["2010"]
        top_id = donors[int(np.argmax(amount))]  # the first of equal largest: ids in order
        row["top_donor"] = names.at[top_id, "name"] if top_id in names.index else top_id
        row["note"] = "range over pooled money" if pools else ""
        return row


@reads_once
def concentration_by(
    store: GraphStore,
    by: str,
    filters: Filters | None = None,
    *,
    recipient: str | None = None,
    scheme: str = "focus",
    flow_types=None,
) -> pd.DataFrame:
    """Concentration figures for each value of ``by`` (year, recipient, project, region…).

    Parameters
    ----------
    by : str
        One of :data:`BREAKDOWNS`. With ``target_region`` / ``target_country`` a project's
        money is split over its targets (by stated shares, else evenly); with
        ``donor_region`` by where the donor is based.
    scheme : str, default "focus"
        Region scheme for the region breakdowns.

    Returns
    -------
    DataFrame
        One row per value (missing values last, as None): ``flows``, ``flows_with_usd``,
        ``donors``, ``total_usd``, ``pooled_usd``, ``<metric>_low`` / ``<metric>_high`` for
        every metric of :data:`METRICS` (equal without pooled money; NaN where no amount is
        known), ``band_2023``, ``band_2010``, ``top_donor`` and ``note``.

    Examples
    --------
    >>> t = concentration_by(example_store(), "channel")
    >>> cols = ["channel", "total_usd", "n_donors_low", "hhi_low", "hhi_high", "band_2023"]
    >>> print(t[cols].round(1).to_string())
              channel  total_usd  n_donors_low  hhi_low  hhi_high            band_2023
    0  extrabudgetary      450.0             2   5061.7    6543.2  highly concentrated
    1    host_country      500.0             1  10000.0   10000.0  highly concentrated
    2         in_kind        0.0             0      NaN       NaN                 None
    3  regular_budget      250.0             1  10000.0   10000.0  highly concentrated
    """
    if by not in BREAKDOWNS:
        raise AnalysisError(
            f"cannot break concentration down by {by!r}; use one of: {', '.join(BREAKDOWNS)}"
        )
    t, _own, _types = totals_by(
        store, (by,), filters, recipient=recipient, flow_types=flow_types, scheme=scheme
    )
    if t.empty:
        raise EmptySelection("no donor flows match the selection; widen the years or drop a filter")
    members = pool_members(store)
    names = org_names(store)
    sums = _DonorSums(t, by)
    rows = [{by: v, **sums.figures(i, members, names)} for i, v in enumerate(sums.values)]
    df = pd.DataFrame(rows)
    for c in (by, "band_2023", "band_2010", "top_donor", "note"):
        df[c] = pd.Series([r[c] for r in rows], dtype=object)
    return df


def concentration_trend(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    recipient: str | None = None,
    flow_types=None,
) -> pd.DataFrame:
    """Concentration per year and its change from the previous year with known amounts.

    Returns
    -------
    DataFrame
        :func:`concentration_by` with ``by="year"`` plus ``hhi_change_low`` and
        ``hhi_change_high`` (NaN for the first year with amounts, and for years with none).

    Examples
    --------
    >>> t = concentration_trend(example_store())
    >>> t[["year", "total_usd", "hhi_low", "hhi_high", "hhi_change_low"]]
       year  total_usd  hhi_low  hhi_high  hhi_change_low
    0  2023      200.0   5000.0   10000.0             NaN
    1  2024      300.0  10000.0   10000.0          5000.0
    2  2025      700.0   2755.1    2755.1         -7244.9
    """
    t = concentration_by(store, "year", filters, recipient=recipient, flow_types=flow_types)
    t = t[t["year"].notna()].reset_index(drop=True)
    for side in ("low", "high"):
        prev = math.nan
        changes = []
        for v in t[f"hhi_{side}"]:
            changes.append(v - prev if not (math.isnan(v) or math.isnan(prev)) else math.nan)
            if not math.isnan(v):
                prev = v
        t[f"hhi_change_{side}"] = np.round(changes, 1)
    for side in ("low", "high"):
        t[f"hhi_{side}"] = t[f"hhi_{side}"].round(1)
    t["year"] = t["year"].astype(int)
    return t


def merger_effect(
    store: GraphStore,
    a: str,
    b: str,
    filters: Filters | None = None,
    *,
    recipient: str | None = None,
    flow_types=None,
) -> MergerEffect:
    """How much the HHI would rise if donors ``a`` and ``b`` were one.

    Computed over named donors' known amounts with pooled money spread evenly over each
    pool's members (the ``spread`` case); ``delta`` is ``2 (100 s_a)(100 s_b)`` and
    equals ``hhi_after - hhi_before``.

    Raises
    ------
    UnknownEntity
        ``a`` or ``b`` is not an organization of the store.
    AnalysisError
        ``a`` equals ``b``, or one of them has no known amount in the selection.

    Examples
    --------
    >>> from graph.store import Filters
    >>> m = merger_effect(example_store(), "uni", "firm", Filters(year_from=2024))
    >>> m["hhi_before"], m["hhi_after"], m["delta"]
    (3450.0, 3750.0, 300.0)
    """
    for x in (a, b):
        check_org(store, x, what="donor")
    if a == b:
        raise AnalysisError(f"cannot merge donor {a!r} with itself; give two different donors")
    cov = coverage(store, filters, recipient=recipient, flow_types=flow_types)
    require_money(cov)
    totals = donor_totals(store, filters, recipient=recipient, flow_types=flow_types)
    known, pools = donor_amounts(store, totals=totals)
    alloc = concentration_of(known, pools)["allocations"]["spread"]
    for x in (a, b):
        if alloc.get(x, 0) <= 0:
            raise AnalysisError(
                f"donor {x!r} has no known amount in this selection; its share is unknown, "
                "so the effect of a merger cannot be computed"
            )
    before = conc.hhi(alloc)
    merged = {k: v for k, v in alloc.items() if k not in (a, b)}
    merged[f"{a}+{b}"] = alloc[a] + alloc[b]
    after = conc.hhi(merged)
    total = math.fsum(alloc.values())
    return {
        "hhi_before": round(before, 6),
        "hhi_after": round(after, 6),
        "delta": round(conc.merger_delta(alloc, a, b), 6),
        "share_a": alloc[a] / total,
        "share_b": alloc[b] / total,
        "bands_before": {g: conc.hhi_band(before, guideline=g).band for g in ("2023", "2010")},
        "bands_after": {g: conc.hhi_band(after, guideline=g).band for g in ("2023", "2010")},
        "pooled": bool(pools),
        "flow_types": cov["flow_types"],
    }


# UnknownEntity is re-exported for callers that catch it from here.
_ = UnknownEntity
