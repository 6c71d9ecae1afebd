"""Network structure: centrality, communities, neighbourhoods, paths, co-partnership.

The graph is built from the store's node and relationship tables
(:meth:`graph.store.GraphStore.node_table` / ``rel_table``), so it is the same for both
stores. The *partnership graph* holds organizations, projects, networks and events and the
relationships that tie them (``PARTNER_IN``, ``MEMBER_OF``, ``ORGANIZED``, ``FUNDS``,
``PART_OF_PROJECT``, ``PART_OF``, ``POOLS``); places and sources are left out, since two
organizations being in the same country is not a partnership. Nodes are keyed
``"Label:id"``.

Examples
--------
>>> g = partnership_graph(example_store())
>>> g.number_of_nodes(), g.number_of_edges()
(15, 24)
>>> c = centrality(example_store())
>>> c.at[0, "id"], int(c.at[0, "degree"])
('inst', 12)
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from graph.analyses.adjacency import Adjacency, from_networkx
from graph.analyses.betweenness import betweenness_of
from graph.analyses.portfolio import without_external
from graph.analyses.tied_pairs import tied_pairs
from graph.errors import AnalysisError, UnknownEntity
from graph.pause import collection_paused
from graph.schema import GRAPH_LABELS
from graph.store import Filters, GraphStore, display_names, read_ahead

__all__ = [
    "PARTNERSHIP_LABELS",
    "PARTNERSHIP_RELS",
    "to_networkx",
    "partnership_adjacency",
    "partnership_graph",
    "centrality",
    "communities",
    "ego_network",
    "shortest_paths",
    "co_partnership",
    "brokers",
]

PARTNERSHIP_LABELS = ("Organization", "Project", "Network", "Event")
#: Above this many nodes, :func:`centrality` estimates betweenness from a sample of sources.
EXACT_BETWEENNESS_UP_TO = 1500
#: How many source nodes the estimate starts from, and the seed that picks them.
BETWEENNESS_SAMPLE = 300
SAMPLE_SEED = 7
PARTNERSHIP_RELS = (
    "PARTNER_IN",
    "MEMBER_OF",
    "ORGANIZED",
    "FUNDS",
    "PART_OF_PROJECT",
    "PART_OF",
    "POOLS",
)


def _key(label: str, i) -> str:
    return f"{label}:{i}"


def to_networkx(
    store: GraphStore,
    *,
    labels=GRAPH_LABELS,
    rel_types=None,
    multigraph: bool = True,
    properties: bool = False,
) -> nx.Graph:
    """The store's graph (or part of it) as an undirected networkx graph.

    Parameters
    ----------
    labels : iterable of str
        Node labels to include.
    rel_types : iterable of str, optional
        Relationship types to include (default: every type whose ends are included).
    multigraph : bool, default True
        A ``MultiGraph`` (one edge per relationship, ``type`` and ``id`` on each) or a
        simple ``Graph`` whose edges carry ``weight`` (how many relationships) and
        ``types``.
    properties : bool, default False
        Also keep every stored property: each node gets ``props`` (its properties, the
        provenance ``source_id`` and ``quote`` included, empty values left out) and, in a
        ``MultiGraph``, each edge gets ``props`` too (amount, year, role, provenance...).

    Examples
    --------
    >>> g = to_networkx(example_store(), labels=("Organization",), rel_types=("FUNDS",))
    >>> g.number_of_edges(), sorted(g.nodes["Organization:gov"])
    (9, ['country', 'id', 'label', 'name', 'sector'])
    >>> g = to_networkx(example_store(), labels=("Organization",), rel_types=("FUNDS",),
    ...                 properties=True)
    >>> g.nodes["Organization:gov"]["props"]["quote"]
    'Example sentence.'
    >>> sorted(d["props"]["amount_usd"] for _u, _v, d in g.edges("Organization:gov", data=True))
    [200.0, 300.0]
    """
    with collection_paused():  # many small dicts, none of them garbage
        return _to_networkx(store, tuple(labels), rel_types, multigraph, properties)


def _to_networkx(store, labels, rel_types, multigraph, properties) -> nx.Graph:
    from graph.schema import REL_TYPES

    types = tuple(REL_TYPES if rel_types is None else rel_types)
    g = nx.MultiGraph() if multigraph else nx.Graph()
    for label in labels:
        table = store.node_table(label)
        if not properties:  # only what the attributes need, not every property
            table = table[[c for c in ("id", "name", "title", "sector", "country") if c in table]]
        g.add_nodes_from(_node_items(label, table, properties))
    if not multigraph:
        keys = np.asarray(list(g), dtype=object)
        split = [str(k).split(":", 1) for k in keys.tolist()]  # "Label:id"
        labels = np.asarray([s[0] for s in split], dtype=object)
        ids = np.asarray([s[1] for s in split], dtype=object)
        u, v, weight, mask = tied_pairs(store, sorted(types), labels, ids)
        g.add_edges_from(_edge_tuples(keys[u], keys[v], weight, mask, sorted(types)))
        return g
    for t in sorted(types):
        rt = store.rel_table(t)
        if len(rt):
            g.add_edges_from(_edge_items(g, t, rt, properties))
    return g


def _plain_columns(table: pd.DataFrame) -> tuple[list, list]:
    """The column names and each column as Python values, ``None`` where missing."""
    cols = list(table.columns)
    values = [table[c].astype(object).where(table[c].notna(), None).to_numpy(object) for c in cols]
    return cols, values


def _node_items(label: str, table: pd.DataFrame, properties: bool) -> list[tuple]:
    """``(key, attributes)`` of each node of a node table (see :func:`to_networkx`)."""
    cols, values = _plain_columns(table)
    at = {c: i for i, c in enumerate(cols)}
    sector, country = at.get("sector"), at.get("country")
    items = []
    for row, name in zip(zip(*values, strict=True), display_names(table), strict=True):
        attrs = _node_attrs(
            label,
            row[at["id"]],
            name,
            row[sector] if sector is not None else None,
            row[country] if country is not None else None,
        )
        if properties:
            attrs["props"] = {c: v for c, v in zip(cols, row, strict=True) if v is not None}
        items.append((_key(label, attrs["id"]), attrs))
    return items


def _node_attrs(label: str, node_id, name: str, sector, country) -> dict:
    """A node's attributes in the graphs built here: ``label``, ``id``, ``name``, and
    ``sector`` and ``country`` when they are text."""
    attrs = {"label": label, "id": node_id, "name": name}
    if isinstance(sector, str):
        attrs["sector"] = sector
    if isinstance(country, str):
        attrs["country"] = country
    return attrs


def _edge_items(g: nx.Graph, t: str, rt: pd.DataFrame, properties: bool) -> list[tuple]:
    """``(u, v, key, attributes)`` of each relationship of a table whose ends are in ``g``."""
    ends = {"id", "start", "end", "start_label", "end_label"}
    cols, values = _plain_columns(rt)
    at = {c: i for i, c in enumerate(cols)}
    su, s, eu, e, i = (at[c] for c in ("start_label", "start", "end_label", "end", "id"))
    items = []
    for row in zip(*values, strict=True):
        u, v = _key(row[su], row[s]), _key(row[eu], row[e])
        if u in g and v in g:
            data = {"type": t, "id": row[i]}
            if properties:
                data["props"] = {
                    c: x for c, x in zip(cols, row, strict=True) if x is not None and c not in ends
                }
            items.append((u, v, f"{t}:{row[i]}", data))
    return items


def _edge_tuples(us, vs, weight, mask, types) -> list[tuple]:
    kinds = {m: [t for bit, t in enumerate(types) if m >> bit & 1] for m in set(mask.tolist())}
    return [
        (u, v, {"weight": int(w), "types": list(kinds[m])})
        for u, v, w, m in zip(us.tolist(), vs.tolist(), weight.tolist(), mask.tolist(), strict=True)
    ]


def _node_columns(store: GraphStore, labels) -> dict:
    """Per node of ``labels`` (label by label, in table order): ``keys``, ``labels``,
    ``ids``, ``names`` (:func:`display_name`), ``sector`` and ``country`` (text or None)."""
    cols: dict = {k: [] for k in ("keys", "labels", "ids", "names", "sector", "country")}
    for label in labels:
        table = store.node_table(label)
        table = table[[c for c in ("id", "name", "title", "sector", "country") if c in table]]
        ids = table["id"].tolist()
        cols["keys"] += [_key(label, i) for i in ids]
        cols["labels"] += [label] * len(ids)
        cols["ids"] += ids
        cols["names"] += display_names(table)
        for k in ("sector", "country"):
            values = table[k].tolist() if k in table else [None] * len(ids)
            cols[k] += [v if isinstance(v, str) else None for v in values]
    return cols


def partnership_adjacency(store: GraphStore) -> Adjacency:
    """The partnership graph (see the module notes) as arrays (:mod:`.adjacency`), built
    once per load.

    >>> a = partnership_adjacency(example_store())
    >>> a.size, len(a.u)
    (15, 24)
    """
    return store.memo("partnership_adjacency", lambda: _partnership_adjacency(store))


def _partnership_adjacency(store: GraphStore) -> Adjacency:
    with store.reading():
        _read_ahead(store)
        nodes = without_external(store, _node_columns(store, PARTNERSHIP_LABELS))
        return _adjacency_of(store, nodes)


def _read_ahead(store: GraphStore) -> None:
    """The node tables and relationship pairs the partnership graph is built from, read
    side by side on a server and kept for the reading block (at 100,000 flows on the
    Bolt server one after the other they took 0.5 s, the ties of the money 0.24 s of it)."""
    read_ahead(
        store,
        # the dearest first: the ties of the money are a pass over every flow
        *(lambda t=t: store.rel_pairs(t) for t in sorted(PARTNERSHIP_RELS, key="FUNDS".__ne__)),
        *(lambda label=label: store.node_table(label) for label in PARTNERSHIP_LABELS),
    )


def _adjacency_of(store: GraphStore, nodes: dict) -> Adjacency:
    types = sorted(PARTNERSHIP_RELS)
    labels, ids = np.asarray(nodes["labels"], dtype=object), np.asarray(nodes["ids"], dtype=object)
    u, v, weight, mask = tied_pairs(store, types, labels, ids)
    return Adjacency.build(nodes, u, v, weight, mask, types)


def partnership_graph(store: GraphStore, *, exclude=()) -> nx.Graph:
    """The simple partnership graph (see the module notes), without the organizations in
    ``exclude`` (ids)."""
    whole = store.memo("partnership_graph", lambda: _graph_of(partnership_adjacency(store)))
    with collection_paused():
        g = whole.copy()
    g.remove_nodes_from([_key("Organization", o) for o in exclude])
    return g


def _graph_of(a: Adjacency) -> nx.Graph:
    """The networkx graph of the arrays: nodes with ``label``, ``id``, ``name`` (and
    ``sector``, ``country`` where known), edges with ``weight`` and ``types``."""
    g = nx.Graph()
    extra = [
        a.attrs.get(k, np.full(a.size, None, dtype=object)).tolist() for k in ("sector", "country")
    ]
    rows = zip(a.labels.tolist(), a.ids.tolist(), a.names.tolist(), *extra, strict=True)
    g.add_nodes_from(zip(a.keys.tolist(), (_node_attrs(*row) for row in rows), strict=True))
    g.add_edges_from(_edge_tuples(a.keys[a.u], a.keys[a.v], a.weight, a.types, a.type_names))
    return g


def _frame(g: nx.Graph, nodes, **cols) -> pd.DataFrame:
    rows = []
    for n in nodes:
        d = g.nodes[n]
        row = {"id": d["id"], "label": d["label"], "name": d["name"]}
        row.update({c: v[n] for c, v in cols.items()})
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", "label", "name", *cols])


def centrality(
    store: GraphStore,
    *,
    labels=("Organization",),
    graph: nx.Graph | None = None,
    sample: int | None = None,
) -> pd.DataFrame:
    """Degree, betweenness and eigenvector centrality in the partnership graph.

    Computed on the whole partnership graph and reported for nodes of ``labels``.
    Eigenvector centrality is computed per connected component (it is not defined across
    components) and scaled so that the largest value in the graph is 1.

    Parameters
    ----------
    labels : iterable of str, default ("Organization",)
        Which nodes to report.
    graph : networkx graph, optional
        The partnership graph, if the caller has it already.
    sample : int, optional
        Estimate betweenness from the shortest paths of this many source nodes (a sample
        with a fixed seed, so the same answer every run; see
        :mod:`graph.analyses.betweenness`) instead of all of them. When not given,
        betweenness is exact up to :data:`EXACT_BETWEENNESS_UP_TO` nodes and estimated from
        :data:`BETWEENNESS_SAMPLE` sources above (exact exploration costs nodes × edges).
        Exact whenever the graph has no more nodes than the sample.

    Returns
    -------
    DataFrame
        ``id``, ``label``, ``name``, ``degree`` (number of neighbours),
        ``degree_centrality``, ``betweenness`` (normalised), ``eigenvector``; highest
        degree first. ``attrs["betweenness"]`` says how betweenness was found (exact, or
        the sample and the seed), for the page to state.

    Examples
    --------
    >>> c = centrality(example_store())
    >>> print(c.head(3)[["id", "degree", "betweenness"]].round(3).to_string())
         id  degree  betweenness
    0  inst      12        0.780
    1   fdn       4        0.068
    2   uni       4        0.024
    >>> c = centrality(example_store(), labels=("Organization", "Project"), sample=5)
    >>> sorted(set(c["label"])), bool(c["betweenness"].between(0, 1).all())
    (['Organization', 'Project'], True)
    """
    if sample is not None and (
        isinstance(sample, bool) or not isinstance(sample, int) or sample < 1
    ):
        raise AnalysisError(f"sample must be a whole number >= 1, not {sample!r}")
    a = from_networkx(graph) if graph is not None else partnership_adjacency(store)
    n = a.size
    if sample is None and n > EXACT_BETWEENNESS_UP_TO:
        sample = BETWEENNESS_SAMPLE
    k = sample if sample is not None and sample < n else None
    deg = a.degrees()
    nodes = a.keys.tolist()
    bc = betweenness_of(a.matrix, nodes, k=k, seed=SAMPLE_SEED if k else None) if n else deg
    ev = a.eigenvector() if n else np.zeros(0)
    top = float(ev.max(initial=0.0)) or 1.0
    shown = np.isin(a.labels, list(labels)) if n else np.zeros(0, dtype=bool)
    df = pd.DataFrame(
        {
            "id": a.ids[shown],
            "label": a.labels[shown],
            "name": a.names[shown],
            "degree": deg[shown].astype(np.int64),
            "degree_centrality": deg[shown] / (n - 1) if n > 1 else np.ones(int(shown.sum())),
            "betweenness": np.round(bc[shown].astype(float), 12),
            "eigenvector": np.round(ev[shown] / top, 12),
        }
    )
    df = df.sort_values(["degree", "betweenness", "id"], ascending=[False, False, True])
    df = df.reset_index(drop=True)
    df.attrs["betweenness"] = (
        f"estimated from the shortest paths of {k:,} of {n:,} nodes (a random sample, "
        f"seed {SAMPLE_SEED})"
        if k
        else "exact"
    )
    return df


def communities(
    store: GraphStore, *, seed: int = 42, resolution: float = 1.0, graph: nx.Graph | None = None
) -> pd.DataFrame:
    """Communities of the partnership graph (Louvain, fixed seed: same answer every run).

    Returns
    -------
    DataFrame
        ``id``, ``label``, ``name``, ``community`` (0 = largest), ``size``.

    Examples
    --------
    >>> c = communities(example_store())
    >>> c["community"].nunique() >= 2, c.loc[c["id"] == "inst", "label"].item()
    (True, 'Organization')
    """
    g = graph if graph is not None else partnership_graph(store)
    if g.number_of_nodes() == 0:
        return pd.DataFrame(columns=["id", "label", "name", "community", "size"])
    h = nx.Graph()
    h.add_nodes_from(sorted(g.nodes))
    h.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in g.edges(data=True)))
    parts = nx.community.louvain_communities(h, seed=seed, resolution=resolution, weight="weight")
    parts = sorted((sorted(p) for p in parts), key=lambda p: (-len(p), p[0]))
    cid = {n: i for i, p in enumerate(parts) for n in p}
    size = {n: len(p) for p in parts for n in p}
    df = _frame(g, sorted(g.nodes, key=lambda n: (cid[n], n)), community=cid, size=size)
    return df


def ego_network(store: GraphStore, org_id: str, *, depth: int = 1) -> dict:
    """The neighbourhood of an organization to ``depth`` hops (all relationship types).

    Uses :meth:`graph.store.GraphStore.neighbourhood` (on Neo4j the hops run in the
    database).

    Returns
    -------
    dict
        ``nodes`` (DataFrame label, id, name) and ``relationships`` (id, type, start, end).

    Raises
    ------
    UnknownEntity
        No organization ``org_id``.

    Examples
    --------
    >>> e = ego_network(example_store(), "ngo")
    >>> sorted(e["nodes"]["id"])
    ['KAZ', 'e1', 'ngo', 'p2']
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise AnalysisError(f"depth must be a whole number >= 0, not {depth!r}")
    nodes, rels = store.neighbourhood("Organization", org_id, depth)
    if nodes.empty:
        raise UnknownEntity(f"no organization with id {org_id!r} in the store")
    return {"nodes": nodes, "relationships": rels}


