"""The lines of a projection: the money and agreements of each year of a planning period,
each from the data (secured) or from a planning assumption (a renewal, a prospect).

A *line* is one source of money over some years of the period:

* **secured**: funding flows to the institute dated in the period (agreements in force,
  recorded as flows), one line per donor, channel, year and project; certain;
* **agreement**: a current project of the institute whose years reach into the period; it
  counts as an agreement in force, with no money of its own unless flows are dated;
* **renewal** (``renewals`` records): an agreement that ends is extended, with the chance
  and at the level the user states: a year's amount is the ``amount`` given, or ``level``
  (default 1) times the known money of its *basis year* (the latest year known for the
  whole year, unless one is given). A project renewal extends its agreement too;
* **prospect** (``prospects`` records): a possible agreement with a known or new donor, a
  year's amount or a range, for its years, with its chance.

Every renewal and prospect is an assumption of whoever ``stated_by`` names, never a fact of
the documents; the lines say so, and an amount no record gives stays unknown (``NaN``), and
is counted as such.

Examples
--------
>>> from loaders.load import load_memory
>>> store = load_memory()
>>> renewals = pd.DataFrame([{"renewal_id": "r1", "donor_id": "unesco",
...     "channel": "regular_budget", "probability": 0.9, "stated_by": "example"}])
>>> lines = projection_lines(store, (2026, 2029), renewals=renewals,
...                          prospects=pd.DataFrame())
>>> r = lines[lines["kind"] == "renewal"].iloc[0]
>>> float(r["amount"]), int(r["first"]), int(r["last"]), r["basis"]
(414000.0, 2026, 2029, 'level 1 × USD 414,000 of 2025')
>>> sorted(lines.loc[lines["kind"] == "agreement", "id"])
['codemao-youth-coding', 'huawei-ai-he-tvet', 'sou-ict-open-education']
"""

from __future__ import annotations

import math

import pandas as pd

from graph.analyses.funding import org_names
from graph.analyses.institute import INSTITUTE, recipient_of
from graph.analyses.portfolio import portfolio
from graph.store import GraphStore, isin
from graph.store.totals import isnull
from graph.text import label

__all__ = [
    "LINE_COLUMNS",
    "DEFAULT_CHANNEL",
    "projection_lines",
    "assumption_records",
    "suggested_renewals",
]

#: The columns of :func:`projection_lines`.
LINE_COLUMNS = (
    "kind",
    "id",
    "title",
    "donor",
    "donor_name",
    "sector",
    "channel",
    "first",
    "last",
    "probability",
    "amount",
    "low",
    "high",
    "agreement",
    "regions",
    "basis",
    "stated_by",
    "note",
    "project",
)
#: A prospect's channel when it names none.
DEFAULT_CHANNEL = "extrabudgetary"


def assumption_records(store: GraphStore, label_: str) -> pd.DataFrame:
    """The store's records of a planning label (``Prospect`` or ``Renewal``)."""
    t = store.node_table(label_)
    key = "prospect_id" if label_ == "Prospect" else "renewal_id"
    if len(t) and key not in t:
        t = t.rename(columns={"id": key})
    return t


def suggested_renewals(store: GraphStore, *, recipient=INSTITUTE) -> pd.DataFrame:
    """One renewal per donor and channel the institute has known money from, at the level
    of its latest whole year (level 1, basis year left to that rule), with the chance and
    who states it left blank: the user fills them in (a renewal needs both).

    Examples
    --------
    >>> from loaders.load import load_memory
    >>> t = suggested_renewals(load_memory())
    >>> t[["donor_id", "channel"]].to_records(index=False).tolist()[:2]
    [('pool-iite-donors', 'extrabudgetary'), ('rus-gov', 'host_country')]
    >>> bool(t["probability"].isna().all())
    True
    """
    money = _money(store, recipient_of(store, recipient))
    money = money[money["usd_known"] > 0]
    rows = []
    for (donor, channel), mine in money.groupby(["donor", "channel"], sort=True):
        year, _basis_usd, _part = _basis(mine)
        rows.append(
            {
                "renewal_id": f"renew-{donor}-{channel}".replace("_", "-"),
                "donor_id": donor,
                "channel": channel,
                "probability": math.nan,
                "level": 1.0,
                "stated_by": None,
                "note": f"continues at its {year} level (suggested; give the chance)",
            }
        )
    cols = ["renewal_id", "donor_id", "channel", "probability", "level", "stated_by", "note"]
    return pd.DataFrame(rows, columns=cols)


