"""What one drawing of the partnership network shows: the nodes drawn one by one, the groups
the others are folded into, and one line per pair of drawn nodes and kind of tie.

A drawing holds about a thousand nodes before it stops being readable. Above
:data:`MAX_NODES` visible nodes, :func:`drawn_part` keeps the most important (those that
match the filters first, then by money, betweenness or ties, as the drawing is sized) and
folds the rest into one grey group per kind (and sector, for organizations), each tie to a
group counted. Everything here is array work on :class:`~graph.analyses.drawing.PartnerDrawing`;
the page only renders the result (:mod:`views.netviz`).

Examples
--------
>>> from graph.analyses.drawing import partner_drawing
>>> from graph.analyses.layout import positions
>>> d = partner_drawing(example_store())
>>> part = drawn_part(d, positions(d.adjacency), max_nodes=12)
>>> part.capped, len(part.nodes), len(part.groups), part.grouped
(True, 6, 6, 9)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.analyses.drawing import PartnerDrawing

__all__ = ["MAX_NODES", "DrawnGroup", "DrawnPart", "drawn_part"]

#: Above this many visible nodes a drawing keeps the most important and groups the rest.
MAX_NODES = 1000


@dataclass(frozen=True)
class DrawnGroup:
    """Folded nodes of one kind (and sector), drawn as one node at their centre.

    Attributes
    ----------
    label, sector : str
        The kind of node and, for organizations, their sector ("" when not stated).
    members : int
    x, y : float
        The mean of the members' positions.
    usd : float
        Their known money.
    top : list of str
        The names of up to five of them with the most money.
    """

    label: str
    sector: str
    members: int
    x: float
    y: float
    usd: float
    top: list


@dataclass(frozen=True)
class DrawnPart:
    """What a drawing shows (see the module notes).

    Attributes
    ----------
    nodes : DataFrame
        The rows of the drawing's ``nodes`` drawn one by one, sorted by key, with ``x``,
        ``y``, ``lit`` (matches the filters), ``marked`` and ``betweenness``. A node's
        drawing id is its row number here; group ``i`` has id ``len(nodes) + i``.
    groups : list of DrawnGroup
        Sorted by kind and sector.
    lines : DataFrame
        One per pair of drawn nodes (a folded node stands for its group) and kind of tie:
        ``from``, ``to`` (drawing ids, in the direction of the first such tie), ``type``,
        ``count`` (ties it stands for), ``grouped`` (an end is a group), ``lit`` (both ends
        drawn one by one and matching the filters, or no filter set).
    total : int
        Visible nodes.
    capped : bool
        Whether some were folded into groups.
    grouped : int
        How many were.
    """

    nodes: pd.DataFrame
    groups: list
    lines: pd.DataFrame
    total: int
    capped: bool
    grouped: int


def drawn_part(
    drawing: PartnerDrawing,
    pos,
    *,
    centrality: pd.DataFrame | None = None,
    size_by: str = "money",
    highlight: set | None = None,
    visible: set | None = None,
    ties: set | None = None,
    marked: set | None = None,
    max_nodes: int = MAX_NODES,
) -> DrawnPart:
    """The part of ``drawing`` one picture shows (see :class:`DrawnPart`).

    Parameters
    ----------
    pos : array of shape (nodes, 2)
        :func:`graph.analyses.layout.positions` of the drawing's adjacency.
    centrality : DataFrame, optional
        :func:`graph.analyses.network.centrality` (``label``, ``id``, ``betweenness``);
        needed only to keep nodes by betweenness.
    size_by : {"money", "centrality", "none"}
        What decides which nodes are kept above ``max_nodes``: known money, betweenness or
        the number of ties.
    highlight, visible, marked : set of node keys, optional
        Nodes that match the filters (None: all), that are drawn at all (None: all), that
        are outlined.
    ties : set of str, optional
        Kinds of tie drawn (None: all).
    """
    nd = drawing.nodes
    between = np.zeros(len(nd))
    if centrality is not None and len(centrality):
        keys = centrality["label"].astype(str) + ":" + centrality["id"].astype(str)
        at = pd.Index(nd["key"]).get_indexer(keys)
        between[at[at >= 0]] = centrality["betweenness"].to_numpy(float)[at >= 0]
    shown, lit = drawing.rows_of(visible), drawing.rows_of(highlight)
    total = int(shown.sum())
    kept, groups = np.flatnonzero(shown), {}
    if total > max_nodes:
        kept, groups = _fold(nd, shown, lit, size_by, between, max_nodes)
    kept = kept[np.argsort(nd["key"].to_numpy(object)[kept], kind="stable")]
    draw_id = np.full(len(nd), -1, dtype=np.int64)  # the drawing's own ids, never data ids
    draw_id[kept] = np.arange(len(kept))
    order = sorted(groups)
    for i, k in enumerate(order):
        draw_id[groups[k]] = len(kept) + i
    xy = np.asarray(pos, dtype=float).reshape(-1, 2)
    nodes = nd.iloc[kept].reset_index(drop=True)
    nodes = nodes.assign(
        x=xy[kept, 0],
        y=xy[kept, 1],
        lit=lit[kept],
        marked=drawing.rows_of(marked or ())[kept],
        betweenness=between[kept],
    )
    return DrawnPart(
        nodes=nodes,
        groups=[_group(k, groups[k], nd, xy) for k in order],
        lines=_lines(drawing.ties, draw_id, len(kept), ties, lit, highlight is not None),
        total=total,
        capped=bool(groups),
        grouped=int(sum(len(m) for m in groups.values())),
    )


def _fold(nd: pd.DataFrame, shown, lit, size_by: str, between, max_nodes: int):
    """The rows kept (the most important of ``shown``, less one slot per group) and each
    group's rows, by ``(label, sector)``."""
    rows = np.flatnonzero(shown)
    usd, deg = nd["usd"].to_numpy(float)[rows], nd["degree"].to_numpy(float)[rows]
    first = {"money": usd, "centrality": between[rows]}.get(size_by, deg)
    score = pd.DataFrame(
        {"lit": lit[rows], "first": first, "ties": deg, "money": usd, "key": nd["key"].iloc[rows]}
    )
    best = score.reset_index(drop=True).sort_values(list(score.columns), ascending=False)
    ranked = rows[best.index.to_numpy()]
    labels = nd["label"].to_numpy(object)[ranked]
    sectors = pd.Series(nd["sector"].to_numpy(object)[ranked]).fillna("").to_numpy(object)
    group = pd.Series(labels + "|" + np.where(labels == "Organization", sectors, ""))
    slots = max_nodes
    while True:  # the groups take slots of their own
        n_groups = group.iloc[slots:].nunique()
        if slots + n_groups <= max_nodes or slots <= 1:
            break
        slots = max(1, max_nodes - n_groups)
    rest = group.iloc[slots:]
    groups = {}
    for k, at in rest.groupby(rest, sort=False).indices.items():
        label, _, sector = k.partition("|")
        groups[(label, sector)] = ranked[slots:][at]
    return ranked[:slots], groups


