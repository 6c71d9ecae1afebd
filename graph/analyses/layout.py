"""The partnership graph as the network page draws it, and its fixed layout.

Examples
--------
>>> g = partner_graph(example_store())
>>> pos = graph_layout(g)
>>> sorted(pos) == sorted(g.nodes)
True
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from graph.analyses.network import PARTNERSHIP_LABELS, PARTNERSHIP_RELS, to_networkx
from graph.store import Filters, GraphStore

__all__ = ["FLOW_EDGES_UP_TO", "ego_nodes", "graph_layout", "matching_nodes", "partner_graph"]

#: Up to this many funding flows the drawn graph has an edge per flow (each with its
#: sentence); above, one edge per donor–recipient pair with the number of flows and money.
FLOW_EDGES_UP_TO = 5000


def partner_graph(store: GraphStore) -> nx.MultiGraph:
    """The partnership graph of :mod:`graph.analyses.network` (organizations, projects, networks
    and events, keyed ``"Label:id"``; one edge per relationship of
    :data:`graph.analyses.network.PARTNERSHIP_RELS`, own-funds loops left out, funding flows
    summed per donor–recipient pair above :data:`FLOW_EDGES_UP_TO`), with every node's and
    edge's properties (``props``: provenance included) and what the drawing shows:

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
    flows = store.counts()["relationships"].get("FUNDS", 0)
    each_flow = flows <= FLOW_EDGES_UP_TO
    rels = PARTNERSHIP_RELS if each_flow else tuple(t for t in PARTNERSHIP_RELS if t != "FUNDS")
    g = to_networkx(store, labels=PARTNERSHIP_LABELS, rel_types=rels, properties=True)
    if not each_flow and "FUNDS" in PARTNERSHIP_RELS:
        _add_flow_pairs(g, store)
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
        rp = store.rel_pairs(rel)  # the ends are all it needs
        rp = rp[rp["end_label"] == "Country"]
        for start, end in zip(rp["start"].tolist(), rp["end"].tolist(), strict=True):
            k = f"{label}:{start}"
            if k in g:
                g.nodes[k]["countries"].add(end)
    for k, amount in _money_per_node(store).items():
        if k in g:
            g.nodes[k]["usd"] += float(amount)
    return g


def _add_flow_pairs(g: nx.MultiGraph, store: GraphStore) -> None:
    """One ``FUNDS`` edge per donor–recipient pair (its ``props``: ``flows``, the known
    ``amount_usd`` and the ``years`` ``(first, last)``), for a portfolio too big for an edge
    per flow."""
    pairs = store.rel_pairs("FUNDS")[["start", "end", "count"]]
    money = store.funding_totals(("donor", "recipient", "year"))
    money = money.assign(year=pd.to_numeric(money["year"], errors="coerce"))
    per_pair = money.groupby(["donor", "recipient"], sort=False).agg(
        usd=("amount_usd", "sum"), first=("year", "min"), last=("year", "max")
    )
    table = pairs.merge(per_pair, left_on=["start", "end"], right_index=True, how="left")
    rows = zip(
        table["start"].tolist(),
        table["end"].tolist(),
        table["count"].tolist(),
        table["usd"].fillna(0.0).tolist(),
        table["first"].tolist(),
        table["last"].tolist(),
        strict=True,
    )
    edges = []
    for start, end, count, usd, first, last in rows:
        u, v = f"Organization:{start}", f"Organization:{end}"
        if u not in g or v not in g:
            continue
        props = {"flows": int(count), "amount_usd": float(usd)}
        if not math.isnan(first):
            props["years"] = (int(first), int(last))
        data = {"type": "FUNDS", "id": f"{start}|{end}", "props": props}
        edges.append((u, v, f"FUNDS:{start}|{end}", data))
    g.add_edges_from(edges)


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


def _spring(g: nx.Graph, **kw):
    """networkx' spring layout with the plain force method (NumPy only, no SciPy)."""
    try:
        return nx.spring_layout(g, method="force", **kw)
    except TypeError:  # networkx before 3.4 has no ``method``
        return nx.spring_layout(g, **kw)