def shortest_paths(
    store: GraphStore, a: str, b: str, *, limit: int = 10, graph: nx.Graph | None = None
) -> list[list[dict]]:
    """All shortest paths between two organizations in the partnership graph.

    Returns
    -------
    list of paths
        Each path a list of ``{"label", "id", "name"}`` steps; at most ``limit`` paths,
        in a stable order; ``[]`` when the two are not connected.

    Raises
    ------
    UnknownEntity
        ``a`` or ``b`` is not an organization.

    Examples
    --------
    >>> [[s["id"] for s in p] for p in shortest_paths(example_store(), "ngo", "uni")]
    [['ngo', 'e1', 'inst', 'uni'], ['ngo', 'p2', 'inst', 'uni']]
    """
    g = graph if graph is not None else partnership_graph(store)
    ka, kb = _key("Organization", a), _key("Organization", b)
    for k, i in ((ka, a), (kb, b)):
        if k not in g:
            raise UnknownEntity(f"no organization with id {i!r} in the store")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise AnalysisError(f"limit must be a whole number >= 1, not {limit!r}")
    if not nx.has_path(g, ka, kb):
        return []
    paths = sorted(nx.all_shortest_paths(g, ka, kb))[:limit]
    return [[{k: g.nodes[n][k] for k in ("label", "id", "name")} for n in path] for path in paths]