def _money(store: GraphStore, rid) -> pd.DataFrame:
    """Known money the institute receives from others, by donor, channel, year, period and
    project."""
    keys = ("donor", "recipient", "channel", "year", "period", "project")
    t = store.funding_totals(keys)
    t = t[(t["recipient"] == rid) & (t["donor"] != t["recipient"])]
    return t.reset_index(drop=True)


def _weights(store: GraphStore, scheme: str) -> dict:
    """Project → ((region, weight), …) over the scheme (None: unassigned)."""
    w = store.project_targets(scheme=scheme)
    out: dict = {}
    for p, k, x in zip(w["project"], w["key"], w["weight"], strict=True):
        out.setdefault(p, []).append((None if isnull(k) else k, float(x)))
    return {p: tuple(v) for p, v in out.items()}


def _region_of(store: GraphStore, region, scheme: str):
    """A region id as a region of the scheme (rolled up), or None when it is of another."""
    if isnull(region):
        return None
    regions = store.node_table("Region")
    schemes = dict(zip(regions["id"], regions.get("scheme", [None] * len(regions)), strict=True))
    if schemes.get(region) != scheme:
        return None
    return store.region_rollup(scheme).get(region, region)


def _span(first, last, period) -> tuple:
    """Years ``first``–``last`` within the period, or (None, None) when none is."""
    a, b = max(int(first), period[0]), min(int(last), period[1])
    return (a, b) if a <= b else (None, None)


def _secured(money: pd.DataFrame, period, weights: dict, names, titles) -> pd.DataFrame:
    """One line per donor, channel, year and project of the flows dated in the period
    (built column by column: there is one per group of flows)."""
    years = pd.to_numeric(money["year"], errors="coerce")
    t = money[((years >= period[0]) & (years <= period[1])).to_numpy()].reset_index(drop=True)
    y = pd.to_numeric(t["year"]).astype(int)
    proj = t["project"].astype(object)
    funds = {c: f"{label(c)} funds" for c in t["channel"].unique()}
    unassigned = ((None, 1.0),)
    regions = [w if isinstance(w, tuple) else unassigned for w in proj.map(weights)]
    named = isin(t["donor"], names.index)
    return pd.DataFrame(
        {
            "kind": "secured",
            "id": t["donor"].astype(str)
            + "|"
            + t["channel"].astype(str)
            + "|"
            + y.astype(str)
            + "|"
            + proj.fillna("").astype(str),
            "title": proj.map(titles).fillna(t["channel"].map(funds)),
            "donor": t["donor"],
            "donor_name": t["donor"].map(names["name"]).where(named, t["donor"]),
            "sector": t["donor"].map(names["sector"]).where(named, None),
            "channel": t["channel"],
            "first": y,
            "last": y,
            "probability": 1.0,
            "amount": t["amount_usd"].astype(float).where(t["usd_known"] > 0),
            "agreement": False,
            "regions": pd.Series(regions, dtype=object),
            "basis": "funding flows dated in the period",
            "project": proj,
        }
    )


def _who(donor, names, new_name=None, new_sector=None) -> dict:
    if donor in names.index:
        return {"donor_name": names.at[donor, "name"], "sector": names.at[donor, "sector"]}
    return {"donor_name": new_name or donor, "sector": new_sector}