def _part(g: nx.Graph, nodes) -> nx.Graph:
    """The subgraph of ``nodes``, its nodes in ``g``'s order. (networkx' subgraph view
    lists them in the order of the set it was given, which changes from one process to the
    next, and so would the layout.)

    >>> list(_part(nx.path_graph(["c", "a", "b"]), {"b", "c"}))
    ['c', 'b']
    """
    keep = set(nodes)
    part = nx.Graph()
    part.add_nodes_from(n for n in g if n in keep)
    part.add_edges_from((u, v) for u, v in g.edges(part) if v in keep)
    return part


def _force(g: nx.Graph, *, seed: int, k: float, iterations: int) -> dict:
    """Fruchterman-Reingold forces on a dense matrix, in NumPy: networkx' own method for
    graphs under 500 nodes, used here up to :data:`LAYOUT_EXACT_UP_TO` (its sparse method
    above 500 walks the matrix row by row in Python). Positions in [-1, 1], centred;
    deterministic for a graph and seed.

    >>> pos = _force(nx.cycle_graph(6), seed=7, k=0.5, iterations=30)
    >>> sorted(pos) == list(range(6)), pos == _force(nx.cycle_graph(6), seed=7, k=0.5, iterations=30)
    (True, True)
    """
    nodes = list(g)
    a = nx.to_numpy_array(g, nodelist=nodes, weight=None, dtype=np.float32)
    pos = np.random.RandomState(seed).rand(len(nodes), 2).astype(np.float32)
    t = max(float(np.ptp(pos[:, 0])), float(np.ptp(pos[:, 1]))) * 0.1
    cool = t / (iterations + 1)
    k2 = np.float32(k * k)
    for _ in range(iterations):  # in place, in single precision: a layout, not a figure
        x, y = pos[:, 0], pos[:, 1]
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        d2 = dx * dx
        d2 += dy * dy
        np.maximum(d2, np.float32(1e-4), out=d2)
        push = k2 / d2
        push -= a * np.sqrt(d2) / np.float32(k)  # repulsion minus attraction along a tie
        move = np.stack([np.einsum("ij,ij->i", dx, push), np.einsum("ij,ij->i", dy, push)], 1)
        length = np.hypot(move[:, 0], move[:, 1])
        length = np.where(length < 0.01, 0.1, length)
        pos += move * (t / length)[:, None]
        t -= cool
    pos -= pos.mean(axis=0)
    top = float(np.abs(pos).max()) or 1.0
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, pos / top, strict=True)}


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
    simple = nx.Graph()  # the ties only: copying every edge's properties costs seconds
    simple.add_nodes_from(g)
    simple.add_edges_from(g.edges())
    if simple.number_of_nodes() == 0:
        return {}
    if simple.number_of_nodes() > LAYOUT_EXACT_UP_TO:
        return _large_layout(simple, seed=seed)
    comps = sorted(nx.connected_components(simple), key=lambda c: (-len(c), sorted(map(str, c))[0]))
    main = _part(simple, comps[0])
    n = main.number_of_nodes()
    if n <= 2:
        raw = _spring(main, seed=seed)
    elif n <= 300 and _has_scipy():
        raw = nx.kamada_kawai_layout(main, pos=_spring(main, seed=seed))
    else:
        raw = _force(main, seed=seed, k=2.0 / math.sqrt(n), iterations=60)
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
        sub = _spring(_part(simple, comp), seed=seed)
        r = 30 * math.sqrt(len(comp))
        for k, (x, y) in sub.items():
            pos[k] = (cx + float(x) * r, cy + float(y) * r)
    return {k: (round(x, 1), round(y, 1)) for k, (x, y) in pos.items()}


#: Above this many nodes the force layout (whose every step costs nodes²) runs on the
#: best-connected nodes only, and every other node is placed beside its best-connected
#: laid-out neighbour (see :func:`_large_layout`).
LAYOUT_EXACT_UP_TO = 1000


