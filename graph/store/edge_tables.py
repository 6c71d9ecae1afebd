"""Columns the embedded store keeps of two kinds of relationships, built from its lists of
edges ``(u, v, data)`` (node keys ``"Label:id"``) once per write, as it keeps its node
tables: who takes part in each project in which role (``PARTNER_IN``) and which regions and
countries each project targets (``TARGETS``).

Reading them from the graph instead meant a Python walk over 100,000 and 50,000 edges in
every analysis that asked (each project's funders, the money spread over regions), slower
still on a store just loaded, whose edge dicts lie scattered in memory.

Examples
--------
>>> edges = [("Organization:b", "Project:p", {"id": "r2", "role": "donor"}),
...          ("Organization:a", "Project:p", {"id": "r1", "role": "lead"})]
>>> role_table(edges).values.tolist()
[['p', 'a', 'lead'], ['p', 'b', 'donor']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.store.grouping import sorted_factorize

__all__ = ["role_table", "target_table"]


def role_table(edges) -> pd.DataFrame:
    """``project``, ``org`` and ``role`` (None where it has none) of each ``PARTNER_IN``
    edge (organization → project), in the order of the edges' ids.

    >>> role_table([]).columns.tolist()
    ['project', 'org', 'role']
    """
    columns = ["project", "org", "role"]
    if not edges:
        return pd.DataFrame(columns=columns, dtype=object)
    # a relationship's id is its own (one edge per id and type): id order is one order
    codes, _ = sorted_factorize(np.array([d["id"] for _, _, d in edges], dtype=object))
    at = np.argsort(codes, kind="stable").tolist()
    return pd.DataFrame(
        {
            "project": [edges[i][1].partition(":")[2] for i in at],
            "org": [edges[i][0].partition(":")[2] for i in at],
            "role": [edges[i][2].get("role") for i in at],
        },
        dtype=object,
    )


def target_table(edges) -> tuple[pd.DataFrame, list]:
    """``project``, ``target`` (an id), ``label`` (``Region`` or ``Country``) and
    ``share`` (None where none is given) of each ``TARGETS`` edge, in edge order; and each
    target's node key once, in order of first appearance.

    >>> ties, keys = target_table([("Project:p", "Region:r", {"share": 0.5}),
    ...                            ("Project:q", "Region:r", {})])
    >>> ties.values.tolist(), keys
    ([['p', 'r', 'Region', 0.5], ['q', 'r', 'Region', None]], ['Region:r'])
    """
    starts, ends_keys, data = zip(*edges, strict=True) if edges else ((), (), ())
    ends = [v.partition(":") for v in ends_keys]  # a node's key is "Label:id"
    ties = pd.DataFrame(
        {
            "project": [u.partition(":")[2] for u in starts],
            "target": [v for _label, _sep, v in ends],
            "label": [label for label, _sep, _v in ends],
            "share": [d.get("share") for d in data],
        },
        dtype=object,
    )
    return ties, list(dict.fromkeys(ends_keys))
