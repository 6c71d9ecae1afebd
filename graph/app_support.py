"""The analyses the app's pages ask for, built on a store and the pure formulas.

Each function takes a :class:`~graph.store.GraphStore` (or tables read from one) and
returns plain data: dicts and pandas DataFrames. The formulas themselves live in
:mod:`graph.concentration` and :mod:`graph.balance`; this module only decides *which*
amounts go into them (known USD amounts, pooled money kept as pools, project money split
over target countries) and says how much of the picture is known.

Money is always ``amount_usd`` of ``FUNDS`` flows: a flow without an amount stays unknown
and is counted, never guessed.

Examples
--------
>>> from loaders.load import load_memory
>>> from pathlib import Path
>>> store = load_memory(Path(__file__).resolve().parent.parent / "tests/fixtures/minimal")
>>> h = headline(store)
>>> h["donors"], h["concentration"]["bands"]["2023"]
(3, 'highly concentrated')
>>> lorenz_curve({"A": 500, "B": 250, "C": 150, "D": 100})["money_share"].round(2).tolist()
[0.0, 0.1, 0.25, 0.5, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .balance import split_by_shares, split_evenly, target_shares_check
from .donor_concentration import (
    concentration_by,
    concentration_of,
    concentration_trend,
    donor_concentration,
)
from .errors import AnalysisError, EmptySelection, UnknownEntity
from .funding import coverage, donor_amounts, donor_totals
from .store import Filters, GraphStore, display_name

__all__ = [
    "headline",
    "known_flows",
    "donor_flows",
    "lorenz_curve",
    "concentration_view",
    "trend_table",
    "breakdown_table",
    "region_schemes",
    "country_regions",
    "country_metrics",
    "region_table",
    "year_changes",
    "collaborations",
    "partner_graph",
    "graph_layout",
    "centrality",
    "donor_exit",
    "TIE_KINDS",
]

#: Relationship types drawn in the partnership network, with what a person calls them.
TIE_KINDS = {
    "PARTNER_IN": "partner in project",
    "FUNDS": "funds",
    "MEMBER_OF": "member of network",
    "ORGANIZED": "organized event",
    "PART_OF": "unit of",
    "POOLS": "pooled donor includes",
}

_FIGURES = (
    "n_donors",
    "total",
    "hhi",
    "cr1",
    "cr3",
    "cr5",
    "gini",
    "shannon",
    "evenness",
    "effective_order1",
    "effective_order2",
)


# ------------------------------------------------------------------------------ money


def known_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """The flows that state a USD amount above 0."""
    if flows.empty:
        return flows
    amt = pd.to_numeric(flows["amount_usd"], errors="coerce")
    return flows[amt.notna() & (amt > 0)].assign(amount_usd=amt)


def donor_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """Flows from a donor to someone else: own funds (donor = recipient: carry-over,
    interest) are the recipient's own money and left out, as in :mod:`graph.funding`."""
    if flows.empty:
        return flows
    return flows[flows["donor_id"] != flows["recipient_id"]]


def lorenz_curve(amounts) -> pd.DataFrame:
    """Points of the Lorenz curve of donor totals: donors sorted from smallest to largest,
    cumulative share of donors against cumulative share of money, from (0, 0) to (1, 1).

    Examples
    --------
    >>> lorenz_curve([1, 1])
       donor_share  money_share
    0          0.0          0.0
    1          0.5          0.5
    2          1.0          1.0
    """
    vals = amounts.values() if isinstance(amounts, dict) else amounts
    x = np.sort(np.array([float(v) for v in vals if float(v) > 0]))
    if x.size == 0:
        raise EmptySelection("no donor with a known amount; there is no curve to draw")
    cum = np.concatenate([[0.0], np.cumsum(x)]) / x.sum()
    donors = np.arange(x.size + 1) / x.size
    return pd.DataFrame({"donor_share": donors, "money_share": cum})


def concentration_view(
    store: GraphStore, filters: Filters | None = None, *, top: int = 50
) -> dict[str, Any] | None:
    """:func:`graph.donor_concentration.donor_concentration` shaped for the pages and the
    board report; ``None`` when no donor money with a known amount matches.

    Returns
    -------
    dict
        ``low``, ``high``, ``bands``, ``has_range``, ``note``, ``allocations``,
        ``coverage`` (:func:`graph.funding.coverage`), ``total_known`` (donor USD),
        ``pooled_total``, ``own_funds``, ``top`` (rank, donor_id, donor, usd, pooled,
        share, cumulative).

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> v = concentration_view(load_memory(Path(__file__).resolve().parent.parent / "tests/fixtures/minimal"))
    >>> v["total_known"], v["top"]["donor_id"].tolist()
    (762.0, ['evil', 'cypher'])
    """
    try:
        c = donor_concentration(store, filters, top=top)
    except EmptySelection:
        return None
    cov = c["coverage"]
    t = c["top_donors"]
    total = float(cov["donor_usd"])
    topdf = pd.DataFrame(
        {
            "rank": range(1, len(t) + 1),
            "donor_id": t["donor_id"],
            "donor": t["donor"],
            "usd": t["amount_usd"].astype(float),
            "pooled": t["pooled"].astype(bool),
        }
    )
    topdf["share"] = topdf["usd"] / total if total else 0.0
    topdf["cumulative"] = topdf["share"].cumsum()
    return {
        "low": c["low"],
        "high": c["high"],
        "bands": c["bands"],
        "has_range": bool(c["pooled"]),
        "note": c["note"],
        "allocations": c["allocations"],
        "coverage": cov,
        "total_known": total,
        "pooled_total": float(cov["pooled_usd"]),
        "own_funds": float(cov["own_funds_usd"]),
        "top": topdf,
    }