def _large_layout(simple: nx.Graph, *, seed: int) -> dict[str, tuple[float, float]]:
    """Positions for a big graph in time that grows with its size, not its square: the
    :data:`LAYOUT_EXACT_UP_TO` nodes of highest degree get :func:`graph_layout`; each other
    node sits on a small circle around its highest-degree neighbour that has a position
    (breadth first from the laid-out core), and nodes with no way to the core go on an
    outer ring. Deterministic for a graph and seed.

    >>> g = nx.star_graph(LAYOUT_EXACT_UP_TO + 5)
    >>> pos = _large_layout(g, seed=7)
    >>> len(pos) == g.number_of_nodes(), pos == _large_layout(g, seed=7)
    (True, True)
    """
    degree = dict(simple.degree())
    order = sorted(simple.nodes, key=lambda n: (-degree[n], str(n)))
    core = order[:LAYOUT_EXACT_UP_TO]
    pos = dict(graph_layout(_part(simple, core), seed=seed))
    placed_around: dict = {}
    frontier = list(core)  # best-connected first
    while frontier:
        nxt = []
        for hub in frontier:
            for n in sorted(simple.neighbors(hub), key=str):
                if n in pos:
                    continue
                i = placed_around.get(hub, 0)
                placed_around[hub] = i + 1
                angle = 2.399963 * i  # the golden angle: neighbours spread evenly
                r = 18 + 4 * math.sqrt(i)
                x, y = pos[hub]
                pos[n] = (round(x + r * math.cos(angle), 1), round(y + r * math.sin(angle), 1))
                nxt.append(n)
        frontier = nxt
    rest = [n for n in order if n not in pos]
    extent = max((math.hypot(x, y) for x, y in pos.values()), default=40.0)
    for i, n in enumerate(rest):
        angle = 2 * math.pi * i / max(1, len(rest))
        r = extent * 1.15 + 40
        pos[n] = (round(r * math.cos(angle), 1), round(r * math.sin(angle), 1))
    return pos


def ego_nodes(g: nx.Graph, node: str, *, depth: int = 1) -> set[str]:
    """The nodes of the drawn partnership graph within ``depth`` steps of ``node`` (every
    kind). :func:`graph.analyses.network.ego_network` is the same question on the store's
    whole graph, countries and sources included.

    >>> g = partner_graph(example_store())
    >>> sorted(ego_nodes(g, "Organization:ngo"))
    ['Event:e1', 'Organization:ngo', 'Project:p2']
    """
    return set(nx.single_source_shortest_path_length(g, node, cutoff=depth))


def matching_nodes(store: GraphStore, g: nx.Graph, filters: Filters) -> set[str] | None:
    """The nodes of the drawn graph that the filters pick out, or None when no filter is set.

    What matches is the store's rule (:meth:`graph.store.GraphStore.nodes`): organizations
    based there, projects targeting it, events held there, networks with a member there; a
    project, event or network matches a sector through its organizations. Organizations
    tied to a matching project, event or network (of the sector, when one is chosen) match
    too, so the picture shows who works there, not only the places.

    >>> g = partner_graph(example_store())
    >>> sorted(matching_nodes(example_store(), g, Filters(country="KAZ")))[:2]
    ['Event:e1', 'Organization:firm']
    >>> matching_nodes(example_store(), g, Filters()) is None
    True
    """
    if filters.is_empty():
        return None
    base = {
        f"{label}:{i}"
        for label in PARTNERSHIP_LABELS
        for i in store.nodes(label, filters)["id"]
        if f"{label}:{i}" in g
    }
    tied = {
        m
        for n in base
        if g.nodes[n]["label"] != "Organization"
        for m in g.neighbors(n)
        if g.nodes[m]["label"] == "Organization"
        and (filters.sector is None or g.nodes[m].get("sector") == filters.sector)
    }
    return base | tied