def _agreements(store: GraphStore, inst, period, weights: dict) -> list[dict]:
    """The institute's current projects whose years reach into the period."""
    mine = portfolio(store, institute=inst).projects
    projects = store.node_table("Project")
    out = []
    for p in projects.to_dict("records"):
        if mine is not None and p["id"] not in mine or p.get("status") == "completed":
            continue
        if isnull(p.get("end_year")) or isnull(p.get("start_year")):
            continue
        first, last = _span(p["start_year"], p["end_year"], period)
        if first is None:
            continue
        out.append(
            {
                "kind": "agreement",
                "id": p["id"],
                "title": p.get("title") or p["id"],
                "donor": None,
                "donor_name": None,
                "sector": None,
                "channel": None,
                "first": first,
                "last": last,
                "probability": 1.0,
                "amount": math.nan,
                "agreement": True,
                "regions": weights.get(p["id"], ((None, 1.0),)),
                "basis": f"its agreement runs to {int(p['end_year'])}",
                "project": p["id"],
            }
        )
    return out


def _basis(money: pd.DataFrame, year=None) -> tuple:
    """The basis year and its known money: ``year``, else the latest year known for the
    whole year (else the latest known at all, for part of it). ``(None, nan, "")`` when no
    money is known."""
    known = money[money["usd_known"] > 0]
    if year is not None and not isnull(year):
        at = known[pd.to_numeric(known["year"]) == int(year)]
        return (int(year), float(at["amount_usd"].sum()) if len(at) else math.nan, "")
    whole = known[known["period"].isna()]
    pick = whole if len(whole) else known
    if not len(pick):
        return None, math.nan, ""
    y = int(pd.to_numeric(pick["year"]).max())
    at = pick[pd.to_numeric(pick["year"]) == y]
    part = "" if len(whole) else f" ({', '.join(sorted(set(at['period'].dropna())))})"
    return y, float(at["amount_usd"].sum()), part


def _renewal(r: dict, money, projects, names, weights, period, store, scheme) -> dict:
    """One renewal record as a line."""
    pid = None if isnull(r.get("project_id")) else r["project_id"]
    mine = money[money["project"] == pid] if pid else money[money["project"].isna()]
    donor = None if isnull(r.get("donor_id")) else r["donor_id"]
    channel = None if isnull(r.get("channel")) else r["channel"]
    if not pid:
        mine = mine[mine["donor"] == donor]
        if channel:
            mine = mine[mine["channel"] == channel]
    elif donor is None and len(mine):
        donor = mine.groupby("donor")["amount_usd"].sum().idxmax()
    if channel is None:
        channel = mine["channel"].mode().iloc[0] if len(mine) else DEFAULT_CHANNEL
    year, basis, part = _basis(mine, r.get("basis_year"))
    if not isnull(r.get("amount_usd")):
        amount, how = float(r["amount_usd"]), "a year's amount as stated"
    else:
        level = 1.0 if isnull(r.get("level")) else float(r["level"])
        amount = level * basis
        how = (
            f"level {level:g} × USD {basis:,.0f} of {year}{part}"
            if year is not None and not math.isnan(basis)
            else "no money of it is known, and no amount is stated"
        )
    end = projects.get(pid, {}).get("end_year") if pid else None
    start = r.get("from_year")
    if isnull(start):
        start = (int(end) + 1) if not isnull(end) else ((year + 1) if year else period[0])
    stop = period[1] if isnull(r.get("to_year")) else int(r["to_year"])
    first, last = _span(start, stop, period)
    region = _region_of(store, r.get("region_id"), scheme)
    return {
        "kind": "renewal",
        "id": r["renewal_id"],
        "title": (projects.get(pid, {}).get("title") if pid else None)
        or f"{names.at[donor, 'name'] if donor in names.index else donor}: {label(channel)} funds",
        "donor": donor,
        "channel": channel,
        "first": first,
        "last": last,
        "probability": float(r["probability"]),
        "amount": amount,
        "agreement": bool(pid),
        "regions": weights.get(pid, ((region, 1.0),)) if pid else ((region, 1.0),),
        "basis": how,
        "stated_by": r.get("stated_by"),
        "note": r.get("note"),
        "project": pid,
    } | _who(donor, names)


