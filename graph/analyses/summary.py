"""What a store holds, in the words of the overview page.

Examples
--------
>>> from loaders.load import load_memory
>>> s = loaded_summary(load_memory())
>>> sorted(s["headline"])
['Countries', 'Events', 'Funding flows', 'Networks', 'Organizations', 'Projects']
>>> s["coverage"]["flows"] == s["coverage"]["with_amount"] + s["coverage"]["without_amount"]
True
"""

from __future__ import annotations

import pandas as pd

from graph.schema import FLOW_TYPES
from graph.store import GraphStore

__all__ = ["loaded_summary"]

_HEADLINE = (
    ("Organizations", "Organization"),
    ("Projects", "Project"),
    ("Networks", "Network"),
    ("Events", "Event"),
    ("Countries", "Country"),
)


def loaded_summary(store: GraphStore) -> dict:
    """Counts by kind, organizations by sector, and how many flows state an amount.

    Parameters
    ----------
    store : GraphStore

    Returns
    -------
    dict
        ``headline`` (label → count), ``by_sector`` and ``by_kind`` (DataFrames),
        ``coverage`` (flows, with_amount, without_amount, share_with_amount).
    """
    counts = store.counts()
    headline = {name: counts["nodes"].get(label, 0) for name, label in _HEADLINE}
    headline["Funding flows"] = counts["relationships"].get("FUNDS", 0)

    orgs = store.node_table("Organization")
    if len(orgs):
        by_sector = (
            orgs.groupby("sector", dropna=False)
            .size()
            .rename("organizations")
            .reset_index()
            .sort_values(["organizations", "sector"], ascending=[False, True])
            .reset_index(drop=True)
        )
    else:
        by_sector = pd.DataFrame(columns=["sector", "organizations"])

    rows = [{"kind": k, "what": "nodes", "count": n} for k, n in counts["nodes"].items()]
    rows += [
        {"kind": k, "what": "relationships", "count": n} for k, n in counts["relationships"].items()
    ]
    by_kind = pd.DataFrame(rows, columns=["kind", "what", "count"])

    totals = store.funding_totals((), flow_types=FLOW_TYPES)  # counted where the data lives
    n = int(totals["flows"].iloc[0])
    known = int(totals["amount_known"].iloc[0])
    coverage = {
        "flows": n,
        "with_amount": known,
        "without_amount": n - known,
        "share_with_amount": (known / n) if n else 0.0,
    }
    return {"headline": headline, "by_sector": by_sector, "by_kind": by_kind, "coverage": coverage}