def trend_table(store: GraphStore, filters: Filters | None = None) -> pd.DataFrame:
    """:func:`graph.donor_concentration.concentration_trend` for the years with a known
    amount: ``year``, ``donors``, ``total`` (USD), ``hhi_low``, ``hhi_high``, ``band``,
    ``cr1_low``, ``cr1_high``, ``effective_low``, ``effective_high``, ``share_with_amount``."""
    cols = [
        "year",
        "donors",
        "total",
        "hhi_low",
        "hhi_high",
        "band",
        "cr1_low",
        "cr1_high",
        "effective_low",
        "effective_high",
        "share_with_amount",
    ]
    try:
        t = concentration_trend(store, filters)
    except EmptySelection:
        return pd.DataFrame(columns=cols)
    t = t[t["hhi_low"].notna()]
    out = pd.DataFrame(
        {
            "year": t["year"].astype(int),
            "donors": t["n_donors_high"].astype(int),
            "total": t["total_usd"].astype(float),
            "hhi_low": t["hhi_low"],
            "hhi_high": t["hhi_high"],
            "band": t["band_2023"],
            "cr1_low": t["cr1_low"],
            "cr1_high": t["cr1_high"],
            "effective_low": t["effective_order2_low"],
            "effective_high": t["effective_order2_high"],
            "share_with_amount": t["flows_with_usd"] / t["flows"].where(t["flows"] > 0),
        }
    )
    return out.reset_index(drop=True)[cols]


def breakdown_table(
    store: GraphStore, by: str, filters: Filters | None = None, *, scheme: str = "focus"
) -> pd.DataFrame:
    """:func:`graph.donor_concentration.concentration_by` for a table: ``group``,
    ``donors``, ``flows``, ``flows_with_usd``, ``usd``, ``share`` (of known money),
    ``hhi_low``, ``hhi_high``, ``band`` and ``top_donor``, largest first. Region groups
    are named (``donor_region``, ``target_region``)."""
    cols = [
        "group",
        "donors",
        "flows",
        "flows_with_usd",
        "usd",
        "share",
        "hhi_low",
        "hhi_high",
        "band",
        "top_donor",
    ]
    try:
        t = concentration_by(store, by, filters, scheme=scheme)
    except EmptySelection:
        return pd.DataFrame(columns=cols)
    names = {}
    if by in ("donor_region", "target_region"):
        regions = store.node_table("Region")
        names = dict(zip(regions["id"], regions.get("name", regions["id"]), strict=False))
    group = t[by].map(lambda v: "not stated" if v is None else names.get(v, str(v)))
    out = pd.DataFrame(
        {
            "group": group,
            "donors": t["donors"].astype(int),
            "flows": t["flows"].astype(int),
            "flows_with_usd": t["flows_with_usd"].astype(int),
            "usd": t["total_usd"].astype(float),
            "hhi_low": t["hhi_low"],
            "hhi_high": t["hhi_high"],
            "band": t["band_2023"],
            "top_donor": t["top_donor"],
        }
    )
    total = out["usd"].sum()
    out["share"] = out["usd"] / total if total else 0.0
    out = out.sort_values(["usd", "donors", "group"], ascending=[False, False, True])
    return out.reset_index(drop=True)[cols]


def headline(store: GraphStore) -> dict[str, Any]:
    """The overview's headline figures.

    ``donors`` (organizations named as giving money, amount known or not), ``partners``
    (organizations in a project, a network or an event other than as a donor),
    ``projects``, ``countries`` (targeted by a project or where an event took place or
    drew people from), ``concentration`` (:func:`graph.donor_concentration.donor_concentration`
    of all years, or ``None`` when no amount is known) and ``coverage``
    (:func:`graph.funding.coverage`).

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> h = headline(load_memory(Path(__file__).resolve().parent.parent / "tests/fixtures/minimal"))
    >>> h["donors"], h["partners"], h["projects"], h["countries"]
    (3, 4, 2, 3)
    """
    flows = donor_flows(store.funding_flows())
    partners = set()
    for t in ("PARTNER_IN", "MEMBER_OF", "ORGANIZED"):
        rel = store.rel_table(t)
        if t == "PARTNER_IN" and "role" in rel:
            rel = rel[rel["role"] != "donor"]
        partners |= set(rel["start"])
    countries = set()
    targets = store.rel_table("TARGETS")
    if len(targets):
        countries |= set(targets.loc[targets["end_label"] == "Country", "end"])
    for t in ("HELD_IN", "INVOLVES"):
        countries |= set(store.rel_table(t)["end"])
    return {
        "donors": int(flows["donor_id"].nunique()) if len(flows) else 0,
        "partners": len(partners),
        "projects": int(store.counts()["nodes"].get("Project", 0)),
        "countries": len(countries),
        "concentration": _concentration_or_none(store),
        "coverage": coverage(store),
    }


