"""The embedded store's writes, on a copy of its graph, edge index and flow table (the
store swaps them in when all went well): planned nodes and relationships set, values
cleared, and what a sync or a retraction removes.

Nodes are keyed ``"Label:id"``; the edge index maps ``(type, id)`` to the edge's
``(u, v, key)``; funding flows are rows of a :class:`~graph.store.flows.FlowTable`.

Examples
--------
>>> g, index = nx.MultiDiGraph(), {}
>>> write_nodes(g, "Organization", [{"id": "a", "props": {"name": "A", "city": "X"}}])
>>> write_nodes(g, "Organization", [{"id": "a", "props": {"city": None}}])
>>> g.nodes["Organization:a"]
{'label': 'Organization', 'id': 'a', 'name': 'A'}
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from graph.schema import NODE_LABELS
from graph.store.batch import FrameRows
from graph.store.changes import SOURCES, Removal
from graph.store.flows import FlowTable
from graph.store.tables import isin

__all__ = [
    "FUNDS",
    "key",
    "write_nodes",
    "write_edges",
    "checked_flows",
    "apply_removal",
    "remove_ids",
]

#: The relationship type held in the flow table instead of the graph.
FUNDS = "FUNDS"


def key(label: str, node_id) -> str:
    """The graph key of a node."""
    return f"{label}:{node_id}"


def _set(d: dict, props: dict) -> None:
    """Set ``props`` on ``d``; a ``None`` value removes the property."""
    if None in props.values():
        for k, v in props.items():
            if v is None:
                d.pop(k, None)
            else:
                d[k] = v
    else:
        d.update(props)


def write_nodes(g: nx.MultiDiGraph, label: str, rows) -> None:
    """Create or update the nodes of ``rows`` (``{"id", "props"}``)."""
    for r in rows:
        k = key(label, r["id"])
        if k in g:
            _set(g.nodes[k], r["props"])
        else:
            g.add_node(
                k, label=label, id=r["id"], **{p: v for p, v in r["props"].items() if v is not None}
            )


def write_edges(g: nx.MultiDiGraph, index: dict, rel_type: str, ends: tuple, rows) -> None:
    """Create or update the relationships of ``rows`` (``{"id", "start", "end", "props"}``)
    between nodes of the labels ``ends``; a KeyError names the first whose end is
    missing."""
    for r in rows:
        u, v = key(ends[0], r["start"]), key(ends[1], r["end"])
        for end in (u, v):
            if end not in g:
                raise KeyError(f"{rel_type} {r['id']}: no node {end}")
        old = index.get((rel_type, r["id"]))
        if old is not None and (old[0], old[1]) == (u, v):
            _set(g.edges[old], r["props"])
            continue
        held = dict(g.edges[old]) if old is not None else {}
        if old is not None:
            g.remove_edge(*old)
        _set(held, r["props"])
        held.update(type=rel_type, id=r["id"])
        ek = f"{rel_type}:{r['id']}"
        g.add_edge(u, v, key=ek, **held)
        index[(rel_type, r["id"])] = (u, v, ek)


def checked_flows(g: nx.MultiDiGraph, start_label: str, end_label: str, rows):
    """``rows`` (as a DataFrame when they are :class:`FrameRows`) when both ends of every
    flow are nodes of ``g``; else a KeyError naming the first flow whose end is missing
    (nothing is written)."""
    ids = {d["id"] for k, d in g.nodes(data=True) if d["label"] in (start_label, end_label)}
    if isinstance(rows, FrameRows):
        t = rows.frame
        missing = ~(isin(t["start"], ids) & isin(t["end"], ids))
        if missing.any():
            r = t.iloc[int(missing.argmax())]
            lab, end = (start_label, r["start"]) if r["start"] not in ids else (end_label, r["end"])
            raise KeyError(f"{FUNDS} {r['id']}: no node {key(lab, end)}")
        return t
    for r in rows:
        for lab, end in ((start_label, r["start"]), (end_label, r["end"])):
            if end not in ids:
                raise KeyError(f"{FUNDS} {r['id']}: no node {key(lab, end)}")
    return rows


def _retagged(flows: FlowTable, untag: list) -> FlowTable:
    """``flows`` with the sources of the flows in ``untag`` (``(id, sources)``) replaced."""
    if not untag:
        return flows
    t = flows.frame.copy()
    rest = pd.Series(dict(untag), dtype=object)
    hit = isin(t["id"], rest.index)
    col = t[SOURCES].astype(object)
    col[hit] = t.loc[hit, "id"].map(rest).to_numpy()
    t[SOURCES] = col
    return FlowTable(t)


def _drop_edge(g: nx.MultiDiGraph, index: dict, rel_type: str, rel_id) -> bool:
    at = index.pop((rel_type, rel_id), None)
    if at is None:
        return False
    g.remove_edge(*at)
    return True


def apply_removal(g: nx.MultiDiGraph, index: dict, flows: FlowTable, gone: Removal):
    """Remove what ``gone`` says: relationships first, then the nodes no other record is
    tied to (a node still tied is kept and counted). The new flow table, how many records
    were removed and how many nodes were kept, by label and type."""
    removed: dict = {}
    kept: dict = {}
    for t, (delete, untag) in gone.rels.items():
        if t == FUNDS:
            before = len(flows)
            flows = _retagged(flows.without(delete), untag)
            removed[t] = before - len(flows)
            continue
        removed[t] = sum(_drop_edge(g, index, t, rid) for rid in delete)
        for rid, rest in untag:
            if (t, rid) in index:
                g.edges[index[(t, rid)]][SOURCES] = rest
    ends = set(flows.frame["start"]) | set(flows.frame["end"]) if len(flows) else set()
    for label, (delete, untag) in gone.nodes.items():
        for nid in delete:
            k = key(label, nid)
            if k not in g:
                continue
            if g.degree(k) or (label == "Organization" and nid in ends):
                kept[label] = kept.get(label, 0) + 1
                continue
            g.remove_node(k)
            removed[label] = removed.get(label, 0) + 1
        for nid, rest in untag:
            if key(label, nid) in g:
                g.nodes[key(label, nid)][SOURCES] = rest
    return flows, removed, kept


def remove_ids(g: nx.MultiDiGraph, index: dict, flows: FlowTable, ids):
    """Remove the nodes (with every tie and flow) and relationships whose id is one of
    ``ids``: the new flow table and how many were removed, by label and type."""
    ids = set(ids)
    removed: dict = {}

    def count(kind, n=1):
        removed[kind] = removed.get(kind, 0) + n

    for t, rid in [k for k in index if k[1] in ids]:
        count(t, _drop_edge(g, index, t, rid))
    orgs = {i for i in ids if key("Organization", i) in g}
    for label in NODE_LABELS:
        for nid in [i for i in ids if key(label, i) in g]:
            k = key(label, nid)
            for _u, _v, d in [*g.out_edges(k, data=True), *g.in_edges(k, data=True)]:
                count(d["type"], _drop_edge(g, index, d["type"], d["id"]))
            g.remove_node(k)
            count(label)
    f = flows.frame
    hit = isin(f["id"], ids) | isin(f["start"], orgs) | isin(f["end"], orgs)
    if hit.any():
        count(FUNDS, int(hit.sum()))
        flows = flows.without(f.loc[hit, "id"])
    return flows, removed
