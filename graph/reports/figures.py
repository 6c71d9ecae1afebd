"""The analyses shaped the way the app's pages (and the board report) show them.

Nothing here has a rule of its own: every figure comes from the analysis modules —
concentration from :mod:`graph.analyses.concentration`, money and coverage from
:mod:`graph.analyses.funding`, regions from :mod:`graph.analyses.regional`, the partnership graph and
co-partnership from :mod:`graph.analyses.network` — and this module only picks columns, names
things and fits the results into the tables, maps and drawing the pages need.

Examples
--------
>>> from loaders.load import load_memory
>>> from pathlib import Path
>>> store = load_memory(MINIMAL)
>>> h = headline(store)
>>> h["coverage"]["donors"], h["concentration"]["bands"]["2023"], h["recipient_name"]
(3, 'highly concentrated', 'IITE')

Money is that received by the institute unless asked otherwise (see :data:`INSTITUTE`), as
in the text report (:mod:`graph.reports.findings`); ``recipient=None`` takes every recipient.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pandas as pd

from graph.analyses.concentration import concentration_by, concentration_trend, donor_concentration
from graph.analyses.funding import coverage, org_names
from graph.analyses.network import PARTNERSHIP_LABELS, PARTNERSHIP_RELS, co_partnership, to_networkx
from graph.analyses.regional import country_picture
from graph.analyses.scenarios import main_recipient
from graph.errors import EmptySelection
from graph.store import Filters, GraphStore

__all__ = [
    "INSTITUTE",
    "EVERY_RECIPIENT",
    "recipient_of",
    "recipient_name",
    "recipients",
    "headline",
    "year_changes",
    "concentration_view",
    "trend_table",
    "breakdown_table",
    "region_schemes",
    "collaborations",
    "partner_graph",
    "graph_layout",
]


# -------------------------------------------------------------------------- recipient


class _Institute:
    """The type of :data:`INSTITUTE`."""

    def __repr__(self) -> str:
        return "INSTITUTE"


#: ``recipient=INSTITUTE`` (the default of this module): money received by the institute,
#: the organization that receives the most funding flows
#: (:func:`graph.analyses.scenarios.main_recipient`, as in the text report); on a store with no
#: funding flow, every recipient. ``recipient=None``: every recipient in the data. An
#: organization id: money received by that organization.
INSTITUTE = _Institute()

#: How "every recipient" (``recipient=None``) reads on the pages and in the board report.
EVERY_RECIPIENT = "every recipient in the data"


def recipient_of(store: GraphStore, recipient=INSTITUTE) -> str | None:
    """The organization id the figures are for, or ``None`` for every recipient.

    Examples
    --------
    >>> from graph.store.memory import MemoryStore
    >>> recipient_of(example_store()), recipient_of(example_store(), None)
    ('inst', None)
    >>> recipient_of(MemoryStore()) is None   # no funding: every recipient
    True
    """
    if isinstance(recipient, _Institute):
        return main_recipient(store)
    return recipient


def recipients(store: GraphStore) -> list[str]:
    """The organizations that receive donor money (own funds left out), sorted.
    >>> recipients(example_store())
    ['inst']
    """
    t = store.funding_totals(("donor", "recipient"))
    return sorted(set(t.loc[t["donor"] != t["recipient"], "recipient"]))


def recipient_name(store: GraphStore, recipient: str | None, *, short: bool = True) -> str:
    """How the recipient of the figures reads: its acronym (``short``, else its name with
    the acronym), or :data:`EVERY_RECIPIENT` for ``None``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> s = load_memory(MINIMAL)
    >>> recipient_name(s, "iite"), recipient_name(s, "iite", short=False)
    ('IITE', 'UNESCO Institute for Information Technologies in Education (IITE)')
    >>> recipient_name(s, None)
    'every recipient in the data'
    """
    if recipient is None:
        return EVERY_RECIPIENT
    names = org_names(store)
    if recipient not in names.index:
        return str(recipient)
    name, acronym = names.at[recipient, "name"], names.at[recipient, "acronym"]
    if not isinstance(acronym, str) or not acronym.strip():
        return str(name)
    if short:
        return acronym
    return name if acronym in name else f"{name} ({acronym})"


# ----------------------------------------------------------------------- concentration


def concentration_view(
    store: GraphStore,
    filters: Filters | None = None,
    *,
    recipient=INSTITUTE,
    top: int = 50,
) -> dict[str, Any] | None:
    """:func:`graph.analyses.concentration.donor_concentration` shaped for the pages and the
    board report; ``None`` when no donor money with a known amount matches.

    Parameters
    ----------
    recipient : str, None or INSTITUTE
        Whose money: see :data:`INSTITUTE` (the default).

    Returns
    -------
    dict
        ``recipient`` (the organization id, or ``None`` for every recipient), ``low``,
        ``high``, ``bands``, ``has_range``, ``note``, ``allocations``, ``coverage``
        (:func:`graph.analyses.funding.coverage`), ``total_known`` (donor USD), ``pooled_total``,
        ``own_funds``, ``top`` (rank, donor_id, donor, usd, pooled, share, cumulative).

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> v = concentration_view(load_memory(MINIMAL))
    >>> v["total_known"], v["top"]["donor_id"].tolist()
    (762.0, ['evil', 'cypher'])
    >>> v["recipient"]
    'iite'
    """
    rid = recipient_of(store, recipient)
    try:
        c = donor_concentration(store, filters, recipient=rid, top=top)
    except EmptySelection:
        return None
    cov = c["coverage"]
    t = c["top_donors"]
    topdf = pd.DataFrame(
        {
            "rank": range(1, len(t) + 1),
            "donor_id": t["donor_id"],
            "donor": t["donor"],
            "usd": t["amount_usd"].astype(float),
            "pooled": t["pooled"].astype(bool),
            "share": t["share"].astype(float),
        }
    )
    topdf["cumulative"] = topdf["share"].cumsum()
    return {
        "recipient": rid,
        "low": c["low"],
        "high": c["high"],
        "bands": c["bands"],
        "has_range": bool(c["pooled"]),
        "note": c["note"],
        "allocations": c["allocations"],
        "coverage": cov,
        "total_known": float(cov["donor_usd"]),
        "pooled_total": float(cov["pooled_usd"]),
        "own_funds": float(cov["own_funds_usd"]),
        "top": topdf,
    }


def trend_table(
    store: GraphStore, filters: Filters | None = None, *, recipient=INSTITUTE
) -> pd.DataFrame:
    """:func:`graph.analyses.concentration.concentration_trend` for the years with a known
    amount: ``year``, ``donors``, ``total`` (USD), ``hhi_low``, ``hhi_high``, ``band``,
    ``cr1_low``, ``cr1_high``, ``effective_low``, ``effective_high``, ``share_with_amount``.

    Money received by ``recipient`` (see :data:`INSTITUTE`, the default).

    Examples
    --------
    >>> trend_table(example_store())[["year", "total", "hhi_high"]]
       year  total  hhi_high
    0  2023  200.0   10000.0
    1  2024  300.0   10000.0
    2  2025  700.0    2755.1
    """
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
        t = concentration_trend(store, filters, recipient=recipient_of(store, recipient))
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
    store: GraphStore,
    by: str,
    filters: Filters | None = None,
    *,
    recipient=INSTITUTE,
    scheme: str = "focus",
) -> pd.DataFrame:
    """:func:`graph.analyses.concentration.concentration_by` for a table: ``group``,
    ``donors``, ``flows``, ``flows_with_usd``, ``usd``, ``share`` (of known money),
    ``hhi_low``, ``hhi_high``, ``band`` and ``top_donor``, largest first. Region groups
    are named (``donor_region``, ``target_region``).

    Money received by ``recipient`` (see :data:`INSTITUTE`, the default).

    Examples
    --------
    >>> breakdown_table(example_store(), "channel")[["group", "donors", "usd"]]
                group  donors    usd
    0    host_country       1  500.0
    1  extrabudgetary       4  450.0
    2  regular_budget       1  250.0
    3         in_kind       1    0.0
    """
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
        t = concentration_by(
            store, by, filters, recipient=recipient_of(store, recipient), scheme=scheme
        )
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


# ---------------------------------------------------------------------------- overview


def headline(store: GraphStore, *, recipient=INSTITUTE) -> dict[str, Any]:
    """The overview's headline figures.

    ``partners`` (organizations in a project, a network or an event other than as a
    donor), ``projects``, ``countries`` (targeted by a project, or where an event took
    place or drew people from: the countries of :func:`graph.analyses.regional.country_picture`
    with a project or an event), ``concentration``
    (:func:`graph.analyses.concentration.donor_concentration` of all years, or ``None``
    when no amount is known), ``coverage`` (:func:`graph.analyses.funding.coverage`, which
    counts the donors), ``recipient`` and ``recipient_name``.

    Money (concentration and coverage) is that received by ``recipient``: the institute
    by default (see :data:`INSTITUTE`), as in the text report.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> h = headline(load_memory(MINIMAL))
    >>> h["partners"], h["projects"], h["countries"]
    (4, 2, 3)
    """
    partners = set()
    for t in ("PARTNER_IN", "MEMBER_OF", "ORGANIZED"):
        rel = store.rel_table(t)
        if t == "PARTNER_IN" and "role" in rel:
            rel = rel[rel["role"] != "donor"]
        partners |= set(rel["start"]) if len(rel) else set()
    places = country_picture(store)
    reached = places[
        places["country"].notna() & ((places["projects"] > 0) | (places["events"] > 0))
    ]
    rid = recipient_of(store, recipient)
    try:
        concentration = donor_concentration(store, recipient=rid, top=10)
    except EmptySelection:
        concentration = None
    return {
        "partners": len(partners),
        "projects": int(store.counts()["nodes"].get("Project", 0)),
        "countries": len(reached),
        "concentration": concentration,
        "coverage": coverage(store, recipient=rid),
        "recipient": rid,
        "recipient_name": recipient_name(store, rid),
    }


def year_changes(store: GraphStore, *, recipient=INSTITUTE) -> dict[str, Any]:
    """What changed from the previous year to the latest year with funding or activity.

    Money and donors are :func:`graph.analyses.funding.coverage` of each year (known USD from
    donors, own funds left out; donors with a known amount; donors named) for money
    received by ``recipient``: the institute by default (see :data:`INSTITUTE`).

    Returns
    -------
    dict
        ``year``, ``previous`` (or ``None``) and ``rows``: a DataFrame with ``measure``,
        ``previous``, ``latest`` and ``change`` (latest − previous) for known money, donors
        with a known amount, donors named, new projects and events.

    Examples
    --------
    >>> from pathlib import Path
    >>> from loaders.load import load_memory
    >>> c = year_changes(load_memory(MINIMAL))
    >>> c["year"], float(c["rows"].set_index("measure").at["Known funding (USD)", "change"])
    (2025, -238.0)
    """
    events = store.node_table("Event")
    projects = store.node_table("Project")
    years = {int(y) for y in store.funding_totals(("year",))["year"].dropna()}
    if len(events) and "year" in events:
        years |= {int(y) for y in events["year"].dropna()}
    if not years:
        return {"year": None, "previous": None, "rows": pd.DataFrame()}
    latest = max(years)
    prev = latest - 1
    rid = recipient_of(store, recipient)
    cov = {
        y: coverage(store, Filters(year_from=y, year_to=y), recipient=rid) for y in (prev, latest)
    }

    def count(table, column, y):
        return int((table[column] == y).sum()) if len(table) and column in table else 0

    measures = [
        ("Known funding (USD)", lambda y: cov[y]["donor_usd"]),
        ("Donors with amounts", lambda y: cov[y]["donors_with_amount"]),
        ("Donors named", lambda y: cov[y]["donors"]),
        ("New projects", lambda y: count(projects, "start_year", y)),
        ("Events", lambda y: count(events, "year", y)),
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


# --------------------------------------------------------------------------- regions


def region_schemes(store: GraphStore) -> list[str]:
    """The region schemes the store holds regions of, in a stable order."""
    regions = store.node_table("Region")
    if regions.empty or "scheme" not in regions:
        return []
    order = ["focus", "unesco", "m49", "m49_subregion"]
    have = set(regions["scheme"].dropna())
    return [s for s in order if s in have] + sorted(have - set(order))


def collaborations(store: GraphStore, filters: Filters) -> dict[str, pd.DataFrame]:
    """Who works where: the projects, events and networks of a region or country, the
    organizations in them, and who works with whom there.

    Projects, events and networks are those that pass ``filters``
    (:meth:`graph.store.GraphStore.nodes`: projects targeting the place, events held there
    or drawing people from there, networks with a member based there). Partners are the
    organizations taking part in those projects, organizing those events, members of
    those networks based there, or based there. Who works with whom is
    :func:`graph.analyses.network.co_partnership` with the same filters.

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
    >>> s = load_memory(MINIMAL)
    >>> c = collaborations(s, Filters(country="KAZ"))
    >>> c["projects"]["id"].tolist(), sorted(c["partners"]["id"])
    (['p1'], ['cypher', 'evil', 'iite'])
    >>> c["pairs"][["organization", "with", "shared"]].values.tolist()
    [['<img src=x onerror=alert(1)>', 'UNESCO Institute for Information Technologies in Education', 1]]
    """
    projects = store.nodes("Project", filters)
    events = store.nodes("Event", filters)
    networks = store.nodes("Network", filters)
    place = Filters(region=filters.region, country=filters.country)
    based = set(store.nodes("Organization", place)["id"]) if not place.is_empty() else set()
    what: dict[str, set] = {}
    for rel, things, word in (
        ("PARTNER_IN", projects, "project"),
        ("ORGANIZED", events, "event"),
        ("MEMBER_OF", networks, "network"),
    ):
        ids = set(things["id"]) if len(things) else set()
        rt = store.rel_table(rel)
        for rec in rt.to_dict("records") if len(rt) else []:
            if rec["end"] in ids and (word != "network" or not based or rec["start"] in based):
                what.setdefault(rec["start"], set()).add(word)
    for o in based:
        what.setdefault(o, set()).add("based there")
    names = org_names(store)
    ids = sorted(what)

    def attr(i, column):
        return names.at[i, column] if i in names.index else None

    partners = pd.DataFrame(
        {
            "id": ids,
            "name": [attr(i, "name") or i for i in ids],
            "sector": [attr(i, "sector") for i in ids],
            "country": [attr(i, "country") for i in ids],
            "what": [", ".join(sorted(what[i])) for i in ids],
        },
        columns=["id", "name", "sector", "country", "what"],
    )
    pairs = co_partnership(store, filters=filters)
    pairs = pairs.rename(columns={"a_name": "organization", "b_name": "with", "weight": "shared"})
    return {
        "projects": projects,
        "events": events,
        "networks": networks,
        "partners": partners.sort_values("name", ignore_index=True),
        "pairs": pairs[["organization", "with", "shared", "where"]],
    }


# ---------------------------------------------------------------------------- network


def partner_graph(store: GraphStore) -> nx.MultiGraph:
    """The partnership graph of :mod:`graph.analyses.network` (organizations, projects, networks
    and events, keyed ``"Label:id"``; one edge per relationship of
    :data:`graph.analyses.network.PARTNERSHIP_RELS`, own-funds loops left out), with every node's
    and edge's properties (``props``: provenance included) and what the drawing shows:

    ``countries`` (ISO3s: where an organization is based, where a project targets, where
    an event is held or draws people from), ``years`` (first, last) and ``usd`` (known USD
    given or received, or tied to the project, from
    :meth:`graph.store.GraphStore.funding_totals`).

    Examples
    --------
    >>> g = partner_graph(example_store())
    >>> g.nodes["Organization:gov"]["usd"], sorted(g.nodes["Project:p1"]["countries"])
    (500.0, ['KEN', 'MUS'])
    """
    g = to_networkx(store, labels=PARTNERSHIP_LABELS, rel_types=PARTNERSHIP_RELS, properties=True)
    g.remove_edges_from(list(nx.selfloop_edges(g, keys=True)))
    for _n, d in g.nodes(data=True):
        d.update(countries=set(), years=None, usd=0.0)
        p = d["props"]
        a, b = p.get("start_year", p.get("year")), p.get("end_year", p.get("year"))
        if a is not None or b is not None:
            d["years"] = (int(a if a is not None else b), int(b if b is not None else a))
    for rel, label in (
        ("BASED_IN", "Organization"),
        ("TARGETS", "Project"),
        ("HELD_IN", "Event"),
        ("INVOLVES", "Event"),
    ):
        rt = store.rel_table(rel)
        for rec in rt.to_dict("records") if len(rt) else []:
            k = f"{label}:{rec['start']}"
            if k in g and rec["end_label"] == "Country":
                g.nodes[k]["countries"].add(rec["end"])
    money = store.funding_totals(("donor", "recipient", "project"))
    for rec in money.to_dict("records"):
        ends = {f"Organization:{rec['donor']}", f"Organization:{rec['recipient']}"}
        if rec["project"] is not None:
            ends.add(f"Project:{rec['project']}")
        for k in ends & set(g.nodes):
            g.nodes[k]["usd"] += float(rec["amount_usd"])
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