def _concentration_or_none(store: GraphStore, filters: Filters | None = None):
    try:
        return donor_concentration(store, filters, top=10)
    except EmptySelection:
        return None


# --------------------------------------------------------------------------- regions


def region_schemes(store: GraphStore) -> list[str]:
    """The region schemes the store holds regions of, in a stable order."""
    regions = store.node_table("Region")
    if regions.empty or "scheme" not in regions:
        return []
    order = ["focus", "unesco", "m49", "m49_subregion"]
    have = set(regions["scheme"].dropna())
    return [s for s in order if s in have] + sorted(have - set(order))


def country_regions(store: GraphStore, scheme: str) -> tuple[dict[str, str], dict[str, str]]:
    """``(country iso3 → region id, region id → region name)`` for one scheme."""
    regions = store.node_table("Region")
    if regions.empty:
        return {}, {}
    in_scheme = regions[regions["scheme"] == scheme]
    names = dict(zip(in_scheme["id"], in_scheme["name"], strict=False))
    links = store.rel_table("IN_REGION")
    out = {}
    for rec in links.to_dict("records"):
        if rec["end"] in names:
            out.setdefault(rec["start"], rec["end"])
    return out, names


def _project_targets(store: GraphStore) -> dict[str, dict[str, Any]]:
    """project id → {"countries": {iso3: share or None}, "regions": {region_id: share}}."""
    out: dict[str, dict[str, Any]] = {}
    for rec in store.rel_table("TARGETS").to_dict("records"):
        d = out.setdefault(rec["start"], {"countries": {}, "regions": {}})
        share = rec.get("share")
        share = None if share is None or pd.isna(share) else float(share)
        kind = "countries" if rec["end_label"] == "Country" else "regions"
        d[kind][rec["end"]] = share
    return out


def _split(total: float, targets: dict[str, float | None]) -> dict[str, float]:
    if not targets:
        return {}
    if all(v is not None for v in targets.values()) and sum(targets.values()) > 0:
        return split_by_shares(total, targets)
    return split_evenly(total, list(targets))


def country_metrics(store: GraphStore, filters: Filters | None = None) -> pd.DataFrame:
    """Per country: money for projects there, projects, partners, organizations, events.

    Money is the known USD of flows tied to a project, split over the project's target
    countries by their stated shares (evenly when no share is stated). Partners are the
    organizations taking part in projects that target the country.

    Columns: ``iso3``, ``country``, ``usd``, ``projects``, ``partners``,
    ``organizations`` (based there), ``events`` (held there or involving it).
    """
    f = filters or Filters()
    countries = store.node_table("Country")
    names = dict(zip(countries["id"], countries.get("name", countries["id"]), strict=False))
    targets = _project_targets(store)
    projects = set(store.nodes("Project", Filters(year_from=f.year_from, year_to=f.year_to))["id"])
    usd: dict[str, float] = {}
    flows = known_flows(store.funding_flows(Filters(year_from=f.year_from, year_to=f.year_to)))
    for rec in flows.to_dict("records"):
        pid = rec.get("project_id")
        if pid is None or (isinstance(pid, float) and math.isnan(pid)):
            continue
        for iso, amt in _split(
            rec["amount_usd"], targets.get(pid, {}).get("countries", {})
        ).items():
            usd[iso] = usd.get(iso, 0.0) + amt
    proj_count: dict[str, int] = {}
    for pid, t in targets.items():
        if pid not in projects:
            continue
        for iso in t["countries"]:
            proj_count[iso] = proj_count.get(iso, 0) + 1
    partners: dict[str, set] = {}
    for rec in store.rel_table("PARTNER_IN").to_dict("records"):
        pid = rec["end"]
        if pid not in projects:
            continue
        for iso in targets.get(pid, {}).get("countries", {}):
            partners.setdefault(iso, set()).add(rec["start"])
    based: dict[str, int] = {}
    for rec in store.rel_table("BASED_IN").to_dict("records"):
        based[rec["end"]] = based.get(rec["end"], 0) + 1
    events: dict[str, set] = {}
    ev = set(store.nodes("Event", Filters(year_from=f.year_from, year_to=f.year_to))["id"])
    for t in ("HELD_IN", "INVOLVES"):
        for rec in store.rel_table(t).to_dict("records"):
            if rec["start"] in ev:
                events.setdefault(rec["end"], set()).add(rec["start"])
    rows = []
    for iso in sorted(set(names) | set(usd) | set(proj_count) | set(based)):
        rows.append(
            {
                "iso3": iso,
                "country": names.get(iso, iso),
                "usd": usd.get(iso, 0.0),
                "projects": proj_count.get(iso, 0),
                "partners": len(partners.get(iso, ())),
                "organizations": based.get(iso, 0),
                "events": len(events.get(iso, ())),
            }
        )
    return pd.DataFrame(
        rows, columns=["iso3", "country", "usd", "projects", "partners", "organizations", "events"]
    )


