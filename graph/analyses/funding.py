"""Funding as the analyses see it: USD totals per donor, coverage, pooled money.

Everything here reads sums that the store computes where the data lives
(:meth:`graph.store.GraphStore.funding_totals`: Cypher on Neo4j, pandas in memory) and
adds the rules the analyses share:

* **USD.** Flows in other currencies count at the USD amount recorded with the flow (the
  rate the document gives, ``usd_rate``); a flow whose amount is unknown, or that has no
  USD amount, adds nothing and is counted as unknown.
* **Own funds.** A flow whose donor is its recipient (carry-over, interest) is the
  recipient's own money, not a donor's: it is left out of donor figures and reported as
  ``own_funds_usd``.
* **Pools.** A flow from a pooled donor (``pooled`` true, or sector ``pool``) stands for the
  pool's members (``POOLS`` relationships); its money cannot be traced to one of them, so
  concentration over it is a range (see :func:`graph.metrics.pooled.pooled_range`).
* **Flow types.** By default :data:`graph.store.DEFAULT_FLOW_TYPES` (empty = income);
  every result names the types it used.

Examples
--------
>>> from loaders.load import load_memory
>>> store = load_memory(MINIMAL)
>>> c = coverage(store)
>>> c["flows"], c["flows_with_amount"], c["donor_usd"]
(4, 3, 762.0)
>>> donor_totals(store)[["donor_id", "amount_usd", "share"]]
  donor_id  amount_usd     share
0     evil       750.0  0.984252
1   cypher        12.0  0.015748
2   script         0.0  0.000000
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from graph.analyses.results import Coverage
from graph.errors import AnalysisError, EmptySelection, UnknownEntity
from graph.schema import FLOW_TYPES
from graph.store import (
    DEFAULT_FLOW_TYPES,
    Filters,
    GraphStore,
    check_flow_types,
    display_names,
)
from graph.text import (  # pct, usd re-exported: the formats the statements use
    joined,
    label,
    pct,
    plural,
    usd,
)

__all__ = [
    "DEFAULT_FLOW_TYPES",
    "coverage",
    "donor_totals",
    "donor_amounts",
    "known_and_pools",
    "funding_years",
    "pool_members",
    "pooled_flags",
    "org_names",
    "check_org",
    "usd",
    "pct",
    "totals_by",
    "require_money",
]


def org_names(store: GraphStore) -> pd.DataFrame:
    """Every organization with ``name`` (acronym-free display name), ``sector``, ``country``.

    Indexed by organization id.
    """
    orgs = store.node_table("Organization")
    if orgs.empty:
        return pd.DataFrame(columns=["name", "sector", "country", "acronym"]).rename_axis("id")
    out = pd.DataFrame(
        {
            "name": display_names(orgs),
            **{
                c: (orgs[c].to_numpy() if c in orgs.columns else [None] * len(orgs))
                for c in ("sector", "country", "acronym")
            },
        },
        index=pd.Index(orgs["id"], name="id"),
    )
    return out.astype(object).where(out.notna(), None)


def funding_years(store: GraphStore) -> list[int]:
    """The years that have a funding flow of any type, oldest first (asked of the store as
    one group-by, not read off every flow).

    >>> funding_years(example_store())
    [2023, 2024, 2025]
    """
    t = store.funding_totals(("year",), flow_types=FLOW_TYPES)
    return sorted({int(y) for y in t["year"].dropna()})


def check_org(store: GraphStore, org_id, *, what: str = "organization") -> str:
    """``org_id`` if the store holds such an organization, else :class:`UnknownEntity`.

    >>> from loaders.load import load_memory
    >>> check_org(load_memory(MINIMAL), "nobody", what="donor")
    Traceback (most recent call last):
    ...
    graph.errors.UnknownEntity: no donor with id 'nobody' in the store (5 organizations)
    """
    ids = set(store.node_table("Organization")["id"].tolist())
    if org_id not in ids:
        raise UnknownEntity(
            f"no {what} with id {org_id!r} in the store ({len(ids):,} organizations)"
        )
    return org_id


def pool_members(store: GraphStore) -> dict[str, list[str]]:
    """Each pooled donor and the donors it stands for (sorted).

    >>> from loaders.load import load_memory
    >>> pool_members(load_memory(MINIMAL))
    {}
    """
    pairs = store.rel_pairs("POOLS")  # the pairs of ends, kept by the store: no properties
    out: dict[str, list[str]] = {}
    for pool, member in zip(pairs["start"].tolist(), pairs["end"].tolist(), strict=True):
        out.setdefault(pool, []).append(member)
    return {k: sorted(set(v)) for k, v in sorted(out.items())}


def pooled_flags(t: pd.DataFrame) -> np.ndarray:
    """The ``pooled`` column of store totals as booleans (missing: not pooled), so that a
    maximum or a mask over it is typed, not a walk over Python objects.

    >>> pooled_flags(pd.DataFrame({"pooled": [True, None, False]})).tolist()
    [True, False, False]
    """
    return t["pooled"].fillna(False).to_numpy(dtype=bool)


def totals_by(store, keys, filters, *, recipient, flow_types, scheme="focus"):
    """Totals by ``donor``, ``recipient``, ``pooled`` and ``keys``, own funds split off."""
    types = check_flow_types(flow_types)
    if recipient is not None:
        check_org(store, recipient, what="recipient")
    base = ("donor", "recipient", "pooled")
    if recipient is not None:  # only the flows to it are summed, not every recipient's
        f = filters or Filters()
        kept = f.recipients is None or recipient in f.recipients
        filters = replace(f, recipients=(recipient,) if kept else ())
    t = store.funding_totals(
        base + tuple(k for k in keys if k not in base), filters, scheme=scheme, flow_types=types
    )
    own = t[t["donor"] == t["recipient"]]
    t = t[t["donor"] != t["recipient"]].reset_index(drop=True)
    return t, own.reset_index(drop=True), types


def coverage(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    recipient: str | None = None,
    flow_types=None,
) -> Coverage:
    """How much of the funding picture is known: amounts, donors, pools.

    Parameters
    ----------
    store : GraphStore
    filters : Filters, optional
        Flow year, donor sector, donor country or region.
    recipient : str, optional
        Only flows to this organization (e.g. the institute).
    flow_types : iterable of str, optional
        Flow types counted (default :data:`DEFAULT_FLOW_TYPES`).

    Returns
    -------
    dict
        ``flows`` and ``flows_with_amount`` / ``flows_without_amount`` (donor flows; own
        funds left out), ``flows_without_usd`` (an amount but no USD value), ``donors``,
        ``donors_with_amount``, ``donor_usd`` (known USD from donors), ``direct_usd``
        (from named donors), ``pooled_usd`` (through pools), ``known_donor_share``
        (``direct_usd / donor_usd``), ``own_funds_usd``, ``flow_types`` and ``statement``
        (the same in one sentence). Unknown amounts are never guessed: they are counted,
        not valued.

    Examples
    --------
    >>> from loaders.load import load_memory
    >>> print(coverage(load_memory(MINIMAL))["statement"])
    3 of 4 donor flows (75.0 %) state an amount; 1 flow from 1 donor has no amount, so that money is not in any figure. Of the USD 762 stated, 100.0 % comes from named donors and 0.0 % through pooled funds. Flow types counted: commitment, grant, income, incoming commitment and incoming funds.
    """  # noqa: E501
    t, own, types = totals_by(store, (), filters, recipient=recipient, flow_types=flow_types)
    flows = int(t["flows"].sum())
    with_amount = int(t["amount_known"].sum())
    with_usd = int(t["usd_known"].sum())
    donor_usd = math.fsum(t["amount_usd"])
    pooled = pooled_flags(t)
    pooled_usd = math.fsum(t["amount_usd"].to_numpy(float)[pooled].tolist())
    direct_usd = donor_usd - pooled_usd
    per_donor = t.groupby("donor")[["flows", "amount_known", "usd_known"]].sum()  # one pass
    missing = per_donor[per_donor["amount_known"] < per_donor["flows"]]
    n_missing_flows = flows - with_amount
    pooled_money = t[pooled].groupby("donor")["amount_usd"].sum()
    members = pool_members(store) if len(pooled_money) else {}
    in_pools = {m for p, a in pooled_money.items() if a > 0 for m in members.get(p, ())}
    inside = sorted(set(missing.index) & in_pools)
    out = {
        "flows": flows,
        "flows_with_amount": with_amount,
        "flows_without_amount": n_missing_flows,
        "flows_without_usd": with_amount - with_usd,
        "donors": len(per_donor),
        "donors_with_amount": int((per_donor["usd_known"] > 0).sum()),
        "donors_without_amount": int(len(missing)),
        "donors_without_amount_in_pools": len(inside),
        "donor_usd": donor_usd,
        "direct_usd": direct_usd,
        "pooled_usd": pooled_usd,
        "known_donor_share": direct_usd / donor_usd if donor_usd > 0 else math.nan,
        "own_funds_usd": math.fsum(own["amount_usd"]),
        "flow_types": types,
        **_negatives(store, filters, recipient, types),
    }
    if flows == 0:
        out["statement"] = "No donor flows match the selection."
        return out
    s = f"{with_amount:,} of {flows:,} donor flows ({pct(with_amount / flows)}) state an amount"
    if n_missing_flows:
        s += (
            f"; {plural(n_missing_flows, 'flow')} from "
            f"{plural(len(missing), 'donor')} "
            f"{'have' if n_missing_flows != 1 else 'has'} no amount"
        )
        rest = len(missing) - len(inside)
        if inside:
            s += (
                f": {len(inside):,} of {'them are members' if len(inside) != 1 else 'them is a member'}"
                f" of a pooled fund whose {usd(pooled_usd)} may hold their money (no document "
                "gives their shares)"
                + (f"; the money of the other {rest:,} is in no figure" if rest else "")
            )
        else:
            s += ", so that money is not in any figure"
    s += "."
    if with_amount - with_usd:
        s += f" {with_amount - with_usd:,} stated amounts have no USD value and are left out."
    if donor_usd > 0:
        s += (
            f" Of the {usd(donor_usd)} stated, {pct(direct_usd / donor_usd)} comes from named "
            f"donors and {pct(pooled_usd / donor_usd)} through pooled funds."
        )
    if out["negative_flows"]:
        n = out["negative_flows"]
        s += (
            f" {plural(n, 'flow')} {'are' if n != 1 else 'is'} negative "
            f"(reversals or decommitments, {usd(out['negative_usd'])} in all), netted "
            "within their flow type."
        )
    if out["own_funds_usd"] > 0:
        s += f" Own funds (carry-over, interest: {usd(out['own_funds_usd'])}) are not donor money."
    s += f" Flow types counted: {joined(label(t) for t in types)}."
    out["statement"] = s
    return out


def _negatives(store: GraphStore, filters, recipient, types) -> dict:
    """Negative donor flows (own funds left out) of the selection: count and USD sum."""
    neg = store.negative_flows(filters, flow_types=types)
    neg = neg[neg["donor"] != neg["recipient"]]
    if recipient is not None:
        neg = neg[neg["recipient"] == recipient]
    return {"negative_flows": int(neg["flows"].sum()), "negative_usd": math.fsum(neg["amount_usd"])}


def donor_totals(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    recipient: str | None = None,
    flow_types=None,
) -> pd.DataFrame:
    """Known USD per donor, largest first, with names, sector, country and pool flag.

    Returns
    -------
    DataFrame
        ``donor_id``, ``donor``, ``sector``, ``country``, ``pooled``, ``amount_usd``,
        ``flows``, ``usd_known`` and ``share`` (of all known donor money, pools included).
        Donors whose amounts are all unknown appear with ``amount_usd`` 0 and
        ``usd_known`` 0. Own funds are left out.

    Examples
    --------
    >>> from loaders.load import load_memory
    >>> donor_totals(load_memory(MINIMAL), recipient="iite")[
    ...     ["donor_id", "sector", "amount_usd", "usd_known"]]
      donor_id           sector  amount_usd  usd_known
    0     evil  private_company       750.0          2
    1   cypher       foundation        12.0          1
    2   script       university         0.0          0
    """
    t, _own, _ = totals_by(store, (), filters, recipient=recipient, flow_types=flow_types)
    cols = ["donor_id", "donor", "sector", "country", "pooled", "amount_usd", "flows"]
    cols += ["usd_known", "share"]
    if t.empty:
        return pd.DataFrame(columns=cols)
    g = (
        t.assign(pooled=pooled_flags(t))
        .groupby("donor", sort=False)
        .agg(
            pooled=("pooled", "max"),
            amount_usd=("amount_usd", "sum"),
            flows=("flows", "sum"),
            usd_known=("usd_known", "sum"),
        )
        .reset_index()
        .rename(columns={"donor": "donor_id"})
    )
    names = org_names(store)
    at = names.index.get_indexer(g["donor_id"].to_numpy(dtype=object))  # -1: not an org
    known = at >= 0
    for col in ("name", "sector", "country"):  # each donor's row of names, by position
        values = np.full(len(g), None, dtype=object)
        values[known] = names[col].to_numpy(dtype=object)[at[known]]
        g[col] = values.tolist()
    named = np.where(known, g.pop("name").to_numpy(object), g["donor_id"].to_numpy(object))
    g["donor"] = named.tolist()
    g["pooled"] = g["pooled"].astype(bool)
    total = math.fsum(g["amount_usd"])
    g["share"] = g["amount_usd"] / total if total > 0 else math.nan
    g = g.sort_values(["amount_usd", "donor_id"], ascending=[False, True], kind="stable")
    return g[cols].reset_index(drop=True)


def donor_amounts(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    recipient: str | None = None,
    flow_types=None,
    totals: pd.DataFrame | None = None,
) -> tuple[dict, list]:
    """The inputs of :func:`graph.metrics.pooled.pooled_range`: known amounts and pools.

    Returns
    -------
    known : dict
        Named donor → known USD (donors with a known positive amount only).
    pools : list of (amount, members)
        One entry per pooled donor with a known amount; members from ``POOLS``. A pool
        with no members listed stands for itself (one unknown donor) and the figures say so
        through :func:`coverage`.

    Examples
    --------
    >>> from loaders.load import load_memory
    >>> donor_amounts(load_memory(MINIMAL))
    ({'evil': 750.0, 'cypher': 12.0}, [])
    """
    d = (
        totals
        if totals is not None
        else donor_totals(store, filters, recipient=recipient, flow_types=flow_types)
    )
    d = d[d["amount_usd"] > 0]
    members = pool_members(store) if d["pooled"].any() else {}
    return known_and_pools(d["donor_id"], d["amount_usd"], d["pooled"], members)


def known_and_pools(donors, amounts, pooled, members: dict) -> tuple[dict, list]:
    """The donors with a positive amount, in order, as :func:`donor_amounts` gives them:
    named donor → amount, and each pooled donor as ``(amount, members)`` (itself when no
    member is listed). Column by column: thousands of donors, no loop over the named ones.

    >>> known_and_pools(["a", "p", "z"], [5.0, 3.0, 0.0], [False, True, False], {})
    ({'a': 5.0}, [(3.0, ['p'])])
    """
    donors = np.asarray(donors, dtype=object)
    amounts = np.asarray(amounts, dtype=float)
    pooled = np.asarray(pooled, dtype=bool)
    positive = amounts > 0
    named, pools = positive & ~pooled, positive & pooled
    known = dict(zip(donors[named].tolist(), amounts[named].tolist(), strict=True))
    pooled_ones = zip(donors[pools].tolist(), amounts[pools].tolist(), strict=True)
    return known, [(a, members.get(d) or [d]) for d, a in pooled_ones]


def require_money(cov: dict, what: str = "the selection") -> None:
    """EmptySelection with the reason when nothing in ``cov`` has a known amount."""
    if cov["flows"] == 0:
        raise EmptySelection(f"no donor flows in {what}; widen the years or drop a filter")
    if cov["donor_usd"] <= 0 and cov.get("negative_flows"):
        raise EmptySelection(
            f"the {cov['flows']:,} donor flows in {what} net to {usd(cov['donor_usd'])}: "
            f"{cov['negative_flows']:,} of them are negative (reversals, decommitments), so no "
            "donor has a positive total to share out; choose fewer flow types (e.g. commitments)"
        )
    if cov["donor_usd"] <= 0:
        raise EmptySelection(
            f"none of the {cov['flows']:,} donor flows in {what} has a known USD amount; "
            "shares cannot be computed (unknown amounts are never guessed)"
        )


def _check_options(**kw) -> None:
    for name, value in kw.items():
        if value is not None and not isinstance(value, str):
            raise AnalysisError(f"{name} must be an id (text), not {value!r}")