def co_partnership(
    store: GraphStore,
    *,
    via=("project", "network", "event"),
    min_weight: int = 1,
    filters: Filters | None = None,
    within=None,
) -> pd.DataFrame:
    """Organizations linked by shared projects, networks or events, weighted by how many.

    Parameters
    ----------
    via : iterable of {"project", "network", "event"}
        What two organizations may share: a project they take part in (any role), a
        network they are members of, an event they organized.
    min_weight : int, default 1
        Leave out pairs that share fewer things.
    filters : Filters, optional
        Only the projects, networks and events that pass the filters
        (:meth:`graph.store.GraphStore.nodes`: projects targeting a place, events held
        there or drawing people from it, networks with a member based there). With a
        region or country, a network links only its members based there.
    within : Portfolio, optional
        Only its projects, networks and events (:func:`graph.analyses.portfolio.portfolio`).

    Returns
    -------
    DataFrame
        ``a``, ``b`` (organization ids, ``a < b``), ``a_name``, ``b_name``, ``weight``
        (shared things), one count per kind in ``via`` and ``where`` (the titles of what
        they share, ``; ``-separated); heaviest first.

    Examples
    --------
    >>> print(co_partnership(example_store()).head(3)[["a", "b", "weight", "project", "network", "event"]].to_string())
          a     b  weight  project  network  event
    0   fdn  inst       2        1        0      1
    1  inst   ngo       2        1        0      1
    2  inst   uni       2        1        1      0
    >>> from graph.store import Filters
    >>> co_partnership(example_store(), filters=Filters(country="KAZ"))[["a", "b", "where"]]
          a     b                                 where
    0  inst   ngo  Health education; Workshop in Almaty
    1  firm  inst                      Health education
    2  firm   ngo                      Health education
    """
    rels = {"project": "PARTNER_IN", "network": "MEMBER_OF", "event": "ORGANIZED"}
    labels = {"project": "Project", "network": "Network", "event": "Event"}
    via = tuple(via)
    for v in via:
        if v not in rels:
            raise AnalysisError(f"cannot link organizations via {v!r}; use project, network, event")
    orgs = store.node_table("Organization")
    names = dict(zip(orgs["id"].tolist(), display_names(orgs), strict=True)) if len(orgs) else {}
    f = filters or Filters()
    place = Filters(region=f.region, country=f.country)
    based = set(store.nodes("Organization", place)["id"].tolist()) if not place.is_empty() else None
    pairs: dict = {}
    where: dict = {}
    for v in via:
        things = store.nodes(labels[v], f) if not f.is_empty() else store.node_table(labels[v])
        if within is not None and len(things):
            things = things[within.keep(v + "s", things["id"])]
        titles = dict(zip(things["id"].tolist(), display_names(things), strict=True))
        rt = store.rel_pairs(rels[v])  # who is in what: the ends are all it reads
        members: dict = {}
        for start, end in zip(rt["start"].tolist(), rt["end"].tolist(), strict=True):
            if end not in titles:
                continue
            if v == "network" and based is not None and start not in based:
                continue
            members.setdefault(end, set()).add(start)
        for thing, orgs in members.items():
            orgs = sorted(orgs)
            for i, x in enumerate(orgs):
                for y in orgs[i + 1 :]:
                    c = pairs.setdefault((x, y), dict.fromkeys(via, 0))
                    c[v] += 1
                    where.setdefault((x, y), []).append(titles[thing])
    rows = [
        {
            "a": x,
            "b": y,
            "a_name": names.get(x, x),
            "b_name": names.get(y, y),
            "weight": sum(c.values()),
            **c,
            "where": "; ".join(sorted(where[(x, y)])),
        }
        for (x, y), c in pairs.items()
        if sum(c.values()) >= min_weight
    ]
    df = pd.DataFrame(rows, columns=["a", "b", "a_name", "b_name", "weight", *via, "where"])
    return df.sort_values(["weight", "a", "b"], ascending=[False, True, True]).reset_index(
        drop=True
    )


def brokers(g: nx.Graph, *, labels=("Organization",)) -> set:
    """Organizations whose removal would split their part of the graph (cut vertices).

    >>> brokers(nx.path_graph(["Organization:a", "Organization:b", "Organization:c"]))
    {'b'}
    """
    out = set()
    for n in nx.articulation_points(g):
        label = g.nodes[n].get("label", str(n).split(":", 1)[0])
        if label in labels:
            out.add(g.nodes[n].get("id", str(n).split(":", 1)[1]))
    return out