def region_table(
    store: GraphStore,
    scheme: str,
    *,
    targets: dict[str, float] | None = None,
    measure: str = "usd",
    filters: Filters | None = None,
) -> dict[str, Any]:
    """Money, projects, partners and events per region of a scheme, against target shares.

    Projects that target a region directly (a regional bucket, no country) count in that
    region; their money is split over their target regions like country money.

    Returns
    -------
    dict
        ``table`` (region_id, region, usd, projects, partners, events, share, and with
        targets target_share and gap), ``unassigned`` (rows of countries outside every
        region of the scheme), ``balance`` (:func:`graph.balance.target_shares_check`
        result or ``None``).
    """
    if measure not in ("usd", "projects", "partners", "events"):
        raise AnalysisError(f"unknown measure {measure!r}; use usd, projects, partners or events")
    c2r, names = country_regions(store, scheme)
    cm = country_metrics(store, filters)
    rows = {rid: {"usd": 0.0, "projects": set(), "partners": set(), "events": 0} for rid in names}
    unassigned = []
    for rec in cm.to_dict("records"):
        rid = c2r.get(rec["iso3"])
        if rid is None:
            if rec["usd"] or rec["projects"] or rec["events"]:
                unassigned.append(rec)
            continue
        rows[rid]["usd"] += rec["usd"]
        rows[rid]["events"] += rec["events"]
    f = filters or Filters()
    projects = set(store.nodes("Project", Filters(year_from=f.year_from, year_to=f.year_to))["id"])
    ptargets = _project_targets(store)
    partners_of: dict[str, set] = {}
    for rec in store.rel_table("PARTNER_IN").to_dict("records"):
        partners_of.setdefault(rec["end"], set()).add(rec["start"])
    for pid, t in ptargets.items():
        if pid not in projects:
            continue
        rids = {c2r[c] for c in t["countries"] if c in c2r} | {
            r for r in t["regions"] if r in names
        }
        for rid in rids:
            rows[rid]["projects"].add(pid)
            rows[rid]["partners"] |= partners_of.get(pid, set())
    # money of projects that target a region bucket directly
    flows = known_flows(store.funding_flows(Filters(year_from=f.year_from, year_to=f.year_to)))
    for rec in flows.to_dict("records"):
        pid = rec.get("project_id")
        if not isinstance(pid, str):
            continue
        t = ptargets.get(pid)
        if not t or t["countries"]:
            continue
        for rid, amt in _split(
            rec["amount_usd"], {r: s for r, s in t["regions"].items() if r in names}
        ).items():
            rows[rid]["usd"] += amt
    table = pd.DataFrame(
        [
            {
                "region_id": rid,
                "region": names[rid],
                "usd": v["usd"],
                "projects": len(v["projects"]),
                "partners": len(v["partners"]),
                "events": v["events"],
            }
            for rid, v in rows.items()
        ],
        columns=["region_id", "region", "usd", "projects", "partners", "events"],
    )
    total = table[measure].sum() if len(table) else 0
    table["share"] = table[measure] / total if total else 0.0
    balance = None
    if targets and total:
        balance = target_shares_check(
            dict(zip(table["region_id"], table[measure], strict=False)), targets
        )
        m = dict(zip(balance["region"], balance["target_share"], strict=False))
        table["target_share"] = table["region_id"].map(m).fillna(0.0)
        table["gap"] = table["share"] - table["target_share"]
    table = table.sort_values([measure, "region"], ascending=[False, True]).reset_index(drop=True)
    return {"table": table, "unassigned": pd.DataFrame(unassigned), "balance": balance}


# ------------------------------------------------------------------------------ trend


