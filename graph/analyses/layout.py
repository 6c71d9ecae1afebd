"""Fixed positions for the partnership network: computed once on the whole graph, so that a
filter never moves a node.

Examples
--------
>>> import networkx as nx
>>> g = nx.path_graph(["Organization:a", "Organization:b", "Organization:c"])
>>> pos = graph_layout(g)
>>> sorted(pos) == sorted(g.nodes), pos == graph_layout(g)
(True, True)
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from graph.analyses.adjacency import Adjacency, from_networkx

__all__ = ["LAYOUT_EXACT_UP_TO", "graph_layout", "positions"]

#: Above this many nodes the force layout (whose every step costs nodes²) runs on the
#: best-connected nodes only, and every other node is placed beside its best-connected
#: laid-out neighbour (see :func:`_large_layout`).
LAYOUT_EXACT_UP_TO = 1000


def positions(a: Adjacency, *, seed: int = 7) -> np.ndarray:
    """Screen coordinates (roughly ±60·√n, rounded to 0.1) of every node of ``a``, one row
    per node in ``a``'s order.

    Up to :data:`LAYOUT_EXACT_UP_TO` nodes the largest connected group is laid out with
    Kamada-Kawai (a force layout with a fixed seed above 300 nodes) and smaller groups and
    lone nodes sit on a ring around it instead of being flung to the far corners; above,
    see :func:`_large_layout`. Deterministic for a graph and seed, whatever the process's
    hash seed.

    >>> a = from_networkx(nx.star_graph(4))
    >>> xy = positions(a)
    >>> xy.shape, bool((xy == positions(a)).all())
    ((5, 2), True)
    """
    if a.size == 0:
        return np.zeros((0, 2))
    if a.size > LAYOUT_EXACT_UP_TO:
        return _large_layout(a, seed=seed)
    pos = _small_layout(_simple(a, np.ones(a.size, dtype=bool)), seed=seed)
    return np.array([pos[k] for k in a.keys.tolist()], dtype=float).reshape(-1, 2)


def graph_layout(g: nx.Graph, *, seed: int = 7) -> dict:
    """:func:`positions` of a networkx graph, as node → (x, y).

    >>> g = nx.path_graph(4)
    >>> g.add_node(9)
    >>> pos = graph_layout(g)
    >>> sorted(pos) == [0, 1, 2, 3, 9], pos == graph_layout(g)
    (True, True)
    """
    a = from_networkx(g)
    xy = positions(a, seed=seed).tolist()
    return {k: (x, y) for k, (x, y) in zip(a.keys.tolist(), xy, strict=True)}


def _simple(a: Adjacency, keep: np.ndarray) -> nx.Graph:
    """The networkx graph of the nodes of ``a`` in ``keep`` (in ``a``'s order) and their
    ties, for the layouts networkx has."""
    g = nx.Graph()
    g.add_nodes_from(a.keys[keep].tolist())
    inside = keep[a.u] & keep[a.v]
    g.add_edges_from(zip(a.keys[a.u[inside]].tolist(), a.keys[a.v[inside]].tolist(), strict=True))
    return g


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


def _small_layout(simple: nx.Graph, *, seed: int) -> dict:
    """:func:`positions` of a graph of at most :data:`LAYOUT_EXACT_UP_TO` nodes, as
    node → (x, y)."""
    if simple.number_of_nodes() == 0:
        return {}
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


def _large_layout(a: Adjacency, *, seed: int) -> np.ndarray:
    """Positions for a big graph in time that grows with its size, not its square: the
    :data:`LAYOUT_EXACT_UP_TO` nodes of highest degree (ties broken by key) are laid out as a
    small graph; then, breadth first from that core, each other node sits on a small circle
    (at the golden angle) around the first laid-out neighbour in the order nodes were
    placed, one search level at a time in array operations; nodes with no way to the core go
    on an outer ring.

    >>> a = from_networkx(nx.star_graph(LAYOUT_EXACT_UP_TO + 5))
    >>> xy = _large_layout(a, seed=7)
    >>> xy.shape[0] == a.size, bool((xy == _large_layout(a, seed=7)).all())
    (True, True)
    """
    n = a.size
    by_text = np.argsort(np.argsort(a.keys.astype(str), kind="stable"), kind="stable")
    order = np.lexsort((by_text, -a.degrees()))
    core = np.zeros(n, dtype=bool)
    core[order[:LAYOUT_EXACT_UP_TO]] = True
    small = _small_layout(_simple(a, core), seed=seed)
    xy = np.full((n, 2), np.nan)
    xy[core] = [small[k] for k in a.keys[core].tolist()]
    placed = core.copy()
    frontier = order[:LAYOUT_EXACT_UP_TO]  # best-connected first
    m = a.matrix
    while len(frontier):
        rows = m[frontier].tocoo()
        hub, node = rows.row, rows.col
        new = ~placed[node]
        hub, node = hub[new], node[new]
        if not len(node):
            break
        first = np.lexsort((hub, node))  # each new node beside its first hub
        hub, node = hub[first], node[first]
        one = np.r_[True, node[1:] != node[:-1]]
        hub, node = hub[one], node[one]
        around = np.lexsort((by_text[node], hub))  # a hub's new neighbours by key
        hub, node = hub[around], node[around]
        starts = np.r_[0, np.flatnonzero(hub[1:] != hub[:-1]) + 1]
        i = np.arange(len(node)) - np.repeat(starts, np.diff(np.r_[starts, len(node)]))
        angle, r = 2.399963 * i, 18 + 4 * np.sqrt(i)
        centre = xy[frontier[hub]]
        xy[node, 0] = np.round(centre[:, 0] + r * np.cos(angle), 1)
        xy[node, 1] = np.round(centre[:, 1] + r * np.sin(angle), 1)
        placed[node] = True
        frontier = node
    rest = order[~placed[order]]
    if len(rest):
        extent = float(np.hypot(xy[placed, 0], xy[placed, 1]).max(initial=0.0)) or 40.0
        angle = 2 * np.pi * np.arange(len(rest)) / max(1, len(rest))
        r = extent * 1.15 + 40
        xy[rest, 0] = np.round(r * np.cos(angle), 1)
        xy[rest, 1] = np.round(r * np.sin(angle), 1)
    return xy