def _prospect(r: dict, names, period, store, scheme) -> dict:
    """One prospect record as a line."""
    donor = r.get("donor_id")
    if isnull(donor):
        donor = f"new:{r.get('donor_name')}"
    first, last = _span(
        r["start_year"], r["start_year"] if isnull(r.get("end_year")) else r["end_year"], period
    )
    low, high = r.get("amount_usd_low"), r.get("amount_usd_high")
    amount = r.get("amount_usd")
    if isnull(amount) and not isnull(low) and not isnull(high):
        amount, how = (float(low) + float(high)) / 2, "a year's amount in a range (its middle)"
    elif isnull(amount):
        amount, how, low, high = math.nan, "no amount stated", math.nan, math.nan
    else:
        how = "a year's amount as stated"
    if isnull(low) or isnull(high):
        low = high = amount
    region = _region_of(store, r.get("region_id"), scheme)
    return {
        "kind": "prospect",
        "id": r["prospect_id"],
        "title": r.get("title") or r["prospect_id"],
        "donor": donor,
        "channel": DEFAULT_CHANNEL if isnull(r.get("channel")) else r["channel"],
        "first": first,
        "last": last,
        "probability": float(r["probability"]),
        "amount": float(amount),
        "low": float(low),
        "high": float(high),
        "agreement": True,
        "regions": ((region, 1.0),),
        "basis": how,
        "stated_by": r.get("stated_by"),
        "note": r.get("note"),
    } | _who(donor, names, r.get("donor_name"), r.get("donor_sector"))


def projection_lines(
    store: GraphStore,
    period: tuple[int, int],
    *,
    prospects: pd.DataFrame | None = None,
    renewals: pd.DataFrame | None = None,
    recipient=INSTITUTE,
    scheme: str = "focus",
) -> pd.DataFrame:
    """Every line of a projection over ``period`` (first and last year).

    Parameters
    ----------
    prospects, renewals : DataFrame, optional
        Records as their record kinds give them (``prospect_id``, … ``renewal_id``, …);
        default: the store's. An empty frame: none.
    recipient : str, optional
        The institute (default: the main recipient).

    Returns
    -------
    DataFrame with :data:`LINE_COLUMNS`: one row per line; ``first``/``last`` the years of
    the period it covers (missing when it covers none), ``amount`` a year's USD (``NaN``
    unknown; a range's middle), ``low``/``high`` the range, ``regions`` its region weights
    over the scheme (None: unassigned), ``agreement`` whether it counts as an agreement in
    force, ``basis`` how its amount was found.
    """
    rid = recipient_of(store, recipient)
    if prospects is None:
        prospects = assumption_records(store, "Prospect")
    if renewals is None:
        renewals = assumption_records(store, "Renewal")
    money = _money(store, rid)
    names = org_names(store)
    weights = _weights(store, scheme)
    projects = {p["id"]: p for p in store.node_table("Project").to_dict("records")}
    titles = {k: v.get("title") for k, v in projects.items()}
    secured = _secured(money, period, weights, names, titles)
    rows = _agreements(store, rid, period, weights)
    for r in renewals.to_dict("records") if len(renewals) else []:
        rows.append(_renewal(r, money, projects, names, weights, period, store, scheme))
    for r in prospects.to_dict("records") if len(prospects) else []:
        rows.append(_prospect(r, names, period, store, scheme))
    out = pd.DataFrame(rows, columns=list(LINE_COLUMNS))
    if len(secured):
        out = pd.concat([secured.reindex(columns=list(LINE_COLUMNS)), out], ignore_index=True)
    out["amount"] = out["amount"].astype(float)
    for c in ("low", "high"):
        out[c] = out[c].astype(float).fillna(out["amount"])
    out["probability"] = out["probability"].astype(float)
    out["agreement"] = out["agreement"].astype(bool)
    return out.astype({"first": "Int64", "last": "Int64"})