def year_changes(store: GraphStore) -> dict[str, Any]:
    """What changed from the previous year to the latest year with funding or activity.

    Returns
    -------
    dict
        ``year``, ``previous`` (or ``None``) and ``rows``: a DataFrame with ``measure``,
        ``previous``, ``latest`` and ``change`` (latest − previous) for known money, donors
        with a known amount, donors named, new projects and events.
    """
    flows = donor_flows(store.funding_flows())
    events = store.node_table("Event")
    projects = store.node_table("Project")
    years = set()
    if len(flows):
        years |= {int(y) for y in flows["year"].dropna()}
    if len(events) and "year" in events:
        years |= {int(y) for y in events["year"].dropna()}
    if not years:
        return {"year": None, "previous": None, "rows": pd.DataFrame()}
    latest = max(years)
    prev = latest - 1
    known = known_flows(flows)

    def money(y):
        return float(known.loc[known["year"] == y, "amount_usd"].sum()) if len(known) else 0.0

    def donors_known(y):
        return int(known.loc[known["year"] == y, "donor_id"].nunique()) if len(known) else 0

    def donors_named(y):
        return int(flows.loc[flows["year"] == y, "donor_id"].nunique()) if len(flows) else 0

    def new_projects(y):
        if projects.empty or "start_year" not in projects:
            return 0
        return int((projects["start_year"] == y).sum())

    def n_events(y):
        if events.empty or "year" not in events:
            return 0
        return int((events["year"] == y).sum())

    measures = [
        ("Known funding (USD)", money),
        ("Donors with amounts", donors_known),
        ("Donors named", donors_named),
        ("New projects", new_projects),
        ("Events", n_events),
    ]
    rows = [
        {
            "measure": name,
            "previous": fn(prev),
            "latest": fn(latest),
            "change": fn(latest) - fn(prev),
        }
        for name, fn in measures
    ]
    return {"year": latest, "previous": prev, "rows": pd.DataFrame(rows)}


def collaborations(store: GraphStore, filters: Filters) -> dict[str, pd.DataFrame]:
    """Who works where: the projects, events and networks of a region or country, the
    organizations in them, and who works with whom there.

    Projects are those targeting the place, events those held there (or drawing people
    from there), networks those with a member based there. Partners are the organizations
    taking part in those projects, organizing those events, or based there.

    Returns
    -------
    dict
        ``projects``, ``events``, ``networks``, ``partners`` (id, name, sector, country,
        what: the ties that bring them in) and ``pairs`` (organization, with, shared:
        number of projects/events/networks they share, where: their titles).

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> s = load_memory(Path(__file__).resolve().parent.parent / "tests/fixtures/minimal")
    >>> c = collaborations(s, Filters(country="KAZ"))
    >>> c["projects"]["id"].tolist(), sorted(c["partners"]["id"])
    (['p1'], ['cypher', 'evil', 'iite'])
    >>> c["pairs"][["organization", "with", "shared"]].values.tolist()
    [['<img src=x onerror=alert(1)>', 'UNESCO Institute for Information Technologies in Education', 1]]
    """
    projects = store.nodes("Project", filters)
    events = store.nodes("Event", filters)
    networks = store.nodes("Network", filters)
    orgs = store.node_table("Organization")
    name = dict(zip(orgs["id"], orgs.get("name", orgs["id"]), strict=False))
    place_only = Filters(region=filters.region, country=filters.country)
    based = (
        set(store.nodes("Organization", place_only)["id"])
        if (filters.region or filters.country)
        else set()
    )
    groups: dict[tuple[str, str], set] = {}
    what: dict[str, set] = {}

    def add(rel, end_ids, label, titles, role_filter=None):
        t = store.rel_table(rel)
        for rec in t.to_dict("records"):
            if rec["end"] in end_ids:
                groups.setdefault((label, titles.get(rec["end"], rec["end"])), set()).add(
                    rec["start"]
                )
                what.setdefault(rec["start"], set()).add(label)

    ptitles = dict(zip(projects["id"], projects.get("title", projects["id"]), strict=False))
    etitles = dict(zip(events["id"], events.get("title", events["id"]), strict=False))
    members_in_place = set()
    add("PARTNER_IN", set(projects["id"]), "project", ptitles)
    add("ORGANIZED", set(events["id"]), "event", etitles)
    ntitles = dict(zip(networks["id"], networks.get("name", networks["id"]), strict=False))
    for rec in store.rel_table("MEMBER_OF").to_dict("records"):
        if rec["end"] in ntitles and (not based or rec["start"] in based):
            members_in_place.add(rec["start"])
            groups.setdefault(("network", ntitles[rec["end"]]), set()).add(rec["start"])
            what.setdefault(rec["start"], set()).add("network")
    for o in based:
        what.setdefault(o, set()).add("based there")
    ids = sorted(what)
    partners = pd.DataFrame(
        {
            "id": ids,
            "name": [name.get(i, i) for i in ids],
            "sector": [
                orgs.set_index("id").get("sector", pd.Series(dtype=object)).get(i) for i in ids
            ],
            "country": [
                orgs.set_index("id").get("country", pd.Series(dtype=object)).get(i) for i in ids
            ],
            "what": [", ".join(sorted(what[i])) for i in ids],
        },
        columns=["id", "name", "sector", "country", "what"],
    )
    pair_where: dict[tuple[str, str], list] = {}
    for (_label, title), members in groups.items():
        ms = sorted(members)
        for i, a in enumerate(ms):
            for b in ms[i + 1 :]:
                pair_where.setdefault((a, b), []).append(str(title))
    pairs = pd.DataFrame(
        [
            {
                "organization": name.get(a, a),
                "with": name.get(b, b),
                "shared": len(w),
                "where": "; ".join(sorted(w)),
            }
            for (a, b), w in pair_where.items()
        ],
        columns=["organization", "with", "shared", "where"],
    )
    if len(pairs):
        pairs = pairs.sort_values(
            ["shared", "organization", "with"], ascending=[False, True, True], ignore_index=True
        )
    return {
        "projects": projects,
        "events": events,
        "networks": networks,
        "partners": partners.sort_values("name", ignore_index=True),
        "pairs": pairs,
    }


