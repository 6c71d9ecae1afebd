"""Donor diversity: donors and money by sector, by the donor's country and region.

Counts are of donors with a flow in the selection (amount known or not); money is known
USD. Pooled money is spread evenly over the pool's members by default (each member then
counts as a donor), or kept as its own group (``pooled="separate"``, sector ``pool``).
Own funds are left out. A diversity index is given for counts and for money: Shannon
entropy, evenness (``H / ln k`` over the ``k`` groups present) and the effective number of
groups (``exp H``); donors whose group no document states are listed (as None) but left out
of the index: an unknown is not one more kind of donor.

Examples
--------
>>> d = donor_diversity(example_store(), by="donor_sector")
>>> d["table"][["donor_sector", "donors", "amount_usd", "share_of_money"]]
      donor_sector  donors  amount_usd  share_of_money
0       government       1       500.0        0.416667
1        un_system       1       250.0        0.208333
2     pooled money       0       200.0        0.166667
3       university       1       150.0        0.125000
4  private_company       1       100.0        0.083333
5       foundation       1         0.0        0.000000
>>> round(d["index"]["money"]["effective_number"], 2), d["index"]["donors"]["groups"]
(3.35, 5)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from graph.analyses.funding import org_names, pool_members, pooled_flags, totals_by
from graph.analyses.results import Diversity, DiversityIndex
from graph.errors import AnalysisError, EmptySelection
from graph.store import Filters, GraphStore
from graph.text import plural, usd

__all__ = ["DIVERSITY_KEYS", "POOLED", "diversity_index", "donor_diversity"]

#: What donors can be grouped by.
DIVERSITY_KEYS = ("donor_sector", "donor_country", "donor_region")
#: The group of pooled money that is not attributed to its members (``pooled="apart"``).
POOLED = "pooled money"


def diversity_index(values) -> DiversityIndex:
    """Shannon entropy, evenness and effective number of groups of counts or amounts.

    Groups with 0 are left out (they are not present). Evenness is NaN with one group.

    Examples
    --------
    >>> diversity_index({"a": 2, "b": 2, "c": 0})
    {'groups': 2, 'shannon': 0.6931471805599453, 'evenness': 1.0, 'effective_number': 2.0}
    >>> diversity_index({})["groups"]
    0
    """
    x = np.array([float(v) for v in dict(values).values() if v and float(v) > 0])
    if len(x) == 0:
        return {
            "groups": 0,
            "shannon": math.nan,
            "evenness": math.nan,
            "effective_number": math.nan,
        }
    p = x / math.fsum(x)
    h = max(0.0, -math.fsum(p * np.log(p)))
    k = len(x)
    if k == 1:
        even = math.nan
    elif np.all(x == x[0]):
        even = 1.0
    else:
        even = min(1.0, h / math.log(k))
    eff = float(k) if k > 1 and np.all(x == x[0]) else min(float(k), max(1.0, math.exp(h)))
    return {"groups": k, "shannon": h, "evenness": even, "effective_number": eff}


def _accumulate(per: pd.DataFrame, members: dict, groups: dict, pooled: str) -> dict:
    """Group → its donors, donors with an amount, amounts and flows, from the donor
    totals ``per`` (see :func:`donor_diversity` for the ``pooled`` rules)."""
    acc: dict = {}

    def part(g):
        return acc.setdefault(g, {"donors": set(), "with": set(), "amount": [], "flows": 0})

    def add(org, amount, flows, counted):
        for g, w in groups.get(org, [(None, 1.0)]):
            a = part(g)
            a["donors"].add(org)
            if counted:
                a["with"].add(org)
            a["amount"].append(amount * w)
            a["flows"] += flows

    rows = zip(
        per.index.tolist(),  # column by column, not a Series per donor
        per["amount_usd"].tolist(),
        per["flows"].tolist(),
        per["pooled"].tolist(),
        strict=True,
    )
    for org, amount, flows, is_pool in rows:
        amount, flows = float(amount), int(flows)
        ms = members.get(org) if is_pool else None
        if ms and pooled == "apart":
            for m in ms:
                add(m, 0.0, 0, False)  # a donor of its own group, its share not known
            part(POOLED)["amount"].append(amount)
            part(POOLED)["flows"] += flows
        elif ms:
            for m in ms:
                add(m, amount / len(ms), flows, amount > 0)
        else:
            add(org, amount, flows, amount > 0)
    return acc


def _groups_of(store, by: str, scheme: str) -> dict:
    """Organization id → [(group, weight)]."""
    names = org_names(store)
    if by == "donor_region":
        w: dict = {}
        for r in store.org_regions(scheme).to_dict("records"):
            w.setdefault(r["donor"], []).append((r["key"], r["weight"]))
        return {o: w.get(o, [(None, 1.0)]) for o in names.index}
    col = "sector" if by == "donor_sector" else "country"
    return {o: [(v, 1.0)] for o, v in zip(names.index.tolist(), names[col].tolist(), strict=True)}


def donor_diversity(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    by: str = "donor_sector",
    scheme: str = "unesco",
    recipient: str | None = None,
    pooled: str = "apart",
    flow_types=None,
) -> Diversity:
    """Donors and money per sector, country or region, with diversity indices.

    Parameters
    ----------
    by : {"donor_sector", "donor_country", "donor_region"}
    scheme : str, default "unesco"
        Region scheme for ``donor_region`` (UNESCO regions cover every country).
    recipient : str, optional
        Only funding of this organization.
    pooled : {"apart", "spread", "separate"}
        ``"apart"`` (default, the rule of every page and report): the pool's members count
        as donors in their own groups, with no money, and the pooled money is one row of its
        own (group :data:`POOLED`), left out of the money index, since no document gives
        the members' shares. ``"spread"``: the pooled money split evenly over the members (a
        what-if). ``"separate"``: the pool as one donor of its own sector.

    Returns
    -------
    dict
        ``table`` (DataFrame: the group, ``donors``, ``donors_with_amount``,
        ``amount_usd``, ``flows``, ``share_of_donors``, ``share_of_money``; missing group
        as None, largest money first), ``index`` (``{"donors": …, "money": …}`` from
        :func:`diversity_index`), ``note`` and ``flow_types``. A donor based in a country
        of several regions counts in each with its share of the money.

    Raises
    ------
    EmptySelection
        No donor flow matches.

    Examples
    --------
    >>> t = donor_diversity(example_store(), by="donor_region")["table"]
    >>> print(t[["donor_region", "donors", "amount_usd"]].to_string())
                      donor_region  donors  amount_usd
    0  unesco:europe-north-america       2       750.0
    1          unesco:asia-pacific       2       250.0
    2                 pooled money       0       200.0
    3                unesco:africa       1         0.0
    """
    if by not in DIVERSITY_KEYS:
        raise AnalysisError(
            f"cannot group donors by {by!r}; use one of: {', '.join(DIVERSITY_KEYS)}"
        )
    if pooled not in ("apart", "spread", "separate"):
        raise AnalysisError(f"pooled must be 'apart', 'spread' or 'separate', not {pooled!r}")
    t, _own, types = totals_by(store, (), filters, recipient=recipient, flow_types=flow_types)
    if t.empty:
        raise EmptySelection("no donor flows match the selection; widen the years or drop a filter")
    t = t.assign(pooled=pooled_flags(t))
    per = t.groupby("donor", sort=True).agg(
        amount_usd=("amount_usd", "sum"), flows=("flows", "sum"), pooled=("pooled", "max")
    )
    members = pool_members(store) if pooled in ("apart", "spread") else {}
    acc = _accumulate(per, members, _groups_of(store, by, scheme), pooled)
    rows = [
        {
            by: g,
            "donors": len(a["donors"]),
            "donors_with_amount": len(a["with"]),
            "amount_usd": math.fsum(a["amount"]),
            "flows": a["flows"],
        }
        for g, a in acc.items()
    ]
    rows.sort(key=lambda r: (-r["amount_usd"], -r["donors"], r[by] is None, str(r[by])))
    table = pd.DataFrame(rows)
    table[by] = pd.Series([r[by] for r in rows], dtype=object)
    n_donors = len(set().union(*(a["donors"] for a in acc.values())))
    money = math.fsum(table["amount_usd"])
    table["share_of_donors"] = table["donors"] / n_donors
    table["share_of_money"] = table["amount_usd"] / money if money > 0 else math.nan
    # "not stated" is no group of its own (it is not known), nor is pooled money
    known = table[table[by].notna() & (table[by] != POOLED)]
    index = {
        "donors": diversity_index(dict(zip(known[by].map(str), known["donors"], strict=True))),
        "money": diversity_index(dict(zip(known[by].map(str), known["amount_usd"], strict=True))),
    }
    note = (
        "Donors are counted once per group (a donor in a country of several regions counts in "
        "each); money is known USD only."
    )
    unknown = int(table.loc[table[by].isna(), "donors"].sum())
    if unknown:
        what = {"donor_sector": "sector", "donor_country": "country"}.get(by, "region")
        note += (
            f" {plural(unknown, 'donor')} whose {what} no document states "
            f"{'are' if unknown != 1 else 'is'} listed as not stated and left out of the "
            "diversity index."
        )
    if pooled == "spread" and per["pooled"].any():
        note += " Pooled money is spread evenly over each pool's members, who count as donors."
    if pooled == "apart" and POOLED in acc:
        note += (
            f" {usd(math.fsum(acc[POOLED]['amount']))} of pooled money is not attributed to "
            "any group (no document gives the members' shares); its donors count in their "
            "own groups."
        )
    return {"table": table, "index": index, "note": note, "flow_types": types, "donors": n_donors}
