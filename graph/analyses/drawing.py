"""The partnership network as the network page draws it: node and tie columns on the arrays
of :func:`graph.analyses.network.partnership_adjacency`, built once per load.

A portfolio of a million flows has 65,000 organizations, projects, networks and events and
200,000 ties; a networkx graph with a dict per node and per edge takes seconds to build and
the drawing shows at most a thousand nodes. So the drawing reads columns: per node what a
tooltip says (kind, sector, countries, years, known money, source and sentence), per tie its
kind and direction; the details of one node (every property and every tie with the sentence
it comes from) are read from the store when a person asks for them (:func:`node_details`).

Examples
--------
>>> d = partner_drawing(example_store())
>>> row = d.nodes.set_index("key").loc["Project:p1"]
>>> row["countries"], float(row["usd"])
('KEN, MUS', 150.0)
>>> sorted(d.around("Organization:ngo"))
['Event:e1', 'Organization:ngo', 'Project:p2']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.analyses.adjacency import Adjacency
from graph.analyses.network import PARTNERSHIP_LABELS, PARTNERSHIP_RELS, partnership_adjacency
from graph.errors import UnknownEntity
from graph.store import Filters, GraphStore

__all__ = [
    "FLOWS_LISTED_UP_TO",
    "NodeDetails",
    "PartnerDrawing",
    "matching_keys",
    "node_details",
    "partner_drawing",
]

#: A node's details list each of its funding flows with its sentence up to this many flows;
#: above, one row per donor–recipient pair with the number of flows, the money and the years.
FLOWS_LISTED_UP_TO = 200

#: Where a node of each label is: the relationship to a country that places it.
_PLACED_BY = (
    ("BASED_IN", "Organization"),
    ("TARGETS", "Project"),
    ("HELD_IN", "Event"),
    ("INVOLVES", "Event"),
)


@dataclass(frozen=True)
class PartnerDrawing:
    """The partnership graph for the drawing (see the module notes).

    Attributes
    ----------
    adjacency : Adjacency
        The structure (:func:`graph.analyses.network.partnership_adjacency`).
    nodes : DataFrame
        One row per node in the adjacency's order: ``key`` (``"Label:id"``), ``label``,
        ``id``, ``name``, ``sector`` (organizations; None when not stated), ``countries``
        (ISO3s joined by ", ": where an organization is based, a project targets, an event
        is held or draws people from), ``first_year`` and ``last_year`` (NaN when not
        stated), ``usd`` (known USD given or received, or tied to the project), ``degree``
        (neighbours), ``source_id`` and ``quote`` (the node's provenance) and ``short`` (the
        acronym where one is stated, else the name: what a label on the drawing shows).
    ties : DataFrame
        One row per pair of nodes and kind of tie: ``u`` and ``v`` (rows of ``nodes``, in
        the direction of the first such relationship), ``type``, ``count`` (how many
        relationships: flows for ``FUNDS``). Own-funds loops are left out.
    """

    adjacency: Adjacency
    nodes: pd.DataFrame
    ties: pd.DataFrame

    def rows_of(self, keys) -> np.ndarray:
        """True for the nodes whose key is in ``keys`` (None: every node)."""
        if keys is None:
            return np.ones(len(self.nodes), dtype=bool)
        return self.nodes["key"].isin(list(keys)).to_numpy()

    def around(self, key: str, depth: int = 1) -> set[str]:
        """The nodes within ``depth`` steps of ``key`` (every kind), itself included.
        :func:`graph.analyses.network.ego_network` is the same question on the store's whole
        graph, countries and sources included."""
        start = self.adjacency.position(key)
        if start is None:
            raise UnknownEntity(f"{key!r} is not in the partnership network")
        seen = np.zeros(self.adjacency.size, dtype=bool)
        seen[start] = True
        frontier = np.array([start])
        for _ in range(max(0, int(depth))):
            nxt = np.unique(self.adjacency.matrix[frontier].indices)
            nxt = nxt[~seen[nxt]]
            if not len(nxt):
                break
            seen[nxt] = True
            frontier = nxt
        return set(self.adjacency.keys[seen].tolist())

    def years(self) -> tuple[int, int] | None:
        """The first and last year any node states, or None."""
        first, last = self.nodes["first_year"].min(), self.nodes["last_year"].max()
        return None if pd.isna(first) else (int(first), int(last))


def partner_drawing(store: GraphStore) -> PartnerDrawing:
    """The drawing's columns for ``store``, built once per load (see
    :class:`PartnerDrawing`).

    >>> d = partner_drawing(example_store())
    >>> len(d.nodes), sorted(set(d.ties["type"]))[:3]
    (15, ['FUNDS', 'MEMBER_OF', 'ORGANIZED'])
    """
    return store.memo("partner_drawing", lambda: _drawing(store))


def _drawing(store: GraphStore) -> PartnerDrawing:
    a = partnership_adjacency(store)
    nodes = pd.DataFrame(
        {
            "key": a.keys,
            "label": a.labels,
            "id": a.ids,
            "name": a.names,
            "sector": a.attrs.get("sector", np.full(a.size, None, dtype=object)),
        }
    )
    sector = nodes["sector"].astype(object)
    nodes["sector"] = sector.where(sector.notna(), None)
    index = pd.Index(a.keys)
    nodes["countries"] = _countries(store, index)
    props = _node_props(
        store, index, ("start_year", "end_year", "year", "source_id", "quote", "acronym")
    )
    short = props["acronym"].to_numpy(object)
    nodes["short"] = np.where(pd.isna(short), nodes["name"].to_numpy(object), short)
    first = props["start_year"].fillna(props["year"])
    last = props["end_year"].fillna(props["year"])
    nodes["first_year"] = pd.to_numeric(first.fillna(last), errors="coerce").to_numpy()
    nodes["last_year"] = pd.to_numeric(last.fillna(first), errors="coerce").to_numpy()
    money = _money_per_node(store)
    at = index.get_indexer(money.index)
    usd = np.zeros(a.size)
    np.add.at(usd, at[at >= 0], money.to_numpy(float)[at >= 0])
    nodes["usd"] = usd
    nodes["degree"] = a.degrees()
    nodes["source_id"] = props["source_id"].to_numpy(object)
    nodes["quote"] = props["quote"].to_numpy(object)
    return PartnerDrawing(adjacency=a, nodes=nodes, ties=_ties(store, index))


def _node_props(store: GraphStore, index: pd.Index, columns) -> pd.DataFrame:
    """``columns`` of the node tables, one row per key of ``index`` (None where a node has
    no such property)."""
    parts = []
    for label in PARTNERSHIP_LABELS:
        t = store.node_table(label)
        if len(t):
            part = pd.DataFrame({c: t.get(c) for c in columns})
            part.index = (label + ":" + t["id"].astype(str)).to_numpy(object)
            parts.append(part)
    if not parts:
        return pd.DataFrame({c: [None] * len(index) for c in columns}, dtype=object)
    table = pd.concat(parts).astype(object)
    table = table[~table.index.duplicated()].reindex(index)
    return table.where(table.notna(), None)


def _countries(store: GraphStore, index: pd.Index) -> np.ndarray:
    """Per key of ``index``: the ISO3s that place it, sorted and joined by ", "."""
    parts = []
    for rel, label in _PLACED_BY:
        rp = store.rel_pairs(rel)
        rp = rp[rp["end_label"] == "Country"]
        parts.append(pd.DataFrame({"key": label + ":" + rp["start"].astype(str), "iso": rp["end"]}))
    out = np.full(len(index), "", dtype=object)
    placed = pd.concat(parts, ignore_index=True).drop_duplicates()
    if placed.empty:
        return out
    placed = placed.sort_values(["key", "iso"])
    keys, isos = placed["key"].to_numpy(object), placed["iso"].to_numpy(object)
    # rows sorted by key: most keys have one country, joined without a call per key
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    joined = isos[starts].copy()
    for g in np.flatnonzero(sizes > 1).tolist():
        joined[g] = ", ".join(isos[starts[g] : starts[g] + sizes[g]].tolist())
    at = index.get_indexer(keys[starts])
    out[at[at >= 0]] = joined[at >= 0]
    return out


def _ties(store: GraphStore, index: pd.Index) -> pd.DataFrame:
    """One row per pair of nodes of ``index`` and kind of tie (see :class:`PartnerDrawing`),
    counted where the data lives."""
    parts = []
    for t in PARTNERSHIP_RELS:
        rp = store.rel_pairs(t)
        if not len(rp):
            continue
        u = index.get_indexer(rp["start_label"] + ":" + rp["start"].astype(str))
        v = index.get_indexer(rp["end_label"] + ":" + rp["end"].astype(str))
        parts.append(pd.DataFrame({"u": u, "v": v, "type": t, "count": rp["count"].to_numpy()}))
    if not parts:
        return pd.DataFrame({"u": [], "v": [], "type": [], "count": []})
    ties = pd.concat(parts, ignore_index=True)
    ties = ties[(ties["u"] >= 0) & (ties["v"] >= 0) & (ties["u"] != ties["v"])]
    lo, hi = np.minimum(ties["u"], ties["v"]), np.maximum(ties["u"], ties["v"])
    ties = ties.assign(lo=lo, hi=hi)
    one = ties.groupby(["lo", "hi", "type"], sort=False)
    out = one.first()[["u", "v"]].assign(count=one["count"].sum())
    return out.reset_index()[["u", "v", "type", "count"]].astype({"u": "int64", "v": "int64"})


def _money_per_node(store: GraphStore) -> pd.Series:
    """Known USD per node key: what an organization gave or received (a donor funding
    itself counted once), what is tied to a project; summed by the store per donor and
    recipient pair and per project."""
    pairs = store.funding_totals(("donor", "recipient"))
    projects = store.funding_totals(("project",))
    projects = projects[projects["project"].notna()]
    own = (pairs["donor"] == pairs["recipient"]).to_numpy()
    keys = pd.concat(
        [
            "Organization:" + pairs["donor"].astype(str),
            "Organization:" + pairs.loc[~own, "recipient"].astype(str),
            "Project:" + projects["project"].astype(str),
        ],
        ignore_index=True,
    )
    usd = pairs["amount_usd"].astype(float)
    amounts = pd.concat([usd, usd[~own], projects["amount_usd"].astype(float)], ignore_index=True)
    if amounts.empty:
        return pd.Series([], dtype=float)
    return amounts.groupby(keys.to_numpy(object), sort=False).sum()


def matching_keys(store: GraphStore, drawing: PartnerDrawing, filters: Filters) -> set | None:
    """The nodes of the drawing that the filters pick out, or None when no filter is set.

    What matches is the store's rule (:meth:`graph.store.GraphStore.nodes`): organizations
    based there, projects targeting it, events held there, networks with a member there; a
    project, event or network matches a sector through its organizations. Organizations
    tied to a matching project, event or network (of the sector, when one is chosen) match
    too, so the picture shows who works there, not only the places.

    >>> s = example_store()
    >>> sorted(matching_keys(s, partner_drawing(s), Filters(country="KAZ")))[:2]
    ['Event:e1', 'Organization:firm']
    >>> matching_keys(s, partner_drawing(s), Filters()) is None
    True
    """
    if filters.is_empty():
        return None
    nodes = drawing.nodes
    base = drawing.rows_of(
        f"{label}:{i}" for label in PARTNERSHIP_LABELS for i in store.nodes(label, filters)["id"]
    )
    is_org = (nodes["label"] == "Organization").to_numpy()
    fits = is_org if filters.sector is None else is_org & (nodes["sector"] == filters.sector)
    u, v = drawing.ties["u"].to_numpy(), drawing.ties["v"].to_numpy()
    tied = np.zeros(len(nodes), dtype=bool)
    for a, b in ((u, v), (v, u)):  # an organization tied to a matching project, event, network
        hit = base[a] & ~is_org[a] & fits[b]
        tied[b[hit]] = True
    return set(nodes["key"][base | tied].tolist())


@dataclass(frozen=True)
class NodeDetails:
    """One node's details for a person reading them.

    Attributes
    ----------
    key, label, name : str
    facts : dict
        Its properties but the provenance (``quote``, ``source_id``) and ``id``.
    source_id, quote : str or None
        Where the node comes from.
    ties : DataFrame
        Its ties in the partnership graph, one row per relationship: ``type``, ``other``
        (the node at the other end, a key), ``other_name``, ``year`` (text), ``amount_usd``,
        ``role``, ``source_id``, ``quote``, ``flows`` (1) and ``outgoing`` (the node is the
        tie's start: it funds, takes part, is a member…); funding flows summed per
        donor–recipient pair when the node has more than :data:`FLOWS_LISTED_UP_TO` of them
        (``flows`` their number, ``year`` the first–last years, no sentence).
    summed : bool
        Whether funding flows were summed per pair.
    """

    key: str
    label: str
    name: str
    facts: dict
    source_id: str | None
    quote: str | None
    ties: pd.DataFrame
    summed: bool


_TIE_COLUMNS = ("type", "other", "other_name", "year", "amount_usd", "role", "source_id", "quote")


def node_details(store: GraphStore, drawing: PartnerDrawing, key: str) -> NodeDetails:
    """The details of one node of the drawing, read from the store (see :class:`NodeDetails`).

    >>> s = example_store()
    >>> d = node_details(s, partner_drawing(s), "Organization:ngo")
    >>> d.name, d.ties[["type", "other"]].values.tolist()
    ('Teachers NGO', [['PARTNER_IN', 'Project:p2'], ['ORGANIZED', 'Event:e1']])
    """
    row = drawing.adjacency.position(key)
    if row is None:
        raise UnknownEntity(f"{key!r} is not in the partnership network")
    label, node_id = drawing.adjacency.labels[row], drawing.adjacency.ids[row]
    table = store.node_table(label)
    table = table[table["id"] == node_id]
    props = {} if table.empty else {k: v for k, v in table.iloc[0].items() if _stated(v)}
    pairs = store.rel_pairs("FUNDS") if label == "Organization" else None
    if pairs is not None:
        pairs = pairs[((pairs["start"] == node_id) | (pairs["end"] == node_id)).to_numpy()]
        pairs = pairs[(pairs["start"] != pairs["end"]).to_numpy()]
    summed = pairs is not None and int(pairs["count"].sum()) > FLOWS_LISTED_UP_TO
    types = [t for t in PARTNERSHIP_RELS if t != "FUNDS"] if summed else PARTNERSHIP_RELS
    ties = store.ties_of(label, node_id, types)
    here = (ties["start_label"] == label) & (ties["start"] == node_id)
    other_label = ties["end_label"].where(here, ties["start_label"])
    other = (other_label + ":" + ties["end"].where(here, ties["start"]).astype(str)).to_numpy()
    ties = ties.assign(other=other, here=here.to_numpy(bool))
    out = _tie_rows(ties[ties["other"] != key])  # an organization funding itself is no tie
    if summed:
        out = pd.concat([_summed_flows(store, node_id, pairs), out], ignore_index=True)
    at = drawing.nodes.set_index("key")["name"].reindex(out["other"])
    out["other_name"] = at.where(
        at.notna(), out["other"].str.partition(":")[2].to_numpy()
    ).to_numpy()
    return NodeDetails(
        key=key,
        label=label,
        name=str(drawing.adjacency.names[row]),
        facts={k: v for k, v in props.items() if k not in ("quote", "source_id", "id")},
        source_id=props.get("source_id"),
        quote=props.get("quote"),
        ties=out[[*_TIE_COLUMNS, "flows", "outgoing"]],
        summed=summed,
    )


def _stated(v) -> bool:
    return not (v is None or (isinstance(v, float) and np.isnan(v)))


def _tie_rows(ties: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"type": ties["type"].to_numpy(), "other": ties["other"].to_numpy()})
    for c in ("year", "amount_usd", "role", "source_id", "quote"):
        col = ties[c] if c in ties else pd.Series([None] * len(ties), index=ties.index)
        out[c] = col.astype(object).where(col.notna(), None).to_numpy(object)
    year = pd.to_numeric(out["year"], errors="coerce")
    out["year"] = pd.Series(
        [None if pd.isna(y) else str(int(y)) for y in year.tolist()], dtype=object, index=out.index
    )
    out["flows"] = 1
    out["outgoing"] = ties["here"].to_numpy(bool) if "here" in ties else True
    return out


def _summed_flows(store: GraphStore, node_id: str, pairs: pd.DataFrame) -> pd.DataFrame:
    """The flows from or to one organization summed per donor–recipient pair (``pairs``,
    from :meth:`~graph.store.GraphStore.rel_pairs`): how many, the known USD and the first
    and last year, from the store's sums (:meth:`~graph.store.GraphStore.funding_totals`)."""
    money = store.funding_totals(("donor", "recipient", "year"))
    money = money[((money["donor"] == node_id) | (money["recipient"] == node_id)).to_numpy()]
    money = money.assign(year=pd.to_numeric(money["year"], errors="coerce"))
    per = money.groupby(["donor", "recipient"], sort=False).agg(
        usd=("amount_usd", "sum"),
        known=("usd_known", "sum"),
        first=("year", "min"),
        last=("year", "max"),
    )
    per.loc[per["known"] == 0, "usd"] = np.nan  # no flow of the pair states an amount
    out = pairs.merge(per, left_on=["start", "end"], right_index=True, how="left")
    out = out.sort_values(["start", "end"], ignore_index=True)
    other = out["end"].where(out["start"] == node_id, out["start"])
    first, last = out["first"].to_numpy(float), out["last"].to_numpy(float)
    years = [
        None if np.isnan(a) else (f"{int(a)}" if a == b else f"{int(a)}–{int(b)}")
        for a, b in zip(first.tolist(), last.tolist(), strict=True)
    ]
    return pd.DataFrame(
        {
            "type": "FUNDS",
            "other": ("Organization:" + other.astype(str)).to_numpy(object),
            "year": years,
            "amount_usd": out["usd"].to_numpy(float),
            "role": None,
            "source_id": None,
            "quote": None,
            "flows": out["count"].to_numpy(np.int64),
            "outgoing": (out["start"] == node_id).to_numpy(bool),
        }
    )