# ---------------------------------------------------------------------------- network


def _isnull(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def partner_graph(store: GraphStore) -> nx.MultiGraph:
    """The partnership network: organizations, projects, networks and events as nodes,
    keyed ``"Label:id"``; ties of :data:`TIE_KINDS` as edges carrying their type and
    provenance.

    Node attributes: ``label``, ``id``, ``name``, ``sector`` (organizations), ``country``
    (ISO3s: where an organization is based, where a project targets, where an event is
    held), ``regions`` (region ids of those countries and of targeted regions),
    ``years`` (first, last), ``usd`` (known USD given or received), ``source_id``,
    ``quote``.
    """
    g = nx.MultiGraph()
    c2r_all: dict[str, set] = {}
    for rec in store.rel_table("IN_REGION").to_dict("records"):
        c2r_all.setdefault(rec["start"], set()).add(rec["end"])
    for label in ("Organization", "Project", "Network", "Event"):
        for rec in store.node_table(label).to_dict("records"):
            props = {k: v for k, v in rec.items() if not _isnull(v)}
            g.add_node(
                f"{label}:{rec['id']}",
                label=label,
                id=rec["id"],
                name=display_name(props),
                sector=props.get("sector"),
                countries=set(),
                regions=set(),
                years=None,
                usd=0.0,
                props=props,
            )
    for rec in store.rel_table("BASED_IN").to_dict("records"):
        k = f"Organization:{rec['start']}"
        if k in g:
            g.nodes[k]["countries"].add(rec["end"])
    for rec in store.rel_table("TARGETS").to_dict("records"):
        k = f"Project:{rec['start']}"
        if k in g:
            if rec["end_label"] == "Country":
                g.nodes[k]["countries"].add(rec["end"])
            else:
                g.nodes[k]["regions"].add(rec["end"])
    for t in ("HELD_IN", "INVOLVES"):
        for rec in store.rel_table(t).to_dict("records"):
            k = f"Event:{rec['start']}"
            if k in g:
                g.nodes[k]["countries"].add(rec["end"])
    for _k, d in g.nodes(data=True):
        for iso in d["countries"]:
            d["regions"] |= c2r_all.get(iso, set())
        p = d["props"]
        if d["label"] == "Project":
            a, b = p.get("start_year"), p.get("end_year")
            if a is not None or b is not None:
                d["years"] = (int(a if a is not None else b), int(b if b is not None else a))
        elif d["label"] == "Event" and p.get("year") is not None:
            d["years"] = (int(p["year"]), int(p["year"]))
    flows = store.funding_flows()
    for rec in known_flows(flows).to_dict("records"):
        for end in (rec["donor_id"], rec["recipient_id"]):
            k = f"Organization:{end}"
            if k in g:
                g.nodes[k]["usd"] += float(rec["amount_usd"])
        pid = rec.get("project_id")
        if isinstance(pid, str) and f"Project:{pid}" in g:
            g.nodes[f"Project:{pid}"]["usd"] += float(rec["amount_usd"])
    ends = {
        "PARTNER_IN": ("Organization", "Project"),
        "FUNDS": ("Organization", "Organization"),
        "MEMBER_OF": ("Organization", "Network"),
        "ORGANIZED": ("Organization", "Event"),
        "PART_OF": ("Organization", "Organization"),
        "POOLS": ("Organization", "Organization"),
    }
    for t, (a, b) in ends.items():
        for rec in store.rel_table(t).to_dict("records"):
            u, v = f"{a}:{rec['start']}", f"{b}:{rec['end']}"
            if u in g and v in g:
                props = {
                    k: val
                    for k, val in rec.items()
                    if k not in ("start", "end", "start_label", "end_label") and not _isnull(val)
                }
                year = props.get("year")
                g.add_edge(u, v, key=f"{t}:{rec['id']}", type=t, year=year, props=props)
    return g


def _spring(g: nx.Graph, **kw):
    """networkx' spring layout with the plain force method (NumPy only, no SciPy)."""
    try:
        return nx.spring_layout(g, method="force", **kw)
    except TypeError:  # networkx before 3.4 has no ``method``
        return nx.spring_layout(g, **kw)


def _has_scipy() -> bool:
    """Kamada-Kawai needs SciPy; without it the spring layout is used."""
    try:
        import scipy  # noqa: F401
    except ImportError:
        return False
    return True


def graph_layout(g: nx.Graph, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Fixed positions for every node, computed once on the whole graph, so a filter never
    moves a node.

    The largest connected group is laid out with Kamada-Kawai (spring layout with a fixed
    seed above 300 nodes); smaller groups and lone nodes sit on a ring around it instead of
    being flung to the far corners. Coordinates are in screen units (roughly ±60·√n).

    Examples
    --------
    >>> g = nx.path_graph(4)
    >>> g.add_node(9)
    >>> pos = graph_layout(g)
    >>> sorted(pos) == [0, 1, 2, 3, 9], pos == graph_layout(g)
    (True, True)
    """
    simple = nx.Graph(g)
    if simple.number_of_nodes() == 0:
        return {}
    comps = sorted(nx.connected_components(simple), key=lambda c: (-len(c), sorted(map(str, c))[0]))
    main = simple.subgraph(comps[0])
    n = main.number_of_nodes()
    if n <= 2:
        raw = _spring(main, seed=seed)
    elif n <= 300 and _has_scipy():
        raw = nx.kamada_kawai_layout(main, pos=_spring(main, seed=seed))
    else:
        raw = _spring(main, seed=seed, k=2.0 / math.sqrt(n), iterations=60)
    scale = 60 * math.sqrt(max(n, 4))
    pos = {k: (float(x) * scale, float(y) * scale) for k, (x, y) in raw.items()}
    others = comps[1:]
    extent = max((math.hypot(x, y) for x, y in pos.values()), default=scale)
    ring = max(extent, 40.0) * 1.12 + 40
    for i, comp in enumerate(others):
        angle = 2 * math.pi * i / max(1, len(others))
        cx, cy = ring * math.cos(angle), ring * math.sin(angle)
        if len(comp) == 1:
            (only,) = comp
            pos[only] = (cx, cy)
            continue
        sub = _spring(simple.subgraph(comp), seed=seed)
        r = 30 * math.sqrt(len(comp))
        for k, (x, y) in sub.items():
            pos[k] = (cx + float(x) * r, cy + float(y) * r)
    return {k: (round(x, 1), round(y, 1)) for k, (x, y) in pos.items()}


def centrality(g: nx.Graph) -> pd.DataFrame:
    """Degree and betweenness centrality of every node (on the simple graph)."""
    simple = nx.Graph(g)
    if simple.number_of_nodes() == 0:
        return pd.DataFrame(columns=["node", "degree", "betweenness"])
    deg = nx.degree_centrality(simple)
    k = None if simple.number_of_nodes() <= 1500 else 300
    btw = nx.betweenness_centrality(simple, k=k, seed=7)
    return pd.DataFrame(
        {"node": list(deg), "degree": list(deg.values()), "betweenness": [btw[n] for n in deg]}
    )


# --------------------------------------------------------------------------- scenarios


def _components(g: nx.Graph) -> int:
    return nx.number_connected_components(nx.Graph(g)) if g.number_of_nodes() else 0


def donor_exit(
    store: GraphStore,
    remove: Iterable[str],
    *,
    add: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What happens if donors stop giving (and, optionally, a new donor starts).

    Parameters
    ----------
    store : GraphStore
    remove : list of str
        Organization ids of the donors that leave. Leaving is total: all their known
        money goes, and so does their share of any pool they belong to (the pool shrinks
        by an even share per leaving member, the rule the "spread" case uses).
    add : dict, optional
        A new donor: ``name``, ``usd`` (known amount), ``sector``, ``region`` (a region
        id) and optionally ``project_id``.

    Returns
    -------
    dict
        ``before`` and ``after``: :func:`graph.donor_concentration.concentration_of`
        results (``low``, ``high``, ``bands``...), or ``None`` when no money is left;
        ``total_before``, ``total_after``, ``lost_total`` (USD); ``lost_by_project`` and
        ``lost_by_region`` (DataFrames of USD lost; money of flows tied to no project is
        ``lost_unplaced``); ``unfunded`` (projects whose every funding flow came from
        leaving donors); ``network``: components, isolated nodes and brokers (highest
        betweenness) before and after.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> s = load_memory(Path(__file__).resolve().parent.parent / "tests/fixtures/minimal")
    >>> r = donor_exit(s, ["evil"])
    >>> r["total_before"], r["total_after"], r["lost_total"]
    (762.0, 12.0, 750.0)
    >>> r["unfunded"]["project_id"].tolist()
    ['p1']
    >>> r["after"]["bands"]["2023"]
    'highly concentrated'
    """
    remove = list(dict.fromkeys(remove))
    orgs = store.node_table("Organization")
    unknown = [r for r in remove if r not in set(orgs["id"])]
    if unknown:
        raise UnknownEntity(f"no organization with id {', '.join(map(repr, unknown))}")
    totals = donor_totals(store)
    known, pool_list = donor_amounts(store, totals=totals)
    before = concentration_of(known, pool_list) if (known or pool_list) else None

    known_after = {k: v for k, v in known.items() if k not in remove}
    pools_after = []
    for amt, members in pool_list:
        left = [m for m in members if m not in remove]
        if left:
            pools_after.append((amt * len(left) / len(members), left))
    new_usd = float((add or {}).get("usd") or 0)
    if new_usd > 0:
        known_after["scenario:new-donor"] = new_usd
    total_before = math.fsum(known.values()) + math.fsum(a for a, _ in pool_list)
    total_after = math.fsum(known_after.values()) + math.fsum(a for a, _ in pools_after)
    after = concentration_of(known_after, pools_after) if total_after > 0 else None

    flows = donor_flows(store.funding_flows())
    gone = flows["donor_id"].isin(remove) if len(flows) else pd.Series([], dtype=bool)
    lost = known_flows(flows[gone]) if len(flows) else flows
    projects = store.node_table("Project")
    titles = dict(zip(projects["id"], projects.get("title", projects["id"]), strict=False))
    if len(lost):
        by_project = (
            lost[lost["project_id"].notna()].groupby("project_id")["amount_usd"].sum().reset_index()
        )
    else:
        by_project = pd.DataFrame(columns=["project_id", "amount_usd"])
    by_project["project"] = by_project["project_id"].map(titles)
    by_project = by_project.rename(columns={"amount_usd": "usd_lost"})[
        ["project_id", "project", "usd_lost"]
    ]

    targets = _project_targets(store)
    regions = store.node_table("Region")
    region_names = dict(zip(regions["id"], regions.get("name", regions["id"]), strict=False))
    scheme_of = dict(zip(regions["id"], regions.get("scheme", regions["id"]), strict=False))
    c2r_all: dict[str, set] = {}
    for rec in store.rel_table("IN_REGION").to_dict("records"):
        c2r_all.setdefault(rec["start"], set()).add(rec["end"])
    lost_region: dict[str, float] = {}
    unplaced = 0.0
    for rec in lost.to_dict("records") if len(lost) else []:
        pid = rec.get("project_id")
        t = targets.get(pid) if isinstance(pid, str) else None
        if not t:
            unplaced += rec["amount_usd"]
            continue
        if t["countries"]:
            for iso, amt in _split(rec["amount_usd"], t["countries"]).items():
                for rid in c2r_all.get(iso, ()):
                    lost_region[rid] = lost_region.get(rid, 0.0) + amt
        else:
            for rid, amt in _split(rec["amount_usd"], t["regions"]).items():
                lost_region[rid] = lost_region.get(rid, 0.0) + amt
    by_region = pd.DataFrame(
        [
            {
                "region_id": k,
                "region": region_names.get(k, k),
                "scheme": scheme_of.get(k),
                "usd_lost": v,
            }
            for k, v in lost_region.items()
        ],
        columns=["region_id", "region", "scheme", "usd_lost"],
    ).sort_values(["usd_lost", "region"], ascending=[False, True], ignore_index=True)

    unfunded_rows = []
    funded = flows[flows["project_id"].notna()] if len(flows) else flows
    new_project = (add or {}).get("project_id") if new_usd > 0 else None
    for pid, grp in funded.groupby("project_id") if len(funded) else []:
        if grp["donor_id"].isin(remove).all() and pid != new_project:
            unfunded_rows.append(
                {
                    "project_id": pid,
                    "project": titles.get(pid, pid),
                    "donors_lost": ", ".join(sorted(set(grp["donor"].astype(str)))),
                }
            )
    unfunded = pd.DataFrame(unfunded_rows, columns=["project_id", "project", "donors_lost"])

    g = partner_graph(store)
    g_after = g.copy()
    g_after.remove_nodes_from([f"Organization:{r}" for r in remove])

    def brokers(h):
        c = centrality(h)
        if c.empty:
            return []
        c = c.sort_values(["betweenness", "node"], ascending=[False, True]).head(5)
        return [
            (h.nodes[n]["name"], float(b))
            for n, b in zip(c["node"], c["betweenness"], strict=False)
            if b > 0
        ]

    isolated_before = set(nx.isolates(nx.Graph(g)))
    network = {
        "components_before": _components(g),
        "components_after": _components(g_after),
        "nodes_before": g.number_of_nodes(),
        "nodes_after": g_after.number_of_nodes(),
        "isolated_after": sorted(
            g_after.nodes[n]["name"]
            for n in nx.isolates(nx.Graph(g_after))
            if n not in isolated_before
        ),
        "brokers_before": brokers(g),
        "brokers_after": brokers(g_after),
    }
    return {
        "before": before,
        "after": after,
        "total_before": total_before,
        "total_after": total_after,
        "lost_total": float(lost["amount_usd"].sum()) if len(lost) else 0.0,
        "lost_unplaced": unplaced,
        "lost_by_project": by_project.sort_values("usd_lost", ascending=False, ignore_index=True),
        "lost_by_region": by_region,
        "unfunded": unfunded,
        "network": network,
        "removed_nodes": [f"Organization:{r}" for r in remove],
    }
