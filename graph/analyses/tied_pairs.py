"""Pairs of nodes tied by relationships, counted: the edges of the partnership graph
(:mod:`graph.analyses.network`) from the store's relationship pairs
(:meth:`graph.store.GraphStore.rel_pairs`), as positions among a list of nodes.

Examples
--------
>>> nodes = _ids_by_label(np.array(["Project", "Organization"]), np.array(["p1", "inst"], dtype=object))
>>> sorted(nodes)
['Organization', 'Project']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.store import GraphStore, positions
from graph.store.grouping import group_index

__all__ = ["tied_pairs"]


def tied_pairs(store: GraphStore, types, labels: np.ndarray, ids: np.ndarray) -> tuple:
    """Per pair of nodes (``labels`` and ``ids`` side by side) tied by relationships of
    ``types``: the positions of its ends among the nodes, how many relationships and a
    bit mask of their types (bit i: ``types[i]``); in the order the pairs first appear
    type by type (as adding them one by one would), counted where the data lives (flows
    are many, pairs are few). Each end is looked up among the ids of its own label: no
    ``Label:id`` text is built per relationship.

    >>> labels = np.array(["Organization", "Project"], dtype=object)
    >>> u, v, weight, mask = tied_pairs(example_store(), ["PARTNER_IN"], labels, np.array(["inst", "p1"], dtype=object))
    >>> u.tolist(), v.tolist(), weight.tolist(), mask.tolist()
    ([0], [1], [1], [1])
    """
    empty = np.array([], dtype=np.int64)
    parts = []
    nodes = _ids_by_label(labels, ids)
    for t in types:
        rt = store.rel_pairs(t)
        if len(rt):
            count = rt["count"] if "count" in rt else pd.Series(1, index=rt.index)
            parts.append(
                pd.DataFrame(
                    {
                        "u": _positions_of(rt["start_label"], rt["start"], nodes),
                        "v": _positions_of(rt["end_label"], rt["end"], nodes),
                        "weight": count.fillna(1).astype("int64").to_numpy(),
                        "bit": types.index(t),
                    }
                )
            )
    if not parts or not len(ids):
        return empty, empty, empty, empty
    pairs = pd.concat(parts, ignore_index=True)
    pu, pv = pairs["u"].to_numpy(np.int64), pairs["v"].to_numpy(np.int64)
    inside = (pu >= 0) & (pv >= 0)
    if not inside.any():
        return empty, empty, empty, empty
    pairs, pu, pv = pairs[inside], pu[inside], pv[inside]
    lo, hi = np.minimum(pu, pv), np.maximum(pu, pv)  # one pair whichever way it points
    group, _, first = group_index([(lo, len(ids)), (hi, len(ids))], len(pairs))
    n = len(first)
    weight = np.bincount(group, pairs["weight"].to_numpy(float), n).astype(np.int64)
    mask = np.zeros(n, dtype=np.int64)  # one bit per type the pair is tied by
    np.bitwise_or.at(mask, group, np.left_shift(1, pairs["bit"].to_numpy(np.int64)))
    return pu[first], pv[first], weight, mask


def _ids_by_label(labels: np.ndarray, ids: np.ndarray) -> dict:
    """Label → (its nodes' ids as text, their positions among all the nodes).

    >>> _ids_by_label(np.array(["A", "B", "A"]), np.array(["x", "y", 3], dtype=object))["A"]
    (['x', '3'], array([0, 2]))
    """
    out = {}
    for label in pd.unique(labels).tolist():
        at = np.flatnonzero(labels == label)
        out[label] = ([str(i) for i in ids[at].tolist()], at)
    return out


def _positions_of(labels: pd.Series, ids: pd.Series, nodes: dict) -> np.ndarray:
    """Where each relationship end (its label and id) is among the nodes of
    :func:`_ids_by_label` (-1: not among them).

    >>> nodes = _ids_by_label(np.array(["A", "B"]), np.array(["x", "x"], dtype=object))
    >>> _positions_of(pd.Series(["B", "A", "C"]), pd.Series(["x", "x", "x"]), nodes).tolist()
    [1, 0, -1]
    """
    out = np.full(len(ids), -1, dtype=np.int64)
    text = ids.astype(str)
    for label in pd.unique(labels).tolist():
        if label not in nodes:
            continue
        at = (labels == label).to_numpy(bool)
        own, where = nodes[label]
        found = positions(text[at], own)
        out[at] = np.where(found >= 0, where[np.maximum(found, 0)], -1)
    return out