def _group(key: tuple, members: np.ndarray, nd: pd.DataFrame, xy: np.ndarray) -> DrawnGroup:
    usd = nd["usd"].to_numpy(float)[members]
    top = members[np.argsort(-usd, kind="stable")[:5]]
    x, y = xy[members].mean(axis=0)
    return DrawnGroup(
        label=key[0],
        sector=key[1],
        members=len(members),
        x=float(x),
        y=float(y),
        usd=float(usd.sum()),
        top=nd["name"].iloc[top].astype(str).tolist(),
    )


_LINE_COLUMNS = ("from", "to", "type", "count", "grouped", "lit")


def _lines(ties: pd.DataFrame, draw_id, n_kept: int, kinds, lit, filtered: bool) -> pd.DataFrame:
    u, v = ties["u"].to_numpy(np.int64), ties["v"].to_numpy(np.int64)
    a, b = draw_id[u], draw_id[v]
    ok = (a >= 0) & (b >= 0) & (a != b)
    if kinds is not None:
        ok &= ties["type"].isin(list(kinds)).to_numpy()
    if not ok.any():
        return pd.DataFrame({c: [] for c in _LINE_COLUMNS})
    a, b, u, v = a[ok], b[ok], u[ok], v[ok]
    one_by_one = (a < n_kept) & (b < n_kept)
    t = pd.DataFrame(
        {
            "from": a,
            "to": b,
            "lo": np.minimum(a, b),
            "hi": np.maximum(a, b),
            "type": ties["type"].to_numpy(object)[ok],
            "lit": (lit[u] & lit[v] & one_by_one) | (not filtered),
        }
    )
    one = t.groupby(["lo", "hi", "type"], sort=False)
    out = one.first().assign(count=one.size()).reset_index()
    out["grouped"] = (out["from"] >= n_kept) | (out["to"] >= n_kept)
    return out[list(_LINE_COLUMNS)]
